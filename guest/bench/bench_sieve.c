/* Sieve of Eratosthenes below 2,000,000, repeated.
 * usage: bench_sieve [repetitions] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_REPETITIONS 200
#define LIMIT 2000000

static uint8_t composite[LIMIT];

int main(int argc, char **argv)
{
    long repetitions = argc > 1 ? atol(argv[1]) : DEFAULT_REPETITIONS;
    uint32_t count = 0;
    uint64_t sum = 0;
    for (long r = 0; r < repetitions; r++) {
        memset(composite, 0, sizeof composite);
        count = 0;
        sum = 0;
        for (uint32_t i = 2; i < LIMIT; i++) {
            if (composite[i])
                continue;
            count++;
            sum += i;
            if ((uint64_t)i * i < LIMIT)
                for (uint32_t j = i * i; j < LIMIT; j += i)
                    composite[j] = 1;
        }
    }
    printf("bench_sieve repetitions %ld primes %lu sum %llu\n", repetitions,
           (unsigned long)count, (unsigned long long)sum);
    return 0;
}
