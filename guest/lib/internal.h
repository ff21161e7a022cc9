/* Private helpers shared by the unified library's wrappers. */
#ifndef UNIFORM_INTERNAL_H
#define UNIFORM_INTERNAL_H

#include <uniform.h>

/*
 * uk_syscall() plus POSIX error reporting: a failed call sets errno
 * (translated to picolibc's numbering) and returns -1.
 */
long __uniform_call(long n, long a0, long a1, long a2, long a3, long a4, long a5);

/* Sets errno to the picolibc value of Linux errno linux_errno; returns -1. */
long __uniform_fail(long linux_errno);

/*
 * UK_CALL(n, args...): __uniform_call with up to six arguments, the missing
 * ones 0, each converted to long (pointers included).
 */
#define UK_CALL(...) UK_CALL_PADDED(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define UK_CALL_PADDED(n, a0, a1, a2, a3, a4, a5, ...) \
    __uniform_call((n), (long)(a0), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5))

/* Linux's AT_FDCWD, and a directory descriptor argument in Linux terms
 * (picolibc's AT_FDCWD is -2). */
#define LINUX_AT_FDCWD (-100)

/* Linux's ENOSYS: also what a kernel answers a call made in the other OS's
 * convention by a process that moved mid-dispatch (the wedge dispatches again). */
#define LINUX_ENOSYS 38
long __uniform_dirfd(int dirfd);

/* picolibc O_* flags as Linux ones; -1 if one has no Linux counterpart. */
long __uniform_open_flags(int flags);

/* Linux file status flags (as F_GETFL returns them) as picolibc's; bits
 * without a picolibc counterpart (O_LARGEFILE, ...) are dropped. */
int __uniform_open_flags_from_linux(long linux_flags);

/* Signal numbers: picolibc's (BSD numbering) to Linux's, -1 if there is no
 * Linux counterpart; and back (a Linux-only signal keeps its number). */
int __uniform_signal_to_linux(int sig);
int __uniform_signal_from_linux(int linux_sig);

/* Writes out anything buffered in stdout and stderr (registered with atexit). */
void __uniform_stdio_flush(void);

#endif
