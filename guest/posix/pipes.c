/*
 * Pipes between processes: parent to child, child to parent, end of file
 * only when every writer has closed (checked without blocking through
 * O_NONBLOCK), a writer without readers killed by SIGPIPE, a pipeline of
 * three processes wired with dup2, and a 300000-byte transfer (one write
 * larger than a pipe holds, then odd-sized chunks) with a checksum.
 */
#include <fcntl.h>
#include <signal.h>
#include <uniform.h>
#include "check.h"

#define PIPELINE_COUNT 2000
#define BIG_TOTAL 300000
#define BIG_FIRST 200000
#define BIG_CHUNK 3001

static void make_pipe(int fds[2], int flags)
{
    if (pipe2(fds, flags) < 0)
        die("pipe");
}

/* Reads fd to end of file into buffer (at most size - 1 bytes, NUL added). */
static long read_all(int fd, char *buffer, long size)
{
    long total = 0;
    for (;;) {
        long n = read(fd, buffer + total, (size_t)(size - 1 - total));
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        total += n;
    }
    buffer[total] = '\0';
    return total;
}

static void parent_to_child(void)
{
    int fds[2];
    make_pipe(fds, 0);
    pid_t pid = fork_flushed();
    if (pid == 0) {
        close(fds[1]);
        char text[64];
        long n = read_all(fds[0], text, sizeof text);
        printf("child read %ld bytes: %s", n, text);
        fflush(stdout);
        _exit(strcmp(text, "down the pipe\n") == 0 ? 0 : 1);
    }
    close(fds[0]);
    check(write(fds[1], "down the pipe\n", 14) == 14, "parent writes to the child");
    close(fds[1]);
    check(reap(pid) == 0, "child read the parent's message to end of file");
}

static void child_to_parent(void)
{
    int fds[2];
    make_pipe(fds, 0);
    pid_t pid = fork_flushed();
    if (pid == 0) {
        close(fds[0]);
        _exit(write(fds[1], "up the pipe\n", 12) == 12 ? 0 : 1);
    }
    close(fds[1]);
    char text[64];
    long n = read_all(fds[0], text, sizeof text);
    close(fds[0]);
    printf("parent read %ld bytes: %s", n, text);
    check(strcmp(text, "up the pipe\n") == 0 && reap(pid) == 0, "child wrote to the parent");
}

static void end_of_file(void)
{
    int data[2], go[2];
    make_pipe(data, O_NONBLOCK);
    make_pipe(go, 0);
    char byte;
    check_errno(read(data[0], &byte, 1), EAGAIN, "empty pipe with a writer: EAGAIN, not end of file");
    pid_t pid = fork_flushed();
    if (pid == 0) {
        /* Holds data[1] open until told to go. */
        close(data[0]);
        close(go[1]);
        _exit(read(go[0], &byte, 1) == 1 ? 0 : 1);
    }
    close(go[0]);
    close(data[1]);
    check_errno(read(data[0], &byte, 1), EAGAIN, "parent closed its end, the child's is open: EAGAIN");
    check(write(go[1], "g", 1) == 1, "tell the child to exit");
    check(reap(pid) == 0, "child exited");
    check(read(data[0], &byte, 1) == 0, "every writer closed: end of file");
    close(data[0]);
    close(go[1]);
}

static void no_reader(void)
{
    int fds[2], go[2];
    make_pipe(fds, 0);
    make_pipe(go, 0);
    pid_t pid = fork_flushed();
    if (pid == 0) {
        /* Writes only once the parent has closed its read end. */
        char byte;
        close(fds[0]);
        close(go[1]);
        if (read(go[0], &byte, 1) != 1)
            _exit(2);
        write(fds[1], "nobody", 6); /* SIGPIPE kills before this returns */
        _exit(0);
    }
    close(fds[0]);
    close(fds[1]);
    close(go[0]);
    if (write(go[1], "g", 1) != 1)
        die("pipe write");
    close(go[1]);
    int status = reap(pid);
    printf("writer without a reader: %s\n", describe(status));
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "writer killed by SIGPIPE");
}

/* The pipeline: numbers | squares mod 1000003 | sum.  Each stage reads its
 * stdin and writes its stdout through stdio, wired with dup2. */
static int pipeline_fds[4];

static pid_t stage(int in, int out, int (*body)(void))
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0))
            die("dup2");
        for (int i = 0; i < 4; i++)
            close(pipeline_fds[i]);
        int result = body();
        fflush(stdout);
        _exit(result);
    }
    return pid;
}

static int numbers(void)
{
    for (int i = 1; i <= PIPELINE_COUNT; i++)
        printf("%d\n", i);
    return 0;
}

static int squares(void)
{
    long n;
    while (scanf("%ld", &n) == 1)
        printf("%ld\n", n * n % 1000003);
    return 0;
}

static long long expected_sum(void)
{
    long long sum = 0;
    for (long n = 1; n <= PIPELINE_COUNT; n++)
        sum += n * n % 1000003;
    return sum;
}

static int sum(void)
{
    long n;
    long long total = 0;
    int count = 0;
    while (scanf("%ld", &n) == 1) {
        total += n;
        count++;
    }
    printf("pipeline consumer: %d lines, sum %lld\n", count, total);
    return count == PIPELINE_COUNT && total == expected_sum() ? 0 : 1;
}

static void pipeline(void)
{
    int *first = pipeline_fds, *second = pipeline_fds + 2;
    make_pipe(first, 0);
    make_pipe(second, 0);
    pid_t producer = stage(-1, first[1], numbers);
    pid_t filter = stage(first[0], second[1], squares);
    pid_t consumer = stage(second[0], -1, sum);
    for (int i = 0; i < 4; i++)
        close(pipeline_fds[i]);
    int statuses[3] = { reap(consumer), reap(filter), reap(producer) };
    printf("consumer %s\n", describe(statuses[0]));
    printf("filter %s\n", describe(statuses[1]));
    printf("producer %s\n", describe(statuses[2]));
    check(statuses[0] == 0 && statuses[1] == 0 && statuses[2] == 0, "three-process pipeline");
}

static unsigned char pattern(long i)
{
    return (unsigned char)((i * 131 + (i >> 9)) & 0xff);
}

static void big_transfer(void)
{
    static unsigned char data[BIG_TOTAL];
    for (long i = 0; i < BIG_TOTAL; i++)
        data[i] = pattern(i);
    unsigned expected = fnv1a(FNV_START, data, BIG_TOTAL);
    int fds[2];
    make_pipe(fds, 0);
    pid_t pid = fork_flushed();
    if (pid == 0) {
        close(fds[0]);
        int bad = write(fds[1], data, BIG_FIRST) != BIG_FIRST;
        for (long at = BIG_FIRST; at < BIG_TOTAL; at += BIG_CHUNK) {
            long length = BIG_TOTAL - at < BIG_CHUNK ? BIG_TOTAL - at : BIG_CHUNK;
            bad |= write(fds[1], data + at, (size_t)length) != length;
        }
        _exit(bad);
    }
    close(fds[1]);
    memset(data, 0, sizeof data);
    long total = 0;
    for (;;) {
        long n = read(fds[0], data + total, total + 4093 > BIG_TOTAL ? (size_t)(BIG_TOTAL - total) : 4093);
        if (n <= 0)
            break;
        total += n;
    }
    char extra;
    check(total == BIG_TOTAL && read(fds[0], &extra, 1) == 0, "received 300000 bytes, then end of file");
    close(fds[0]);
    unsigned got = fnv1a(FNV_START, data, BIG_TOTAL);
    printf("checksum 0x%08x\n", got);
    check(got == expected, "checksum matches what was sent");
    check(reap(pid) == 0, "writer's writes all completed (one of 200000 bytes)");
}

int main(void)
{
    parent_to_child();
    child_to_parent();
    end_of_file();
    no_reader();
    pipeline();
    big_transfer();
    return finish("pipes");
}
