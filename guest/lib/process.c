/*
 * Processes: fork, exec, wait, identity and signals; and the system they
 * run on (uname, getrandom).  Puma has none of these calls: there the wedge
 * reaches the deficiency routine and the program migrates to Linux.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"

/* linux_signal[s]: the Linux number of picolibc's signal s; 0 = none
 * (picolibc numbers signals the BSD way: SIGCHLD 20, SIGUSR1 30, ...). */
static const unsigned char linux_signal[NSIG] = {
    [SIGHUP] = 1,   [SIGINT] = 2,    [SIGQUIT] = 3,   [SIGILL] = 4,
    [SIGTRAP] = 5,  [SIGABRT] = 6,   [SIGBUS] = 7,    [SIGFPE] = 8,
    [SIGKILL] = 9,  [SIGUSR1] = 10,  [SIGSEGV] = 11,  [SIGUSR2] = 12,
    [SIGPIPE] = 13, [SIGALRM] = 14,  [SIGTERM] = 15,  [SIGCHLD] = 17,
    [SIGCONT] = 18, [SIGSTOP] = 19,  [SIGTSTP] = 20,  [SIGTTIN] = 21,
    [SIGTTOU] = 22, [SIGURG] = 23,   [SIGXCPU] = 24,  [SIGXFSZ] = 25,
    [SIGVTALRM] = 26, [SIGPROF] = 27, [SIGWINCH] = 28, [SIGIO] = 29,
    [SIGSYS] = 31,
};

int __uniform_signal_to_linux(int sig)
{
    if (sig == 0)
        return 0;
    if (sig < 0 || sig >= NSIG || linux_signal[sig] == 0)
        return -1;
    return linux_signal[sig];
}

int __uniform_signal_from_linux(int linux_sig)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (linux_signal[sig] == linux_sig)
            return sig;
    return linux_sig;
}

#define LINUX_SIGCHLD 17

/* clone(flags = exit signal SIGCHLD, no new stack, no tid pointers, no TLS). */
pid_t fork(void)
{
    return (pid_t)UK_CALL(UK_SYS_clone, LINUX_SIGCHLD, 0, 0, 0, 0);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    return (int)UK_CALL(UK_SYS_execve, path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

pid_t getpid(void) { return (pid_t)UK_CALL(UK_SYS_getpid); }
pid_t getppid(void) { return (pid_t)UK_CALL(UK_SYS_getppid); }

int kill(pid_t pid, int sig)
{
    int linux_sig = __uniform_signal_to_linux(sig);
    if (linux_sig < 0)
        return (int)__uniform_fail(EINVAL);
    return (int)UK_CALL(UK_SYS_kill, pid, linux_sig);
}

/*
 * waitpid over waitid: rv32 Linux has no wait4.  The child's siginfo is
 * turned back into a classic wait status.
 */
#define LINUX_P_ALL  0
#define LINUX_P_PID  1
#define LINUX_P_PGID 2 /* id 0: the caller's own group (Linux 5.4 and later) */
#define LINUX_WNOHANG  1
#define LINUX_WSTOPPED 2
#define LINUX_WEXITED  4
enum { CLD_EXITED = 1, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED };

/* The SIGCHLD member of Linux's 128-byte siginfo_t. */
struct linux_siginfo_child {
    int32_t si_signo, si_errno, si_code;
    int32_t si_pid, si_uid, si_status;
    uint32_t rest[26];
};
_Static_assert(sizeof(struct linux_siginfo_child) == 128, "Linux siginfo_t is 128 bytes");

static int wait_status(const struct linux_siginfo_child *info)
{
    int sig = __uniform_signal_from_linux(info->si_status);
    switch (info->si_code) {
    case CLD_EXITED: return (info->si_status & 0xff) << 8;
    case CLD_KILLED: return sig;
    case CLD_DUMPED: return sig | 0x80;
    case CLD_CONTINUED: return 0xffff;
    default: return (sig << 8) | 0x7f; /* stopped or trapped */
    }
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    if (options & ~(WNOHANG | WUNTRACED))
        return (pid_t)__uniform_fail(EINVAL);
    if (pid == INT_MIN) /* no group -INT_MIN; Linux says ESRCH */
        return (pid_t)__uniform_fail(ESRCH);
    long idtype = pid == -1 ? LINUX_P_ALL : pid > 0 ? LINUX_P_PID : LINUX_P_PGID;
    long id = pid < -1 ? -pid : pid > 0 ? pid : 0;
    long linux_options = LINUX_WEXITED | (options & WNOHANG ? LINUX_WNOHANG : 0)
                         | (options & WUNTRACED ? LINUX_WSTOPPED : 0);
    struct linux_siginfo_child info = { 0 };
    if (UK_CALL(UK_SYS_waitid, idtype, id, &info, linux_options, 0) < 0)
        return -1;
    if (info.si_pid == 0) /* WNOHANG and no child has changed state */
        return 0;
    if (status)
        *status = wait_status(&info);
    return info.si_pid;
}

pid_t wait(int *status)
{
    return waitpid(-1, status, 0);
}

int uname(struct utsname *name)
{
    return (int)UK_CALL(UK_SYS_uname, name);
}

ssize_t getrandom(void *buffer, size_t length, unsigned int flags)
{
    return UK_CALL(UK_SYS_getrandom, buffer, length, flags);
}

/* getentropy (picolibc's arc4random uses it): at most 256 bytes, all or error. */
int getentropy(void *buffer, size_t length)
{
    if (length > 256)
        return (int)__uniform_fail(EIO);
    for (size_t done = 0; done < length;) {
        ssize_t n = getrandom((char *)buffer + done, length - done, 0);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            done += (size_t)n;
    }
    return 0;
}
