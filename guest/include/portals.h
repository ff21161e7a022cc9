/*
 * portals.h - the Portals 3.3 message passing interface for uniform guests.
 *
 * Names and semantics follow "The Portals 3.3 Message Passing Interface"
 * (Riesen, Brightwell, Pedretti, Maccabe, Hudson; SAND2006-0420).  The
 * specification leaves numeric values to the implementation; the values
 * here are uniform's and are shared with the kernel-side engine
 * (Java, io.uniform.portals.Ptl), which a build-time test compares with
 * this file name by name.
 *
 * As in Puma, the Portals structures of a process live in its own memory:
 * the network interface block (portal table, access control table, limits,
 * status registers), the match entries, the memory descriptors and the
 * event queue rings are records the library allocates here, and the
 * kernel's engine reads and writes them in place, validating every address.
 * A handle is the address of its record.  Every record starts with a magic
 * word naming its kind, so the kernel refuses a handle that does not point
 * at a live record of the right kind; an unlinked or freed record gets
 * UK_PTL_MAGIC_FREED.  The records are described at the end of this file
 * (struct uk_ptl_*); their offsets are checked by _Static_assert here and
 * compared with the engine's table by a Java test
 * (portals/src/test/.../HeaderParityTest).  docs/ARCHITECTURE.md, section
 * "Portals", describes the design and the deviations from the specification.
 */
#ifndef PORTALS_H
#define PORTALS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Base types (spec 3.2) --------------------------------------------- */

typedef uint64_t ptl_size_t;            /* 3.2.1: unsigned 64-bit sizes */

typedef uint32_t ptl_handle_any_t;      /* 3.2.2: a record's address */
typedef ptl_handle_any_t ptl_handle_ni_t;
typedef ptl_handle_any_t ptl_handle_eq_t;
typedef ptl_handle_any_t ptl_handle_md_t;
typedef ptl_handle_any_t ptl_handle_me_t;

typedef uint32_t ptl_pt_index_t;        /* 3.2.3 */
typedef uint32_t ptl_ac_index_t;
typedef uint64_t ptl_match_bits_t;      /* 3.2.4: 64 match bits */
typedef uint32_t ptl_interface_t;       /* 3.2.5 */
typedef uint32_t ptl_nid_t;             /* 3.2.6 */
typedef uint32_t ptl_pid_t;
typedef uint32_t ptl_uid_t;
typedef uint32_t ptl_jid_t;
typedef uint32_t ptl_sr_index_t;        /* 3.2.7 */
typedef uint64_t ptl_sr_value_t;
typedef uint32_t ptl_seq_t;
typedef uint64_t ptl_hdr_data_t;
typedef uint32_t ptl_ni_fail_t;
typedef uint32_t ptl_time_t;

/* No record lives at address 0, and 0xffffffff is not 8-byte aligned. */
#define PTL_INVALID_HANDLE ((ptl_handle_any_t)0xffffffffu)
#define PTL_EQ_NONE ((ptl_handle_eq_t)0)

#define PTL_IFACE_DEFAULT 0

#define PTL_NID_ANY ((ptl_nid_t)0xffffffffu)
#define PTL_PID_ANY ((ptl_pid_t)0xffffffffu)
#define PTL_UID_ANY ((ptl_uid_t)0xffffffffu)
#define PTL_JID_ANY ((ptl_jid_t)0xffffffffu)
#define PTL_PT_INDEX_ANY ((ptl_pt_index_t)0xffffffffu)

/* Status registers (3.2.7).  Only PTL_SR_DROP_COUNT is the specification's;
 * the others are implementation registers (the first five as in the Sandia
 * reference implementation). */
#define PTL_SR_DROP_COUNT 0        /* requests dropped */
#define PTL_SR_DROP_LENGTH 1       /* bytes of the requests dropped */
#define PTL_SR_RECV_COUNT 2        /* operations received (put, get, reply, ack) */
#define PTL_SR_RECV_LENGTH 3       /* bytes deposited or read by them */
#define PTL_SR_SEND_COUNT 4        /* puts and gets issued, replies sent */
#define PTL_SR_SEND_LENGTH 5       /* bytes of the puts and replies */
#define UK_PTL_SR_CORRUPT_COUNT 6  /* drops caused by this process's own broken structures */
#define UK_PTL_SR_COUNT 8          /* registers in the NI block (7 is reserved) */

/* ---- Return codes (spec 3.17) ------------------------------------------ */

#define PTL_OK 0
#define PTL_AC_INDEX_INVALID 1
#define PTL_EQ_DROPPED 2
#define PTL_EQ_EMPTY 3
#define PTL_EQ_INVALID 4
#define PTL_FAIL 5
#define PTL_HANDLE_INVALID 6
#define PTL_IFACE_INVALID 7
#define PTL_MD_ILLEGAL 8
#define PTL_MD_INVALID 9
#define PTL_MD_IN_USE 10
#define PTL_MD_NO_UPDATE 11
#define PTL_ME_INVALID 12
#define PTL_ME_IN_USE 13
#define PTL_ME_LIST_TOO_LONG 14
#define PTL_NI_INVALID 15
#define PTL_NO_INIT 16
#define PTL_NO_SPACE 17
#define PTL_PID_INVALID 18
#define PTL_PROCESS_INVALID 19
#define PTL_PT_FULL 20
#define PTL_PT_INDEX_INVALID 21
#define PTL_SEGV 22
#define PTL_SR_INDEX_INVALID 23
#define PTL_UNKNOWN_ERROR 24
#define PTL_MAX_ERRNO 25

/* ---- Interface limits and process ids (spec 3.5.1, 3.7.1) ------------- */

typedef struct {
    int max_mes;        /* match entries */
    int max_mds;        /* memory descriptors */
    int max_eqs;        /* event queues */
    int max_ac_index;   /* largest access control index */
    int max_pt_index;   /* largest portal table index */
    int max_md_iovecs;  /* 0: PTL_MD_IOVEC is not supported */
    int max_me_list;    /* entries in one match list */
    int max_getput_md;  /* 0: PtlGetPut is not supported */
} ptl_ni_limits_t;

typedef struct {
    ptl_nid_t nid;
    ptl_pid_t pid;
} ptl_process_id_t;

/* ---- Match entries (spec 3.9) ------------------------------------------ */

typedef enum {
    PTL_RETAIN = 0,
    PTL_UNLINK = 1
} ptl_unlink_t;

typedef enum {
    PTL_INS_BEFORE = 0,
    PTL_INS_AFTER = 1
} ptl_ins_pos_t;

/* ---- Memory descriptors (spec 3.10) ------------------------------------ */

typedef struct {
    void *start;
    ptl_size_t length;
    int threshold;
    ptl_size_t max_size;
    unsigned int options;
    void *user_ptr;
    ptl_handle_eq_t eq_handle;
} ptl_md_t;

#define PTL_MD_THRESH_INF (-1)

#define PTL_MD_OP_PUT 0x0001
#define PTL_MD_OP_GET 0x0002
#define PTL_MD_MANAGE_REMOTE 0x0004
#define PTL_MD_TRUNCATE 0x0008
#define PTL_MD_ACK_DISABLE 0x0010
#define PTL_MD_IOVEC 0x0020          /* refused: PTL_MD_ILLEGAL */
#define PTL_MD_MAX_SIZE 0x0040
#define PTL_MD_EVENT_START_DISABLE 0x0080
#define PTL_MD_EVENT_END_DISABLE 0x0100

typedef struct {
    void *iov_base;
    ptl_size_t iov_len;
} ptl_md_iovec_t;

/* ---- Events (spec 3.11) ------------------------------------------------ */

typedef enum {
    PTL_EVENT_GET_START = 0,
    PTL_EVENT_GET_END = 1,
    PTL_EVENT_PUT_START = 2,
    PTL_EVENT_PUT_END = 3,
    PTL_EVENT_GETPUT_START = 4,
    PTL_EVENT_GETPUT_END = 5,
    PTL_EVENT_REPLY_START = 6,
    PTL_EVENT_REPLY_END = 7,
    PTL_EVENT_SEND_START = 8,
    PTL_EVENT_SEND_END = 9,
    PTL_EVENT_ACK = 10,
    PTL_EVENT_UNLINK = 11
} ptl_event_kind_t;

#define PTL_NI_OK 0

typedef struct {
    ptl_event_kind_t type;
    ptl_process_id_t initiator;  /* the other side of the operation */
    ptl_uid_t uid;
    ptl_jid_t jid;
    ptl_pt_index_t pt_index;
    ptl_match_bits_t match_bits;
    ptl_size_t rlength;          /* length requested */
    ptl_size_t mlength;          /* length moved */
    ptl_size_t offset;           /* where in the MD's region */
    ptl_handle_md_t md_handle;
    ptl_md_t md;                 /* the MD as it is after the operation */
    ptl_hdr_data_t hdr_data;
    ptl_seq_t link;              /* sequence of the operation's START event */
    ptl_ni_fail_t ni_fail_type;
    volatile ptl_seq_t sequence; /* written last by the kernel */
} ptl_event_t;

typedef void (*ptl_eq_handler_t)(ptl_event_t *event);
#define PTL_EQ_HANDLER_NONE ((ptl_eq_handler_t)0)

#define PTL_TIME_FOREVER ((ptl_time_t)-1)

/* ---- Data movement (spec 3.13) ----------------------------------------- */

typedef enum {
    PTL_ACK_REQ = 0,
    PTL_NO_ACK_REQ = 1
} ptl_ack_req_t;

/* ---- Functions (spec 3.4 - 3.15) --------------------------------------- */

int PtlInit(int *max_interfaces);
void PtlFini(void);

int PtlNIInit(ptl_interface_t iface, ptl_pid_t pid, ptl_ni_limits_t *desired,
              ptl_ni_limits_t *actual, ptl_handle_ni_t *ni_handle);
int PtlNIFini(ptl_handle_ni_t ni_handle);
int PtlNIStatus(ptl_handle_ni_t ni_handle, ptl_sr_index_t register_index,
                ptl_sr_value_t *status);
int PtlNIDist(ptl_handle_ni_t ni_handle, ptl_process_id_t process,
              unsigned long *distance);
int PtlNIHandle(ptl_handle_any_t handle, ptl_handle_ni_t *ni_handle);

int PtlGetUid(ptl_handle_ni_t ni_handle, ptl_uid_t *uid);
int PtlGetId(ptl_handle_ni_t ni_handle, ptl_process_id_t *id);
int PtlGetJid(ptl_handle_ni_t ni_handle, ptl_jid_t *jid);

int PtlMEAttach(ptl_handle_ni_t ni_handle, ptl_pt_index_t pt_index,
                ptl_process_id_t match_id, ptl_match_bits_t match_bits,
                ptl_match_bits_t ignore_bits, ptl_unlink_t unlink_op,
                ptl_ins_pos_t position, ptl_handle_me_t *me_handle);
int PtlMEAttachAny(ptl_handle_ni_t ni_handle, ptl_pt_index_t *pt_index,
                   ptl_process_id_t match_id, ptl_match_bits_t match_bits,
                   ptl_match_bits_t ignore_bits, ptl_unlink_t unlink_op,
                   ptl_handle_me_t *me_handle);
int PtlMEInsert(ptl_handle_me_t base, ptl_process_id_t match_id,
                ptl_match_bits_t match_bits, ptl_match_bits_t ignore_bits,
                ptl_unlink_t unlink_op, ptl_ins_pos_t position,
                ptl_handle_me_t *me_handle);
int PtlMEUnlink(ptl_handle_me_t me_handle);

int PtlMDAttach(ptl_handle_me_t me_handle, ptl_md_t md, ptl_unlink_t unlink_op,
                ptl_handle_md_t *md_handle);
int PtlMDBind(ptl_handle_ni_t ni_handle, ptl_md_t md, ptl_unlink_t unlink_op,
              ptl_handle_md_t *md_handle);
int PtlMDUnlink(ptl_handle_md_t md_handle);
int PtlMDUpdate(ptl_handle_md_t md_handle, ptl_md_t *old_md, ptl_md_t *new_md,
                ptl_handle_eq_t eq_handle);

int PtlEQAlloc(ptl_handle_ni_t ni_handle, ptl_size_t count,
               ptl_eq_handler_t eq_handler, ptl_handle_eq_t *eq_handle);
int PtlEQFree(ptl_handle_eq_t eq_handle);
int PtlEQGet(ptl_handle_eq_t eq_handle, ptl_event_t *event);
int PtlEQWait(ptl_handle_eq_t eq_handle, ptl_event_t *event);
int PtlEQPoll(ptl_handle_eq_t *eq_handles, int size, ptl_time_t timeout,
              ptl_event_t *event, int *which_eq);

int PtlACEntry(ptl_handle_ni_t ni_handle, ptl_ac_index_t ac_index,
               ptl_process_id_t match_id, ptl_uid_t user_id, ptl_jid_t job_id,
               ptl_pt_index_t pt_index);

int PtlPut(ptl_handle_md_t md_handle, ptl_ack_req_t ack_req,
           ptl_process_id_t target_id, ptl_pt_index_t pt_index,
           ptl_ac_index_t ac_index, ptl_match_bits_t match_bits,
           ptl_size_t remote_offset, ptl_hdr_data_t hdr_data);
int PtlPutRegion(ptl_handle_md_t md_handle, ptl_size_t local_offset,
                 ptl_size_t length, ptl_ack_req_t ack_req,
                 ptl_process_id_t target_id, ptl_pt_index_t pt_index,
                 ptl_ac_index_t ac_index, ptl_match_bits_t match_bits,
                 ptl_size_t remote_offset, ptl_hdr_data_t hdr_data);
int PtlGet(ptl_handle_md_t md_handle, ptl_process_id_t target_id,
           ptl_pt_index_t pt_index, ptl_ac_index_t ac_index,
           ptl_match_bits_t match_bits, ptl_size_t remote_offset);
int PtlGetRegion(ptl_handle_md_t md_handle, ptl_size_t local_offset,
                 ptl_size_t length, ptl_process_id_t target_id,
                 ptl_pt_index_t pt_index, ptl_ac_index_t ac_index,
                 ptl_match_bits_t match_bits, ptl_size_t remote_offset);
int PtlGetPut(ptl_handle_md_t get_md_handle, ptl_handle_md_t put_md_handle,
              ptl_process_id_t target_id, ptl_pt_index_t pt_index,
              ptl_ac_index_t ac_index, ptl_match_bits_t match_bits,
              ptl_size_t remote_offset, ptl_hdr_data_t hdr_data);

int PtlHandleIsEqual(ptl_handle_any_t handle1, ptl_handle_any_t handle2);
const char *PtlErrorStr(int return_code);
const char *PtlEventKindStr(ptl_event_kind_t event_kind); /* as the reference implementation */

/* uniform's: the process id of a rank of this process's job (PTL_OK, or
 * PTL_PROCESS_INVALID for no such rank, PTL_NO_INIT without Portals).  The
 * rank and the job's size are uk_rank() and uk_size() of <uniform.h>. */
int uk_ptl_rank_id(int rank, ptl_process_id_t *id);

/* ---- The records in user memory (uniform's, not the specification's) ---
 *
 * All little-endian, natural alignment (8 for 64-bit fields), every record
 * 8-byte aligned.  The library allocates a record and passes its address to
 * the kernel, which fills it in and links it; the engine writes only the
 * fields marked "engine" after that, and the library may read all of them.
 */

#define UK_PTL_MAGIC_NI 0x494E5450u     /* "PTNI" */
#define UK_PTL_MAGIC_ME 0x454D5450u     /* "PTME" */
#define UK_PTL_MAGIC_MD 0x444D5450u     /* "PTMD" */
#define UK_PTL_MAGIC_EQ 0x51455450u     /* "PTEQ" */
#define UK_PTL_MAGIC_FREED 0x2D2D5450u  /* "PT--": unlinked or freed */

#define UK_PTL_NI_VERSION 1
#define UK_PTL_PT_ENTRIES 64            /* portal indices 0..63 */
#define UK_PTL_AC_ENTRIES 32            /* access control indices 0..31 */

struct uk_ptl_me_rec;

/* One portal table entry: the match list, in matching order. */
struct uk_ptl_pt_entry {
    struct uk_ptl_me_rec *head;
    struct uk_ptl_me_rec *tail;
};

/* One access control entry (PtlACEntry).  Entry 0 starts as
 * { ANY, ANY, PTL_UID_ANY, the process's own job, PTL_PT_INDEX_ANY, 1 }:
 * a process receives from its own job only until it grants more. */
struct uk_ptl_ac_entry {
    ptl_process_id_t match_id;
    ptl_uid_t uid;
    ptl_jid_t jid;
    ptl_pt_index_t pt_index;
    uint32_t enabled;               /* 0: the entry admits nothing */
};

/* The network interface block; its address is the NI handle and the one
 * thing the kernel keeps per process. */
struct uk_ptl_ni {
    uint32_t magic;                 /* UK_PTL_MAGIC_NI */
    uint32_t version;               /* UK_PTL_NI_VERSION */
    ptl_process_id_t id;            /* PtlGetId */
    ptl_uid_t uid;                  /* PtlGetUid */
    ptl_jid_t jid;                  /* PtlGetJid */
    ptl_ni_limits_t limits;         /* the actual limits */
    uint32_t me_count;              /* engine: live match entries */
    uint32_t md_count;              /* engine: live memory descriptors */
    uint32_t eq_count;              /* engine: live event queues */
    uint32_t epoch;                 /* engine: one more at each PtlNIInit of this block */
    ptl_sr_value_t status[UK_PTL_SR_COUNT];       /* engine: PtlNIStatus */
    struct uk_ptl_pt_entry pt[UK_PTL_PT_ENTRIES];   /* the portal table */
    struct uk_ptl_ac_entry ac[UK_PTL_AC_ENTRIES];   /* access control table */
};

struct uk_ptl_md_rec;

/* A match entry (handle: ptl_handle_me_t). */
struct uk_ptl_me_rec {
    uint32_t magic;                 /* UK_PTL_MAGIC_ME */
    struct uk_ptl_ni *ni;
    ptl_pt_index_t pt_index;
    uint32_t unlink_op;             /* ptl_unlink_t */
    struct uk_ptl_me_rec *next;     /* engine */
    struct uk_ptl_me_rec *prev;     /* engine */
    struct uk_ptl_md_rec *md;       /* engine: 0 when none is attached */
    uint32_t ni_epoch;              /* the NI's epoch when the record was made */
    ptl_process_id_t match_id;
    ptl_match_bits_t match_bits;
    ptl_match_bits_t ignore_bits;
};

/* A memory descriptor (handle: ptl_handle_md_t). */
struct uk_ptl_md_rec {
    uint32_t magic;                 /* UK_PTL_MAGIC_MD */
    struct uk_ptl_ni *ni;
    struct uk_ptl_me_rec *me;       /* 0 for PtlMDBind */
    uint32_t unlink_op;             /* ptl_unlink_t */
    ptl_size_t local_offset;        /* engine: the locally managed offset */
    uint32_t ni_epoch;              /* the NI's epoch when the record was made */
    uint32_t reserved;
    ptl_md_t md;                    /* engine updates md.threshold */
};

/* An event queue (handle: ptl_handle_eq_t): a ring of count events that
 * follows this header.  The engine writes the event at write_slot with
 * sequence = write_seq (written last), then advances both; it overwrites
 * the oldest event when the ring is full.  The reader keeps read_seq and
 * read_slot: nothing to read when read_seq == write_seq; when
 * write_seq - read_seq > count, the events in between were overwritten, and
 * PtlEQGet returns the oldest one left (at write_slot, sequence
 * write_seq - count) with PTL_EQ_DROPPED. */
struct uk_ptl_eq_rec {
    uint32_t magic;                 /* UK_PTL_MAGIC_EQ */
    struct uk_ptl_ni *ni;
    uint32_t count;                 /* events in the ring */
    ptl_eq_handler_t handler;       /* called by the library, never the kernel */
    ptl_seq_t write_seq;            /* engine: sequence of the next event */
    uint32_t write_slot;            /* engine: where it goes */
    ptl_seq_t read_seq;             /* reader: next sequence expected */
    uint32_t read_slot;             /* reader: where to find it */
    uint32_t dropped;               /* engine: events overwritten unread */
    uint32_t ni_epoch;              /* the NI's epoch when the record was made */
    ptl_event_t events[];
};

/* ---- Layout checks: the Java engine's table says the same -------------- */

_Static_assert(sizeof(ptl_process_id_t) == 8, "portals layout");
_Static_assert(offsetof(ptl_process_id_t, nid) == 0, "portals layout");
_Static_assert(offsetof(ptl_process_id_t, pid) == 4, "portals layout");

_Static_assert(sizeof(ptl_ni_limits_t) == 32, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_mes) == 0, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_mds) == 4, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_eqs) == 8, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_ac_index) == 12, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_pt_index) == 16, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_md_iovecs) == 20, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_me_list) == 24, "portals layout");
_Static_assert(offsetof(ptl_ni_limits_t, max_getput_md) == 28, "portals layout");

_Static_assert(sizeof(ptl_md_t) == 48, "portals layout");
_Static_assert(offsetof(ptl_md_t, start) == 0, "portals layout");
_Static_assert(offsetof(ptl_md_t, length) == 8, "portals layout");
_Static_assert(offsetof(ptl_md_t, threshold) == 16, "portals layout");
_Static_assert(offsetof(ptl_md_t, max_size) == 24, "portals layout");
_Static_assert(offsetof(ptl_md_t, options) == 32, "portals layout");
_Static_assert(offsetof(ptl_md_t, user_ptr) == 36, "portals layout");
_Static_assert(offsetof(ptl_md_t, eq_handle) == 40, "portals layout");

_Static_assert(sizeof(ptl_event_t) == 136, "portals layout");
_Static_assert(offsetof(ptl_event_t, type) == 0, "portals layout");
_Static_assert(offsetof(ptl_event_t, initiator) == 4, "portals layout");
_Static_assert(offsetof(ptl_event_t, uid) == 12, "portals layout");
_Static_assert(offsetof(ptl_event_t, jid) == 16, "portals layout");
_Static_assert(offsetof(ptl_event_t, pt_index) == 20, "portals layout");
_Static_assert(offsetof(ptl_event_t, match_bits) == 24, "portals layout");
_Static_assert(offsetof(ptl_event_t, rlength) == 32, "portals layout");
_Static_assert(offsetof(ptl_event_t, mlength) == 40, "portals layout");
_Static_assert(offsetof(ptl_event_t, offset) == 48, "portals layout");
_Static_assert(offsetof(ptl_event_t, md_handle) == 56, "portals layout");
_Static_assert(offsetof(ptl_event_t, md) == 64, "portals layout");
_Static_assert(offsetof(ptl_event_t, hdr_data) == 112, "portals layout");
_Static_assert(offsetof(ptl_event_t, link) == 120, "portals layout");
_Static_assert(offsetof(ptl_event_t, ni_fail_type) == 124, "portals layout");
_Static_assert(offsetof(ptl_event_t, sequence) == 128, "portals layout");

_Static_assert(sizeof(struct uk_ptl_pt_entry) == 8, "portals layout");
_Static_assert(offsetof(struct uk_ptl_pt_entry, head) == 0, "portals layout");
_Static_assert(offsetof(struct uk_ptl_pt_entry, tail) == 4, "portals layout");

_Static_assert(sizeof(struct uk_ptl_ac_entry) == 24, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ac_entry, match_id) == 0, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ac_entry, uid) == 8, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ac_entry, jid) == 12, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ac_entry, pt_index) == 16, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ac_entry, enabled) == 20, "portals layout");

_Static_assert(sizeof(struct uk_ptl_ni) == 1416, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, magic) == 0, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, version) == 4, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, id) == 8, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, uid) == 16, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, jid) == 20, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, limits) == 24, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, me_count) == 56, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, md_count) == 60, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, eq_count) == 64, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, epoch) == 68, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, status) == 72, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, pt) == 136, "portals layout");
_Static_assert(offsetof(struct uk_ptl_ni, ac) == 648, "portals layout");

_Static_assert(sizeof(struct uk_ptl_me_rec) == 56, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, magic) == 0, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, ni) == 4, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, pt_index) == 8, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, unlink_op) == 12, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, next) == 16, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, prev) == 20, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, md) == 24, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, ni_epoch) == 28, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, match_id) == 32, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, match_bits) == 40, "portals layout");
_Static_assert(offsetof(struct uk_ptl_me_rec, ignore_bits) == 48, "portals layout");

_Static_assert(sizeof(struct uk_ptl_md_rec) == 80, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, magic) == 0, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, ni) == 4, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, me) == 8, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, unlink_op) == 12, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, local_offset) == 16, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, ni_epoch) == 24, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, reserved) == 28, "portals layout");
_Static_assert(offsetof(struct uk_ptl_md_rec, md) == 32, "portals layout");

_Static_assert(sizeof(struct uk_ptl_eq_rec) == 40, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, magic) == 0, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, ni) == 4, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, count) == 8, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, handler) == 12, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, write_seq) == 16, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, write_slot) == 20, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, read_seq) == 24, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, read_slot) == 28, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, dropped) == 32, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, ni_epoch) == 36, "portals layout");
_Static_assert(offsetof(struct uk_ptl_eq_rec, events) == 40, "portals layout");

#ifdef __cplusplus
}
#endif

#endif /* PORTALS_H */
