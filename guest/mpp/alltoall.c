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
 * every sender waits for credit.  Rounds go in phases of PHASE_ROUNDS: a rank
 * that has every message of its phase lays its buffer out afresh and meets
 * the others in a barrier before the next, so its buffer and event queue hold
 * a phase, not the whole run, and a job of any length fits a node.  Rank 0
 * prints "alltoall: N ranks, ROUNDS rounds, M messages, ok" (M = N * N * ROUNDS).
 */
#include "mpp.h"

#define PT_ALL 6
#define BITS UINT64_C(0xa11)
#define MOST 256
#define PHASE_ROUNDS 128 /* twice the credit window: senders still wait for credit */

/* The phase's receive buffer, from its start, on the inbox's entry. */
static ptl_handle_md_t inbox_attach(ptl_handle_me_t me, ptl_handle_eq_t eq, void *inbox, ptl_size_t length)
{
    ptl_handle_md_t md;
    MPP_OK(PtlMDAttach(me, mpp_md(inbox, length, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq), PTL_RETAIN,
                       &md));
    return md;
}

int main(int argc, char **argv)
{
    ptl_handle_ni_t ni = mpp_init("alltoall");
    int rounds = (int)mpp_arg(argc, argv, 1, 20);
    int rank = uk_rank(), size = uk_size();
    int phase_rounds = rounds < PHASE_ROUNDS ? rounds : PHASE_ROUNDS;
    size_t phase_messages = (size_t)size * phase_rounds;

    unsigned char *inbox = malloc(phase_messages * MOST + 1);
    unsigned char *outbox = malloc((size_t)size * MOST);
    uint32_t *next = calloc((size_t)size, sizeof *next);
    ptl_process_id_t *ids = malloc((size_t)size * sizeof *ids);
    if (inbox == NULL || outbox == NULL || next == NULL || ids == NULL)
        mpp_fail("out of memory");
    for (int r = 0; r < size; r++)
        ids[r] = mpp_id(r);

    ptl_handle_eq_t eq;
    ptl_handle_me_t me;
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    MPP_OK(PtlEQAlloc(ni, (ptl_size_t)phase_messages + 8, PTL_EQ_HANDLER_NONE, &eq));
    MPP_OK(PtlMEAttach(ni, PT_ALL, anyone, BITS, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    ptl_handle_md_t inbox_md = inbox_attach(me, eq, inbox, phase_messages * MOST);
    ptl_handle_md_t out_md;
    MPP_OK(PtlMDBind(ni, mpp_md(outbox, (ptl_size_t)size * MOST, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN,
                     &out_md));
    MPP_OK(uk_barrier()); /* every inbox in place; the collectives' first contacts are over */
    ptl_sr_value_t drops_before, drops_after;
    MPP_OK(PtlNIStatus(ni, PTL_SR_DROP_COUNT, &drops_before));

    for (int first = 0; first < rounds; first += phase_rounds) {
        int last = first + phase_rounds < rounds ? first + phase_rounds : rounds;
        size_t expected = (size_t)size * (last - first), received = 0;
        for (int seq = first; seq < last; seq++) {
            for (int k = 0; k < size; k++) {
                int to = (rank + 1 + k) % size;
                uint32_t length = mpp_message_write(outbox + (size_t)k * MOST, rank, to, seq, MOST);
                MPP_OK(PtlPutRegion(out_md, (ptl_size_t)k * MOST, length, PTL_NO_ACK_REQ, ids[to], PT_ALL, 0, BITS, 0,
                                    (ptl_hdr_data_t)seq));
            }
            /* Take whatever has come meanwhile, and at the phase's end everything. */
            while (received < expected) {
                ptl_event_t event;
                int rc = seq + 1 < last ? PtlEQGet(eq, &event) : PtlEQWait(eq, &event);
                if (rc == PTL_EQ_EMPTY)
                    break;
                MPP_OK(rc);
                if (event.type != PTL_EVENT_PUT_END)
                    continue;
                mpp_message_check(&event, inbox, rank, size, ids, next, MOST);
                received++;
            }
        }
        if (last < rounds) {
            /* Nobody sends the next phase before this rank's buffer is laid out afresh. */
            MPP_OK(PtlMDUnlink(inbox_md));
            inbox_md = inbox_attach(me, eq, inbox, phase_messages * MOST);
            MPP_OK(uk_barrier());
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
               (unsigned long long)size * (unsigned long long)size * (unsigned long long)rounds);
    return 0;
}
