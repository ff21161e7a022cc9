/*
 * token_ring [LAPS]: a token goes round the ranks LAPS times (default 100).
 * Every rank checks every arrival: it comes from its left neighbor (the
 * match entry admits only that process, and the event names it), carries
 * the hop number and running sum this rank expects, and is whole.  Rank 0
 * prints "token_ring: N ranks, LAPS laps, H hops, ok".  One rank passes the
 * token to itself.
 */
#include "mpp.h"

#define PT_TOKEN 1
#define TOKEN_BITS UINT64_C(0x70c3e)

struct token {
    uint32_t hop;     /* hops made so far, this one included */
    uint32_t lap;
    uint64_t sum;     /* the ranks that sent it, summed */
};

int main(int argc, char **argv)
{
    ptl_handle_ni_t ni = mpp_init("token_ring");
    int laps = (int)mpp_arg(argc, argv, 1, 100);
    int rank = uk_rank(), size = uk_size();
    int left = (rank + size - 1) % size, right = (rank + 1) % size;
    ptl_process_id_t left_id = mpp_id(left), right_id = mpp_id(right);

    ptl_handle_eq_t eq;
    ptl_handle_me_t me;
    ptl_handle_md_t inbox, outbox;
    static struct token in, out;
    MPP_OK(PtlEQAlloc(ni, 8, PTL_EQ_HANDLER_NONE, &eq));
    MPP_OK(PtlMEAttach(ni, PT_TOKEN, left_id, TOKEN_BITS, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(&in, sizeof in, PTL_MD_THRESH_INF,
                                  PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, eq),
                       PTL_RETAIN, &inbox));
    MPP_OK(PtlMDBind(ni, mpp_md(&out, sizeof out, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN, &outbox));
    MPP_OK(uk_barrier()); /* every inbox is in place before the first put */

    uint32_t hops = 0;
    uint64_t sum = 0;
    if (rank == 0 && laps > 0) {
        out = (struct token){ 1, 0, 0 };
        MPP_OK(PtlPut(outbox, PTL_NO_ACK_REQ, right_id, PT_TOKEN, 0, TOKEN_BITS, 0, 1));
    }
    for (int lap = 0; lap < laps; lap++) {
        ptl_event_t event = mpp_wait(eq, PTL_EVENT_PUT_END);
        /* The hop that brings the token here in this lap. */
        uint32_t expected_hop = (uint32_t)lap * (uint32_t)size + (uint32_t)(rank == 0 ? size : rank);
        uint64_t expected_sum = 0;
        for (uint32_t h = 0; h < expected_hop; h++)
            expected_sum += h % (uint32_t)size;
        if (!mpp_same_id(event.initiator, left_id) || event.mlength != sizeof in || event.hdr_data != expected_hop)
            mpp_fail("lap %d: an arrival from %u/%u of %u bytes, header %llu", lap, (unsigned)event.initiator.nid,
                     (unsigned)event.initiator.pid, (unsigned)event.mlength, (unsigned long long)event.hdr_data);
        if (in.hop != expected_hop || in.lap != (uint32_t)lap || in.sum != expected_sum)
            mpp_fail("lap %d: token hop %u lap %u sum %llu, expected hop %u sum %llu", lap, (unsigned)in.hop,
                     (unsigned)in.lap, (unsigned long long)in.sum, (unsigned)expected_hop,
                     (unsigned long long)expected_sum);
        hops = in.hop;
        sum = in.sum;
        if (rank == 0 && lap + 1 == laps)
            break; /* the last lap ends here */
        out = (struct token){ in.hop + 1, rank == 0 ? (uint32_t)lap + 1 : (uint32_t)lap, in.sum + (uint64_t)rank };
        MPP_OK(PtlPut(outbox, PTL_NO_ACK_REQ, right_id, PT_TOKEN, 0, TOKEN_BITS, 0, out.hop));
    }
    MPP_OK(uk_barrier());
    if (rank == 0) {
        uint64_t expected = (uint64_t)laps * (uint64_t)size * (uint64_t)(size - 1) / 2;
        if (laps > 0 && (hops != (uint32_t)(laps * size) || sum != expected))
            mpp_fail("the token made %u hops, sum %llu", (unsigned)hops, (unsigned long long)sum);
        printf("token_ring: %d ranks, %d laps, %u hops, ok\n", size, laps, (unsigned)hops);
    }
    return 0;
}
