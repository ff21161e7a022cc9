/*
 * allreduce [ROUNDS]: every collective of <uniform.h>, ROUNDS times
 * (default 20), each result checked at every rank against its closed form:
 * allreduce of int64 and double vectors (sum, min, max; lengths 1 to 300),
 * reduce to a root that moves each round, broadcast from it, barriers.
 * Rank 0 prints "allreduce: N ranks, ROUNDS rounds, C collectives, ok".
 */
#include "mpp.h"

#define MOST 300

static int64_t in64[MOST], out64[MOST];
static double inf[MOST], outf[MOST];
static unsigned char bytes[4096];

static void check_i64(const char *what, int round, int i, int64_t got, int64_t expected)
{
    if (got != expected)
        mpp_fail("round %d: %s[%d] = %lld, expected %lld", round, what, i, (long long)got, (long long)expected);
}

static void check_f64(const char *what, int round, int i, double got, double expected)
{
    if (got != expected)
        mpp_fail("round %d: %s[%d] = %.17g, expected %.17g", round, what, i, got, expected);
}

int main(int argc, char **argv)
{
    mpp_program = "allreduce";
    int rounds = (int)mpp_arg(argc, argv, 1, 20);
    int rank = uk_rank(), size = uk_size();
    int64_t n = size;
    long collectives = 0;

    for (int round = 0; round < rounds; round++) {
        int count = 1 + (round * 37) % MOST;
        int root = round % size;

        /* int64: rank * 1000003 + i * round - 7, so sum, min and max have closed forms. */
        for (int i = 0; i < count; i++)
            in64[i] = rank * INT64_C(1000003) + (int64_t)i * round - 7;
        int64_t base_sum = INT64_C(1000003) * n * (n - 1) / 2;
        MPP_OK(uk_allreduce_i64(in64, out64, count, UK_SUM));
        for (int i = 0; i < count; i++)
            check_i64("sum", round, i, out64[i], base_sum + n * ((int64_t)i * round - 7));
        MPP_OK(uk_allreduce_i64(in64, out64, count, UK_MIN));
        for (int i = 0; i < count; i++)
            check_i64("min", round, i, out64[i], (int64_t)i * round - 7);
        MPP_OK(uk_allreduce_i64(in64, out64, count, UK_MAX));
        for (int i = 0; i < count; i++)
            check_i64("max", round, i, out64[i], (n - 1) * INT64_C(1000003) + (int64_t)i * round - 7);

        /* double: halves and small integers, exact in any order of addition. */
        for (int i = 0; i < count; i++)
            inf[i] = rank * 0.5 - i + round * 0.25;
        MPP_OK(uk_allreduce_f64(inf, outf, count, UK_SUM));
        for (int i = 0; i < count; i++)
            check_f64("fsum", round, i, outf[i], 0.25 * (double)(n * (n - 1)) + (double)n * (-i + round * 0.25));
        MPP_OK(uk_allreduce_f64(inf, outf, count, UK_MIN));
        for (int i = 0; i < count; i++)
            check_f64("fmin", round, i, outf[i], -i + round * 0.25);
        MPP_OK(uk_allreduce_f64(inf, outf, count, UK_MAX));
        for (int i = 0; i < count; i++)
            check_f64("fmax", round, i, outf[i], (double)(n - 1) * 0.5 - i + round * 0.25);

        /* in place, and a reduce to a root that moves */
        for (int i = 0; i < count; i++)
            out64[i] = rank + i;
        MPP_OK(uk_allreduce_i64(out64, out64, count, UK_SUM));
        for (int i = 0; i < count; i++)
            check_i64("in place", round, i, out64[i], n * (n - 1) / 2 + n * i);
        for (int i = 0; i < count; i++)
            out64[i] = -1;
        MPP_OK(uk_reduce_i64(in64, out64, count, UK_MAX, root));
        for (int i = 0; i < count; i++)
            check_i64("reduce", round, i, out64[i],
                      rank == root ? (n - 1) * INT64_C(1000003) + (int64_t)i * round - 7 : -1);
        MPP_OK(uk_reduce_f64(inf, rank == root ? outf : NULL, count, UK_SUM, root));
        if (rank == root)
            for (int i = 0; i < count; i++)
                check_f64("freduce", round, i, outf[i],
                          0.25 * (double)(n * (n - 1)) + (double)n * (-i + round * 0.25));

        /* a broadcast of the root's bytes, of a length that varies */
        size_t length = (size_t)(round * 211) % sizeof bytes;
        for (size_t i = 0; i < length; i++)
            bytes[i] = rank == root ? (unsigned char)(i * 7 + round) : 0;
        MPP_OK(uk_broadcast(bytes, length, root));
        for (size_t i = 0; i < length; i++)
            if (bytes[i] != (unsigned char)(i * 7 + round))
                mpp_fail("round %d: broadcast byte %u is %u", round, (unsigned)i, bytes[i]);

        MPP_OK(uk_barrier());
        collectives += 11;
    }
    if (rank == 0)
        printf("allreduce: %d ranks, %d rounds, %ld collectives, ok\n", size, rounds, collectives);
    return 0;
}
