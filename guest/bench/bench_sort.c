/* Repeatedly fills an array with pseudo-random numbers and sorts it with a
 * hand-written quicksort (insertion sort for short runs).
 * usage: bench_sort [rounds] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_ROUNDS 2100
#define N 20000

static uint32_t values[N];

static void insertion_sort(uint32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quick_sort(uint32_t *a, int n)
{
    while (n > 16) {
        uint32_t pivot = a[n / 2];
        int i = 0, j = n - 1;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
                i++; j--;
            }
        }
        /* Recurse into the smaller part, loop on the larger: bounded depth. */
        if (j + 1 < n - i) {
            quick_sort(a, j + 1);
            a += i; n -= i;
        } else {
            quick_sort(a + i, n - i);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : DEFAULT_ROUNDS;
    uint32_t state = 1, checksum = 0;
    for (long round = 0; round < rounds; round++) {
        for (int i = 0; i < N; i++) {
            state = state * 1103515245u + 12345u;
            values[i] = state >> 4;
        }
        quick_sort(values, N);
        for (int i = 1; i < N; i++)
            if (values[i - 1] > values[i]) {
                printf("bench_sort: not sorted in round %ld\n", round);
                return 1;
            }
        checksum = checksum * 31 + values[N / 3] + values[N - 1];
    }
    printf("bench_sort rounds %ld checksum 0x%08x\n", rounds, (unsigned)checksum);
    return 0;
}
