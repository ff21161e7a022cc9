/*
 * pingpong [--check] [ROUNDS [STREAM]]: ranks 0 and 1 (rank 0 alone with
 * itself in a job of one; other ranks wait) measure, for messages of 1 KiB
 * to 1 MiB, the one-way latency (ROUNDS round trips, default 20, half the
 * mean) and the streaming bandwidth (STREAM puts back to back, default 8,
 * then a zero-byte acknowledgment).  Every put lands in the receiver's
 * buffer straight from the sender's.  Rank 0 prints one line per size, then
 * "pingpong: N ranks, 11 sizes from 1024 to 1048576 bytes, ok".  With
 * --check it prints no times: every ping and pong carries its own pattern,
 * which the receiver checks byte for byte, as it checks the streamed bytes,
 * and the result line is "pingpong: check, N ranks, 11 sizes, R round trips
 * and S streamed each, ok".
 */
#include "mpp.h"

#define PT_PING 5
#define SMALLEST 1024
#define LARGEST (1024 * 1024)

enum kind { PING = 1, PONG, STREAM, DONE };

static ptl_handle_eq_t eq;
static ptl_handle_md_t send_md, echo_md;
static ptl_process_id_t peer_id;
static unsigned char *out, *in;
static int check;

/* The monotonic clock (Linux clock 1, served by Puma too), raw through the wedge. */
static uint64_t now_ns(void)
{
    int64_t ts[2] = { 0, 0 };
    uk_syscall(UK_SYS_clock_gettime64, 1, (long)ts, 0, 0, 0, 0);
    return (uint64_t)ts[0] * 1000000000u + (uint64_t)ts[1];
}

static unsigned char pattern(size_t size, int round, size_t i)
{
    return (unsigned char)(i * 7 + (size_t)round * 131 + size / 1024 + (i >> 8));
}

static void fill(size_t size, int round)
{
    for (size_t i = 0; i < size; i++)
        out[i] = pattern(size, round, i);
}

static void verify(const char *what, size_t size, int round)
{
    for (size_t i = 0; i < size; i++)
        if (in[i] != pattern(size, round, i))
            mpp_fail("%s of %u bytes, round %d: byte %u is %u, expected %u", what, (unsigned)size, round,
                     (unsigned)i, in[i], pattern(size, round, i));
}

static void put(ptl_handle_md_t md, size_t size, enum kind kind, int round)
{
    MPP_OK(PtlPutRegion(md, 0, size, PTL_NO_ACK_REQ, peer_id, PT_PING, 0, (ptl_match_bits_t)kind, 0,
                        (ptl_hdr_data_t)round));
}

/* The next arrival, which must be of this kind, size and round. */
static void arrival(enum kind kind, size_t size, int round)
{
    ptl_event_t event = mpp_wait(eq, PTL_EVENT_PUT_END);
    if (event.match_bits != (ptl_match_bits_t)kind || event.mlength != size || event.hdr_data != (uint64_t)round)
        mpp_fail("expected message %d of %u bytes, round %d; came %u of %u bytes, round %u", kind, (unsigned)size,
                 round, (unsigned)event.match_bits, (unsigned)event.mlength, (unsigned)event.hdr_data);
}

/* The other side of one size: echo every ping, acknowledge the stream. */
static void respond(size_t size, int rounds, int stream)
{
    for (int round = 0; round < rounds; round++) {
        arrival(PING, size, round);
        if (check)
            verify("ping", size, round);
        put(echo_md, size, PONG, round);
    }
    for (int k = 0; k < stream; k++)
        arrival(STREAM, size, k);
    if (check && stream > 0)
        verify("stream", size, stream - 1);
    put(echo_md, 0, DONE, stream);
}

int main(int argc, char **argv)
{
    ptl_handle_ni_t ni = mpp_init("pingpong");
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--check") == 0) {
        check = 1;
        first = 2;
    }
    int rounds = (int)mpp_arg(argc, argv, first, 20);
    int stream = (int)mpp_arg(argc, argv, first + 1, 8);
    int rank = uk_rank(), size = uk_size();
    int peer = size > 1 ? 1 - rank : 0;
    int sizes = 0;

    if (rank < 2) {
        peer_id = mpp_id(peer);
        out = malloc(LARGEST);
        in = malloc(LARGEST);
        if (out == NULL || in == NULL)
            mpp_fail("out of memory");
        ptl_handle_me_t me;
        ptl_handle_md_t md;
        MPP_OK(PtlEQAlloc(ni, (ptl_size_t)stream + 16, PTL_EQ_HANDLER_NONE, &eq));
        MPP_OK(PtlMEAttach(ni, PT_PING, peer_id, 0, 0xff, PTL_RETAIN, PTL_INS_AFTER, &me));
        MPP_OK(PtlMDAttach(me, mpp_md(in, LARGEST, PTL_MD_THRESH_INF,
                                      PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, eq),
                           PTL_RETAIN, &md));
        MPP_OK(PtlMDBind(ni, mpp_md(out, LARGEST, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN, &send_md));
        MPP_OK(PtlMDBind(ni, mpp_md(in, LARGEST, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN, &echo_md));
    }
    MPP_OK(uk_barrier()); /* both receive buffers in place */

    for (size_t bytes = SMALLEST; rank < 2 && bytes <= LARGEST; bytes *= 2, sizes++) {
        if (rank == 1) {
            respond(bytes, rounds, stream);
            continue;
        }
        uint64_t start = now_ns();
        for (int round = 0; round < rounds; round++) {
            if (check)
                fill(bytes, round);
            put(send_md, bytes, PING, round);
            if (peer == rank) { /* alone: the ping came back to this very buffer */
                arrival(PING, bytes, round);
                put(echo_md, bytes, PONG, round);
            }
            arrival(PONG, bytes, round);
            if (check)
                verify("pong", bytes, round);
        }
        uint64_t latency = now_ns() - start;
        if (check)
            fill(bytes, stream - 1);
        start = now_ns();
        for (int k = 0; k < stream; k++)
            put(send_md, bytes, STREAM, k);
        if (peer == rank) {
            for (int k = 0; k < stream; k++)
                arrival(STREAM, bytes, k);
            put(echo_md, 0, DONE, stream);
        }
        arrival(DONE, 0, stream);
        uint64_t streaming = now_ns() - start;
        if (check && peer == rank && stream > 0)
            verify("stream", bytes, stream - 1);
        if (!check) {
            double us = rounds > 0 ? (double)latency / rounds / 2 / 1000.0 : 0.0;
            double mib = streaming > 0 ? (double)bytes * stream / (1024.0 * 1024.0) / ((double)streaming / 1e9) : 0.0;
            printf("pingpong: %7u bytes  latency %10.1f us  bandwidth %9.2f MiB/s\n", (unsigned)bytes, us, mib);
        }
    }
    MPP_OK(uk_barrier());
    if (rank == 0) {
        if (check)
            printf("pingpong: check, %d ranks, %d sizes, %d round trips and %d streamed each, ok\n", size, sizes,
                   rounds, stream);
        else
            printf("pingpong: %d ranks, %d sizes from %d to %d bytes, ok\n", size, sizes, SMALLEST, LARGEST);
    }
    return 0;
}
