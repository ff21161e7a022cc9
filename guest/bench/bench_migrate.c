/* The process a migration benchmark moves: touches MiB of memory, says so,
 * then keeps rewriting a small working set while it computes (reading all of
 * its memory), so that a pre-copy sends the touched memory while it runs and
 * the working set again in each round.
 * usage: bench_migrate [MiB] [rounds] [working set in KiB] [rounds more per rank]
 * (the last: rank r of a job runs r times as many more, so that its ranks end in
 * turn, rank 0 first) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <uniform.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 16;
    long rounds = argc > 2 ? atol(argv[2]) : 20000;
    long working_kib = argc > 3 ? atol(argv[3]) : 64;
    long per_rank = argc > 4 ? atol(argv[4]) : 0;
    if (per_rank > 0)
        rounds += per_rank * uk_rank();
    size_t words = (size_t)mib << 18;
    uint32_t *memory = malloc(words * sizeof *memory);
    if (mib <= 0 || working_kib <= 0 || memory == NULL) {
        printf("bench_migrate: cannot touch %ld MiB with a working set of %ld KiB\n", mib, working_kib);
        return 1;
    }
    /* Small values, as in arrays of counts: they compress, and no page is all zeros. */
    uint32_t state = 1;
    for (size_t i = 0; i < words; i++) {
        state = state * 1103515245u + 12345u;
        memory[i] = (state >> 20) | 1;
    }
    printf("bench_migrate touched %ld MiB\n", mib);
    fflush(stdout);
    size_t working = (size_t)working_kib << 8;
    if (working > words)
        working = words;
    uint32_t checksum = 0;
    for (long round = 0; round < rounds; round++) {
        for (size_t i = 0; i < working; i++) {
            uint32_t value = memory[i] * 31 + (uint32_t)round;
            memory[i] = value;
            checksum = checksum * 7 + value + memory[(i * 4099 + (size_t)round * 65537) % words];
        }
    }
    printf("bench_migrate rounds %ld checksum 0x%08x\n", rounds, (unsigned)checksum);
    return 0;
}
