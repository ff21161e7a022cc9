/*
 * portals_semantics: the Portals API of the unified library tested from a
 * guest, one group of checks per feature, each printed as "PASS name" or
 * "FAIL name: what" by rank 0, which does them with puts and gets to itself;
 * with two ranks or more, rank 1 is also the target of a put and a get
 * across processes.  Messages from one process to another arrive in order,
 * so a "fence" (a put to a portal of its own, waited for) proves that every
 * earlier message has been handled, accepted or dropped.  Ends with
 * "portals_semantics: N ranks, C checks, ok" (exit 0) or "..., F failed"
 * (exit 1).
 */
#include "mpp.h"

#define PT_FENCE 9
#define PT_REMOTE 20

static ptl_handle_ni_t ni;
static ptl_handle_eq_t eq, fence_eq;
static ptl_handle_md_t fence_md;
static ptl_process_id_t self;
static const ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
/* A source descriptor over bytes for one put or get, unlinked by it (a put
 * that asks for an acknowledgment takes two operations: the send and the ack). */
static ptl_handle_md_t source(void *start, ptl_size_t length, ptl_handle_eq_t events)
{
    ptl_handle_md_t md;
    MPP_OK(PtlMDBind(ni, mpp_md(start, length, 1, 0, events), PTL_UNLINK, &md));
    return md;
}

static ptl_handle_md_t acked_source(void *start, ptl_size_t length, ptl_handle_eq_t events)
{
    ptl_handle_md_t md;
    MPP_OK(PtlMDBind(ni, mpp_md(start, length, 2, 0, events), PTL_UNLINK, &md));
    return md;
}

static void put(void *data, ptl_size_t length, ptl_pt_index_t pt, ptl_ac_index_t ac, ptl_match_bits_t bits,
                ptl_size_t remote_offset)
{
    MPP_OK(PtlPut(source(data, length, PTL_EQ_NONE), PTL_NO_ACK_REQ, self, pt, ac, bits, remote_offset, 0));
}

/* Every earlier message to this process has been handled. */
static void fence(void)
{
    MPP_OK(PtlPut(fence_md, PTL_NO_ACK_REQ, self, PT_FENCE, 0, 0, 0, 0));
    mpp_wait(fence_eq, PTL_EVENT_PUT_END);
}

static ptl_sr_value_t drops(void)
{
    ptl_sr_value_t value;
    MPP_OK(PtlNIStatus(ni, PTL_SR_DROP_COUNT, &value));
    return value;
}

/* The next event of eq, which must be of this type; its fields for more checks. */
static ptl_event_t expect(ptl_handle_eq_t queue, ptl_event_kind_t type)
{
    ptl_event_t event;
    int rc = PtlEQWait(queue, &event);
    mpp_check(rc == PTL_OK && event.type == type, "%s event: %s, expected %s", PtlErrorStr(rc),
              PtlEventKindStr(event.type), PtlEventKindStr(type));
    return event;
}

static void expect_empty(ptl_handle_eq_t queue)
{
    ptl_event_t event;
    int rc = PtlEQGet(queue, &event);
    mpp_check(rc == PTL_EQ_EMPTY, "queue not empty: %s %s", PtlErrorStr(rc), PtlEventKindStr(event.type));
}

/* A match entry at the end of pt's list with a descriptor over buffer. */
static ptl_handle_me_t receiver(ptl_pt_index_t pt, ptl_process_id_t match, ptl_match_bits_t bits,
                                ptl_match_bits_t ignore, void *buffer, ptl_size_t length, int threshold,
                                unsigned options, ptl_handle_md_t *md)
{
    ptl_handle_me_t me;
    MPP_OK(PtlMEAttach(ni, pt, match, bits, ignore, PTL_UNLINK, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buffer, length, threshold, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE | options, eq),
                       PTL_UNLINK, md));
    return me;
}

static char data[64] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?";
static char buf_a[64], buf_b[64], buf_c[64];

static void identity(void)
{
    mpp_begin("identity and utilities");
    ptl_process_id_t id;
    ptl_uid_t uid;
    ptl_jid_t jid;
    ptl_handle_ni_t again;
    MPP_CHECK_RC(PtlGetId(ni, &id), PTL_OK);
    mpp_check(mpp_same_id(id, self), "PtlGetId is not the job's rank 0");
    MPP_CHECK_RC(PtlGetUid(ni, &uid), PTL_OK);
    MPP_CHECK_RC(PtlGetJid(ni, &jid), PTL_OK);
    MPP_CHECK_RC(PtlNIInit(PTL_IFACE_DEFAULT, PTL_PID_ANY, NULL, NULL, &again), PTL_OK);
    mpp_check(PtlHandleIsEqual(again, ni) == PTL_OK, "a second PtlNIInit gives another interface");
    MPP_CHECK_RC(PtlHandleIsEqual(ni, PTL_INVALID_HANDLE), PTL_FAIL);
    MPP_CHECK_RC(PtlNIInit(PTL_IFACE_DEFAULT + 1, PTL_PID_ANY, NULL, NULL, &again), PTL_IFACE_INVALID);
    MPP_CHECK_RC(PtlGetId(ni + 8, &id), PTL_NI_INVALID);
    MPP_CHECK_RC(PtlNIStatus(ni, 99, NULL), PTL_SR_INDEX_INVALID);
    mpp_check(strcmp(PtlErrorStr(PTL_SEGV), "PTL_SEGV") == 0, "PtlErrorStr(PTL_SEGV) is %s", PtlErrorStr(PTL_SEGV));
    mpp_check(strcmp(PtlEventKindStr(PTL_EVENT_ACK), "PTL_EVENT_ACK") == 0, "PtlEventKindStr");
    ptl_handle_ni_t owner;
    MPP_CHECK_RC(PtlNIHandle(eq, &owner), PTL_OK);
    mpp_check(owner == ni, "PtlNIHandle of a queue");
    mpp_end();
}

static void matching_order(void)
{
    mpp_begin("matching order");
    ptl_handle_md_t a, b, c, d;
    ptl_handle_me_t first = receiver(10, anyone, 5, 0, buf_a, 8, 1, 0, &a);
    receiver(10, anyone, 5, 0, buf_b, 8, 1, 0, &b);
    put(data, 8, 10, 0, 5, 0);
    mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == a, "the first entry takes the first put");
    expect(eq, PTL_EVENT_UNLINK);
    put(data + 8, 8, 10, 0, 5, 0);
    mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == b, "the second entry the second, once the first is used up");
    expect(eq, PTL_EVENT_UNLINK);
    mpp_check(memcmp(buf_a, data, 8) == 0 && memcmp(buf_b, data + 8, 8) == 0, "data in the wrong buffers");
    MPP_CHECK_RC(PtlMEUnlink(first), PTL_ME_INVALID);

    /* PTL_INS_BEFORE puts an entry first; PtlMEInsert next to another. */
    ptl_handle_me_t last = receiver(11, anyone, 6, 0, buf_a, 8, 1, 0, &a);
    ptl_handle_me_t me;
    MPP_OK(PtlMEAttach(ni, 11, anyone, 6, 0, PTL_UNLINK, PTL_INS_BEFORE, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buf_b, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq), PTL_UNLINK, &b));
    ptl_handle_me_t middle;
    MPP_OK(PtlMEInsert(last, anyone, 6, 0, PTL_UNLINK, PTL_INS_BEFORE, &middle));
    MPP_OK(PtlMDAttach(middle, mpp_md(buf_c, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq), PTL_UNLINK, &c));
    for (int i = 0; i < 3; i++)
        put(data, 8, 11, 0, 6, 0);
    ptl_handle_md_t order[3] = { b, c, a };
    for (int i = 0; i < 3; i++) {
        mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == order[i], "put %d met the wrong entry", i);
        expect(eq, PTL_EVENT_UNLINK);
    }

    /* PtlMEAttachAny: the first portal with an empty list. */
    ptl_pt_index_t pt;
    MPP_OK(PtlMEAttachAny(ni, &pt, anyone, 7, 0, PTL_UNLINK, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buf_a, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq), PTL_UNLINK, &d));
    mpp_check(pt == 0, "PtlMEAttachAny chose portal %u", (unsigned)pt);
    put(data, 8, pt, 0, 7, 0);
    mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == d, "the put to the chosen portal");
    expect(eq, PTL_EVENT_UNLINK);
    expect_empty(eq);
    mpp_end();
}

static void wildcards(void)
{
    mpp_begin("source wildcards and ignore bits");
    ptl_handle_md_t md;
    ptl_process_id_t other_pid = { self.nid, self.pid + 1 }, any_pid = { self.nid, PTL_PID_ANY };
    ptl_process_id_t any_nid = { PTL_NID_ANY, self.pid };
    ptl_handle_me_t wrong = receiver(12, other_pid, 1, 0, buf_a, 8, PTL_MD_THRESH_INF, 0, &md);
    ptl_sr_value_t before = drops();
    put(data, 8, 12, 0, 1, 0);
    fence();
    mpp_check(drops() == before + 1, "a put matched an entry for another process");
    receiver(12, any_pid, 1, 0, buf_a, 8, 1, 0, &md);
    put(data, 8, 12, 0, 1, 0);
    mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == md, "PTL_PID_ANY");
    expect(eq, PTL_EVENT_UNLINK);
    receiver(12, any_nid, 1, 0, buf_a, 8, 1, 0, &md);
    put(data, 8, 12, 0, 1, 0);
    mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == md, "PTL_NID_ANY");
    expect(eq, PTL_EVENT_UNLINK);
    MPP_OK(PtlMEUnlink(wrong));

    receiver(13, anyone, UINT64_C(0xabc0000000000f0), UINT64_C(0x0f), buf_a, 8, PTL_MD_THRESH_INF, 0, &md);
    put(data, 8, 13, 0, UINT64_C(0xabc0000000000f7), 0);
    ptl_event_t event = expect(eq, PTL_EVENT_PUT_END);
    mpp_check(event.match_bits == UINT64_C(0xabc0000000000f7), "the event's match bits are the put's");
    before = drops();
    put(data, 8, 13, 0, UINT64_C(0xabc0000000000e7), 0);
    put(data, 8, 13, 0, UINT64_C(0x1abc0000000000f0), 0);
    fence();
    mpp_check(drops() == before + 2, "bits outside the ignore mask matched");
    MPP_OK(PtlMDUnlink(md));
    expect_empty(eq);
    mpp_end();
}

static void truncation(void)
{
    mpp_begin("truncation");
    ptl_handle_md_t md;
    memset(buf_a, '-', sizeof buf_a);
    receiver(14, anyone, 2, 0, buf_a, 8, 1, PTL_MD_TRUNCATE, &md);
    put(data, 16, 14, 0, 2, 0);
    ptl_event_t event = expect(eq, PTL_EVENT_PUT_END);
    mpp_check(event.rlength == 16 && event.mlength == 8, "rlength %u mlength %u", (unsigned)event.rlength,
              (unsigned)event.mlength);
    mpp_check(memcmp(buf_a, data, 8) == 0 && buf_a[8] == '-', "the truncated data");
    expect(eq, PTL_EVENT_UNLINK);
    receiver(14, anyone, 2, 0, buf_a, 8, 1, 0, &md);
    ptl_sr_value_t before = drops();
    put(data, 16, 14, 0, 2, 0);
    fence();
    mpp_check(drops() == before + 1, "a descriptor too short without PTL_MD_TRUNCATE took a put");
    MPP_OK(PtlMDUnlink(md));
    expect_empty(eq);
    mpp_end();
}

static void thresholds(void)
{
    mpp_begin("threshold exhaustion and unlink");
    ptl_handle_md_t md;
    ptl_handle_me_t me = receiver(15, anyone, 3, 0, buf_a, 32, 2, 0, &md);
    put(data, 4, 15, 0, 3, 0);
    ptl_event_t first = expect(eq, PTL_EVENT_PUT_END);
    mpp_check(first.md.threshold == 1, "threshold after one put: %d", first.md.threshold);
    put(data, 4, 15, 0, 3, 0);
    expect(eq, PTL_EVENT_PUT_END);
    ptl_event_t unlinked = expect(eq, PTL_EVENT_UNLINK);
    mpp_check(unlinked.md_handle == md, "the UNLINK event names the descriptor");
    ptl_sr_value_t before = drops();
    put(data, 4, 15, 0, 3, 0);
    fence();
    mpp_check(drops() == before + 1, "an exhausted descriptor took a third put");
    MPP_CHECK_RC(PtlMDUnlink(md), PTL_MD_INVALID);
    MPP_CHECK_RC(PtlMEUnlink(me), PTL_ME_INVALID);

    /* PTL_RETAIN: the descriptor goes, the entry stays and takes another. */
    ptl_handle_me_t kept;
    MPP_OK(PtlMEAttach(ni, 15, anyone, 3, 0, PTL_RETAIN, PTL_INS_AFTER, &kept));
    MPP_OK(PtlMDAttach(kept, mpp_md(buf_a, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq), PTL_UNLINK, &md));
    put(data, 4, 15, 0, 3, 0);
    expect(eq, PTL_EVENT_PUT_END);
    expect(eq, PTL_EVENT_UNLINK);
    MPP_OK(PtlMDAttach(kept, mpp_md(buf_b, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq), PTL_UNLINK, &md));
    put(data + 4, 4, 15, 0, 3, 0);
    mpp_check(expect(eq, PTL_EVENT_PUT_END).md_handle == md && memcmp(buf_b, data + 4, 4) == 0,
              "a second descriptor on a retained entry");
    expect(eq, PTL_EVENT_UNLINK);
    MPP_CHECK_RC(PtlMEUnlink(kept), PTL_OK);
    MPP_CHECK_RC(PtlMEUnlink(kept), PTL_ME_INVALID);
    expect_empty(eq);
    mpp_end();
}

static void offsets(void)
{
    mpp_begin("local and remote-managed offsets, max size");
    ptl_handle_md_t md;
    memset(buf_a, 0, sizeof buf_a);
    receiver(16, anyone, 4, 0, buf_a, 32, PTL_MD_THRESH_INF, 0, &md);
    put(data, 8, 16, 0, 4, 0);
    put(data + 8, 8, 16, 0, 4, 0);
    ptl_event_t one = expect(eq, PTL_EVENT_PUT_END), two = expect(eq, PTL_EVENT_PUT_END);
    mpp_check(one.offset == 0 && two.offset == 8 && memcmp(buf_a, data, 16) == 0, "locally managed: %u then %u",
              (unsigned)one.offset, (unsigned)two.offset);
    MPP_OK(PtlMDUnlink(md));

    memset(buf_a, 0, sizeof buf_a);
    receiver(16, anyone, 4, 0, buf_a, 32, PTL_MD_THRESH_INF, PTL_MD_MANAGE_REMOTE, &md);
    put(data, 8, 16, 0, 4, 20);
    put(data, 4, 16, 0, 4, 2);
    one = expect(eq, PTL_EVENT_PUT_END);
    two = expect(eq, PTL_EVENT_PUT_END);
    mpp_check(one.offset == 20 && two.offset == 2 && memcmp(buf_a + 20, data, 8) == 0 && memcmp(buf_a + 2, data, 4) == 0,
              "remote offsets %u and %u", (unsigned)one.offset, (unsigned)two.offset);
    ptl_sr_value_t before = drops();
    put(data, 8, 16, 0, 4, 30);
    fence();
    mpp_check(drops() == before + 1, "a put past the end at a remote offset");
    MPP_OK(PtlMDUnlink(md));

    /* PTL_MD_MAX_SIZE: inactive, and unlinked, once less than max_size is left. */
    ptl_handle_me_t me;
    MPP_OK(PtlMEAttach(ni, 16, anyone, 4, 0, PTL_UNLINK, PTL_INS_AFTER, &me));
    ptl_md_t limited = mpp_md(buf_a, 20, PTL_MD_THRESH_INF,
                              PTL_MD_OP_PUT | PTL_MD_MAX_SIZE | PTL_MD_EVENT_START_DISABLE, eq);
    limited.max_size = 8;
    MPP_OK(PtlMDAttach(me, limited, PTL_UNLINK, &md));
    put(data, 8, 16, 0, 4, 0);
    put(data, 8, 16, 0, 4, 0);
    expect(eq, PTL_EVENT_PUT_END);
    expect(eq, PTL_EVENT_PUT_END);
    expect(eq, PTL_EVENT_UNLINK);
    expect_empty(eq);
    mpp_end();
}

static void acks_and_replies(void)
{
    mpp_begin("ack and reply events");
    ptl_handle_eq_t mine;
    ptl_handle_md_t md;
    MPP_OK(PtlEQAlloc(ni, 16, PTL_EQ_HANDLER_NONE, &mine));
    receiver(17, anyone, 8, 0, buf_a, 32, PTL_MD_THRESH_INF, PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, &md);
    MPP_OK(PtlPut(acked_source(data, 16, mine), PTL_ACK_REQ, self, 17, 0, 8, 0, 77));
    ptl_event_t event = expect(eq, PTL_EVENT_PUT_END);
    mpp_check(event.hdr_data == 77 && mpp_same_id(event.initiator, self), "the target's event");
    expect(mine, PTL_EVENT_SEND_START);
    expect(mine, PTL_EVENT_SEND_END);
    event = expect(mine, PTL_EVENT_ACK);
    mpp_check(event.mlength == 16 && event.match_bits == 8, "the ACK event: %u bytes", (unsigned)event.mlength);
    expect(mine, PTL_EVENT_UNLINK);
    MPP_OK(PtlPut(source(data, 16, mine), PTL_NO_ACK_REQ, self, 17, 0, 8, 0, 0));
    expect(eq, PTL_EVENT_PUT_END);
    expect(mine, PTL_EVENT_SEND_START);
    expect(mine, PTL_EVENT_SEND_END);
    expect(mine, PTL_EVENT_UNLINK);
    fence();
    expect_empty(mine);

    memset(buf_b, 0, sizeof buf_b);
    MPP_OK(PtlGet(source(buf_b, 12, mine), self, 17, 0, 8, 2));
    event = expect(eq, PTL_EVENT_GET_END);
    mpp_check(event.offset == 2 && event.mlength == 12, "the target's GET event");
    expect(mine, PTL_EVENT_REPLY_START);
    event = expect(mine, PTL_EVENT_REPLY_END);
    mpp_check(event.mlength == 12 && memcmp(buf_b, data + 2, 12) == 0, "the reply's data");
    expect(mine, PTL_EVENT_UNLINK);
    MPP_OK(PtlMDUnlink(md));
    MPP_OK(PtlEQFree(mine));
    MPP_CHECK_RC(PtlEQFree(mine), PTL_EQ_INVALID);
    expect_empty(eq);
    mpp_end();
}

static int handled;
static void handler(ptl_event_t *event)
{
    handled += event->type == PTL_EVENT_PUT_END;
}

static void overflow(void)
{
    mpp_begin("event queue overflow");
    ptl_handle_eq_t small;
    ptl_handle_me_t me;
    ptl_handle_md_t md;
    MPP_OK(PtlEQAlloc(ni, 4, handler, &small));
    MPP_OK(PtlMEAttach(ni, 18, anyone, 9, 0, PTL_UNLINK, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buf_a, 64, PTL_MD_THRESH_INF,
                                  PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, small),
                       PTL_UNLINK, &md));
    for (int i = 0; i < 6; i++)
        MPP_OK(PtlPut(source(data, 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, self, 18, 0, 9, 0, (ptl_hdr_data_t)i));
    fence();
    ptl_event_t event;
    MPP_CHECK_RC(PtlEQGet(small, &event), PTL_EQ_DROPPED);
    mpp_check(event.hdr_data == 2, "the oldest event left is put %u", (unsigned)event.hdr_data);
    for (int i = 3; i < 6; i++) {
        MPP_CHECK_RC(PtlEQGet(small, &event), PTL_OK);
        mpp_check(event.hdr_data == (ptl_hdr_data_t)i, "event of put %u where %d was next", (unsigned)event.hdr_data, i);
    }
    MPP_CHECK_RC(PtlEQGet(small, &event), PTL_EQ_EMPTY);
    mpp_check(handled == 4, "the handler saw %d events", handled);

    ptl_handle_eq_t both[2] = { eq, small };
    int which = -1;
    MPP_CHECK_RC(PtlEQPoll(both, 2, 0, &event, &which), PTL_EQ_EMPTY);
    MPP_CHECK_RC(PtlEQPoll(both, 2, 5, &event, &which), PTL_EQ_EMPTY);
    MPP_OK(PtlPut(source(data, 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, self, 18, 0, 9, 0, 6));
    MPP_CHECK_RC(PtlEQPoll(both, 2, PTL_TIME_FOREVER, &event, &which), PTL_OK);
    mpp_check(which == 1 && event.hdr_data == 6, "PtlEQPoll: queue %d", which);
    MPP_OK(PtlMDUnlink(md));
    MPP_OK(PtlEQFree(small));
    mpp_end();
}

static void access_control(void)
{
    mpp_begin("access control");
    ptl_handle_md_t md;
    ptl_uid_t uid;
    MPP_OK(PtlGetUid(ni, &uid));
    receiver(19, anyone, 10, 0, buf_a, 8, PTL_MD_THRESH_INF, PTL_MD_MANAGE_REMOTE, &md);
    ptl_sr_value_t before = drops();
    put(data, 8, 19, 5, 10, 0);             /* entry 5 admits nothing yet */
    fence();
    mpp_check(drops() == before + 1, "an unset access control entry admitted a put");
    MPP_CHECK_RC(PtlPut(fence_md, PTL_NO_ACK_REQ, self, 19, UK_PTL_AC_ENTRIES, 10, 0, 0), PTL_AC_INDEX_INVALID);
    MPP_CHECK_RC(PtlACEntry(ni, 5, self, uid, PTL_JID_ANY, 19), PTL_OK);
    put(data, 8, 19, 5, 10, 0);
    expect(eq, PTL_EVENT_PUT_END);
    MPP_CHECK_RC(PtlACEntry(ni, 5, self, uid + 1, PTL_JID_ANY, 19), PTL_OK);
    MPP_CHECK_RC(PtlACEntry(ni, 6, self, PTL_UID_ANY, PTL_JID_ANY, 18), PTL_OK);
    before = drops();
    put(data, 8, 19, 5, 10, 0);             /* another user only */
    put(data, 8, 19, 6, 10, 0);             /* another portal only */
    fence();
    mpp_check(drops() == before + 2, "access was granted to the wrong user or portal");
    MPP_CHECK_RC(PtlACEntry(ni, UK_PTL_AC_ENTRIES, self, uid, PTL_JID_ANY, 19), PTL_AC_INDEX_INVALID);
    MPP_CHECK_RC(PtlACEntry(ni, 5, anyone, PTL_UID_ANY, PTL_JID_ANY, UK_PTL_PT_ENTRIES), PTL_PT_INDEX_INVALID);
    MPP_OK(PtlMDUnlink(md));
    expect_empty(eq);
    mpp_end();
}

static void bad_arguments(void)
{
    mpp_begin("bad arguments");
    ptl_handle_md_t md;
    ptl_handle_me_t me;
    ptl_event_t event;
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md((void *)0x10, 8, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(data, UINT64_C(1) << 40, 1, 0, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(data, 8, 1, PTL_MD_IOVEC, PTL_EQ_NONE), PTL_UNLINK, &md), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlMDBind(ni, mpp_md(data, 8, 1, 0, eq + 8), PTL_UNLINK, &md), PTL_EQ_INVALID);
    MPP_CHECK_RC(PtlMEAttach(ni, UK_PTL_PT_ENTRIES, anyone, 0, 0, PTL_UNLINK, PTL_INS_AFTER, &me), PTL_PT_INDEX_INVALID);
    MPP_CHECK_RC(PtlMEAttach(ni, 1, anyone, 0, 0, PTL_UNLINK, PTL_INS_AFTER, NULL), PTL_SEGV);
    MPP_CHECK_RC(PtlMEUnlink(PTL_INVALID_HANDLE), PTL_ME_INVALID);
    MPP_CHECK_RC(PtlMDUnlink(eq), PTL_MD_INVALID);
    MPP_CHECK_RC(PtlEQGet(fence_md, &event), PTL_EQ_INVALID);
    MPP_CHECK_RC(PtlEQWait(0x10, &event), PTL_EQ_INVALID);
    ptl_handle_eq_t none;
    MPP_CHECK_RC(PtlEQAlloc(ni, 0, PTL_EQ_HANDLER_NONE, &none), PTL_NO_SPACE);
    MPP_CHECK_RC(PtlPut(fence_md, PTL_NO_ACK_REQ, anyone, PT_FENCE, 0, 0, 0, 0), PTL_PROCESS_INVALID);
    MPP_CHECK_RC(PtlPut(fence_md, PTL_NO_ACK_REQ, self, UK_PTL_PT_ENTRIES, 0, 0, 0, 0), PTL_PT_INDEX_INVALID);
    MPP_CHECK_RC(PtlPut(fence_md, (ptl_ack_req_t)7, self, PT_FENCE, 0, 0, 0, 0), PTL_FAIL);
    MPP_CHECK_RC(PtlGetRegion(fence_md, 4, 8, self, PT_FENCE, 0, 0, 0), PTL_MD_ILLEGAL);
    MPP_CHECK_RC(PtlGetId(ni, (ptl_process_id_t *)0x10), PTL_SEGV);
    MPP_CHECK_RC(PtlMDUpdate(fence_md, NULL, NULL, PTL_EQ_NONE), PTL_FAIL);
    /* a put to a process that does not exist: refused, or dropped on the way */
    ptl_process_id_t nobody = { self.nid + 100000, self.pid };
    int rc = PtlPut(source(data, 8, PTL_EQ_NONE), PTL_NO_ACK_REQ, nobody, 1, 0, 0, 0, 0);
    mpp_check(rc == PTL_OK || rc == PTL_PROCESS_INVALID, "a put to nobody: %s", PtlErrorStr(rc));
    fence();
    expect_empty(eq);
    mpp_end();
}

/* Rank 0 puts to and gets from rank 1's buffer; rank 1 checks its events. */
static void across_processes(int rank)
{
    static char remote[32];
    ptl_process_id_t zero = mpp_id(0), one = mpp_id(1);
    ptl_handle_md_t md;
    if (rank == 1)
        receiver(PT_REMOTE, zero, 11, 0, remote, sizeof remote, 2, PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, &md);
    MPP_OK(uk_barrier());
    if (rank == 1) {
        ptl_event_t put_end = mpp_wait(eq, PTL_EVENT_PUT_END), get_end = mpp_wait(eq, PTL_EVENT_GET_END);
        if (!mpp_same_id(put_end.initiator, zero) || !mpp_same_id(get_end.initiator, zero)
            || memcmp(remote, data, 16) != 0)
            mpp_fail("the put and get from rank 0 arrived wrong");
        mpp_wait(eq, PTL_EVENT_UNLINK);
    }
    if (rank == 0) {
        mpp_begin("across processes");
        ptl_handle_eq_t mine;
        MPP_OK(PtlEQAlloc(ni, 16, PTL_EQ_HANDLER_NONE, &mine));
        MPP_OK(PtlPut(acked_source(data, 16, mine), PTL_ACK_REQ, one, PT_REMOTE, 0, 11, 0, 0));
        ptl_event_t ack = mpp_wait(mine, PTL_EVENT_ACK);
        mpp_check(mpp_same_id(ack.initiator, one) && ack.mlength == 16, "the acknowledgment from rank 1");
        memset(buf_c, 0, sizeof buf_c);
        MPP_OK(PtlGet(source(buf_c, 16, mine), one, PT_REMOTE, 0, 11, 0));
        ptl_event_t reply = mpp_wait(mine, PTL_EVENT_REPLY_END);
        mpp_check(mpp_same_id(reply.initiator, one) && memcmp(buf_c, data, 16) == 0, "the reply from rank 1");
        mpp_end();
    }
    MPP_OK(uk_barrier());
}

int main(void)
{
    ni = mpp_init("portals_semantics");
    int rank = uk_rank(), size = uk_size();
    self = mpp_id(rank);
    MPP_OK(PtlEQAlloc(ni, 64, PTL_EQ_HANDLER_NONE, &eq));
    MPP_OK(PtlEQAlloc(ni, 4, PTL_EQ_HANDLER_NONE, &fence_eq));
    ptl_handle_me_t me;
    ptl_handle_md_t md;
    static char nothing[8];
    MPP_OK(PtlMEAttach(ni, PT_FENCE, self, 0, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(nothing, 0, PTL_MD_THRESH_INF,
                                  PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, fence_eq),
                       PTL_RETAIN, &md));
    MPP_OK(PtlMDBind(ni, mpp_md(nothing, 0, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN, &fence_md));
    /* The collectives' first contacts (hellos to processes not yet listening)
     * count as drops: all made before the checks count drops. */
    MPP_OK(uk_barrier());

    if (rank == 0) {
        identity();
        matching_order();
        wildcards();
        truncation();
        thresholds();
        offsets();
        acks_and_replies();
        overflow();
        access_control();
        bad_arguments();
    }
    if (size > 1)
        across_processes(rank);
    MPP_OK(uk_barrier());
    if (rank == 0) {
        if (mpp_failures == 0)
            printf("portals_semantics: %d ranks, %d checks, ok\n", size, mpp_checks);
        else
            printf("portals_semantics: %d ranks, %d checks, %d failed\n", size, mpp_checks, mpp_failures);
    }
    return mpp_failures == 0 ? 0 : 1;
}
