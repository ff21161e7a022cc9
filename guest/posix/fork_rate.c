/*
 * Benchmark: N round trips of fork, _exit and waitpid (default 1000).
 * Prints the count and the sum of the exit statuses seen.
 * usage: fork_rate [N]
 */
#include "check.h"

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000;
    long sum = 0, done = 0;
    for (long i = 0; i < rounds; i++) {
        pid_t pid = fork_flushed();
        if (pid == 0)
            _exit((int)(i & 0x7f));
        int status = reap(pid);
        if (status < 0 || !WIFEXITED(status))
            break;
        sum += WEXITSTATUS(status);
        done++;
    }
    printf("fork_rate: %ld fork/exit/wait round trips, status sum %ld\n", done, sum);
    return done == rounds ? 0 : 1;
}
