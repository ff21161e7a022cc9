/*
 * Files and directories: mkdir and its errors, files created in a new
 * directory, a readdir listing (sorted here: the kernel's order is its
 * own) with types, rename (plain, over an existing file, of a directory,
 * and its errors), unlink and rmdir and theirs (ENOTEMPTY, EEXIST, ENOENT,
 * ENOTDIR, EISDIR), lseek/read/write with a hole, readv/writev, dup/dup2
 * redirection of stdout into a file and back, fcntl flags and isatty.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "check.h"

#define TOP "tree"

static void write_file(const char *name, const char *text)
{
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
        die(name);
}

/* The whole file as a string (at most 255 bytes), or "(error)". */
static const char *contents(const char *name)
{
    static char text[256];
    int fd = open(name, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0)
        return "(error)";
    text[n] = '\0';
    return text;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the directory's entries sorted, each with its type; returns how
 * many there were (-1 if it could not be read). */
static int list(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return -1;
    char *names[32];
    int count = 0;
    struct dirent *entry;
    errno = 0;
    while ((entry = readdir(dir)) != NULL && count < 32) {
        /* d_type may be DT_UNKNOWN; stat decides then. */
        int is_dir = entry->d_type == DT_DIR;
        if (entry->d_type == DT_UNKNOWN) {
            char full[300];
            struct stat st;
            snprintf(full, sizeof full, "%s/%s", path, entry->d_name);
            is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
        }
        names[count] = malloc(strlen(entry->d_name) + 6);
        sprintf(names[count], "%s%s", entry->d_name, is_dir ? " dir" : " file");
        count++;
    }
    int error = errno;
    closedir(dir);
    qsort(names, (size_t)count, sizeof names[0], by_name);
    printf("%s:", path);
    for (int i = 0; i < count; i++) {
        printf(" [%s]", names[i]);
        free(names[i]);
    }
    printf("\n");
    return error ? -1 : count;
}

static void directories(void)
{
    struct stat st;
    check(mkdir(TOP, 0755) == 0, "mkdir " TOP);
    check(stat(TOP, &st) == 0 && S_ISDIR(st.st_mode), "stat says it is a directory");
    check_errno(mkdir(TOP, 0755), EEXIST, "mkdir of an existing directory is EEXIST");
    check_errno(mkdir("missing/sub", 0755), ENOENT, "mkdir in a missing directory is ENOENT");
    check(mkdir(TOP "/sub", 0755) == 0, "mkdir " TOP "/sub");
    write_file(TOP "/charlie", "c\n");
    write_file(TOP "/alpha", "a\n");
    write_file(TOP "/bravo", "b\n");
    write_file(TOP "/sub/deep", "deep\n");
    check_errno(mkdir(TOP "/alpha", 0755), EEXIST, "mkdir over a file is EEXIST");
    check(list(TOP) == 6, "readdir lists . .. and four entries");

    DIR *dir = opendir(TOP);
    int first = 0, again = 0;
    while (dir && readdir(dir))
        first++;
    if (dir)
        rewinddir(dir);
    while (dir && readdir(dir))
        again++;
    check(dir && first == 6 && again == 6 && dirfd(dir) >= 0 && closedir(dir) == 0, "rewinddir reads the same entries again");
    check(opendir("missing") == NULL && errno == ENOENT, "opendir of a missing directory is ENOENT");
    check(opendir(TOP "/alpha") == NULL && errno == ENOTDIR, "opendir of a file is ENOTDIR");

    check(rename(TOP "/alpha", TOP "/alpha2") == 0, "rename alpha to alpha2");
    check(rename(TOP "/bravo", TOP "/charlie") == 0, "rename bravo over charlie");
    printf("charlie now holds: %s", contents(TOP "/charlie"));
    check(rename(TOP "/sub", TOP "/sub2") == 0, "rename a directory");
    check(strcmp(contents(TOP "/sub2/deep"), "deep\n") == 0, "its file moved with it");
    check_errno(rename(TOP "/nothing", TOP "/x"), ENOENT, "rename of a missing file is ENOENT");
    check_errno(rename(TOP "/sub2", TOP "/alpha2"), ENOTDIR, "rename of a directory over a file is ENOTDIR");
    check_errno(rename(TOP "/alpha2", TOP "/sub2"), EISDIR, "rename of a file over a directory is EISDIR");
    check(list(TOP) == 5, "listing after the renames");

    check_errno(rmdir(TOP), ENOTEMPTY, "rmdir of a non-empty directory is ENOTEMPTY");
    check_errno(rmdir(TOP "/alpha2"), ENOTDIR, "rmdir of a file is ENOTDIR");
    check_errno(rmdir("missing"), ENOENT, "rmdir of a missing directory is ENOENT");
    check_errno(unlink(TOP "/sub2"), EISDIR, "unlink of a directory is EISDIR");
    check_errno(unlink(TOP "/missing"), ENOENT, "unlink of a missing file is ENOENT");
    check_errno(open(TOP, O_WRONLY), EISDIR, "open of a directory for writing is EISDIR");
    check(unlink(TOP "/sub2/deep") == 0 && rmdir(TOP "/sub2") == 0, "empty and remove sub2");
    check(unlink(TOP "/alpha2") == 0 && unlink(TOP "/charlie") == 0, "unlink the files");
    check(list(TOP) == 2, "only . and .. are left");
    check(rmdir(TOP) == 0, "rmdir " TOP);
    check_errno(stat(TOP, &st), ENOENT, "stat after rmdir is ENOENT");
}

static void seek_read_write(void)
{
    int fd = open("data.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    check(fd >= 0 && write(fd, "0123456789", 10) == 10, "write 10 bytes");
    check(lseek(fd, 20, SEEK_SET) == 20 && write(fd, "end", 3) == 3, "write past the end leaves a hole");
    char buffer[32] = { 0 };
    check(lseek(fd, 8, SEEK_SET) == 8 && read(fd, buffer, sizeof buffer) == 15, "read across the hole");
    static const char expected[15] = { '8', '9', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'e', 'n', 'd' };
    check(memcmp(buffer, expected, 15) == 0, "the hole reads as zeros");
    check(lseek(fd, -3, SEEK_END) == 20 && lseek(fd, 2, SEEK_CUR) == 22, "SEEK_END and SEEK_CUR");
    check_errno(lseek(fd, -1, SEEK_SET), EINVAL, "seek before the start is EINVAL");

    struct iovec out[3] = { { "vec", 3 }, { "tored ", 6 }, { "write\n", 6 } };
    check(lseek(fd, 0, SEEK_SET) == 0 && writev(fd, out, 3) == 15, "writev of three pieces");
    char first[5] = { 0 }, second[11] = { 0 };
    struct iovec in[2] = { { first, 4 }, { second, 10 } };
    check(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, in, 2) == 14, "readv into two buffers");
    printf("readv: \"%s\" + \"%s\"\n", first, second);
    check(close(fd) == 0 && unlink("data.bin") == 0, "close and unlink");
}

static void redirection(void)
{
    int file = open("stdout.txt", O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
    check(file >= 0, "open stdout.txt");
    int saved = dup(1);
    check(saved >= 0 && saved != file && saved != 1, "dup saves stdout");
    fflush(stdout);
    check(dup2(file, 1) == 1, "dup2 the file onto stdout");
    printf("this line went into the file\n");
    fflush(stdout);
    check(dup2(saved, 1) == 1, "dup2 stdout back");
    close(saved);
    printf("stdout.txt holds: %s", contents("stdout.txt"));
    check(strncmp(contents("stdout.txt"), "dup2 the file onto stdout: ok\nthis line", 39) == 0,
          "the check line and the message went into the file");

    check(dup2(file, file) == file, "dup2(fd, fd) returns fd");
    check_errno(dup2(99, 5), EBADF, "dup2 of a closed descriptor is EBADF");
    check_errno(dup2(99, 99), EBADF, "dup2(closed, same) is EBADF");
    check_errno(dup(-1), EBADF, "dup(-1) is EBADF");
    int low = dup(file);
    close(low);
    check(dup(file) == low, "dup takes the lowest free descriptor");
    close(low);
    int high = fcntl(file, F_DUPFD, 40);
    check(high >= 40 && fcntl(high, F_GETFD) == 0, "F_DUPFD takes one at or above 40, without FD_CLOEXEC");
    close(high);
    high = fcntl(file, F_DUPFD_CLOEXEC, 40);
    check(high >= 40 && fcntl(high, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
    close(high);
    int flags = fcntl(file, F_GETFL);
    check((flags & O_ACCMODE) == O_WRONLY && (flags & O_APPEND), "F_GETFL: write-only, append");
    check(fcntl(file, F_SETFL, flags & ~O_APPEND) == 0 && !(fcntl(file, F_GETFL) & O_APPEND), "F_SETFL clears O_APPEND");
    check_errno(fcntl(99, F_GETFD), EBADF, "fcntl of a closed descriptor is EBADF");
    errno = 0;
    check(isatty(file) == 0 && errno == ENOTTY, "isatty of a file is 0 (ENOTTY)");
    check(close(file) == 0 && unlink("stdout.txt") == 0, "close and unlink stdout.txt");
}

int main(void)
{
    directories();
    seek_read_write();
    redirection();
    return finish("files_dirs");
}
