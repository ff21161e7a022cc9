/*
 * Directories: mkdir, rmdir, rename, and directory streams over
 * getdents64.  Puma has no directories: all of these are deficiencies there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#define LINUX_AT_REMOVEDIR 0x200

int mkdir(const char *path, mode_t mode)
{
    return (int)UK_CALL(UK_SYS_mkdirat, LINUX_AT_FDCWD, path, mode);
}

int rmdir(const char *path)
{
    return (int)UK_CALL(UK_SYS_unlinkat, LINUX_AT_FDCWD, path, LINUX_AT_REMOVEDIR);
}

/* rv32 Linux has no rename or renameat: renameat2 with flags 0. */
int rename(const char *from, const char *to)
{
    return (int)UK_CALL(UK_SYS_renameat2, LINUX_AT_FDCWD, from, LINUX_AT_FDCWD, to, 0);
}

/* Linux's struct linux_dirent64, as getdents64 packs them (8-aligned). */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};

struct uniform_dir {
    int fd;
    unsigned position, length; /* of the records in buffer */
    struct dirent entry;       /* what readdir returns */
    _Alignas(8) char buffer[2048];
};

DIR *fdopendir(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return NULL;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return NULL;
    }
    DIR *dir = malloc(sizeof *dir);
    if (dir == NULL)
        return NULL;
    dir->fd = fd;
    dir->position = dir->length = 0;
    return dir;
}

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return dir;
}

/* NULL at the end (errno unchanged) or on an error (errno set). */
struct dirent *readdir(DIR *dir)
{
    if (dir->position >= dir->length) {
        long n = UK_CALL(UK_SYS_getdents64, dir->fd, dir->buffer, sizeof dir->buffer);
        if (n <= 0)
            return NULL;
        dir->length = (unsigned)n;
        dir->position = 0;
    }
    const struct linux_dirent64 *record = (const void *)(dir->buffer + dir->position);
    dir->position += record->d_reclen;
    struct dirent *entry = &dir->entry;
    entry->d_ino = (ino_t)record->d_ino;
    entry->d_off = (off_t)record->d_off;
    entry->d_reclen = sizeof *entry;
    entry->d_type = record->d_type;
    size_t name_length = strnlen(record->d_name, sizeof entry->d_name - 1);
    memcpy(entry->d_name, record->d_name, name_length);
    entry->d_name[name_length] = '\0';
    return entry;
}

void rewinddir(DIR *dir)
{
    lseek(dir->fd, 0, SEEK_SET);
    dir->position = dir->length = 0;
}

int dirfd(DIR *dir) { return dir->fd; }

int closedir(DIR *dir)
{
    int result = close(dir->fd);
    free(dir);
    return result;
}
