/*
 * Shared by the parallel programs of guest/mpp: failing loudly, the
 * interface, waiting for an event of one kind, checks in groups, and
 * sequenced messages.  Only rank 0 prints its
 * result line, so that a job's output does not depend on timing; any rank
 * prints why it fails and exits 1.
 */
#ifndef MPP_H
#define MPP_H

#include <portals.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniform.h>

static const char *mpp_program = "mpp";

__attribute__((noreturn, format(printf, 1, 2)))
static inline void mpp_fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("%s: rank %d: FAIL ", mpp_program, uk_rank());
    vprintf(format, args);
    printf("\n");
    va_end(args);
    exit(1);
}

/* A Portals call that must succeed. */
#define MPP_OK(call)                                                   \
    do {                                                               \
        int mpp_rc_ = (call);                                          \
        if (mpp_rc_ != PTL_OK)                                         \
            mpp_fail("%s: %s (line %d)", #call, PtlErrorStr(mpp_rc_), __LINE__); \
    } while (0)

/* The process's interface (the collectives share it). */
static inline ptl_handle_ni_t mpp_init(const char *program)
{
    mpp_program = program;
    int interfaces;
    ptl_handle_ni_t ni;
    MPP_OK(PtlInit(&interfaces));
    MPP_OK(PtlNIInit(PTL_IFACE_DEFAULT, PTL_PID_ANY, NULL, NULL, &ni));
    return ni;
}

static inline ptl_process_id_t mpp_id(int rank)
{
    ptl_process_id_t id;
    MPP_OK(uk_ptl_rank_id(rank, &id));
    return id;
}

static inline ptl_md_t mpp_md(void *start, ptl_size_t length, int threshold, unsigned options, ptl_handle_eq_t eq)
{
    ptl_md_t md = { start, length, threshold, 0, options, NULL, eq };
    return md;
}

/* Waits for the next event of type on eq (others are skipped, an overflow fails). */
static inline ptl_event_t mpp_wait(ptl_handle_eq_t eq, ptl_event_kind_t type)
{
    ptl_event_t event;
    for (;;) {
        MPP_OK(PtlEQWait(eq, &event));
        if (event.type == type)
            return event;
    }
}

static inline int mpp_same_id(ptl_process_id_t a, ptl_process_id_t b)
{
    return a.nid == b.nid && a.pid == b.pid;
}

/* FNV-1a over bytes, for result lines that name data without printing it. */
static inline uint64_t mpp_fnv(uint64_t hash, const void *data, size_t length)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ bytes[i]) * UINT64_C(0x100000001b3);
    return hash;
}
#define MPP_FNV_START UINT64_C(0xcbf29ce484222325)

/* An entry at the end of pt's list taking the puts of anyone with match
 * bits into buffer, one after another (the locally managed offset), each
 * logging PUT_END in a new queue of events slots: the queue. */
static inline ptl_handle_eq_t mpp_inbox(ptl_handle_ni_t ni, ptl_pt_index_t pt, ptl_match_bits_t bits, void *buffer,
                                        ptl_size_t length, ptl_size_t events)
{
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    ptl_handle_eq_t eq;
    ptl_handle_me_t me;
    ptl_handle_md_t md;
    MPP_OK(PtlEQAlloc(ni, events, PTL_EQ_HANDLER_NONE, &eq));
    MPP_OK(PtlMEAttach(ni, pt, anyone, bits, 0, PTL_RETAIN, PTL_INS_AFTER, &me));
    MPP_OK(PtlMDAttach(me, mpp_md(buffer, length, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq),
                       PTL_RETAIN, &md));
    return eq;
}

/* Checks that go on after a failure, in groups (portals_semantics,
 * portals_bad_input): each counted, a failed one printed as "FAIL group:
 * what", a group without failures as "PASS group" by mpp_end. */
static int mpp_checks, mpp_failures, mpp_group_failures;
static const char *mpp_group = "";

__attribute__((format(printf, 2, 3)))
static inline void mpp_check(int ok, const char *format, ...)
{
    mpp_checks++;
    if (ok)
        return;
    mpp_failures++;
    mpp_group_failures++;
    va_list args;
    va_start(args, format);
    printf("FAIL %s: ", mpp_group);
    vprintf(format, args);
    printf("\n");
    va_end(args);
}

#define MPP_CHECK_RC(call, expected)                                                         \
    do {                                                                                     \
        int mpp_rc_ = (call);                                                                \
        mpp_check(mpp_rc_ == (expected), "%s is %s, expected %s", #call, PtlErrorStr(mpp_rc_), \
                  PtlErrorStr(expected));                                                    \
    } while (0)

static inline void mpp_begin(const char *group)
{
    mpp_group = group;
    mpp_group_failures = 0;
}

static inline void mpp_end(void)
{
    if (mpp_group_failures == 0)
        printf("PASS %s\n", mpp_group);
}

/* Sequenced messages (alltoall, portals_bad_input): a header naming the
 * sender, its sequence number to this receiver, the length and a checksum,
 * then a pattern of sender and sequence; 16 to most bytes long. */
struct mpp_header {
    uint32_t from;
    uint32_t seq;
    uint32_t length;
    uint32_t check;
};

static inline uint32_t mpp_message_length(int from, int to, int seq, uint32_t most)
{
    return 16 + (uint32_t)(from * 131 + to * 17 + seq * 29) % (most - 15);
}

static inline unsigned char mpp_message_byte(int from, int seq, uint32_t i)
{
    return (unsigned char)(from * 7 + seq * 13 + i);
}

/* Writes message seq from rank from to rank to at message; its length. */
static inline uint32_t mpp_message_write(unsigned char *message, int from, int to, int seq, uint32_t most)
{
    uint32_t length = mpp_message_length(from, to, seq, most);
    struct mpp_header header = { (uint32_t)from, (uint32_t)seq, length, 0 };
    for (uint32_t i = sizeof header; i < length; i++)
        message[i] = mpp_message_byte(from, seq, i);
    header.check = (uint32_t)mpp_fnv(MPP_FNV_START, message + sizeof header, length - sizeof header);
    memcpy(message, &header, sizeof header);
    return length;
}

/* Fails unless the message a PUT_END event reports (at inbox + offset, put
 * with its sequence number as header data) is whole, from the process of the
 * rank it claims (ids), and that sender's next (next, which it advances). */
static inline void mpp_message_check(const ptl_event_t *event, const unsigned char *inbox, int to, int size,
                                     const ptl_process_id_t *ids, uint32_t *next, uint32_t most)
{
    struct mpp_header header;
    const unsigned char *message = inbox + event->offset;
    memcpy(&header, message, sizeof header);
    if (header.from >= (uint32_t)size || !mpp_same_id(event->initiator, ids[header.from]))
        mpp_fail("a message claiming to be from rank %u", (unsigned)header.from);
    if (header.seq != next[header.from] || event->hdr_data != header.seq)
        mpp_fail("from rank %u: message %u where %u was next", (unsigned)header.from, (unsigned)header.seq,
                 (unsigned)next[header.from]);
    if (header.length != mpp_message_length((int)header.from, to, (int)header.seq, most)
        || event->mlength != header.length
        || header.check != (uint32_t)mpp_fnv(MPP_FNV_START, message + sizeof header, header.length - sizeof header))
        mpp_fail("from rank %u: message %u damaged", (unsigned)header.from, (unsigned)header.seq);
    for (uint32_t i = sizeof header; i < header.length; i++)
        if (message[i] != mpp_message_byte((int)header.from, (int)header.seq, i))
            mpp_fail("from rank %u: message %u byte %u", (unsigned)header.from, (unsigned)header.seq, (unsigned)i);
    next[header.from]++;
}

static inline long mpp_arg(int argc, char **argv, int index, long fallback)
{
    return argc > index ? strtol(argv[index], NULL, 10) : fallback;
}

#endif
