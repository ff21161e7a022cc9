/*
 * alltoall [ROUNDS]: every rank sends every rank (itself included) one
 * sequenced message per round for ROUNDS rounds (default 20), without
 * waiting for anyone, into one receive buffer per rank whose locally
 * managed offset packs the messages as they come.  Messages vary in length
 * (16 to 256 bytes); each carries its sender, its sequence number and a
 * pattern of both.  Every receiver checks, as each message arrives, that it
 * is the next one of its sender (nothing lost, duplicated or reordered per
 * sender), whole and from the process it claims, and at the end that it got
 * ROUNDS from everyone.  Rank 0 prints "alltoall: N ranks, ROUNDS rounds,
 * M messages, ok" (M = N * N * ROUNDS).
 */
#include "mpp.h"

#define PT_ALL 6
#define BITS UINT64_C(0xa11)
#define MOST 256

struct header {
    uint32_t from;
    uint32_t seq;
    uint32_t length;
    uint32_t check;
};

static uint32_t length_of(int from, int to, int seq)
{
    return 16 + (uint32_t)(from * 131 + to * 17 + seq * 29) % (MOST - 15);
}

static unsigned char byte_of(int from, int seq, uint32_t i)
{
    return (unsigned char)(from * 7 + seq * 13 + i);
}

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

    ptl_handle_eq_t eq;
    ptl_handle_me_t me;
    ptl_handle_md_t in_md, out_md;
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    MPP_OK(PtlEQAlloc(ni, (ptl_size_t)messages + 8, PTL_EQ_HANDLER_NONE, &eq));
    MPP_OK(PtlMEAttach(ni, PT_ALL, anyone, BITS, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(inbox, messages * MOST, PTL_MD_THRESH_INF,
                                  PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq),
                       PTL_RETAIN, &in_md));
    MPP_OK(PtlMDBind(ni, mpp_md(outbox, (ptl_size_t)size * MOST, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN,
                     &out_md));
    MPP_OK(uk_barrier()); /* every inbox in place */

    size_t received = 0;
    for (int seq = 0; seq < rounds; seq++) {
        for (int k = 0; k < size; k++) {
            int to = (rank + 1 + k) % size;
            unsigned char *message = outbox + (size_t)k * MOST;
            uint32_t length = length_of(rank, to, seq);
            struct header header = { (uint32_t)rank, (uint32_t)seq, length, 0 };
            for (uint32_t i = sizeof header; i < length; i++)
                message[i] = byte_of(rank, seq, i);
            header.check = (uint32_t)mpp_fnv(MPP_FNV_START, message + sizeof header, length - sizeof header);
            memcpy(message, &header, sizeof header);
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
            struct header header;
            const unsigned char *message = inbox + event.offset;
            memcpy(&header, message, sizeof header);
            if (header.from >= (uint32_t)size || !mpp_same_id(event.initiator, ids[header.from]))
                mpp_fail("a message claiming to be from rank %u", (unsigned)header.from);
            if (header.seq != next[header.from] || event.hdr_data != header.seq)
                mpp_fail("from rank %u: message %u where %u was next", (unsigned)header.from, (unsigned)header.seq,
                         (unsigned)next[header.from]);
            if (header.length != length_of((int)header.from, rank, (int)header.seq) || event.mlength != header.length
                || header.check != (uint32_t)mpp_fnv(MPP_FNV_START, message + sizeof header,
                                                     header.length - sizeof header))
                mpp_fail("from rank %u: message %u damaged", (unsigned)header.from, (unsigned)header.seq);
            for (uint32_t i = sizeof header; i < header.length; i++)
                if (message[i] != byte_of((int)header.from, (int)header.seq, i))
                    mpp_fail("from rank %u: message %u byte %u", (unsigned)header.from, (unsigned)header.seq,
                             (unsigned)i);
            next[header.from]++;
            received++;
        }
    }
    for (int r = 0; r < size; r++)
        if (next[r] != (uint32_t)rounds)
            mpp_fail("%u messages from rank %d, expected %d", (unsigned)next[r], r, rounds);
    MPP_OK(uk_barrier());
    if (rank == 0)
        printf("alltoall: %d ranks, %d rounds, %llu messages, ok\n", size, rounds,
               (unsigned long long)messages * (unsigned long long)size);
    return 0;
}
