/* POSIX file-descriptor calls picolibc needs, expressed as uniform calls. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>
#include "internal.h"

/* picolibc's O_* bits and the Linux (asm-generic) values they stand for. */
static const struct { int libc, linux_bits; } open_flag_map[] = {
    { O_CREAT,     0000100 },
    { O_EXCL,      0000200 },
    { O_NOCTTY,    0000400 },
    { O_TRUNC,     0001000 },
    { O_APPEND,    0002000 },
    { O_NONBLOCK,  0004000 },
    { O_DIRECTORY, 0200000 },
    { O_NOFOLLOW,  0400000 },
    { O_CLOEXEC,   02000000 },
};

/* Translates picolibc open flags to Linux ones; -1 if some flag has no
 * counterpart here (rather than silently dropping its meaning). */
long __uniform_open_flags(int flags)
{
    long linux_flags = flags & O_ACCMODE; /* 0/1/2 on both sides */
    int unmapped = flags & ~O_ACCMODE;
    for (unsigned i = 0; i < sizeof open_flag_map / sizeof open_flag_map[0]; i++) {
        if (flags & open_flag_map[i].libc) {
            linux_flags |= open_flag_map[i].linux_bits;
            unmapped &= ~open_flag_map[i].libc;
        }
    }
    return unmapped ? -1 : linux_flags;
}

int __uniform_open_flags_from_linux(long linux_flags)
{
    int flags = (int)(linux_flags & O_ACCMODE);
    for (unsigned i = 0; i < sizeof open_flag_map / sizeof open_flag_map[0]; i++)
        if (linux_flags & open_flag_map[i].linux_bits)
            flags |= open_flag_map[i].libc;
    return flags;
}

long __uniform_dirfd(int dirfd)
{
    return dirfd == AT_FDCWD ? LINUX_AT_FDCWD : dirfd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    /* mode is only passed when creating, but reading it is harmless. */
    long mode = va_arg(ap, int);
    va_end(ap);

    long linux_flags = __uniform_open_flags(flags);
    if (linux_flags < 0)
        return (int)__uniform_fail(EINVAL);
    return (int)__uniform_call(UK_SYS_openat, __uniform_dirfd(dirfd), (long)path, linux_flags, mode, 0, 0);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = va_arg(ap, int);
    va_end(ap);
    return openat(LINUX_AT_FDCWD, path, flags, mode);
}

int close(int fd)
{
    return (int)__uniform_call(UK_SYS_close, fd, 0, 0, 0, 0, 0);
}

ssize_t read(int fd, void *buf, size_t count)
{
    return __uniform_call(UK_SYS_read, fd, (long)buf, (long)count, 0, 0, 0);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    return __uniform_call(UK_SYS_write, fd, (long)buf, (long)count, 0, 0, 0);
}

/* rv32 Linux only has _llseek: the 64-bit offset is split into two words
 * and the resulting position is stored through a pointer. */
off_t lseek(int fd, off_t offset, int whence)
{
    int64_t wide = offset;
    int64_t position;
    long r = __uniform_call(UK_SYS_llseek, fd, (long)(wide >> 32), (long)(uint32_t)wide,
                            (long)&position, whence, 0);
    if (r < 0)
        return -1;
    if (position != (off_t)position) {
        errno = EOVERFLOW;
        return -1;
    }
    return (off_t)position;
}

void _exit(int status)
{
    for (;;)
        uk_syscall(UK_SYS_exit_group, status, 0, 0, 0, 0, 0);
}

/* struct statx (linux/stat.h): what rv32 Linux's only stat call fills. */
struct linux_statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t reserved; };
struct linux_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
_Static_assert(sizeof(struct linux_statx) == 256, "guest ABI: 256-byte struct statx");

#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_STATX_BASIC_STATS 0x7ffu

static struct timespec timespec_from(struct linux_statx_timestamp t)
{
    struct timespec ts = { .tv_sec = (time_t)t.tv_sec, .tv_nsec = (long)t.tv_nsec };
    return ts;
}

static int statx_into(int dirfd, const char *path, int flags, struct stat *st)
{
    struct linux_statx sx;
    if (__uniform_call(UK_SYS_statx, dirfd, (long)path, flags, LINUX_STATX_BASIC_STATS, (long)&sx, 0) < 0)
        return -1;
    *st = (struct stat){ 0 };
    st->st_dev = (dev_t)((sx.stx_dev_major << 8) | sx.stx_dev_minor);
    st->st_ino = (ino_t)sx.stx_ino;
    st->st_mode = sx.stx_mode;
    st->st_nlink = sx.stx_nlink;
    st->st_uid = sx.stx_uid;
    st->st_gid = sx.stx_gid;
    st->st_rdev = (dev_t)((sx.stx_rdev_major << 8) | sx.stx_rdev_minor);
    st->st_size = (off_t)sx.stx_size;
    st->st_blksize = sx.stx_blksize;
    st->st_blocks = (blkcnt_t)sx.stx_blocks;
    st->st_atim = timespec_from(sx.stx_atime);
    st->st_mtim = timespec_from(sx.stx_mtime);
    st->st_ctim = timespec_from(sx.stx_ctime);
    return 0;
}

int stat(const char *path, struct stat *st)
{
    return statx_into(LINUX_AT_FDCWD, path, 0, st);
}

int fstat(int fd, struct stat *st)
{
    return statx_into(fd, "", LINUX_AT_EMPTY_PATH, st);
}

int unlink(const char *path)
{
    return (int)__uniform_call(UK_SYS_unlinkat, LINUX_AT_FDCWD, (long)path, 0, 0, 0, 0);
}
