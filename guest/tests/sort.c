/* qsort and a hand-written merge sort over the same pseudo-random array;
 * both must produce the same sorted permutation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 5000

static int32_t original[N], by_qsort[N], by_merge[N], scratch[N];

static uint32_t lcg_state = 12345;
static uint32_t next_random(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state;
}

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void merge_sort(int32_t *a, int32_t *tmp, int n)
{
    if (n < 2)
        return;
    int half = n / 2;
    merge_sort(a, tmp, half);
    merge_sort(a + half, tmp, n - half);
    int i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < half)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int is_sorted(const int32_t *a, int n)
{
    for (int i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

int main(void)
{
    uint32_t sum_before = 0;
    for (int i = 0; i < N; i++) {
        /* Narrow range so there are duplicates; signed so negatives occur. */
        original[i] = (int32_t)(next_random() >> 8) % 20000 - 10000;
        sum_before += (uint32_t)original[i];
    }
    memcpy(by_qsort, original, sizeof original);
    memcpy(by_merge, original, sizeof original);
    qsort(by_qsort, N, sizeof by_qsort[0], compare_int32);
    merge_sort(by_merge, scratch, N);

    uint32_t sum_after = 0, weighted = 0;
    for (int i = 0; i < N; i++) {
        sum_after += (uint32_t)by_qsort[i];
        weighted = weighted * 31 + (uint32_t)by_qsort[i];
    }
    int ok = is_sorted(by_qsort, N) && is_sorted(by_merge, N) &&
             memcmp(by_qsort, by_merge, sizeof by_qsort) == 0 && sum_before == sum_after;
    printf("min %ld max %ld median %ld\n", (long)by_qsort[0], (long)by_qsort[N - 1],
           (long)by_qsort[N / 2]);
    printf("checksum 0x%08x\n", (unsigned)weighted);
    printf(ok ? "PASS sort\n" : "FAIL sort\n");
    return ok ? 0 : 1;
}
