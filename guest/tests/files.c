/*
 * Files through the unified library: create, write, seek, read back, stat,
 * fstat, append, unlink, and the errors a program must see.  On Puma every
 * call goes to yod; on Linux to the kernel.  The output is the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name = "uniform-files-test.tmp";
static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

int main(void)
{
    unlink(name); /* a leftover from an interrupted run */

    int fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0644);
    check(fd >= 3, "open creates");
    const char *text = "the quick brown fox\njumps over the lazy dog\n";
    check(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
    check(lseek(fd, 0, SEEK_CUR) == (off_t)strlen(text), "position after write");
    check(lseek(fd, 4, SEEK_SET) == 4, "seek");
    char buffer[64] = { 0 };
    check(read(fd, buffer, 5) == 5 && memcmp(buffer, "quick", 5) == 0, "read at offset");
    check(lseek(fd, -4, SEEK_END) == (off_t)strlen(text) - 4, "seek from end");
    memset(buffer, 0, sizeof buffer);
    check(read(fd, buffer, sizeof buffer) == 4 && strcmp(buffer, "dog\n") == 0, "short read at end");
    check(read(fd, buffer, sizeof buffer) == 0, "end of file");

    struct stat st;
    check(fstat(fd, &st) == 0 && st.st_size == (off_t)strlen(text) && S_ISREG(st.st_mode), "fstat");
    check(close(fd) == 0, "close");
    check(close(fd) == -1 && errno == EBADF, "close again is EBADF");

    fd = open(name, O_WRONLY | O_APPEND);
    check(fd >= 3 && write(fd, "more\n", 5) == 5 && close(fd) == 0, "append");
    check(stat(name, &st) == 0 && st.st_size == (off_t)strlen(text) + 5 && (st.st_mode & 0777) == 0644, "stat size and mode");

    check(open(name, O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST, "exclusive create of an existing file is EEXIST");
    check(unlink(name) == 0, "unlink");
    check(stat(name, &st) == -1 && errno == ENOENT, "stat after unlink is ENOENT");
    check(open("no/such/dir/file", O_RDONLY) == -1 && errno == ENOENT, "open of a missing path is ENOENT");
    check(read(42, buffer, 1) == -1 && errno == EBADF, "read of a closed descriptor is EBADF");

    printf("%s\n", failures == 0 ? "all file checks passed" : "some file checks FAILED");
    return failures == 0 ? 0 : 1;
}
