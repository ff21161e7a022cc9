/*
 * Descriptor calls beyond open/read/write: pipes, duplication, fcntl,
 * isatty and vectored I/O.  Flags and fcntl commands are translated between
 * picolibc's values and Linux's where they differ.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/uio.h>
#include <unistd.h>
#include "internal.h"

#define LINUX_F_DUPFD_CLOEXEC 1030
#define LINUX_TCGETS 0x5401

int pipe2(int fds[2], int flags)
{
    long linux_flags = __uniform_open_flags(flags);
    if (linux_flags < 0 || (flags & ~(O_CLOEXEC | O_NONBLOCK)))
        return (int)__uniform_fail(EINVAL);
    return (int)UK_CALL(UK_SYS_pipe2, fds, linux_flags);
}

int pipe(int fds[2]) { return pipe2(fds, 0); }

int dup(int fd) { return (int)UK_CALL(UK_SYS_dup, fd); }

int dup3(int oldfd, int newfd, int flags)
{
    if (flags & ~O_CLOEXEC)
        return (int)__uniform_fail(EINVAL);
    return (int)UK_CALL(UK_SYS_dup3, oldfd, newfd, __uniform_open_flags(flags));
}

/* dup3 refuses oldfd == newfd; dup2 then only checks that oldfd is open. */
int dup2(int oldfd, int newfd)
{
    if (oldfd == newfd)
        return fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd;
    return dup3(oldfd, newfd, 0);
}

/* F_DUPFD, F_GETFD, F_SETFD (FD_CLOEXEC = 1), F_GETFL and F_SETFL have the
 * same numbers on both sides; the status flags themselves do not. */
int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long); /* absent for F_GETFD/F_GETFL: harmless */
    va_end(ap);
    switch (cmd) {
    case F_DUPFD: case F_GETFD: case F_SETFD:
        break;
    case F_DUPFD_CLOEXEC:
        cmd = LINUX_F_DUPFD_CLOEXEC;
        break;
    case F_GETFL: {
        long linux_flags = UK_CALL(UK_SYS_fcntl64, fd, F_GETFL);
        return linux_flags < 0 ? -1 : __uniform_open_flags_from_linux(linux_flags);
    }
    case F_SETFL:
        arg = __uniform_open_flags((int)arg);
        if (arg < 0)
            return (int)__uniform_fail(EINVAL);
        break;
    default: /* locks and the rest */
        return (int)__uniform_fail(EINVAL);
    }
    return (int)UK_CALL(UK_SYS_fcntl64, fd, cmd, arg);
}

/* A terminal answers TCGETS; anything else fails it with ENOTTY. */
int isatty(int fd)
{
    unsigned char termios[64]; /* Linux's struct termios is 36 bytes */
    return UK_CALL(UK_SYS_ioctl, fd, LINUX_TCGETS, termios) == 0;
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
    return UK_CALL(UK_SYS_readv, fd, iov, iovcnt);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    return UK_CALL(UK_SYS_writev, fd, iov, iovcnt);
}
