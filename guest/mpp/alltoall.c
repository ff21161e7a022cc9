/*
 * alltoall [ROUNDS]: every rank sends every rank (itself included) one
 * sequenced message per round for ROUNDS rounds (default 20), without
 * waiting for anyone, into one receive buffer per rank whose locally
 * managed offset packs the messages as they come.  Messages vary in length
 * (16 to 256 bytes); each carries its sender, its sequence number and a
 * pattern of both.  Every receiver checks, as each message arrives, that it
 * is the next one of its sender (nothing lost, duplicated or reordered per
 * sender), whole and from the process it claims, and at the end that it got
 * ROUNDS from everyone, that nothing came after them, and that nothing for it
 * was dropped.  On the machine a rank sends all its rounds within one slice
 * of its CPU, so with ROUNDS above a channel's credit window (64 messages)
 * every sender waits for credit.  Rank 0 prints "alltoall: N ranks, ROUNDS rounds,
 * M messages, ok" (M = N * N * ROUNDS).
 */
#include "mpp.h"

#define PT_ALL 6
#define BITS UINT64_C(0xa11)
#define MOST 256

int main(int argc, char **argv)
{
    ptl_handle_ni_t ni = mpp_init("alltoall");
    int rounds = (int)mpp_arg(argc, argv, 1, 20);
    int rank = uk_rank(), size = uk_size();
    size_t messages = (size_t)size * rounds;

    unsigned char *inbox = malloc(messages * MOST + 1);
    unsigned char *outbox = malloc((size_t)size * MOST);
    uint32_t *next = calloc((size_t)size, sizeof *next);
    ptl_process_id_t *ids = malloc((size_t)size * sizeof *ids);
    if (inbox == NULL || outbox == NULL || next == NULL || ids == NULL)
        mpp_fail("out of memory");
    for (int r = 0; r < size; r++)
        ids[r] = mpp_id(r);

    ptl_handle_eq_t eq = mpp_inbox(ni, PT_ALL, BITS, inbox, messages * MOST, (ptl_size_t)messages + 8);
    ptl_handle_md_t out_md;
    MPP_OK(PtlMDBind(ni, mpp_md(outbox, (ptl_size_t)size * MOST, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN,
                     &out_md));
    MPP_OK(uk_barrier()); /* every inbox in place; the collectives' first contacts are over */
    ptl_sr_value_t drops_before, drops_after;
    MPP_OK(PtlNIStatus(ni, PTL_SR_DROP_COUNT, &drops_before));

    size_t received = 0;
    for (int seq = 0; seq < rounds; seq++) {
        for (int k = 0; k < size; k++) {
            int to = (rank + 1 + k) % size;
            uint32_t length = mpp_message_write(outbox + (size_t)k * MOST, rank, to, seq, MOST);
            MPP_OK(PtlPutRegion(out_md, (ptl_size_t)k * MOST, length, PTL_NO_ACK_REQ, ids[to], PT_ALL, 0, BITS, 0,
                                (ptl_hdr_data_t)seq));
        }
        /* Take whatever has come meanwhile, and at the end everything. */
        while (received < messages) {
            ptl_event_t event;
            int rc = seq + 1 < rounds ? PtlEQGet(eq, &event) : PtlEQWait(eq, &event);
            if (rc == PTL_EQ_EMPTY)
                break;
            MPP_OK(rc);
            if (event.type != PTL_EVENT_PUT_END)
                continue;
            mpp_message_check(&event, inbox, rank, size, ids, next, MOST);
            received++;
        }
    }
    for (int r = 0; r < size; r++)
        if (next[r] != (uint32_t)rounds)
            mpp_fail("%u messages from rank %d, expected %d", (unsigned)next[r], r, rounds);
    MPP_OK(uk_barrier());
    /* Nothing more came (a duplicate of a last message), and nothing was dropped here. */
    ptl_event_t extra;
    if (PtlEQGet(eq, &extra) != PTL_EQ_EMPTY)
        mpp_fail("a %s event after the last message", PtlEventKindStr(extra.type));
    MPP_OK(PtlNIStatus(ni, PTL_SR_DROP_COUNT, &drops_after));
    if (drops_after != drops_before)
        mpp_fail("%llu messages dropped", (unsigned long long)(drops_after - drops_before));
    if (rank == 0)
        printf("alltoall: %d ranks, %d rounds, %llu messages, ok\n", size, rounds,
               (unsigned long long)messages * (unsigned long long)size);
    return 0;
}
