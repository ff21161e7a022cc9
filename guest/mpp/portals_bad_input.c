/*
 * portals_bad_input [NOWHERE=8]: bad input in a running job, while every
 * rank keeps exchanging correct messages.  Needs 2 ranks or more.
 *
 * Each round, every rank puts every rank one sequenced message, checked
 * on arrival (nothing lost, duplicated, reordered or damaged per sender),
 * and rank 0, the offender, first does one kind of bad thing, aimed at
 * the last rank, the victim, where it can be:
 *   - NOWHERE puts to a node that does not exist: accepted and sent
 *     (SEND_END), lost on the way: no acknowledgment ever comes;
 *   - puts to a process that does not exist on the victim's node: the same,
 *     and not counted by the victim, whom they do not name;
 *   - puts to a portal index the victim never attached: dropped there and
 *     counted in its PTL_SR_DROP_COUNT/_LENGTH, no acknowledgment; an index
 *     outside the table is PTL_PT_INDEX_INVALID at once;
 *   - malformed memory descriptors (outside memory, a length that wraps,
 *     a region past the end, one moved outside memory after binding):
 *     PTL_MD_ILLEGAL, nothing sent or consumed;
 *   - event queue handles into the text segment: PTL_EQ_INVALID from every
 *     call, and a put from a descriptor whose queue was pointed there after
 *     binding fails the same way, nothing sent.
 * Rank 0 also breaks two of its own receive descriptors before the rounds
 * (one's buffer moved outside memory, the other's queue into the text), and
 * the victim puts into them: rank 0 drops both as corrupt and counts them.
 * The last round is sent once every earlier message has arrived, so by its
 * end every bad message has been handled.  Then every rank checks its drop
 * counters (the victim's count exactly the unattached puts, rank 0's the
 * two corrupt ones, the others' nothing) and that no acknowledgment came.
 * Rank 0 prints "PASS case" for each of its cases, then
 * "portals_bad_input: N ranks, C checks, M good messages, ok".  Any rank
 * prints "FAIL group: what" for a failed check, and then every rank exits 1;
 * a good message lost, duplicated, reordered or damaged stops its receiver
 * at once ("portals_bad_input: rank R: FAIL ...").
 */
#include "mpp.h"

#define PT_GOOD 5
#define PT_BROKEN_MD 6
#define PT_BROKEN_EQ 7
#define PT_UNATTACHED 40
#define GOOD_BITS UINT64_C(0x900d)
#define MOST 96
#define UNATTACHED_PUTS 3
#define OUTSIDE ((void *)0xf0000000u)
#define NOBODY_PID 4242

static ptl_handle_ni_t ni;
static ptl_handle_eq_t sent_eq;      /* SEND_END (and any acknowledgment) of the puts below */
static ptl_handle_md_t sender;       /* their source: THRESH_INF, retained */
static unsigned char payload[MOST];
static int rank, size, victim_rank;

static ptl_sr_value_t status(ptl_sr_index_t index)
{
    ptl_sr_value_t value;
    MPP_OK(PtlNIStatus(ni, index, &value));
    return value;
}

/* A put of length bytes from sender asking for an acknowledgment; accepted, it logs SEND_END at once. */
static void put(ptl_size_t length, ptl_process_id_t target, ptl_pt_index_t pt, int expected)
{
    int rc = PtlPutRegion(sender, 0, length, PTL_ACK_REQ, target, pt, 0, 0, 0, 0);
    mpp_check(rc == expected, "a put to (%u, %u) portal %u: %s, expected %s", (unsigned)target.nid,
              (unsigned)target.pid, (unsigned)pt, PtlErrorStr(rc), PtlErrorStr(expected));
    if (rc != PTL_OK)
        return;
    ptl_event_t event;
    rc = PtlEQGet(sent_eq, &event);
    mpp_check(rc == PTL_OK && event.type == PTL_EVENT_SEND_END, "the put's SEND_END: %s %s", PtlErrorStr(rc),
              PtlEventKindStr(event.type));
}

static void to_nowhere(long nowhere)
{
    ptl_process_id_t no_node = { 0x7fffff00u, 0 }, any_node = { PTL_NID_ANY, 0 };
    for (long i = 0; i < nowhere; i++)
        put(8, no_node, PT_GOOD, PTL_OK);
    put(8, any_node, PT_GOOD, PTL_PROCESS_INVALID);
}

static void to_nobody(void)
{
    ptl_process_id_t victim = mpp_id(victim_rank);
    ptl_process_id_t nobody = { victim.nid, NOBODY_PID }, any_pid = { victim.nid, PTL_PID_ANY };
    put(8, nobody, PT_GOOD, PTL_OK);
    put(MOST, nobody, PT_UNATTACHED, PTL_OK);
    put(8, any_pid, PT_GOOD, PTL_PROCESS_INVALID);
}

static ptl_size_t unattached_length(int i)
{
    return (ptl_size_t)(8 + 40 * i);
}

static void to_unattached_portal(void)
{
    ptl_process_id_t victim = mpp_id(victim_rank);
    for (int i = 0; i < UNATTACHED_PUTS; i++)
        put(unattached_length(i), victim, PT_UNATTACHED, PTL_OK);
    put(8, victim, UK_PTL_PT_ENTRIES, PTL_PT_INDEX_INVALID);
    put(8, victim, (ptl_pt_index_t)-1, PTL_PT_INDEX_INVALID);
}

static void malformed_descriptors(void)
{
    static unsigned char buffer[64];
    ptl_handle_md_t md;
    ptl_handle_me_t me;
    ptl_process_id_t victim = mpp_id(victim_rank), anyone = { PTL_NID_ANY, PTL_PID_ANY };
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(OUTSIDE, 8, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(buffer, UINT64_C(1) << 40, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(buffer, UINT64_MAX, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md((void *)0xffffff00u, 0x200, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_OK(PtlMEAttach(ni, PT_UNATTACHED, anyone, 1, 0, PTL_UNLINK, PTL_INS_AFTER, &me));
    MPP_CHECK_RC(PtlMDAttach(me, mpp_md(OUTSIDE, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDAttach(me, mpp_md(buffer, UINT64_MAX - 4, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_UNLINK, &md),
             PTL_MD_ILLEGAL);
    MPP_OK(PtlMEUnlink(me));
    MPP_CHECK_RC(PtlPutRegion(sender, UINT64_MAX - 7, 16, PTL_NO_ACK_REQ, victim, PT_GOOD, 0, GOOD_BITS, 0, 0),
             PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlPutRegion(sender, 0, MOST + 1, PTL_NO_ACK_REQ, victim, PT_GOOD, 0, GOOD_BITS, 0, 0), PTL_MD_ILLEGAL);
    /* bound correctly, then moved outside memory by the process itself */
    MPP_OK(PtlMDBind(ni, mpp_md(buffer, sizeof buffer, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md));
    ((struct uk_ptl_md_rec *)(uintptr_t)md)->md.start = OUTSIDE;
    MPP_CHECK_RC(PtlPut(md, PTL_NO_ACK_REQ, victim, PT_GOOD, 0, GOOD_BITS, 0, 0), PTL_MD_ILLEGAL);
    mpp_check(((struct uk_ptl_md_rec *)(uintptr_t)md)->md.threshold == 1, "the refused put consumed an operation");
}

static ptl_handle_eq_t in_text(void)
{
    return (ptl_handle_eq_t)(((uintptr_t)&in_text + 7) & ~(uintptr_t)7);
}

static void event_queues_in_text(void)
{
    static unsigned char buffer[16];
    ptl_handle_md_t md;
    ptl_event_t event;
    ptl_process_id_t victim = mpp_id(victim_rank);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(buffer, sizeof buffer, 1, 0, in_text()), PTL_UNLINK, &md), PTL_EQ_INVALID);
    MPP_CHECK_RC(PtlEQGet(in_text(), &event), PTL_EQ_INVALID);
    MPP_CHECK_RC(PtlEQWait(in_text(), &event), PTL_EQ_INVALID);
    MPP_CHECK_RC(PtlEQFree(in_text()), PTL_EQ_INVALID);
    /* bound correctly, then its queue pointed into the text by the process itself */
    MPP_OK(PtlMDBind(ni, mpp_md(buffer, sizeof buffer, 1, 0, sent_eq), PTL_UNLINK, &md));
    ((struct uk_ptl_md_rec *)(uintptr_t)md)->md.eq_handle = in_text();
    MPP_CHECK_RC(PtlPut(md, PTL_NO_ACK_REQ, victim, PT_GOOD, 0, GOOD_BITS, 0, 0), PTL_EQ_INVALID);
    mpp_check(((struct uk_ptl_md_rec *)(uintptr_t)md)->md.threshold == 1, "the refused put consumed an operation");
}

/* Rank 0's own receive descriptors, broken by rank 0 once attached. */
static void break_own_receivers(void)
{
    static unsigned char buffer[16];
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    ptl_handle_me_t me;
    ptl_handle_md_t moved, queue_in_text;
    MPP_OK(PtlMEAttach(ni, PT_BROKEN_MD, anyone, 0, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buffer, sizeof buffer, PTL_MD_THRESH_INF, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN,
                       &moved));
    ((struct uk_ptl_md_rec *)(uintptr_t)moved)->md.start = OUTSIDE;
    MPP_OK(PtlMEAttach(ni, PT_BROKEN_EQ, anyone, 0, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buffer, sizeof buffer, PTL_MD_THRESH_INF, PTL_MD_OP_PUT, sent_eq), PTL_RETAIN,
                       &queue_in_text));
    ((struct uk_ptl_md_rec *)(uintptr_t)queue_in_text)->md.eq_handle = in_text();
}

static void into_broken_receivers(void)
{
    put(8, mpp_id(0), PT_BROKEN_MD, PTL_OK);
    put(8, mpp_id(0), PT_BROKEN_EQ, PTL_OK);
}

/* ---- the correct traffic ---------------------------------------------------------------- */

static unsigned char *inbox, *outbox;
static uint32_t *next;
static ptl_process_id_t *ids;
static ptl_handle_eq_t inbox_eq;
static ptl_handle_md_t outbox_md;
static size_t received;

static void send_round(int seq)
{
    for (int k = 0; k < size; k++) {
        int to = (rank + 1 + k) % size;
        uint32_t length = mpp_message_write(outbox + (size_t)k * MOST, rank, to, seq, MOST);
        MPP_OK(PtlPutRegion(outbox_md, (ptl_size_t)k * MOST, length, PTL_NO_ACK_REQ, ids[to], PT_GOOD, 0, GOOD_BITS,
                            0, (ptl_hdr_data_t)seq));
    }
}

/* Takes the good messages that have come, waiting until `until` have. */
static void take_good_messages(size_t until)
{
    while (received < until) {
        ptl_event_t event;
        MPP_OK(PtlEQWait(inbox_eq, &event));
        if (event.type != PTL_EVENT_PUT_END)
            mpp_fail("a %s event in the inbox", PtlEventKindStr(event.type));
        mpp_message_check(&event, inbox, rank, size, ids, next, MOST);
        received++;
    }
}

static void setup_traffic(int rounds)
{
    size_t messages = (size_t)size * rounds;
    inbox = malloc(messages * MOST);
    outbox = malloc((size_t)size * MOST);
    next = calloc((size_t)size, sizeof *next);
    ids = malloc((size_t)size * sizeof *ids);
    if (inbox == NULL || outbox == NULL || next == NULL || ids == NULL)
        mpp_fail("out of memory");
    for (int r = 0; r < size; r++)
        ids[r] = mpp_id(r);
    inbox_eq = mpp_inbox(ni, PT_GOOD, GOOD_BITS, inbox, messages * MOST, (ptl_size_t)messages + 8);
    MPP_OK(PtlMDBind(ni, mpp_md(outbox, (ptl_size_t)size * MOST, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN,
                     &outbox_md));
}

/* ---- the job ------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    ni = mpp_init("portals_bad_input");
    long nowhere = mpp_arg(argc, argv, 1, 8);
    rank = uk_rank();
    size = uk_size();
    if (size < 2)
        mpp_fail("needs 2 ranks or more");
    victim_rank = size - 1;
    const char *cases[] = { "a put to a node that does not exist", "a put to a process that does not exist",
                            "a put to an unattached portal index", "malformed memory descriptors",
                            "event queue handles into the text segment" };
    int case_count = (int)(sizeof cases / sizeof cases[0]);
    int rounds = case_count + 1;

    MPP_OK(PtlEQAlloc(ni, 16, PTL_EQ_HANDLER_NONE, &sent_eq));
    MPP_OK(PtlMDBind(ni, mpp_md(payload, sizeof payload, PTL_MD_THRESH_INF, PTL_MD_EVENT_START_DISABLE, sent_eq),
                     PTL_RETAIN, &sender));
    setup_traffic(rounds);
    if (rank == 0)
        break_own_receivers();
    MPP_OK(uk_barrier()); /* every entry in place; the collectives' first contacts are over */
    ptl_sr_value_t drops = status(PTL_SR_DROP_COUNT), dropped_length = status(PTL_SR_DROP_LENGTH);
    ptl_sr_value_t corrupt = status(UK_PTL_SR_CORRUPT_COUNT);
    MPP_OK(uk_barrier()); /* every rank counts from here: no bad message has been sent yet */

    for (int seq = 0; seq < rounds; seq++) {
        if (seq + 1 == rounds)
            take_good_messages((size_t)size * seq); /* every bad message before this round has been handled */
        if (rank == 0 && seq < case_count) {
            mpp_begin(cases[seq]);
            switch (seq) {
            case 0: to_nowhere(nowhere); break;
            case 1: to_nobody(); break;
            case 2: to_unattached_portal(); break;
            case 3: malformed_descriptors(); break;
            default: event_queues_in_text(); break;
            }
            mpp_end();
        }
        if (rank == victim_rank && seq == 0) {
            mpp_begin("puts into rank 0's broken receivers");
            into_broken_receivers();
        }
        send_round(seq);
    }
    take_good_messages((size_t)size * rounds);

    mpp_begin("afterwards");
    ptl_event_t event;
    int rc = PtlEQGet(sent_eq, &event);
    mpp_check(rc == PTL_EQ_EMPTY, "an unexpected %s event (%s): a dropped put was acknowledged",
              PtlEventKindStr(event.type), PtlErrorStr(rc));
    ptl_sr_value_t expected_drops = rank == 0 ? 2 : rank == victim_rank ? UNATTACHED_PUTS : 0;
    ptl_sr_value_t expected_length = 0;
    if (rank == 0)
        expected_length = 16;
    else if (rank == victim_rank)
        for (int i = 0; i < UNATTACHED_PUTS; i++)
            expected_length += unattached_length(i);
    mpp_check(status(PTL_SR_DROP_COUNT) - drops == expected_drops, "%llu drops, expected %llu",
              (unsigned long long)(status(PTL_SR_DROP_COUNT) - drops), (unsigned long long)expected_drops);
    mpp_check(status(PTL_SR_DROP_LENGTH) - dropped_length == expected_length, "%llu bytes dropped, expected %llu",
              (unsigned long long)(status(PTL_SR_DROP_LENGTH) - dropped_length), (unsigned long long)expected_length);
    mpp_check(status(UK_PTL_SR_CORRUPT_COUNT) - corrupt == (rank == 0 ? 2 : 0), "%llu corrupt drops",
              (unsigned long long)(status(UK_PTL_SR_CORRUPT_COUNT) - corrupt));
    int64_t own = mpp_failures, all;
    MPP_OK(uk_allreduce_i64(&own, &all, 1, UK_SUM));
    if (all > 0)
        return 1;
    if (rank == 0)
        printf("portals_bad_input: %d ranks, %d checks, %llu good messages, ok\n", size, mpp_checks,
               (unsigned long long)size * (unsigned long long)size * (unsigned long long)rounds);
    return 0;
}
