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

/* Writes out anything buffered in stdout and stderr (registered with atexit). */
void __uniform_stdio_flush(void);

#endif
