/* Time calls.  rv32 Linux only has the time64 variants of clock calls. */
#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

/* struct __kernel_timespec: both fields 64-bit on rv32. */
struct linux_timespec64 {
    int64_t tv_sec;
    int64_t tv_nsec;
};

#define LINUX_CLOCK_REALTIME 0

int clock_gettime(clockid_t clock_id, struct timespec *ts)
{
    /* picolibc numbers its clocks differently from Linux, and its headers
     * expose only CLOCK_REALTIME on this target. */
    if (clock_id != CLOCK_REALTIME) {
        errno = EINVAL;
        return -1;
    }
    struct linux_timespec64 kts;
    if (__uniform_call(UK_SYS_clock_gettime64, LINUX_CLOCK_REALTIME, (long)&kts, 0, 0, 0, 0) < 0)
        return -1;
    ts->tv_sec = (time_t)kts.tv_sec;
    ts->tv_nsec = (long)kts.tv_nsec;
    return 0;
}

/* rv32 Linux has no gettimeofday; derive it from the realtime clock. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz; /* obsolete; POSIX leaves its contents unspecified */
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        return -1;
    if (tv) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return 0;
}

#define LINUX_CLOCK_MONOTONIC 1

/* rv32 Linux has no nanosleep: clock_nanosleep_time64 on the monotonic
 * clock (what Linux's nanosleep measures), relative. */
int nanosleep(const struct timespec *request, struct timespec *remaining)
{
    struct linux_timespec64 kreq = { request->tv_sec, request->tv_nsec }, krem = { 0, 0 };
    long r = uk_syscall(UK_SYS_clock_nanosleep_time64, LINUX_CLOCK_MONOTONIC, 0,
                        (long)&kreq, (long)&krem, 0, 0);
    if (r == 0)
        return 0;
    if (remaining) {
        remaining->tv_sec = (time_t)krem.tv_sec;
        remaining->tv_nsec = (long)krem.tv_nsec;
    }
    return (int)__uniform_fail(-r);
}

int usleep(useconds_t microseconds)
{
    struct timespec request = { microseconds / 1000000, (long)(microseconds % 1000000) * 1000 };
    return nanosleep(&request, NULL);
}

unsigned sleep(unsigned seconds)
{
    struct timespec request = { seconds, 0 }, remaining = { 0, 0 };
    if (nanosleep(&request, &remaining) == 0)
        return 0;
    return (unsigned)remaining.tv_sec + (remaining.tv_nsec > 0);
}
