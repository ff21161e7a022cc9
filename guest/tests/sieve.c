/* Sieve of Eratosthenes below 1,000,000; checks the well-known prime count
 * and sum. */
#include <stdint.h>
#include <stdio.h>

#define LIMIT 1000000

static uint8_t composite[LIMIT];

int main(void)
{
    uint32_t count = 0;
    uint64_t sum = 0;
    for (uint32_t i = 2; i < LIMIT; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        /* Beyond i = 1000, i * i is past LIMIT (and overflows 32 bits). */
        if (i < 1000)
            for (uint32_t j = i * i; j < LIMIT; j += i)
                composite[j] = 1;
    }
    printf("primes below %d: %lu, sum %llu\n", LIMIT, (unsigned long)count,
           (unsigned long long)sum);
    int ok = count == 78498 && sum == 37550402023ull;
    printf(ok ? "PASS sieve\n" : "FAIL sieve\n");
    return ok ? 0 : 1;
}
