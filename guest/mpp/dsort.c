/*
 * dsort [KEYS [SEED]]: a distributed sample sort of KEYS pseudo-random
 * 32-bit keys per rank (default 2000, seed 1).  Each rank sorts its keys,
 * the ranks share regular samples (an allreduce of a vector where each fills
 * its own slots) and pick the same splitters, share the matrix of bucket
 * sizes the same way, then put each bucket straight into its destination's
 * receive buffer at the offset the matrix gives, and sort what they got.
 * Checked: every rank's keys sorted, each rank's largest key at most the
 * next rank's smallest, as many keys as before, and the same multiset
 * (sums of the keys and of a mix of them).  Rank 0 prints "dsort: N ranks,
 * T keys, checksum 0x..., sorted, ok".
 */
#include "mpp.h"

#define PT_KEYS 4

static int compare(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    return k ^ (k >> 33);
}

/* Sum of the keys, sum of their mixes, count: the same for any permutation. */
static void fingerprint(const uint32_t *keys, int count, int64_t out[3])
{
    uint64_t sum = 0, mixed = 0;
    for (int i = 0; i < count; i++) {
        sum += keys[i];
        mixed += mix(keys[i]);
    }
    out[0] = (int64_t)sum;
    out[1] = (int64_t)mixed;
    out[2] = count;
}

/* The number of keys in sorted[0..count) that are <= value. */
static int upper_bound(const uint32_t *sorted, int count, uint32_t value)
{
    int low = 0, high = count;
    while (low < high) {
        int middle = low + (high - low) / 2;
        if (sorted[middle] <= value)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

int main(int argc, char **argv)
{
    ptl_handle_ni_t ni = mpp_init("dsort");
    int count = (int)mpp_arg(argc, argv, 1, 2000);
    uint32_t seed = (uint32_t)mpp_arg(argc, argv, 2, 1);
    int rank = uk_rank(), size = uk_size();
    if (count < 0)
        mpp_fail("a negative number of keys");

    uint32_t *keys = malloc(((size_t)count + 1) * sizeof *keys);
    int64_t *shared = calloc((size_t)size * size, sizeof *shared);
    int64_t *matrix = calloc((size_t)size * size, sizeof *matrix);
    if (keys == NULL || shared == NULL || matrix == NULL)
        mpp_fail("out of memory");
    uint32_t state = seed * 2654435761u + (uint32_t)rank * 40503u + 1;
    for (int i = 0; i < count; i++) {
        state = state * 1664525u + 1013904223u;
        keys[i] = state ^ (state >> 13);
    }
    int64_t before[3], total_before[3];
    fingerprint(keys, count, before);
    MPP_OK(uk_allreduce_i64(before, total_before, 3, UK_SUM));
    qsort(keys, (size_t)count, sizeof *keys, compare);

    /* size - 1 regular samples of each rank, everyone's in one vector. */
    int samples = size - 1;
    for (int s = 0; s < samples; s++)
        shared[(size_t)rank * samples + s] = count ? keys[(size_t)count * (s + 1) / size] : UINT32_MAX;
    int64_t *all_samples = calloc((size_t)size * size, sizeof *all_samples);
    if (all_samples == NULL)
        mpp_fail("out of memory");
    MPP_OK(uk_allreduce_i64(shared, all_samples, size * samples, UK_SUM));
    uint32_t *sorted_samples = malloc(((size_t)size * samples + 1) * sizeof *sorted_samples);
    if (sorted_samples == NULL)
        mpp_fail("out of memory");
    for (int s = 0; s < size * samples; s++)
        sorted_samples[s] = (uint32_t)all_samples[s];
    qsort(sorted_samples, (size_t)size * samples, sizeof *sorted_samples, compare);

    /* Bucket d: the keys above splitter d - 1 up to splitter d (every samples-th
     * sample; the splitters ascend, so the buckets are in order). */
    int *bucket_start = malloc(((size_t)size + 1) * sizeof *bucket_start);
    if (bucket_start == NULL)
        mpp_fail("out of memory");
    bucket_start[0] = 0;
    for (int d = 1; d < size; d++)
        bucket_start[d] = upper_bound(keys, count, sorted_samples[(size_t)d * samples]);
    bucket_start[size] = count;
    for (int d = 0; d < size; d++)
        shared[(size_t)rank * size + d] = bucket_start[d + 1] - bucket_start[d];
    for (int r = 0; r < size; r++)
        if (r != rank)
            for (int d = 0; d < size; d++)
                shared[(size_t)r * size + d] = 0;
    MPP_OK(uk_allreduce_i64(shared, matrix, size * size, UK_SUM));

    /* My receive buffer: the keys of every rank for me, in rank order. */
    int incoming = 0;
    for (int r = 0; r < size; r++)
        incoming += (int)matrix[(size_t)r * size + rank];
    uint32_t *received = malloc(((size_t)incoming + 1) * sizeof *received);
    if (received == NULL)
        mpp_fail("out of memory");
    ptl_handle_eq_t eq;
    ptl_handle_me_t me;
    ptl_handle_md_t inbox, outbox;
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    MPP_OK(PtlEQAlloc(ni, (ptl_size_t)size + 4, PTL_EQ_HANDLER_NONE, &eq));
    MPP_OK(PtlMEAttach(ni, PT_KEYS, anyone, 0, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(received, (ptl_size_t)incoming * sizeof *received, size,
                                  PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, eq),
                       PTL_UNLINK, &inbox));
    MPP_OK(PtlMDBind(ni, mpp_md(keys, (ptl_size_t)count * sizeof *keys, size, 0, PTL_EQ_NONE), PTL_UNLINK, &outbox));
    MPP_OK(uk_barrier()); /* every receive buffer in place */

    /* Every bucket, even an empty one (so that each receiver counts size arrivals). */
    for (int k = 1; k <= size; k++) {
        int d = (rank + k) % size;
        int64_t offset = 0;
        for (int r = 0; r < rank; r++)
            offset += matrix[(size_t)r * size + d];
        MPP_OK(PtlPutRegion(outbox, (ptl_size_t)bucket_start[d] * sizeof *keys,
                            (ptl_size_t)(bucket_start[d + 1] - bucket_start[d]) * sizeof *keys, PTL_NO_ACK_REQ,
                            mpp_id(d), PT_KEYS, 0, (ptl_match_bits_t)0, (ptl_size_t)offset * sizeof *keys,
                            (ptl_hdr_data_t)rank));
    }
    for (int r = 0; r < size; r++) {
        ptl_event_t event = mpp_wait(eq, PTL_EVENT_PUT_END);
        int from = (int)event.hdr_data;
        if (from < 0 || from >= size || event.mlength != (uint64_t)matrix[(size_t)from * size + rank] * sizeof *keys)
            mpp_fail("%llu bytes of keys from rank %d", (unsigned long long)event.mlength, from);
    }
    qsort(received, (size_t)incoming, sizeof *received, compare);

    /* Sorted here, ordered between ranks, and the same keys. */
    for (int i = 1; i < incoming; i++)
        if (received[i - 1] > received[i])
            mpp_fail("keys %d and %d out of order", i - 1, i);
    int64_t *bounds = calloc((size_t)size * 2, sizeof *bounds);
    int64_t *all_bounds = calloc((size_t)size * 2, sizeof *all_bounds);
    if (bounds == NULL || all_bounds == NULL)
        mpp_fail("out of memory");
    for (int r = 0; r < size; r++) {
        bounds[2 * r] = INT64_MAX;      /* smallest key of rank r: min */
        bounds[2 * r + 1] = INT64_MIN;  /* largest, as a min of its negation */
    }
    if (incoming > 0) {
        bounds[2 * rank] = received[0];
        bounds[2 * rank + 1] = -(int64_t)received[incoming - 1];
    }
    MPP_OK(uk_allreduce_i64(bounds, all_bounds, size * 2, UK_MIN));
    int64_t largest = -1;
    for (int r = 0; r < size; r++) {
        if (all_bounds[2 * r] == INT64_MAX)
            continue; /* no keys there */
        if (all_bounds[2 * r] < largest)
            mpp_fail("rank %d starts below the keys of a lower rank", r);
        largest = -all_bounds[2 * r + 1];
    }
    int64_t after[3], total_after[3];
    fingerprint(received, incoming, after);
    MPP_OK(uk_allreduce_i64(after, total_after, 3, UK_SUM));
    if (memcmp(total_after, total_before, sizeof total_after) != 0)
        mpp_fail("the keys after are not a permutation of the keys before");
    if (rank == 0)
        printf("dsort: %d ranks, %lld keys, checksum 0x%016llx, sorted, ok\n", size, (long long)total_after[2],
               (unsigned long long)total_after[1]);
    MPP_OK(uk_barrier());
    return 0;
}
