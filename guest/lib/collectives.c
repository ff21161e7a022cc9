/*
 * Collectives over Portals (<uniform.h>): barrier, broadcast, reduce and
 * allreduce for the ranks of a job, on portal UK_COLL_PT_INDEX.
 *
 * Two kinds of message, told apart by the top four match bits:
 *
 *   NOTIFY  a put of no data into the receiver's one persistent notify entry
 *           (bits: kind | sequence | step; hdr_data: the sender's rank), seen
 *           as a PUT_END event there: "I have reached this step".
 *   DATA    data is never pushed: the sender exposes its buffer under
 *           kind | sequence | step (one entry and descriptor, one get per
 *           reader, unlinked by the last), notifies its readers, and waits
 *           for their GET_END events; each reader gets straight into its own
 *           buffer.  So every transfer is a rendezvous, nothing arrives
 *           unannounced, and a rank is never more than one step ahead of a
 *           peer: the event queue cannot overflow and nothing is dropped.
 *
 * The sequence number counts the collective operations, which every rank
 * makes in the same order; the step names the round inside one.
 *
 * First contact: a put to a process that has not set up its notify entry
 * yet would be dropped, so before the first notification to a peer the
 * sender says HELLO (a put with an acknowledgment) until an acknowledgment
 * comes back, polling with a doubling timeout.  The hello entry logs an END
 * event, which the receiver ignores: it wakes a receiver blocked in its
 * queue, so the acknowledgment never waits for a process that does not run.
 * A notification received from a peer proves it set up too.
 *
 * Reduce is a binomial tree towards the root, children combined in a fixed
 * order; broadcast the same tree from the root; barrier a dissemination
 * barrier; allreduce a reduce to rank 0 and a broadcast, so that every rank
 * holds the same bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <portals.h>
#include <uniform.h>
#include <uniform_portals_abi.h>
#include "portals_internal.h"

#define COLL_PT UK_COLL_PT_INDEX
#define COLL_EQ_EVENTS 256

#define KIND_SHIFT 60
#define KIND_NOTIFY 1u
#define KIND_DATA 2u
#define KIND_HELLO 3u
#define SEQ_MASK 0x0fffffffu
#define LOW_BITS ((UINT64_C(1) << KIND_SHIFT) - 1)

#define HELLO_FIRST_MS 1
#define HELLO_MOST_MS 256

static ptl_match_bits_t bits(unsigned kind, uint32_t seq, uint32_t step)
{
    return (ptl_match_bits_t)kind << KIND_SHIFT | (ptl_match_bits_t)(seq & SEQ_MASK) << 32 | step;
}

/* A step another rank reached. */
struct note {
    uint32_t seq;
    uint32_t step;
    int32_t from;
};

/* An operation waiting for its events: gets of an exposed buffer, or a reply. */
struct xfer {
    ptl_handle_md_t md;
    int remaining;
    struct xfer *next;
};

static struct {
    int job_known;
    int32_t rank, size;
    ptl_process_id_t *ids;       /* by rank, fetched when first needed */
    uint8_t *id_known;
    uint8_t *ready;              /* by rank: its notify entry exists */

    struct uk_ptl_ni *ni;        /* the interface the handles below belong to */
    uint32_t epoch;
    ptl_handle_eq_t eq;
    ptl_handle_md_t notify_source;
    ptl_handle_md_t hello_source;
    int initialized;             /* PtlInit called */

    uint32_t seq;
    struct note *notes;
    unsigned note_count, note_capacity;
    struct xfer *xfers;
} coll;

static char empty[8] __attribute__((aligned(8))); /* the descriptors of no data */

/* ---- The job ---------------------------------------------------------------- */

static void job(void)
{
    if (coll.job_known)
        return;
    int32_t rank = 0, size = 1;
    struct uk_ptl_args_job_info args = { &rank, &size };
    if (uk_portals(UK_PTL_OP_JOB_INFO, &args) != PTL_OK || size < 1 || rank < 0 || rank >= size) {
        rank = 0;
        size = 1;
    }
    coll.rank = rank;
    coll.size = size;
    coll.job_known = 1;
}

int uk_rank(void)
{
    job();
    return coll.rank;
}

int uk_size(void)
{
    job();
    return coll.size;
}

/* Per-rank tables, allocated at first use. */
static int rank_tables(void)
{
    if (coll.ids != NULL)
        return PTL_OK;
    size_t n = (size_t)coll.size;
    coll.ids = calloc(n, sizeof *coll.ids);
    coll.id_known = calloc(n, 1);
    coll.ready = calloc(n, 1);
    if (coll.ids == NULL || coll.id_known == NULL || coll.ready == NULL) {
        free(coll.ids);
        free(coll.id_known);
        free(coll.ready);
        coll.ids = NULL;
        return PTL_NO_SPACE;
    }
    return PTL_OK;
}

int uk_ptl_rank_id(int rank, ptl_process_id_t *id)
{
    job();
    if (rank < 0 || rank >= coll.size)
        return PTL_PROCESS_INVALID;
    if (id == NULL)
        return PTL_SEGV;
    int rc = rank_tables();
    if (rc != PTL_OK)
        return rc;
    if (!coll.id_known[rank]) {
        struct uk_ptl_args_job_process args = { rank, &coll.ids[rank] };
        long r = uk_portals(UK_PTL_OP_JOB_PROCESS, &args);
        if (r != PTL_OK)
            return r < 0 ? PTL_NO_INIT : (int)r;
        coll.id_known[rank] = 1;
    }
    *id = coll.ids[rank];
    return PTL_OK;
}

/* ---- Setting up on the process's interface -------------------------------- */

static ptl_md_t descriptor(void *start, ptl_size_t length, int threshold, unsigned options,
                           ptl_handle_eq_t eq)
{
    ptl_md_t md = { start, length, threshold, 0, options, NULL, eq };
    return md;
}

/* An entry that takes puts of no data under the given kind, with any other bits. */
static int inbox(ptl_handle_ni_t ni, unsigned kind, unsigned options)
{
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    ptl_handle_me_t me;
    ptl_handle_md_t md;
    int rc = PtlMEAttach(ni, COLL_PT, anyone, bits(kind, 0, 0), LOW_BITS, PTL_RETAIN, PTL_INS_AFTER, &me);
    if (rc != PTL_OK)
        return rc;
    rc = PtlMDAttach(me, descriptor(empty, 0, PTL_MD_THRESH_INF,
                                    PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_TRUNCATE | options, coll.eq),
                     PTL_RETAIN, &md);
    if (rc != PTL_OK)
        PtlMEUnlink(me);
    return rc;
}

/* The notify and hello entries, the queue and the sources, once per interface. */
static int setup(void)
{
    struct uk_ptl_ni *live = __uk_ptl_live_ni();
    if (live != NULL && live == coll.ni && live->epoch == coll.epoch)
        return PTL_OK;
    int rc = rank_tables();
    if (rc != PTL_OK)
        return rc;
    if (!coll.initialized) {
        int interfaces;
        rc = PtlInit(&interfaces);
        if (rc != PTL_OK)
            return rc;
        coll.initialized = 1;
    }
    ptl_handle_ni_t ni;
    rc = PtlNIInit(PTL_IFACE_DEFAULT, PTL_PID_ANY, NULL, NULL, &ni);
    if (rc != PTL_OK)
        return rc;
    rc = PtlEQAlloc(ni, COLL_EQ_EVENTS, PTL_EQ_HANDLER_NONE, &coll.eq);
    if (rc != PTL_OK)
        return rc;
    /* The notify entry before the hello entry: a hello acknowledged means
     * the notify entry is in place. */
    rc = inbox(ni, KIND_NOTIFY, PTL_MD_EVENT_START_DISABLE | PTL_MD_ACK_DISABLE);
    if (rc == PTL_OK)
        rc = inbox(ni, KIND_HELLO, PTL_MD_EVENT_START_DISABLE);
    if (rc == PTL_OK)
        rc = PtlMDBind(ni, descriptor(empty, 0, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN,
                       &coll.notify_source);
    if (rc == PTL_OK)
        rc = PtlMDBind(ni, descriptor(empty, 0, PTL_MD_THRESH_INF,
                                      PTL_MD_EVENT_START_DISABLE | PTL_MD_EVENT_END_DISABLE, coll.eq),
                       PTL_RETAIN, &coll.hello_source);
    if (rc != PTL_OK)
        return rc;
    coll.ni = (struct uk_ptl_ni *)(uintptr_t)ni;
    coll.epoch = coll.ni->epoch;
    coll.xfers = NULL;
    return PTL_OK;
}

/* ---- Events ----------------------------------------------------------------- */

static int add_note(uint32_t seq, uint32_t step, int32_t from)
{
    if (coll.note_count == coll.note_capacity) {
        unsigned capacity = coll.note_capacity ? 2 * coll.note_capacity : 16;
        struct note *grown = realloc(coll.notes, capacity * sizeof *grown);
        if (grown == NULL)
            return PTL_NO_SPACE;
        coll.notes = grown;
        coll.note_capacity = capacity;
    }
    coll.notes[coll.note_count++] = (struct note){ seq, step, from };
    return PTL_OK;
}

static void count_down(ptl_handle_md_t md)
{
    for (struct xfer *x = coll.xfers; x != NULL; x = x->next)
        if (x->md == md) {
            x->remaining--;
            return;
        }
}

static int dispatch(const ptl_event_t *event)
{
    unsigned kind = (unsigned)(event->match_bits >> KIND_SHIFT);
    switch (event->type) {
    case PTL_EVENT_PUT_END:
        if (kind == KIND_NOTIFY && event->hdr_data < (uint64_t)coll.size) {
            coll.ready[event->hdr_data] = 1;
            return add_note((uint32_t)(event->match_bits >> 32) & SEQ_MASK, (uint32_t)event->match_bits,
                            (int32_t)event->hdr_data);
        }
        break;
    case PTL_EVENT_ACK:
        if (kind == KIND_HELLO && (event->match_bits & 0xffffffffu) < (uint64_t)coll.size)
            coll.ready[event->match_bits & 0xffffffffu] = 1;
        break;
    case PTL_EVENT_GET_END:
    case PTL_EVENT_REPLY_END:
        count_down(event->md_handle);
        break;
    default:
        break;
    }
    return PTL_OK;
}

/* Takes and handles one event, waiting for it up to timeout milliseconds
 * (PTL_TIME_FOREVER: blocked in the kernel); PTL_EQ_EMPTY when none came.
 * A lost event (PTL_EQ_DROPPED) would be a lost message: an error. */
static int pump(ptl_time_t timeout)
{
    ptl_event_t event;
    int which;
    int rc = PtlEQPoll(&coll.eq, 1, timeout, &event, &which);
    return rc == PTL_OK ? dispatch(&event) : rc;
}

/* ---- Point to point ----------------------------------------------------------- */

static int peer_id(int rank, ptl_process_id_t *id)
{
    return uk_ptl_rank_id(rank, id);
}

/* Until the peer is known to have its notify entry: hellos with an acknowledgment. */
static int ensure_ready(int peer, const ptl_process_id_t *id)
{
    ptl_time_t interval = HELLO_FIRST_MS;
    while (!coll.ready[peer]) {
        int rc = PtlPut(coll.hello_source, PTL_ACK_REQ, *id, COLL_PT, 0, bits(KIND_HELLO, 0, (uint32_t)peer),
                        0, (ptl_hdr_data_t)coll.rank);
        if (rc != PTL_OK)
            return rc;
        while (!coll.ready[peer]) {
            rc = pump(interval);
            if (rc == PTL_EQ_EMPTY)
                break;
            if (rc != PTL_OK)
                return rc;
        }
        if (interval < HELLO_MOST_MS)
            interval *= 2;
    }
    return PTL_OK;
}

/* Tells peer that this rank reached step of the current operation. */
static int notify(int peer, uint32_t step)
{
    ptl_process_id_t id;
    int rc = peer_id(peer, &id);
    if (rc == PTL_OK)
        rc = ensure_ready(peer, &id);
    if (rc == PTL_OK)
        rc = PtlPut(coll.notify_source, PTL_NO_ACK_REQ, id, COLL_PT, 0, bits(KIND_NOTIFY, coll.seq, step), 0,
                    (ptl_hdr_data_t)coll.rank);
    return rc;
}

/* Waits until peer has reached step of the current operation. */
static int await(int peer, uint32_t step)
{
    for (;;) {
        for (unsigned i = 0; i < coll.note_count; i++) {
            struct note *n = &coll.notes[i];
            if (n->seq == (coll.seq & SEQ_MASK) && n->step == step && n->from == peer) {
                *n = coll.notes[--coll.note_count];
                return PTL_OK;
            }
        }
        int rc = pump(PTL_TIME_FOREVER);
        if (rc != PTL_OK)
            return rc;
    }
}

static void forget(struct xfer *x)
{
    for (struct xfer **link = &coll.xfers; *link != NULL; link = &(*link)->next)
        if (*link == x) {
            *link = x->next;
            return;
        }
}

/* Waits for the rest of x's events. */
static int finish(struct xfer *x)
{
    int rc = PTL_OK;
    while (rc == PTL_OK && x->remaining > 0)
        rc = pump(PTL_TIME_FOREVER);
    forget(x);
    return rc;
}

/* Withdraws an exposure whose readers were not all told (its entry goes with it). */
static void abandon(struct xfer *x)
{
    PtlMDUnlink(x->md);
    forget(x);
}

/* Exposes len bytes at buf for readers gets under step (the caller then
 * notifies them and finishes x). */
static int expose(struct xfer *x, const void *buf, size_t len, uint32_t step, int readers)
{
    ptl_process_id_t anyone = { PTL_NID_ANY, PTL_PID_ANY };
    ptl_handle_me_t me;
    int rc = PtlMEAttach((ptl_handle_ni_t)(uintptr_t)coll.ni, COLL_PT, anyone, bits(KIND_DATA, coll.seq, step),
                         0, PTL_UNLINK, PTL_INS_AFTER, &me);
    if (rc != PTL_OK)
        return rc;
    rc = PtlMDAttach(me, descriptor((void *)(uintptr_t)buf, len, readers,
                                    PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, coll.eq),
                     PTL_UNLINK, &x->md);
    if (rc != PTL_OK) {
        PtlMEUnlink(me);
        return rc;
    }
    x->remaining = readers;
    x->next = coll.xfers;
    coll.xfers = x;
    return PTL_OK;
}

/* Sends len bytes to peer under step: expose, notify, wait for the get. */
static int send_to(int peer, uint32_t step, const void *buf, size_t len)
{
    struct xfer x;
    int rc = expose(&x, buf, len, step, 1);
    if (rc != PTL_OK)
        return rc;
    rc = notify(peer, step);
    if (rc != PTL_OK) {
        abandon(&x);
        return rc;
    }
    return finish(&x);
}

/* Receives len bytes from peer under step, straight into buf. */
static int receive_from(int peer, uint32_t step, void *buf, size_t len)
{
    ptl_process_id_t id;
    int rc = peer_id(peer, &id);
    if (rc == PTL_OK)
        rc = await(peer, step);
    if (rc != PTL_OK)
        return rc;
    struct xfer x = { 0, 1, coll.xfers };
    rc = PtlMDBind((ptl_handle_ni_t)(uintptr_t)coll.ni,
                   descriptor(buf, len, 1, PTL_MD_EVENT_START_DISABLE, coll.eq), PTL_UNLINK, &x.md);
    if (rc != PTL_OK)
        return rc;
    coll.xfers = &x;
    rc = PtlGet(x.md, id, COLL_PT, 0, bits(KIND_DATA, coll.seq, step), 0);
    if (rc != PTL_OK)
        x.remaining = 0;
    int done = finish(&x);
    return rc != PTL_OK ? rc : done;
}

/* ---- The collectives ---------------------------------------------------------- */

/* Starts a collective operation: set up, one more in the sequence. */
static int begin(void)
{
    int rc = setup();
    coll.seq++;
    return rc;
}

int uk_barrier(void)
{
    job();
    if (coll.size == 1)
        return PTL_OK;
    int rc = begin();
    uint32_t step = 0;
    for (int distance = 1; rc == PTL_OK && distance < coll.size; distance *= 2, step++) {
        rc = notify((coll.rank + distance) % coll.size, step);
        if (rc == PTL_OK)
            rc = await((coll.rank - distance + coll.size) % coll.size, step);
    }
    return rc;
}

/* The binomial tree rooted at root: this rank's parent (-1 at the root) and
 * the mask below which its children lie (vr + m for each power of two m < mask). */
static int tree(int root, int *mask_out)
{
    int vr = (coll.rank - root + coll.size) % coll.size;
    int mask = 1;
    while (mask < coll.size) {
        if (vr & mask) {
            *mask_out = mask;
            return (vr - mask + root) % coll.size;
        }
        mask *= 2;
    }
    *mask_out = mask;
    return -1;
}

int uk_broadcast(void *buf, size_t len, int root)
{
    job();
    if (root < 0 || root >= coll.size)
        return PTL_PROCESS_INVALID;
    if (coll.size == 1 || len == 0)
        return PTL_OK;
    int rc = begin();
    if (rc != PTL_OK)
        return rc;
    int mask;
    int parent = tree(root, &mask);
    if (parent >= 0)
        rc = receive_from(parent, 0, buf, len);
    int vr = (coll.rank - root + coll.size) % coll.size;
    int children = 0;
    for (int m = mask / 2; m > 0; m /= 2)
        children += vr + m < coll.size;
    if (rc != PTL_OK || children == 0)
        return rc;
    struct xfer x;
    rc = expose(&x, buf, len, 0, children);
    if (rc != PTL_OK)
        return rc;
    for (int m = mask / 2; rc == PTL_OK && m > 0; m /= 2)
        if (vr + m < coll.size)
            rc = notify((vr + m + root) % coll.size, 0);
    if (rc != PTL_OK) {
        abandon(&x);
        return rc;
    }
    return finish(&x);
}

static void combine_i64(int64_t *acc, const int64_t *more, int count, uk_op op)
{
    for (int i = 0; i < count; i++) {
        if (op == UK_SUM)
            acc[i] = (int64_t)((uint64_t)acc[i] + (uint64_t)more[i]); /* wraps, never undefined */
        else if (op == UK_MIN ? more[i] < acc[i] : more[i] > acc[i])
            acc[i] = more[i];
    }
}

static void combine_f64(double *acc, const double *more, int count, uk_op op)
{
    for (int i = 0; i < count; i++) {
        if (op == UK_SUM)
            acc[i] += more[i];
        else if (op == UK_MIN ? more[i] < acc[i] : more[i] > acc[i])
            acc[i] = more[i];
    }
}

/* The binomial reduce of count 8-byte elements; combine(acc, more) in a fixed order. */
static int reduce(const void *in, void *out, int count, uk_op op, int root, int is_double)
{
    job();
    if (root < 0 || root >= coll.size || count < 0 || (op != UK_SUM && op != UK_MIN && op != UK_MAX))
        return PTL_FAIL;
    size_t bytes = (size_t)count * 8;
    if (coll.size == 1 || count == 0) {
        if (coll.rank == root && out != NULL && bytes > 0)
            memmove(out, in, bytes);
        return PTL_OK;
    }
    int rc = begin();
    if (rc != PTL_OK)
        return rc;
    void *acc = malloc(bytes);
    void *more = malloc(bytes);
    if (acc == NULL || more == NULL) {
        free(acc);
        free(more);
        return PTL_NO_SPACE;
    }
    memcpy(acc, in, bytes);
    int vr = (coll.rank - root + coll.size) % coll.size;
    for (int mask = 1; rc == PTL_OK && mask < coll.size; mask *= 2) {
        if (vr & mask) {
            rc = send_to((vr - mask + root) % coll.size, 0, acc, bytes);
            break;
        }
        if (vr + mask < coll.size) {
            rc = receive_from((vr + mask + root) % coll.size, 0, more, bytes);
            if (rc == PTL_OK && is_double)
                combine_f64(acc, more, count, op);
            else if (rc == PTL_OK)
                combine_i64(acc, more, count, op);
        }
    }
    if (rc == PTL_OK && vr == 0 && out != NULL)
        memcpy(out, acc, bytes);
    free(acc);
    free(more);
    return rc;
}

int uk_reduce_i64(const int64_t *in, int64_t *out, int count, uk_op op, int root)
{
    return reduce(in, out, count, op, root, 0);
}

int uk_reduce_f64(const double *in, double *out, int count, uk_op op, int root)
{
    return reduce(in, out, count, op, root, 1);
}

int uk_allreduce_i64(const int64_t *in, int64_t *out, int count, uk_op op)
{
    int rc = reduce(in, out, count, op, 0, 0);
    return rc != PTL_OK ? rc : uk_broadcast(out, (size_t)count * 8, 0);
}

int uk_allreduce_f64(const double *in, double *out, int count, uk_op op)
{
    int rc = reduce(in, out, count, op, 0, 1);
    return rc != PTL_OK ? rc : uk_broadcast(out, (size_t)count * 8, 0);
}
