/*
 * Run by posix/exec through execve: reports what it was handed.  Options:
 *   --exit=N     exit status (default 0)
 *   --pid=P      print "same pid" if getpid() == P
 *   --open=FD    FD must be open without FD_CLOEXEC; print what it reads
 *   --closed=FD  FD must be closed (EBADF)
 *   --env=NAME   print NAME's value, or that it is unset
 * Other arguments are printed.  argv[0] is not printed: under qemu it is
 * the path the wrapper in bin/ was run by, under a kernel what the caller
 * passed (posix/exec passes the path, so both agree).  Run alone (see the
 * manifest) it only prints its arguments.
 */
#include <fcntl.h>
#include "check.h"

static int option(const char *arg, const char *name, const char **value)
{
    size_t length = strlen(name);
    if (strncmp(arg, name, length) != 0)
        return 0;
    *value = arg + length;
    return 1;
}

static void report_open(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    char text[64] = { 0 };
    long n = flags < 0 || lseek(fd, 0, SEEK_SET) != 0 ? -1 : read(fd, text, sizeof text - 1);
    if (n > 0 && text[n - 1] == '\n')
        text[n - 1] = '\0';
    printf("  fd %d: %s\n", fd, n < 0 ? "FAILED (not open)" : text);
    check(flags == 0 && n > 0, "  descriptor inherited without FD_CLOEXEC");
}

int main(int argc, char **argv)
{
    int status = 0;
    printf("exec_target: argc %d\n", argc);
    for (int i = 1; i < argc; i++) {
        const char *value;
        if (option(argv[i], "--exit=", &value)) {
            status = atoi(value);
        } else if (option(argv[i], "--pid=", &value)) {
            check(getpid() == atoi(value), "  same pid");
        } else if (option(argv[i], "--open=", &value)) {
            report_open(atoi(value));
        } else if (option(argv[i], "--closed=", &value)) {
            char what[48];
            snprintf(what, sizeof what, "  fd %d closed by FD_CLOEXEC", atoi(value));
            check_errno(fcntl(atoi(value), F_GETFD), EBADF, what);
        } else if (option(argv[i], "--env=", &value)) {
            const char *content = getenv(value);
            printf("  %s%s%s\n", value, content ? "=" : " unset", content ? content : "");
        } else {
            printf("  argv[%d] = \"%s\"\n", i, argv[i]);
        }
    }
    return failures ? 1 : status;
}
