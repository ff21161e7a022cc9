/*
 * portals_migration MOVER GATE: two ranks, of which rank MOVER is moved by
 * the machine while it holds Portals state in every form; the program checks
 * that none of it was lost or reordered.  Each rank has an inbox (an entry
 * whose locally managed offset packs the puts it takes, PUT_END events in a
 * queue of their own) and an exposed buffer others get from, and makes
 * "pairs" to the other rank: a sequenced put asking for an acknowledgment
 * into its inbox, and a get of the next 32 bytes of its exposed buffer.
 *
 * Before the move, the peer makes 16 pairs and waits for their answers, so
 * the mover's inbox is partly consumed and its queue holds 16 events it has
 * not read; the mover makes 16 pairs and reads none of their events.  The
 * mover then prints "portals_migration: rank MOVER holds its state" and, until
 * the file GATE exists (the test creates it once the move is over), computes
 * and makes one pair per turn without reading an event: at its freeze, gets
 * and acknowledgments of its own are outstanding.  The peer meanwhile keeps
 * 4 pairs outstanding to the mover, taking their answers as they come, until
 * GATE exists: at the mover's freeze, requests to it are in flight.  Then
 * each makes 8 more pairs, waits for all its answers and, once it knows how
 * many puts the other made, reads its inbox.
 *
 * Checked exactly, for both ranks: every put acknowledged once, in order,
 * at the offset where the other's inbox had got to (the running sum of the
 * lengths: its local offset continued across the move); every get answered
 * once, in order, its bytes in the right place of the reply buffer; every
 * inbox event there, in order (each sender's sequence), at that running
 * offset, its message whole; the queues' sequence numbers consecutive,
 * nothing after them, nothing dropped.  The mover prints the OS it ran on
 * before and after ("puma"/"linux"); rank 0 ends with "portals_migration:
 * 2 ranks, ok".  Any failure prints why and exits 1.
 */
#include "mpp.h"
#include <sys/stat.h>

#define PT_INBOX 7
#define PT_EXPOSED 8
#define INBOX_BITS UINT64_C(0x1b0c)
#define EXPOSED_BITS UINT64_C(0xe905)
#define MOST 64       /* a put's longest message */
#define PIECE 32      /* a get's bytes */
#define EARLY 16      /* pairs each rank makes before the mover announces */
#define AFTER 8       /* pairs each rank makes once the gate is open */
#define STREAM 768    /* pairs a rank makes at most while the gate is shut */
#define WINDOW 4      /* the peer's pairs outstanding */
#define PAIRS (EARLY + STREAM + AFTER)

static ptl_handle_ni_t ni;
static int rank, other;
static ptl_process_id_t other_id;
static unsigned char inbox[PAIRS * MOST], exposed[PAIRS * PIECE];
static unsigned char outbox[PAIRS * MOST], replies[PAIRS * PIECE];
static ptl_handle_eq_t inbox_eq, out_eq;
static ptl_handle_md_t put_md, get_md;

/* What a rank made and what of it came back. */
static struct {
    unsigned puts, gets, sends, acks, replies;
    ptl_size_t acked_offset; /* where the other's inbox takes the next put */
    ptl_seq_t next_sequence;
    int first_event;
} out;

static unsigned char exposed_byte(int owner, unsigned i)
{
    return (unsigned char)(owner * 101 + i * 7 + i / 251);
}

static const char *os_name(uint32_t os)
{
    return os == UNIFORM_OS_PUMA ? "puma" : os == UNIFORM_OS_LINUX ? "linux" : "?";
}

static int gate_open(const char *gate)
{
    struct stat st;
    return stat(gate, &st) == 0;
}

static void make_pair(void)
{
    unsigned seq = out.puts++;
    uint32_t length = mpp_message_write(outbox + seq * MOST, rank, other, (int)seq, MOST);
    MPP_OK(PtlPutRegion(put_md, seq * MOST, length, PTL_ACK_REQ, other_id, PT_INBOX, 0, INBOX_BITS, 0,
                        (ptl_hdr_data_t)seq));
    unsigned piece = out.gets++;
    MPP_OK(PtlGetRegion(get_md, piece * PIECE, PIECE, other_id, PT_EXPOSED, 0, EXPOSED_BITS, piece * PIECE));
}

/* The next event of queue, which must be the next of its sequence. */
static int next_event(ptl_handle_eq_t queue, ptl_seq_t *expected, int *first, ptl_event_t *event, int wait)
{
    int rc = wait ? PtlEQWait(queue, event) : PtlEQGet(queue, event);
    if (rc == PTL_EQ_EMPTY)
        return 0;
    MPP_OK(rc);
    if (!*first && event->sequence != *expected)
        mpp_fail("event %u where %u was next", (unsigned)event->sequence, (unsigned)*expected);
    *first = 0;
    *expected = event->sequence + 1;
    return 1;
}

/* Takes one answer to this rank's pairs (waiting for it if wait), checking it is the next of its kind. */
static int take_answer(int wait)
{
    ptl_event_t event;
    if (!next_event(out_eq, &out.next_sequence, &out.first_event, &event, wait))
        return 0;
    switch (event.type) {
    case PTL_EVENT_SEND_END:
        if (out.sends >= out.puts || event.offset != out.sends * MOST)
            mpp_fail("put %u sent at offset %u", out.sends, (unsigned)event.offset);
        out.sends++;
        break;
    case PTL_EVENT_ACK: {
        uint32_t length = mpp_message_length(rank, other, (int)out.acks, MOST);
        if (out.acks >= out.sends || !mpp_same_id(event.initiator, other_id) || event.mlength != length
            || event.offset != out.acked_offset)
            mpp_fail("put %u acknowledged for %u bytes at %u, expected %u at %u", out.acks, (unsigned)event.mlength,
                     (unsigned)event.offset, (unsigned)length, (unsigned)out.acked_offset);
        out.acked_offset += length;
        out.acks++;
        break;
    }
    case PTL_EVENT_REPLY_END: {
        unsigned piece = out.replies;
        if (piece >= out.gets || event.offset != piece * PIECE || event.mlength != PIECE)
            mpp_fail("get %u answered with %u bytes at %u", piece, (unsigned)event.mlength, (unsigned)event.offset);
        for (unsigned i = 0; i < PIECE; i++)
            if (replies[piece * PIECE + i] != exposed_byte(other, piece * PIECE + i))
                mpp_fail("get %u: byte %u is %u, not the other's", piece, i, replies[piece * PIECE + i]);
        out.replies++;
        break;
    }
    default:
        mpp_fail("a %s event for this rank's pairs", PtlEventKindStr(event.type));
    }
    return 1;
}

static unsigned outstanding(void)
{
    return (out.puts - out.acks) + (out.gets - out.replies);
}

/* Reads the inbox: exactly count puts from the other, in order, packed one after another. */
static void read_inbox(unsigned count)
{
    ptl_process_id_t ids[2] = { mpp_id(0), mpp_id(1) };
    uint32_t next[2] = { 0, 0 };
    ptl_seq_t expected = 0;
    int first = 1;
    ptl_size_t offset = 0;
    ptl_event_t event;
    for (unsigned i = 0; i < count; i++) {
        if (!next_event(inbox_eq, &expected, &first, &event, 0))
            mpp_fail("%u puts in the inbox, expected %u", i, count);
        if (event.type != PTL_EVENT_PUT_END || event.offset != offset)
            mpp_fail("put %u: a %s event at offset %u, expected PUT_END at %u", i, PtlEventKindStr(event.type),
                     (unsigned)event.offset, (unsigned)offset);
        mpp_message_check(&event, inbox, rank, 2, ids, next, MOST);
        offset += event.mlength;
    }
    if (next[other] != count || PtlEQGet(inbox_eq, &event) != PTL_EQ_EMPTY)
        mpp_fail("more in the inbox than the %u puts made", count);
}

int main(int argc, char **argv)
{
    ni = mpp_init("portals_migration");
    int mover = (int)mpp_arg(argc, argv, 1, 1);
    const char *gate = argc > 2 ? argv[2] : "portals_migration.gate";
    rank = uk_rank();
    if (uk_size() != 2 || mover < 0 || mover > 1)
        mpp_fail("runs as 2 ranks, one of them the mover");
    other = 1 - rank;
    other_id = mpp_id(other);

    for (unsigned i = 0; i < sizeof exposed; i++)
        exposed[i] = exposed_byte(rank, i);
    inbox_eq = mpp_inbox(ni, PT_INBOX, INBOX_BITS, inbox, sizeof inbox, PAIRS + 8);
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    ptl_handle_me_t me;
    ptl_handle_md_t exposed_md;
    MPP_OK(PtlMEAttach(ni, PT_EXPOSED, anyone, EXPOSED_BITS, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(exposed, sizeof exposed, PTL_MD_THRESH_INF, PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, PTL_EQ_NONE),
                       PTL_RETAIN, &exposed_md));
    MPP_OK(PtlEQAlloc(ni, 3 * PAIRS + 8, PTL_EQ_HANDLER_NONE, &out_eq));
    MPP_OK(PtlMDBind(ni, mpp_md(outbox, sizeof outbox, PTL_MD_THRESH_INF, PTL_MD_EVENT_START_DISABLE, out_eq), PTL_RETAIN,
                     &put_md));
    MPP_OK(PtlMDBind(ni, mpp_md(replies, sizeof replies, PTL_MD_THRESH_INF, PTL_MD_EVENT_START_DISABLE, out_eq), PTL_RETAIN,
                     &get_md));
    out.first_event = 1;
    MPP_OK(uk_barrier()); /* both inboxes in place; the collectives' first contacts are over */
    ptl_sr_value_t drops_before, drops_after;
    MPP_OK(PtlNIStatus(ni, PTL_SR_DROP_COUNT, &drops_before));

    for (int i = 0; i < EARLY; i++)
        make_pair();
    if (rank != mover)
        while (outstanding() > 0)
            take_answer(1);
    MPP_OK(uk_barrier()); /* the peer's early puts are in the mover's inbox, unread */

    if (rank == mover) {
        uint32_t os_before = uk_os();
        printf("portals_migration: rank %d holds its state\n", rank);
        fflush(stdout);
        volatile uint32_t work = 0;
        while (!gate_open(gate)) {
            for (int i = 0; i < 20000; i++)
                work = work * 1664525u + 1013904223u;
            if (out.puts < EARLY + STREAM)
                make_pair();
        }
        printf("portals_migration: rank %d ran on %s, then on %s\n", rank, os_name(os_before), os_name(uk_os()));
    } else {
        while (!gate_open(gate)) {
            while (outstanding() < 2 * WINDOW && out.puts < EARLY + STREAM)
                make_pair();
            if (outstanding() > 0)
                take_answer(1);
        }
    }
    for (int i = 0; i < AFTER; i++)
        make_pair();
    while (outstanding() > 0 || out.sends < out.puts)
        take_answer(1);
    ptl_event_t extra;
    if (PtlEQGet(out_eq, &extra) != PTL_EQ_EMPTY)
        mpp_fail("a %s event after the last answer", PtlEventKindStr(extra.type));

    /* Every put is acknowledged, so in its inbox: how many each made tells each what to read. */
    int64_t made[2] = { 0, 0 }, counts[2];
    made[rank] = out.puts;
    MPP_OK(uk_allreduce_i64(made, counts, 2, UK_SUM));
    read_inbox((unsigned)counts[other]);
    MPP_OK(PtlNIStatus(ni, PTL_SR_DROP_COUNT, &drops_after));
    if (drops_after != drops_before)
        mpp_fail("%llu messages dropped", (unsigned long long)(drops_after - drops_before));
    MPP_OK(uk_barrier());
    if (rank == 0)
        printf("portals_migration: 2 ranks, ok\n");
    return 0;
}
