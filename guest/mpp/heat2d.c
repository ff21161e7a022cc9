/*
 * heat2d [N [STEPS]]: explicit 2D heat diffusion on an N x N grid (default
 * 64) for STEPS steps (default 100), the rows split among the ranks, each
 * step's boundary rows exchanged with the neighbors (halo exchange: puts into
 * two ghost rows per side, alternating with the step's parity).  At the end
 * rank 0 gathers the grid (each rank puts its rows into place), computes the
 * same grid serially and checks them bit for bit.  Edges stay at their
 * initial values.  Rank 0 prints "heat2d: NxN grid, STEPS steps, N ranks,
 * checksum 0x..., ok" (an FNV-1a of the grid's bytes: the same for any
 * number of ranks).
 */
#include "mpp.h"

#define PT_HALO 2
#define PT_GATHER 3
#define FROM_ABOVE 0     /* a halo the rank above sent: my top ghost row */
#define FROM_BELOW 1

static int n;

static double initial(int i, int j)
{
    if (i == 0 || j == 0 || j == n - 1)
        return 0.0;
    if (i == n - 1)
        return 100.0;                     /* a hot bottom edge */
    int di = i - n / 3, dj = j - n / 2;
    return di * di + dj * dj < n * n / 36 ? 50.0 : (double)((i * 31 + j * 17) % 10); /* a warm disc */
}

/* One step for the rows [first, last) of a grid stored from row first - 1. */
static void step(const double *cur, double *next, int first, int last)
{
    for (int i = first; i < last; i++) {
        const double *up = cur + (size_t)(i - first) * n, *row = up + n, *down = row + n;
        double *out = next + (size_t)(i - first + 1) * n;
        if (i == 0 || i == n - 1) {
            memcpy(out, row, (size_t)n * sizeof *out);
            continue;
        }
        out[0] = row[0];
        out[n - 1] = row[n - 1];
        for (int j = 1; j < n - 1; j++)
            out[j] = row[j] + 0.2 * (up[j] + down[j] + row[j - 1] + row[j + 1] - 4.0 * row[j]);
    }
}

int main(int argc, char **argv)
{
    ptl_handle_ni_t ni = mpp_init("heat2d");
    n = (int)mpp_arg(argc, argv, 1, 64);
    int steps = (int)mpp_arg(argc, argv, 2, 100);
    int rank = uk_rank(), size = uk_size();
    if (n < 3)
        mpp_fail("the grid needs at least 3 rows");

    /* Rows [first, last): the first n % size ranks one more; ranks past n none. */
    int active = size < n ? size : n;
    int base = n / active, extra = n % active;
    int first = rank < active ? rank * base + (rank < extra ? rank : extra) : n;
    int rows = rank < active ? base + (rank < extra) : 0;
    int last = first + rows;
    int above = rank > 0 && rank < active ? rank - 1 : -1;
    int below = rank + 1 < active ? rank + 1 : -1;
    size_t row_bytes = (size_t)n * sizeof(double);

    /* Local grids with a ghost row on each side. */
    double *cur = calloc((size_t)(rows + 2) * n, sizeof(double));
    double *next = calloc((size_t)(rows + 2) * n, sizeof(double));
    double *ghost = calloc((size_t)4 * n, sizeof(double)); /* [side][parity] */
    if (cur == NULL || next == NULL || ghost == NULL)
        mpp_fail("out of memory");
    for (int i = first; i < last; i++)
        for (int j = 0; j < n; j++)
            cur[(size_t)(i - first + 1) * n + j] = initial(i, j);

    ptl_handle_eq_t eq;
    MPP_OK(PtlEQAlloc(ni, 64, PTL_EQ_HANDLER_NONE, &eq));
    for (int side = 0; side < 2; side++) {
        int neighbor = side == FROM_ABOVE ? above : below;
        if (neighbor < 0)
            continue;
        for (int parity = 0; parity < 2; parity++) {
            ptl_handle_me_t me;
            ptl_handle_md_t md;
            MPP_OK(PtlMEAttach(ni, PT_HALO, mpp_id(neighbor), (ptl_match_bits_t)(side * 2 + parity), 0,
                               PTL_RETAIN, PTL_INS_AFTER, &me));
            MPP_OK(PtlMDAttach(me, mpp_md(ghost + (size_t)(side * 2 + parity) * n, row_bytes, PTL_MD_THRESH_INF,
                                          PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, eq),
                               PTL_RETAIN, &md));
        }
    }
    double *grid = NULL;
    ptl_handle_eq_t gather_eq;
    MPP_OK(PtlEQAlloc(ni, (ptl_size_t)active + 4, PTL_EQ_HANDLER_NONE, &gather_eq));
    if (rank == 0) {
        grid = calloc((size_t)n * n, sizeof(double));
        if (grid == NULL)
            mpp_fail("out of memory");
        ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
        ptl_handle_me_t me;
        ptl_handle_md_t md;
        MPP_OK(PtlMEAttach(ni, PT_GATHER, anyone, 0, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
        MPP_OK(PtlMDAttach(me, mpp_md(grid, (ptl_size_t)n * row_bytes, PTL_MD_THRESH_INF,
                                      PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, gather_eq),
                           PTL_RETAIN, &md));
    }
    MPP_OK(uk_barrier()); /* every ghost row and the gather buffer are in place */

    int arrived[2] = { 0, 0 };
    for (int s = 0; s < steps; s++) {
        int parity = s & 1;
        /* My boundary rows to the neighbors: bound over cur, copied as the put is issued. */
        if (rows > 0 && (above >= 0 || below >= 0)) {
            ptl_handle_md_t md;
            int puts = (above >= 0) + (below >= 0); /* the descriptor goes with the last */
            MPP_OK(PtlMDBind(ni, mpp_md(cur + n, (ptl_size_t)rows * row_bytes, puts, 0, PTL_EQ_NONE), PTL_UNLINK,
                             &md));
            if (above >= 0)
                MPP_OK(PtlPutRegion(md, 0, row_bytes, PTL_NO_ACK_REQ, mpp_id(above), PT_HALO, 0,
                                    (ptl_match_bits_t)(FROM_BELOW * 2 + parity), 0, 0));
            if (below >= 0)
                MPP_OK(PtlPutRegion(md, (ptl_size_t)(rows - 1) * row_bytes, row_bytes, PTL_NO_ACK_REQ,
                                    mpp_id(below), PT_HALO, 0, (ptl_match_bits_t)(FROM_ABOVE * 2 + parity), 0, 0));
        }
        /* Theirs: the step's halo from each side (a neighbor is at most one step ahead). */
        while ((above >= 0 && arrived[FROM_ABOVE] <= s) || (below >= 0 && arrived[FROM_BELOW] <= s)) {
            ptl_event_t event = mpp_wait(eq, PTL_EVENT_PUT_END);
            int side = (int)(event.match_bits / 2);
            if ((int)(event.match_bits & 1) != (arrived[side] & 1) || event.mlength != row_bytes)
                mpp_fail("step %d: a halo of %u bytes with bits %u", s, (unsigned)event.mlength,
                         (unsigned)event.match_bits);
            arrived[side]++;
        }
        if (above >= 0)
            memcpy(cur, ghost + (size_t)(FROM_ABOVE * 2 + parity) * n, row_bytes);
        if (below >= 0)
            memcpy(cur + (size_t)(rows + 1) * n, ghost + (size_t)(FROM_BELOW * 2 + parity) * n, row_bytes);
        step(cur, next, first, last);
        double *swap = cur;
        cur = next;
        next = swap;
    }

    /* Gather at rank 0, and the serial computation there. */
    if (rank != 0 && rows > 0) {
        ptl_handle_md_t md;
        MPP_OK(PtlMDBind(ni, mpp_md(cur + n, (ptl_size_t)rows * row_bytes, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md));
        MPP_OK(PtlPut(md, PTL_NO_ACK_REQ, mpp_id(0), PT_GATHER, 0, 0, (ptl_size_t)first * row_bytes, 0));
    }
    if (rank == 0) {
        memcpy(grid, cur + n, (size_t)rows * row_bytes);
        for (int others = 1; others < active; others++) {
            ptl_event_t event = mpp_wait(gather_eq, PTL_EVENT_PUT_END);
            if (event.offset % row_bytes != 0)
                mpp_fail("rows gathered at offset %llu", (unsigned long long)event.offset);
        }
        double *a = calloc((size_t)(n + 2) * n, sizeof(double));
        double *b = calloc((size_t)(n + 2) * n, sizeof(double));
        if (a == NULL || b == NULL)
            mpp_fail("out of memory");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                a[(size_t)(i + 1) * n + j] = initial(i, j);
        for (int s = 0; s < steps; s++) {
            step(a, b, 0, n);
            double *swap = a;
            a = b;
            b = swap;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (memcmp(&grid[(size_t)i * n + j], &a[(size_t)(i + 1) * n + j], sizeof(double)) != 0)
                    mpp_fail("cell (%d, %d) is %.17g, the serial grid says %.17g", i, j, grid[(size_t)i * n + j],
                             a[(size_t)(i + 1) * n + j]);
        printf("heat2d: %dx%d grid, %d steps, %d ranks, checksum 0x%016llx, ok\n", n, n, steps, size,
               (unsigned long long)mpp_fnv(MPP_FNV_START, grid, (size_t)n * row_bytes));
    }
    MPP_OK(uk_barrier());
    return 0;
}
