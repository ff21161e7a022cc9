/*
 * Wait statuses: exit codes (only the low 8 bits survive), children killed
 * with SIGKILL and SIGTERM while blocked or by themselves, kill(pid, 0) on a
 * live child, a zombie and a reaped one, WNOHANG before and after a child
 * exits, waiting for one specific child and then for any, waitpid(0) for
 * the caller's process group, wait(NULL), ECHILD, and getppid in a child.
 */
#include <signal.h>
#include <time.h>
#include <uniform.h>
#include "check.h"

static void pause_briefly(void)
{
    struct timespec ms = { 0, 1000000 };
    nanosleep(&ms, NULL);
}

static pid_t child_exiting(int code)
{
    pid_t pid = fork_flushed();
    if (pid == 0)
        _exit(code);
    return pid;
}

static void exit_codes(void)
{
    static const int codes[] = { 0, 1, 42, 255, 256 + 7 };
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int status = reap(child_exiting(codes[i]));
        printf("_exit(%d): %s\n", codes[i], describe(status));
        check(WIFEXITED(status) && WEXITSTATUS(status) == (codes[i] & 0xff), "exit code seen by waitpid");
    }
}

/* A child blocked reading a pipe nobody writes: only a signal ends it. */
static void killed_while_blocked(int sig, const char *name)
{
    int fds[2];
    if (pipe(fds) < 0)
        die("pipe");
    pid_t pid = fork_flushed();
    if (pid == 0) {
        char byte;
        close(fds[1]);
        read(fds[0], &byte, 1);
        _exit(0);
    }
    close(fds[0]);
    int status = -1;
    check(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG on a running child returns 0");
    check(kill(pid, 0) == 0, "kill(pid, 0) on a running child");
    char what[40];
    snprintf(what, sizeof what, "kill(child, %s)", name);
    check(kill(pid, sig) == 0, what);
    status = reap(pid);
    printf("blocked child sent %s: %s\n", name, describe(status));
    check(WIFSIGNALED(status) && WTERMSIG(status) == sig, "killed by that signal");
    check_errno(kill(pid, 0), ESRCH, "kill(pid, 0) after reaping is ESRCH");
    close(fds[1]);
}

static void kills_itself(void)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        kill(getpid(), SIGTERM);
        _exit(0);
    }
    int status = reap(pid);
    printf("child that sent itself SIGTERM: %s\n", describe(status));
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "killed by its own SIGTERM");
}

static void zombie_and_nohang(void)
{
    pid_t pid = child_exiting(5);
    int status = -1, polls = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, WNOHANG)) == 0 && polls < 10000) {
        /* A zombie still exists until reaped. */
        if (kill(pid, 0) != 0)
            break;
        polls++;
        pause_briefly();
    }
    check(got == pid, "WNOHANG reaps the child once it has exited");
    printf("WNOHANG: %s\n", describe(status));
    check(WIFEXITED(status) && WEXITSTATUS(status) == 5, "status of the child reaped with WNOHANG");
}

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void specific_then_any(void)
{
    pid_t pids[3];
    for (int i = 0; i < 3; i++)
        pids[i] = child_exiting(10 + i);
    int status;
    check(waitpid(pids[1], &status, 0) == pids[1], "waitpid for the second child");
    printf("second child: %s\n", describe(status));
    int codes[2];
    pid_t reaped[2];
    for (int i = 0; i < 2; i++) {
        reaped[i] = wait(&status);
        codes[i] = WEXITSTATUS(status);
    }
    check((reaped[0] == pids[0] && reaped[1] == pids[2]) || (reaped[0] == pids[2] && reaped[1] == pids[0]),
          "wait returns the other two children");
    qsort(codes, 2, sizeof codes[0], by_value);
    printf("any child, sorted: exited %d, exited %d\n", codes[0], codes[1]);
    check_errno(wait(&status), ECHILD, "wait with no children left is ECHILD");
    check_errno(waitpid(-1, &status, WNOHANG), ECHILD, "waitpid(-1, WNOHANG) with no children is ECHILD");
    check_errno(waitpid(getpid(), &status, 0), ECHILD, "waitpid for oneself is ECHILD");
}

static void group_and_null(void)
{
    pid_t pid = child_exiting(6);
    int status;
    check(waitpid(0, &status, 0) == pid && WEXITSTATUS(status) == 6, "waitpid(0) waits for the caller's process group");
    pid = child_exiting(0);
    check(wait(NULL) == pid, "wait(NULL)");
}

static void parent_pid(void)
{
    pid_t parent = getpid();
    pid_t pid = fork_flushed();
    if (pid == 0)
        _exit(getppid() == parent && getpid() != parent ? 0 : 1);
    check(reap(pid) == 0, "child's getppid is the parent's getpid, its getpid differs");
    check(getpid() == parent, "getpid is stable");
}

int main(void)
{
    exit_codes();
    killed_while_blocked(SIGKILL, "SIGKILL");
    killed_while_blocked(SIGTERM, "SIGTERM");
    kills_itself();
    zombie_and_nohang();
    specific_then_any();
    group_and_null();
    parent_pid();
    check_errno(kill(getpid(), 99), EINVAL, "kill with signal 99 is EINVAL");
    return finish("wait_status");
}
