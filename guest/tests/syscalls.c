/*
 * The system calls a uniform program makes, through the unified library and
 * raw through the wedge (uk_syscall), checked for what every Linux (the
 * emulator's exec layer and qemu-riscv32 alike) must answer: clocks, error
 * returns for bad pointers, descriptors and clock ids, and brk.  Prints only
 * facts, never times or addresses.  Expects stdin to hold at least one byte
 * (see expected/manifest).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <uniform.h>

/* Linux errno values (uk_syscall returns them negated). */
#define L_EBADF 9
#define L_EFAULT 14
#define L_EINVAL 22

#define WILD ((long)1) /* never mapped: the page at 0 is a guard page */
#define MIB (1024L * 1024L)
#define Y2020 1577836800LL /* 2020-01-01T00:00:00Z */

struct linux_timespec64 {
    int64_t tv_sec;
    int64_t tv_nsec;
};

extern char _end[]; /* end of .bss, from the linker script */

/* The library implements it, but picolibc's <time.h> declares it only when
 * _POSIX_TIMERS is defined, which it is not for this target. */
int clock_gettime(clockid_t clock_id, struct timespec *ts);

static int failures;

static void check(int ok, const char *what, long got)
{
    if (ok) {
        printf("ok   %s\n", what);
    } else {
        printf("FAIL %s (got %ld)\n", what, got);
        failures++;
    }
}

static void expect(long got, long want, const char *what)
{
    check(got == want, what, got);
}

static long raw_clock(long id, struct linux_timespec64 *ts)
{
    return uk_syscall(UK_SYS_clock_gettime64, id, (long)ts, 0, 0, 0, 0);
}

static int64_t nanos(const struct linux_timespec64 *ts)
{
    return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static int valid(const struct linux_timespec64 *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000LL;
}

/* Every byte of [from, from + length) is zero. */
static int all_zero(const volatile unsigned char *from, long length)
{
    for (long i = 0; i < length; i++)
        if (from[i] != 0)
            return 0;
    return 1;
}

static void library_time(void)
{
    struct timespec a, b;
    int r = clock_gettime(CLOCK_REALTIME, &a);
    expect(r, 0, "clock_gettime(CLOCK_REALTIME) succeeds");
    check(a.tv_sec >= Y2020, "clock_gettime(CLOCK_REALTIME) is after 2020", 0);
    check(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L, "clock_gettime tv_nsec in [0, 1e9)", a.tv_nsec);
    r = clock_gettime(CLOCK_REALTIME, &b);
    expect(r, 0, "clock_gettime(CLOCK_REALTIME) succeeds again");
    check(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec),
          "clock_gettime(CLOCK_REALTIME) does not go backwards", 0);

    struct timeval tv;
    r = gettimeofday(&tv, NULL);
    expect(r, 0, "gettimeofday succeeds");
    check(tv.tv_sec >= Y2020 && tv.tv_usec >= 0 && tv.tv_usec < 1000000L,
          "gettimeofday is after 2020, tv_usec in [0, 1e6)", 0);

    time_t t1 = time(NULL), t2;
    time_t t3 = time(&t2);
    check(t1 >= Y2020, "time(NULL) is after 2020", 0);
    check(t3 == t2 && t3 >= t1, "time(&t) stores its result and does not go backwards", 0);
}

static void raw_time(void)
{
    struct linux_timespec64 a, b;
    expect(raw_clock(0, &a), 0, "raw clock_gettime64(CLOCK_REALTIME) succeeds");
    check(valid(&a) && a.tv_sec >= Y2020, "raw CLOCK_REALTIME is after 2020, tv_nsec in range", 0);

    expect(raw_clock(1, &a), 0, "raw clock_gettime64(CLOCK_MONOTONIC) succeeds");
    expect(raw_clock(1, &b), 0, "raw clock_gettime64(CLOCK_MONOTONIC) succeeds again");
    check(valid(&a) && valid(&b) && nanos(&b) >= nanos(&a), "raw CLOCK_MONOTONIC is monotonic", 0);

    /* Clocks every Linux serves to any process. */
    static const struct { long id; const char *name; } clocks[] = {
        { 2, "raw clock_gettime64(CLOCK_PROCESS_CPUTIME_ID) succeeds" },
        { 3, "raw clock_gettime64(CLOCK_THREAD_CPUTIME_ID) succeeds" },
        { 4, "raw clock_gettime64(CLOCK_MONOTONIC_RAW) succeeds" },
        { 5, "raw clock_gettime64(CLOCK_REALTIME_COARSE) succeeds" },
        { 6, "raw clock_gettime64(CLOCK_MONOTONIC_COARSE) succeeds" },
        { 7, "raw clock_gettime64(CLOCK_BOOTTIME) succeeds" },
    };
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        memset(&a, 0xff, sizeof a);
        long r = raw_clock(clocks[i].id, &a);
        check(r == 0 && valid(&a), clocks[i].name, r);
    }
    memset(&a, 0xff, sizeof a);
    expect(raw_clock(5, &a), 0, "raw CLOCK_REALTIME_COARSE read");
    check(a.tv_sec >= Y2020, "raw CLOCK_REALTIME_COARSE is after 2020", 0);

    /* A timespec need only be byte-addressable: misaligned is fine. */
    static union { struct linux_timespec64 ts[2]; char bytes[40]; } spare;
    expect(raw_clock(0, (struct linux_timespec64 *)(spare.bytes + 1)), 0,
           "raw clock_gettime64 into a misaligned timespec succeeds");

    expect(raw_clock(99, &a), -L_EINVAL, "raw clock_gettime64(99) is EINVAL");
    expect(raw_clock(-1, &a), -L_EINVAL, "raw clock_gettime64(-1) is EINVAL");
    expect(raw_clock(0, NULL), -L_EFAULT, "raw clock_gettime64(CLOCK_REALTIME, NULL) is EFAULT");
    expect(raw_clock(0, (struct linux_timespec64 *)WILD), -L_EFAULT,
           "raw clock_gettime64(CLOCK_REALTIME, wild pointer) is EFAULT");
    expect(raw_clock(1, (struct linux_timespec64 *)WILD), -L_EFAULT,
           "raw clock_gettime64(CLOCK_MONOTONIC, wild pointer) is EFAULT");
}

static void io(void)
{
    static const char text[] = "never printed";

    expect(uk_syscall(UK_SYS_write, 1, WILD, 10, 0, 0, 0), -L_EFAULT, "raw write(1, wild pointer, 10) is EFAULT");
    expect(uk_syscall(UK_SYS_write, 1, (long)text, 0, 0, 0, 0), 0, "raw write(1, buffer, 0) is 0");
    expect(uk_syscall(UK_SYS_write, 1, WILD, 0, 0, 0, 0), 0, "raw write(1, wild pointer, 0) is 0");
    expect(uk_syscall(UK_SYS_write, 5, (long)text, 5, 0, 0, 0), -L_EBADF, "raw write(5, buffer, 5) is EBADF");
    expect(uk_syscall(UK_SYS_write, -1, (long)text, 5, 0, 0, 0), -L_EBADF, "raw write(-1, buffer, 5) is EBADF");

    errno = 0;
    long r = write(1, (const void *)WILD, 10);
    check(r == -1 && errno == EFAULT, "write(1, wild pointer, 10) fails with EFAULT", r);
    errno = 0;
    r = write(5, text, 5);
    check(r == -1 && errno == EBADF, "write(5, buffer, 5) fails with EBADF", r);

    expect(uk_syscall(UK_SYS_read, 0, WILD, 10, 0, 0, 0), -L_EFAULT, "raw read(0, wild pointer, 10) is EFAULT");
    expect(uk_syscall(UK_SYS_read, 0, WILD, 0, 0, 0, 0), 0, "raw read(0, wild pointer, 0) is 0");
    /* A writable buffer: qemu checks the buffer before the descriptor. */
    static char scratch[4];
    expect(uk_syscall(UK_SYS_read, 5, (long)scratch, 1, 0, 0, 0), -L_EBADF, "raw read(5, buffer, 1) is EBADF");
    errno = 0;
    r = read(0, (void *)WILD, 10);
    check(r == -1 && errno == EFAULT, "read(0, wild pointer, 10) fails with EFAULT", r);

    /* The failed reads consumed nothing. */
    char buffer[16];
    r = uk_syscall(UK_SYS_read, 0, (long)buffer, 1, 0, 0, 0);
    check(r == 1 && buffer[0] == 'S', "raw read(0, buffer, 1) then reads the first byte of stdin", r);
}

static void raw_brk(void)
{
    long start = uk_syscall(UK_SYS_brk, 0, 0, 0, 0, 0, 0);
    check((uintptr_t)start >= (uintptr_t)_end, "raw brk(0) is at or after the end of .bss", 0);
    expect(uk_syscall(UK_SYS_brk, 0, 0, 0, 0, 0, 0), start, "raw brk(0) again returns the same break");

    long grown = start + MIB;
    expect(uk_syscall(UK_SYS_brk, grown, 0, 0, 0, 0, 0), grown, "raw brk(break + 1 MiB) grows the heap");
    volatile unsigned char *heap = (volatile unsigned char *)start;
    check(all_zero(heap, MIB), "the new 1 MiB reads as zero", 0);
    for (long i = 0; i < MIB; i++)
        heap[i] = (unsigned char)(0xA5 ^ i);
    check(heap[0] == 0xA5 && heap[MIB - 1] == (unsigned char)(0xA5 ^ (MIB - 1)), "the heap holds what was written", 0);

    expect(uk_syscall(UK_SYS_brk, start, 0, 0, 0, 0, 0), start, "raw brk(original break) shrinks the heap");
    expect(uk_syscall(UK_SYS_brk, 0, 0, 0, 0, 0, 0), start, "raw brk(0) reports the shrunk break");
    expect(uk_syscall(UK_SYS_brk, grown, 0, 0, 0, 0, 0), grown, "raw brk(break + 1 MiB) grows it again");
    check(all_zero(heap, MIB), "memory given back and taken again reads as zero", 0);

    expect(uk_syscall(UK_SYS_brk, 0xB0000000L, 0, 0, 0, 0, 0), grown, "raw brk(0xB0000000) fails: returns the old break");
    expect(uk_syscall(UK_SYS_brk, 0xFFFFF000L, 0, 0, 0, 0, 0), grown, "raw brk(0xFFFFF000) fails: returns the old break");
    expect(uk_syscall(UK_SYS_brk, 1, 0, 0, 0, 0, 0), grown, "raw brk(1), below the heap, returns the old break");
    expect(uk_syscall(UK_SYS_brk, start - 4096, 0, 0, 0, 0, 0), grown,
           "raw brk(original break - 4096) returns the old break");
    expect(uk_syscall(UK_SYS_brk, start + 1, 0, 0, 0, 0, 0), start + 1, "raw brk(original break + 1) is not rounded");
    expect(uk_syscall(UK_SYS_brk, start, 0, 0, 0, 0, 0), start, "raw brk(original break) shrinks back");
}

static void library_brk(void)
{
    void *start = sbrk(0);
    check(start != (void *)-1 && (uintptr_t)start >= (uintptr_t)_end, "sbrk(0) succeeds", 0);
    char *block = sbrk(4096);
    check(block == start, "sbrk(4096) returns the old break", 0);
    check(sbrk(0) == (char *)start + 4096, "sbrk(0) then reports the new break", 0);
    memset(block, 0x5A, 4096);
    errno = 0;
    int r = brk((void *)0xB0000000L);
    check(r == -1 && errno == ENOMEM, "brk(0xB0000000) fails with ENOMEM", r);
    check(sbrk(0) == (char *)start + 4096, "the break is unchanged after the failed brk", 0);
    check(sbrk(-4096) == (char *)start + 4096 && sbrk(0) == start, "sbrk(-4096) gives the page back", 0);
}

int main(void)
{
    library_time();
    raw_time();
    io();
    raw_brk();
    library_brk();
    if (failures) {
        printf("FAIL syscalls: %d check(s) failed\n", failures);
        return 1;
    }
    printf("PASS syscalls\n");
    return 0;
}
