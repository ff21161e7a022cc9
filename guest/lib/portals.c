/*
 * The Portals 3.3 API (<portals.h>) over the uniform call
 * (uniform_portals_abi.h): the library allocates the records in the
 * process's own memory, the kernel's engine fills them in and links them,
 * and the library reads event queue rings itself, without a call.
 *
 * Record storage: every record (match entry, memory descriptor, event
 * queue) is malloc'd with a small header in front that links it into the
 * library's list of records, and is freed once the engine has marked it
 * dead (UK_PTL_MAGIC_FREED): at once for PtlEQFree, otherwise by a sweep of
 * the list that runs when it has doubled since the last one (records the
 * engine unlinks on its own, after their threshold, leave no other trace).
 * PtlNIFini frees them all.  The interface block is allocated once and kept,
 * so that each PtlNIInit of it raises its epoch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <portals.h>
#include <uniform_portals_abi.h>
#include "internal.h"
#include "portals_internal.h"

#define LINUX_CLOCK_MONOTONIC 1

long uk_portals(int op, void *args)
{
    return uk_syscall(UK_SYS_portals, op, (long)args, 0, 0, 0, 0);
}

/* The call, as a Portals return code: a kernel without Portals answers
 * -ENOSYS, which is PTL_NO_INIT. */
static int ptl_call(int op, void *args)
{
    long r = uk_portals(op, args);
    if (r >= 0)
        return (int)r;
    return r == -LINUX_ENOSYS ? PTL_NO_INIT : PTL_FAIL;
}

/* ---- Library state -------------------------------------------------------- */

static int init_count;                 /* PtlInit minus PtlFini */

/* The call, once PtlInit has been called. */
static int initialized_call(int op, void *args)
{
    return init_count == 0 ? PTL_NO_INIT : ptl_call(op, args);
}
static struct uk_ptl_ni *ni_block;     /* allocated at the first PtlNIInit, kept */

struct record_header {
    struct record_header *prev;
    struct record_header *next;
};
_Static_assert(sizeof(struct record_header) == 8, "records stay 8-byte aligned");

static struct record_header records = { &records, &records };
static unsigned record_count;
static unsigned sweep_at = 64;

/* The live event queues this library made: PtlEQGet reads only these itself. */
static struct uk_ptl_eq_rec **queues;
static unsigned queue_count, queue_capacity;

static void record_free(void *record)
{
    struct record_header *header = (struct record_header *)record - 1;
    header->prev->next = header->next;
    header->next->prev = header->prev;
    record_count--;
    free(header);
}

/* Frees every record the engine has marked dead. */
static void sweep(void)
{
    struct record_header *header = records.next;
    while (header != &records) {
        struct record_header *next = header->next;
        if (*(const uint32_t *)(header + 1) == UK_PTL_MAGIC_FREED)
            record_free(header + 1);
        header = next;
    }
    sweep_at = 2 * record_count + 64;
}

/* size zeroed bytes, 8-byte aligned, linked into the list; NULL if out of memory. */
static void *record_alloc(size_t size)
{
    if (record_count >= sweep_at)
        sweep();
    if (size > SIZE_MAX - sizeof(struct record_header))
        return NULL;
    struct record_header *header = malloc(sizeof *header + size);
    if (header == NULL)
        return NULL;
    if (((uintptr_t)header & 7) != 0) { /* picolibc's malloc aligns to 8: never */
        free(header);
        return NULL;
    }
    memset(header + 1, 0, size);
    header->prev = records.prev;
    header->next = &records;
    records.prev->next = header;
    records.prev = header;
    record_count++;
    return header + 1;
}

static void free_all_records(void)
{
    while (records.next != &records)
        record_free(records.next + 1);
    sweep_at = 64;
    queue_count = 0;
}

static int queue_index(ptl_handle_eq_t eq)
{
    for (unsigned i = 0; i < queue_count; i++)
        if ((ptl_handle_eq_t)(uintptr_t)queues[i] == eq)
            return (int)i;
    return -1;
}

static int queue_add(struct uk_ptl_eq_rec *eq)
{
    if (queue_count == queue_capacity) {
        unsigned capacity = queue_capacity ? 2 * queue_capacity : 8;
        struct uk_ptl_eq_rec **grown = realloc(queues, capacity * sizeof *grown);
        if (grown == NULL)
            return 0;
        queues = grown;
        queue_capacity = capacity;
    }
    queues[queue_count++] = eq;
    return 1;
}

struct uk_ptl_ni *__uk_ptl_live_ni(void)
{
    if (init_count > 0 && ni_block != NULL && ni_block->magic == UK_PTL_MAGIC_NI)
        return ni_block;
    return NULL;
}

/* ---- Initialization and interfaces (spec 3.4 - 3.8) ------------------------ */

int PtlInit(int *max_interfaces)
{
    if (max_interfaces == NULL)
        return PTL_SEGV;
    /* Ask the kernel whether it has Portals at all. */
    int32_t rank, size;
    struct uk_ptl_args_job_info args = { &rank, &size };
    if (ptl_call(UK_PTL_OP_JOB_INFO, &args) != PTL_OK)
        return PTL_FAIL;
    *max_interfaces = 1;
    init_count++;
    return PTL_OK;
}

void PtlFini(void)
{
    if (init_count == 0)
        return;
    if (init_count == 1 && __uk_ptl_live_ni() != NULL)
        PtlNIFini((ptl_handle_ni_t)(uintptr_t)ni_block);
    init_count--;
}

int PtlNIInit(ptl_interface_t iface, ptl_pid_t pid, ptl_ni_limits_t *desired,
              ptl_ni_limits_t *actual, ptl_handle_ni_t *ni_handle)
{
    if (init_count == 0)
        return PTL_NO_INIT;
    if (ni_block == NULL) {
        ni_block = malloc(sizeof *ni_block);
        if (ni_block != NULL && ((uintptr_t)ni_block & 7) != 0) { /* never: malloc aligns to 8 */
            free(ni_block);
            ni_block = NULL;
        }
        if (ni_block == NULL)
            return PTL_NO_SPACE;
        memset(ni_block, 0, sizeof *ni_block);
    }
    struct uk_ptl_args_ni_init args = { iface, pid, desired, actual, ni_handle, ni_block };
    return ptl_call(UK_PTL_OP_NI_INIT, &args);
}

int PtlNIFini(ptl_handle_ni_t ni_handle)
{
    struct uk_ptl_args_ni_fini args = { ni_handle };
    int rc = initialized_call(UK_PTL_OP_NI_FINI, &args);
    if (rc == PTL_OK)
        free_all_records(); /* every record died with the interface */
    return rc;
}

int PtlNIStatus(ptl_handle_ni_t ni_handle, ptl_sr_index_t register_index, ptl_sr_value_t *status)
{
    struct uk_ptl_args_ni_status args = { ni_handle, register_index, status };
    return initialized_call(UK_PTL_OP_NI_STATUS, &args);
}

int PtlNIDist(ptl_handle_ni_t ni_handle, ptl_process_id_t process, unsigned long *distance)
{
    struct uk_ptl_ni *ni = __uk_ptl_live_ni();
    if (ni == NULL)
        return init_count == 0 ? PTL_NO_INIT : PTL_NI_INVALID;
    if (ni_handle != (ptl_handle_ni_t)(uintptr_t)ni)
        return PTL_NI_INVALID;
    if (distance == NULL)
        return PTL_SEGV;
    /* The library does not know the mesh: itself 0, anyone else 1. */
    *distance = process.nid == ni->id.nid && process.pid == ni->id.pid ? 0 : 1;
    return PTL_OK;
}

int PtlNIHandle(ptl_handle_any_t handle, ptl_handle_ni_t *ni_handle)
{
    struct uk_ptl_ni *ni = __uk_ptl_live_ni();
    if (ni == NULL)
        return init_count == 0 ? PTL_NO_INIT : PTL_HANDLE_INVALID;
    if (ni_handle == NULL)
        return PTL_SEGV;
    int known = handle == (ptl_handle_any_t)(uintptr_t)ni;
    for (struct record_header *h = records.next; !known && h != &records; h = h->next)
        known = handle == (ptl_handle_any_t)(uintptr_t)(h + 1)
                && *(const uint32_t *)(h + 1) != UK_PTL_MAGIC_FREED;
    if (!known)
        return PTL_HANDLE_INVALID;
    *ni_handle = (ptl_handle_ni_t)(uintptr_t)ni;
    return PTL_OK;
}

int PtlGetId(ptl_handle_ni_t ni_handle, ptl_process_id_t *id)
{
    struct uk_ptl_args_get_id args = { ni_handle, id };
    return initialized_call(UK_PTL_OP_GET_ID, &args);
}

int PtlGetUid(ptl_handle_ni_t ni_handle, ptl_uid_t *uid)
{
    struct uk_ptl_args_get_uid args = { ni_handle, uid };
    return initialized_call(UK_PTL_OP_GET_UID, &args);
}

int PtlGetJid(ptl_handle_ni_t ni_handle, ptl_jid_t *jid)
{
    struct uk_ptl_args_get_jid args = { ni_handle, jid };
    return initialized_call(UK_PTL_OP_GET_JID, &args);
}

int PtlACEntry(ptl_handle_ni_t ni_handle, ptl_ac_index_t ac_index, ptl_process_id_t match_id,
               ptl_uid_t user_id, ptl_jid_t job_id, ptl_pt_index_t pt_index)
{
    struct uk_ptl_args_ac_entry args = { ni_handle, ac_index, match_id, user_id, job_id, pt_index };
    return initialized_call(UK_PTL_OP_AC_ENTRY, &args);
}

/* ---- Match entries and memory descriptors (spec 3.9, 3.10) ------------------ */

/* The call that makes a record: the storage goes back if the call failed. */
static int record_call(int op, void *args, void *record)
{
    int rc = ptl_call(op, args);
    if (rc != PTL_OK)
        record_free(record);
    return rc;
}

#define NEW_RECORD(record)                       \
    do {                                         \
        if (init_count == 0)                     \
            return PTL_NO_INIT;                  \
        (record) = record_alloc(sizeof *(record)); \
        if ((record) == NULL)                    \
            return PTL_NO_SPACE;                 \
    } while (0)

int PtlMEAttach(ptl_handle_ni_t ni_handle, ptl_pt_index_t pt_index, ptl_process_id_t match_id,
                ptl_match_bits_t match_bits, ptl_match_bits_t ignore_bits, ptl_unlink_t unlink_op,
                ptl_ins_pos_t position, ptl_handle_me_t *me_handle)
{
    struct uk_ptl_me_rec *record;
    NEW_RECORD(record);
    struct uk_ptl_args_me_attach args = {
        ni_handle, pt_index, match_id, match_bits, ignore_bits, unlink_op, position, me_handle, record
    };
    return record_call(UK_PTL_OP_ME_ATTACH, &args, record);
}

int PtlMEAttachAny(ptl_handle_ni_t ni_handle, ptl_pt_index_t *pt_index, ptl_process_id_t match_id,
                   ptl_match_bits_t match_bits, ptl_match_bits_t ignore_bits, ptl_unlink_t unlink_op,
                   ptl_handle_me_t *me_handle)
{
    struct uk_ptl_me_rec *record;
    NEW_RECORD(record);
    struct uk_ptl_args_me_attach_any args = {
        ni_handle, pt_index, match_id, match_bits, ignore_bits, unlink_op, me_handle, record
    };
    return record_call(UK_PTL_OP_ME_ATTACH_ANY, &args, record);
}

int PtlMEInsert(ptl_handle_me_t base, ptl_process_id_t match_id, ptl_match_bits_t match_bits,
                ptl_match_bits_t ignore_bits, ptl_unlink_t unlink_op, ptl_ins_pos_t position,
                ptl_handle_me_t *me_handle)
{
    struct uk_ptl_me_rec *record;
    NEW_RECORD(record);
    struct uk_ptl_args_me_insert args = {
        base, match_id, match_bits, ignore_bits, unlink_op, position, me_handle, record
    };
    return record_call(UK_PTL_OP_ME_INSERT, &args, record);
}

int PtlMEUnlink(ptl_handle_me_t me_handle)
{
    struct uk_ptl_args_me_unlink args = { me_handle };
    return initialized_call(UK_PTL_OP_ME_UNLINK, &args);
}

int PtlMDAttach(ptl_handle_me_t me_handle, ptl_md_t md, ptl_unlink_t unlink_op,
                ptl_handle_md_t *md_handle)
{
    struct uk_ptl_md_rec *record;
    NEW_RECORD(record);
    struct uk_ptl_args_md_attach args = { me_handle, md, unlink_op, md_handle, record };
    return record_call(UK_PTL_OP_MD_ATTACH, &args, record);
}

int PtlMDBind(ptl_handle_ni_t ni_handle, ptl_md_t md, ptl_unlink_t unlink_op,
              ptl_handle_md_t *md_handle)
{
    struct uk_ptl_md_rec *record;
    NEW_RECORD(record);
    struct uk_ptl_args_md_bind args = { ni_handle, md, unlink_op, md_handle, record };
    return record_call(UK_PTL_OP_MD_BIND, &args, record);
}

int PtlMDUnlink(ptl_handle_md_t md_handle)
{
    struct uk_ptl_args_md_unlink args = { md_handle };
    return initialized_call(UK_PTL_OP_MD_UNLINK, &args);
}

/* Not in the engine (docs/ARCHITECTURE.md, "Portals"). */
int PtlMDUpdate(ptl_handle_md_t md_handle, ptl_md_t *old_md, ptl_md_t *new_md, ptl_handle_eq_t eq_handle)
{
    (void)md_handle; (void)old_md; (void)new_md; (void)eq_handle;
    return init_count == 0 ? PTL_NO_INIT : PTL_FAIL;
}

/* ---- Event queues (spec 3.11) ---------------------------------------------- */

int PtlEQAlloc(ptl_handle_ni_t ni_handle, ptl_size_t count, ptl_eq_handler_t eq_handler,
               ptl_handle_eq_t *eq_handle)
{
    if (init_count == 0)
        return PTL_NO_INIT;
    if (count > (SIZE_MAX - sizeof(struct uk_ptl_eq_rec)) / sizeof(ptl_event_t))
        return PTL_NO_SPACE;
    struct uk_ptl_eq_rec *record = record_alloc(sizeof *record + (size_t)count * sizeof(ptl_event_t));
    if (record == NULL)
        return PTL_NO_SPACE;
    struct uk_ptl_args_eq_alloc args = { ni_handle, count, eq_handler, eq_handle, record };
    int rc = record_call(UK_PTL_OP_EQ_ALLOC, &args, record);
    if (rc == PTL_OK && !queue_add(record)) {
        PtlEQFree((ptl_handle_eq_t)(uintptr_t)record);
        return PTL_NO_SPACE;
    }
    return rc;
}

int PtlEQFree(ptl_handle_eq_t eq_handle)
{
    struct uk_ptl_args_eq_free args = { eq_handle };
    int rc = initialized_call(UK_PTL_OP_EQ_FREE, &args);
    int index = queue_index(eq_handle);
    if (rc == PTL_OK && index >= 0) {
        queues[index] = queues[--queue_count];
        record_free((void *)(uintptr_t)eq_handle);
    }
    return rc;
}

/*
 * Takes the next event of a queue this library made straight from its ring,
 * as the engine's own EQ_GET would (portals.h, struct uk_ptl_eq_rec);
 * returns -1 when the ring is not one to read here (unknown handle, a queue
 * of an earlier interface, a header out of range, an event not yet whole),
 * so that the kernel answers instead.
 */
static int eq_get_local(ptl_handle_eq_t eq_handle, ptl_event_t *event)
{
    int index = queue_index(eq_handle);
    struct uk_ptl_ni *ni = __uk_ptl_live_ni();
    if (index < 0 || ni == NULL || event == NULL)
        return -1;
    struct uk_ptl_eq_rec *eq = queues[index];
    uint32_t count = eq->count;
    if (eq->magic != UK_PTL_MAGIC_EQ || eq->ni != ni || eq->ni_epoch != ni->epoch || count == 0
        || eq->read_slot >= count || eq->write_slot >= count)
        return -1;
    ptl_seq_t write_seq = eq->write_seq;
    ptl_seq_t read_seq = eq->read_seq;
    uint32_t slot = eq->read_slot;
    if (write_seq == read_seq)
        return PTL_EQ_EMPTY;
    int rc = PTL_OK;
    if (write_seq - read_seq > count) {
        rc = PTL_EQ_DROPPED;
        read_seq = write_seq - count;
        slot = eq->write_slot;
    }
    if (eq->events[slot].sequence != read_seq)
        return -1;
    memcpy(event, &eq->events[slot], sizeof *event);
    eq->read_seq = read_seq + 1;
    eq->read_slot = (slot + 1) % count;
    return rc;
}

int PtlEQGet(ptl_handle_eq_t eq_handle, ptl_event_t *event)
{
    if (init_count == 0)
        return PTL_NO_INIT;
    int rc = eq_get_local(eq_handle, event);
    if (rc < 0) {
        struct uk_ptl_args_eq_get args = { eq_handle, event };
        rc = ptl_call(UK_PTL_OP_EQ_GET, &args);
    }
    if (rc == PTL_OK || rc == PTL_EQ_DROPPED) {
        /* A live queue of this process: the engine checked it. */
        ptl_eq_handler_t handler = ((struct uk_ptl_eq_rec *)(uintptr_t)eq_handle)->handler;
        if (handler != PTL_EQ_HANDLER_NONE)
            handler(event);
    }
    return rc;
}

/* Blocks in the kernel until the queue holds an event. */
/* Blocks in the kernel until an event reaches the queue or timeout ms have
 * passed (PTL_TIME_FOREVER: no limit); the caller looks at its queue again. */
static int eq_block(ptl_handle_eq_t eq_handle, ptl_time_t timeout)
{
    struct uk_ptl_args_eq_wait args = { eq_handle, timeout };
    return ptl_call(UK_PTL_OP_EQ_WAIT, &args);
}

int PtlEQWait(ptl_handle_eq_t eq_handle, ptl_event_t *event)
{
    for (;;) {
        int rc = PtlEQGet(eq_handle, event);
        if (rc != PTL_EQ_EMPTY)
            return rc;
        rc = eq_block(eq_handle, PTL_TIME_FOREVER);
        if (rc != PTL_OK)
            return rc;
    }
}

static uint64_t monotonic_ms(void)
{
    int64_t ts[2] = { 0, 0 }; /* struct timespec64 */
    uk_syscall(UK_SYS_clock_gettime64, LINUX_CLOCK_MONOTONIC, (long)ts, 0, 0, 0, 0);
    return (uint64_t)ts[0] * 1000u + (uint64_t)ts[1] / 1000000u;
}

/*
 * The first event of the first queue that has one, in array order.  A
 * timeout of 0 looks once; one queue blocks in the kernel (as PtlEQWait)
 * until the timeout (milliseconds of the monotonic clock) has passed, so
 * that a waiting process leaves its node to the others; several queues are
 * polled.
 */
int PtlEQPoll(ptl_handle_eq_t *eq_handles, int size, ptl_time_t timeout, ptl_event_t *event,
              int *which_eq)
{
    if (init_count == 0)
        return PTL_NO_INIT;
    if (eq_handles == NULL || event == NULL || which_eq == NULL)
        return PTL_SEGV;
    if (size <= 0)
        return PTL_EQ_INVALID;
    uint64_t deadline = 0;
    if (timeout != 0 && timeout != PTL_TIME_FOREVER)
        deadline = monotonic_ms() + timeout;
    for (;;) {
        for (int i = 0; i < size; i++) {
            int rc = PtlEQGet(eq_handles[i], event);
            if (rc != PTL_EQ_EMPTY) {
                if (rc == PTL_OK || rc == PTL_EQ_DROPPED)
                    *which_eq = i;
                return rc;
            }
        }
        if (timeout == 0)
            return PTL_EQ_EMPTY;
        ptl_time_t left = PTL_TIME_FOREVER;
        if (timeout != PTL_TIME_FOREVER) {
            uint64_t now = monotonic_ms();
            if (now >= deadline)
                return PTL_EQ_EMPTY;
            left = (ptl_time_t)(deadline - now);
        }
        if (size == 1) {
            int rc = eq_block(eq_handles[0], left);
            if (rc != PTL_OK)
                return rc;
        }
    }
}

/* ---- Data movement (spec 3.13) --------------------------------------------- */

int PtlPut(ptl_handle_md_t md_handle, ptl_ack_req_t ack_req, ptl_process_id_t target_id,
           ptl_pt_index_t pt_index, ptl_ac_index_t ac_index, ptl_match_bits_t match_bits,
           ptl_size_t remote_offset, ptl_hdr_data_t hdr_data)
{
    struct uk_ptl_args_put args = {
        md_handle, ack_req, target_id, pt_index, ac_index, match_bits, remote_offset, hdr_data
    };
    return initialized_call(UK_PTL_OP_PUT, &args);
}

int PtlPutRegion(ptl_handle_md_t md_handle, ptl_size_t local_offset, ptl_size_t length,
                 ptl_ack_req_t ack_req, ptl_process_id_t target_id, ptl_pt_index_t pt_index,
                 ptl_ac_index_t ac_index, ptl_match_bits_t match_bits, ptl_size_t remote_offset,
                 ptl_hdr_data_t hdr_data)
{
    struct uk_ptl_args_put_region args = {
        md_handle, local_offset, length, ack_req, target_id, pt_index, ac_index, match_bits,
        remote_offset, hdr_data
    };
    return initialized_call(UK_PTL_OP_PUT_REGION, &args);
}

int PtlGet(ptl_handle_md_t md_handle, ptl_process_id_t target_id, ptl_pt_index_t pt_index,
           ptl_ac_index_t ac_index, ptl_match_bits_t match_bits, ptl_size_t remote_offset)
{
    struct uk_ptl_args_get args = { md_handle, target_id, pt_index, ac_index, match_bits, remote_offset };
    return initialized_call(UK_PTL_OP_GET, &args);
}

int PtlGetRegion(ptl_handle_md_t md_handle, ptl_size_t local_offset, ptl_size_t length,
                 ptl_process_id_t target_id, ptl_pt_index_t pt_index, ptl_ac_index_t ac_index,
                 ptl_match_bits_t match_bits, ptl_size_t remote_offset)
{
    struct uk_ptl_args_get_region args = {
        md_handle, local_offset, length, target_id, pt_index, ac_index, match_bits, remote_offset
    };
    return initialized_call(UK_PTL_OP_GET_REGION, &args);
}

/* Not supported (max_getput_md is 0). */
int PtlGetPut(ptl_handle_md_t get_md_handle, ptl_handle_md_t put_md_handle, ptl_process_id_t target_id,
              ptl_pt_index_t pt_index, ptl_ac_index_t ac_index, ptl_match_bits_t match_bits,
              ptl_size_t remote_offset, ptl_hdr_data_t hdr_data)
{
    (void)get_md_handle; (void)put_md_handle; (void)target_id; (void)pt_index;
    (void)ac_index; (void)match_bits; (void)remote_offset; (void)hdr_data;
    return init_count == 0 ? PTL_NO_INIT : PTL_FAIL;
}

/* ---- Utilities (spec 3.16, 3.17) ------------------------------------------- */

int PtlHandleIsEqual(ptl_handle_any_t handle1, ptl_handle_any_t handle2)
{
    return handle1 == handle2 ? PTL_OK : PTL_FAIL;
}

static const char *const error_names[PTL_MAX_ERRNO] = {
    "PTL_OK", "PTL_AC_INDEX_INVALID", "PTL_EQ_DROPPED", "PTL_EQ_EMPTY", "PTL_EQ_INVALID", "PTL_FAIL",
    "PTL_HANDLE_INVALID", "PTL_IFACE_INVALID", "PTL_MD_ILLEGAL", "PTL_MD_INVALID", "PTL_MD_IN_USE",
    "PTL_MD_NO_UPDATE", "PTL_ME_INVALID", "PTL_ME_IN_USE", "PTL_ME_LIST_TOO_LONG", "PTL_NI_INVALID",
    "PTL_NO_INIT", "PTL_NO_SPACE", "PTL_PID_INVALID", "PTL_PROCESS_INVALID", "PTL_PT_FULL",
    "PTL_PT_INDEX_INVALID", "PTL_SEGV", "PTL_SR_INDEX_INVALID", "PTL_UNKNOWN_ERROR",
};

const char *PtlErrorStr(int return_code)
{
    if (return_code < 0 || return_code >= PTL_MAX_ERRNO)
        return "PTL_UNKNOWN_ERROR";
    return error_names[return_code];
}

static const char *const event_names[] = {
    "PTL_EVENT_GET_START", "PTL_EVENT_GET_END", "PTL_EVENT_PUT_START", "PTL_EVENT_PUT_END",
    "PTL_EVENT_GETPUT_START", "PTL_EVENT_GETPUT_END", "PTL_EVENT_REPLY_START", "PTL_EVENT_REPLY_END",
    "PTL_EVENT_SEND_START", "PTL_EVENT_SEND_END", "PTL_EVENT_ACK", "PTL_EVENT_UNLINK",
};

const char *PtlEventKindStr(ptl_event_kind_t event_kind)
{
    if ((unsigned)event_kind >= sizeof event_names / sizeof event_names[0])
        return "PTL_EVENT_UNKNOWN";
    return event_names[event_kind];
}
