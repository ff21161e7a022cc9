/*
 * The paper's demonstration: a program computes, then calls fork.  Started
 * on a compute node, the fork reaches the unified library's deficiency
 * routine (Puma has no fork), the process migrates to a Linux node, and the
 * wedge's second dispatch forks there; parent and child both finish.  stdout
 * is the same wherever it runs; stderr says which OS each step ran on.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uniform.h>

#define WORDS (256 * 1024)

static uint32_t table[WORDS];

static const char *os_name(void)
{
    switch (uk_os()) {
    case UNIFORM_OS_PUMA:
        return "puma";
    case UNIFORM_OS_LINUX:
        return "linux";
    default:
        return "an unknown OS";
    }
}

/* A checksum over a megabyte of pseudo-random words: work worth moving. */
static uint32_t compute(void)
{
    uint32_t x = 2463534242u, sum = 0;
    for (int i = 0; i < WORDS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        table[i] = x;
    }
    for (int round = 0; round < 4; round++)
        for (int i = 0; i < WORDS; i++)
            sum = sum * 31 + (table[i] >> round);
    return sum;
}

int main(void)
{
    uint32_t sum = compute();
    printf("computed %08x\n", (unsigned)sum);
    fprintf(stderr, "computed on %s\n", os_name());
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        printf("child: %08x\n", (unsigned)(sum * 3));
        fprintf(stderr, "child runs on %s\n", os_name());
        return 7;
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        perror("waitpid");
        return 1;
    }
    printf("parent: the child exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fprintf(stderr, "parent runs on %s\n", os_name());
    return 0;
}
