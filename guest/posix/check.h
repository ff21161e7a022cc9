/*
 * Shared by the posix/ programs: checks that print one deterministic line
 * each (never a pid, address or time), and the helpers the programs use to
 * fork and describe how a child ended.  Every program ends with
 * "PASS name" (exit 0) or "FAIL name" (exit 1) through finish().
 */
#ifndef POSIX_CHECK_H
#define POSIX_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static inline int check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
    return ok;
}

/* result must be -1 with errno == want. */
static inline int check_errno(long result, int want, const char *what)
{
    int got = errno;
    if (result == -1 && got == want)
        return check(1, what);
    printf("%s: FAILED (result %ld, errno %d, expected errno %d)\n", what, result, got, want);
    failures++;
    return 0;
}

static inline int finish(const char *name)
{
    printf("%s %s\n", failures == 0 ? "PASS" : "FAIL", name);
    return failures == 0 ? 0 : 1;
}

/* Stops the whole program: a helper process that cannot go on. */
static inline void die(const char *what)
{
    printf("FAIL %s (errno %d)\n", what, errno);
    fflush(stdout);
    _exit(1);
}

/* fork() with stdout flushed first, so no buffered line is written twice. */
static inline pid_t fork_flushed(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

/* How a wait status reads: "exited 3", "killed by signal 9". */
static inline const char *describe(int status)
{
    static char text[40];
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(text, sizeof text, "status 0x%x", (unsigned)status);
    return text;
}

/* Waits for child pid; returns its status (or -1 if waitpid failed). */
static inline int reap(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid ? status : -1;
}

/* FNV-1a, 32 bits, continued from hash (start with 2166136261). */
static inline unsigned fnv1a(unsigned hash, const void *data, size_t length)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

#define FNV_START 2166136261u

#endif
