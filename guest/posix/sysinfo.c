/*
 * The system a process runs on: uname (sysname "Linux", machine "riscv32";
 * release, version and node name are the host's and not printed),
 * getrandom and getentropy, nanosleep/usleep/sleep and their errors,
 * isatty of a pipe and of a closed descriptor.
 */
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <uniform.h>
#include "check.h"

/* The library implements it; picolibc's <time.h> declares it only with
 * _POSIX_TIMERS, which this target lacks. */
int clock_gettime(clockid_t clock_id, struct timespec *ts);

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void system_name(void)
{
    struct utsname name;
    memset(&name, 0x7f, sizeof name);
    check(uname(&name) == 0, "uname");
    printf("sysname %s, machine %s\n", name.sysname, name.machine);
    check(memchr(name.release, '\0', sizeof name.release) && memchr(name.nodename, '\0', sizeof name.nodename),
          "release and node name are terminated strings");
}

static void randomness(void)
{
    unsigned char a[32], b[32], zero[32] = { 0 };
    check(getrandom(a, sizeof a, 0) == 32 && getrandom(b, sizeof b, GRND_NONBLOCK) == 32, "getrandom fills 32 bytes");
    check(memcmp(a, b, 32) != 0 && memcmp(a, zero, 32) != 0, "two draws differ and are not zero");
    check(getrandom(a, 0, 0) == 0, "getrandom of 0 bytes returns 0");
    check(getentropy(a, sizeof a) == 0, "getentropy");
    check_errno(getentropy(a, 257), EIO, "getentropy of more than 256 bytes is EIO");
}

static void sleeping(void)
{
    long long start = now_ns();
    struct timespec request = { 0, 20 * 1000000 }, remaining = { 9, 9 };
    check(nanosleep(&request, &remaining) == 0, "nanosleep 20 ms");
    check(now_ns() - start >= 20 * 1000000LL, "at least 20 ms passed");
    start = now_ns();
    check(usleep(5000) == 0 && now_ns() - start >= 5000000LL, "usleep 5 ms");
    check(sleep(0) == 0, "sleep(0) returns 0");
    request.tv_nsec = 1000000000;
    check_errno(nanosleep(&request, NULL), EINVAL, "nanosleep with tv_nsec = 10^9 is EINVAL");
    request.tv_sec = -1;
    request.tv_nsec = 0;
    check_errno(nanosleep(&request, NULL), EINVAL, "nanosleep with a negative time is EINVAL");
}

static void terminals(void)
{
    int fds[2];
    check(pipe(fds) == 0, "pipe");
    errno = 0;
    check(isatty(fds[0]) == 0 && errno == ENOTTY, "isatty of a pipe is 0 (ENOTTY)");
    close(fds[0]);
    close(fds[1]);
    errno = 0;
    check(isatty(fds[0]) == 0 && errno == EBADF, "isatty of a closed descriptor is 0 (EBADF)");
}

int main(void)
{
    system_name();
    randomness();
    sleeping();
    terminals();
    return finish("sysinfo");
}
