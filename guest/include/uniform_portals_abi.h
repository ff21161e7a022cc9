/*
 * uniform_portals_abi.h - the uniform call that carries Portals from the
 * unified library to the kernel.  Included by the library only (lib/portals.c);
 * programs use <portals.h> and <uniform.h>.
 *
 * Every Portals function the library cannot do alone is one call,
 *
 *     long uk_portals(int op, void *args);
 *
 * which goes through the call wedge like any system call: on Linux it is
 * call UK_SYS_portals (0x554b, outside Linux's numbers: a real Linux or qemu
 * answers -ENOSYS) with a0 = op and a1 = args; on Puma it is trap
 * PUMA_TRAP_PORTALS (12) with args[0] = op and args[1] = args.  args points
 * at an argument block in the caller's memory whose layout is the op's
 * struct below: the C API's by-value parameters in the order the C API has
 * them, and pointers for its outputs, which the kernel writes.  The calls
 * that make a record also pass the storage the library allocated for it
 * (record, 8-byte aligned, of the size portals.h gives the record).
 *
 * The result is the Portals return code (PTL_OK, PTL_SEGV, ...; a block the
 * kernel cannot read is PTL_SEGV, an unknown op PTL_FAIL), or -errno when the
 * kernel has no Portals at all (-ENOSYS).
 *
 * The kernel side is io.uniform.portals.PortalsCall (the op numbers and
 * these layouts) and PortalsCalls (the decoder); a Java test compares every
 * #define and _Static_assert below with PortalsCall, name by name.
 */
#ifndef UNIFORM_PORTALS_ABI_H
#define UNIFORM_PORTALS_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <portals.h>

/* ---- Op numbers --------------------------------------------------------- */

#define UK_PTL_OP_NI_INIT        1
#define UK_PTL_OP_NI_FINI        2
#define UK_PTL_OP_NI_STATUS      3
#define UK_PTL_OP_GET_ID         4
#define UK_PTL_OP_GET_UID        5
#define UK_PTL_OP_GET_JID        6
#define UK_PTL_OP_AC_ENTRY       7
#define UK_PTL_OP_ME_ATTACH      8
#define UK_PTL_OP_ME_ATTACH_ANY  9
#define UK_PTL_OP_ME_INSERT     10
#define UK_PTL_OP_ME_UNLINK     11
#define UK_PTL_OP_MD_ATTACH     12
#define UK_PTL_OP_MD_BIND       13
#define UK_PTL_OP_MD_UNLINK     14
#define UK_PTL_OP_EQ_ALLOC      15
#define UK_PTL_OP_EQ_FREE       16
#define UK_PTL_OP_EQ_WAIT       17 /* blocks until the queue holds an event, then PTL_OK */
#define UK_PTL_OP_EQ_GET        18
#define UK_PTL_OP_PUT           19
#define UK_PTL_OP_PUT_REGION    20
#define UK_PTL_OP_GET           21
#define UK_PTL_OP_GET_REGION    22
#define UK_PTL_OP_JOB_INFO      23 /* this process's rank and its job's size */
#define UK_PTL_OP_JOB_PROCESS   24 /* rank -> ptl_process_id_t of that rank */

/* ---- Argument blocks ---------------------------------------------------- */

struct uk_ptl_args_ni_init {       /* PtlNIInit */
    ptl_interface_t iface;
    ptl_pid_t pid;
    ptl_ni_limits_t *desired;      /* may be NULL */
    ptl_ni_limits_t *actual;       /* out, may be NULL */
    ptl_handle_ni_t *ni_handle;    /* out */
    struct uk_ptl_ni *block;       /* the interface block (used unless one is live) */
};

struct uk_ptl_args_ni_fini {       /* PtlNIFini */
    ptl_handle_ni_t ni_handle;
};

struct uk_ptl_args_ni_status {     /* PtlNIStatus */
    ptl_handle_ni_t ni_handle;
    ptl_sr_index_t register_index;
    ptl_sr_value_t *status;        /* out */
};

struct uk_ptl_args_get_id {        /* PtlGetId */
    ptl_handle_ni_t ni_handle;
    ptl_process_id_t *id;          /* out */
};

struct uk_ptl_args_get_uid {       /* PtlGetUid */
    ptl_handle_ni_t ni_handle;
    ptl_uid_t *uid;                /* out */
};

struct uk_ptl_args_get_jid {       /* PtlGetJid */
    ptl_handle_ni_t ni_handle;
    ptl_jid_t *jid;                /* out */
};

struct uk_ptl_args_ac_entry {      /* PtlACEntry */
    ptl_handle_ni_t ni_handle;
    ptl_ac_index_t ac_index;
    ptl_process_id_t match_id;
    ptl_uid_t user_id;
    ptl_jid_t job_id;
    ptl_pt_index_t pt_index;
};

struct uk_ptl_args_me_attach {     /* PtlMEAttach */
    ptl_handle_ni_t ni_handle;
    ptl_pt_index_t pt_index;
    ptl_process_id_t match_id;
    ptl_match_bits_t match_bits;
    ptl_match_bits_t ignore_bits;
    uint32_t unlink_op;            /* ptl_unlink_t */
    uint32_t position;             /* ptl_ins_pos_t */
    ptl_handle_me_t *me_handle;    /* out */
    struct uk_ptl_me_rec *record;
};

struct uk_ptl_args_me_attach_any { /* PtlMEAttachAny */
    ptl_handle_ni_t ni_handle;
    ptl_pt_index_t *pt_index;      /* out */
    ptl_process_id_t match_id;
    ptl_match_bits_t match_bits;
    ptl_match_bits_t ignore_bits;
    uint32_t unlink_op;            /* ptl_unlink_t */
    ptl_handle_me_t *me_handle;    /* out */
    struct uk_ptl_me_rec *record;
};

struct uk_ptl_args_me_insert {     /* PtlMEInsert */
    ptl_handle_me_t base;
    ptl_process_id_t match_id;
    ptl_match_bits_t match_bits;
    ptl_match_bits_t ignore_bits;
    uint32_t unlink_op;            /* ptl_unlink_t */
    uint32_t position;             /* ptl_ins_pos_t */
    ptl_handle_me_t *me_handle;    /* out */
    struct uk_ptl_me_rec *record;
};

struct uk_ptl_args_me_unlink {     /* PtlMEUnlink */
    ptl_handle_me_t me_handle;
};

struct uk_ptl_args_md_attach {     /* PtlMDAttach */
    ptl_handle_me_t me_handle;
    ptl_md_t md;
    uint32_t unlink_op;            /* ptl_unlink_t */
    ptl_handle_md_t *md_handle;    /* out */
    struct uk_ptl_md_rec *record;
};

struct uk_ptl_args_md_bind {       /* PtlMDBind */
    ptl_handle_ni_t ni_handle;
    ptl_md_t md;
    uint32_t unlink_op;            /* ptl_unlink_t */
    ptl_handle_md_t *md_handle;    /* out */
    struct uk_ptl_md_rec *record;
};

struct uk_ptl_args_md_unlink {     /* PtlMDUnlink */
    ptl_handle_md_t md_handle;
};

struct uk_ptl_args_eq_alloc {      /* PtlEQAlloc */
    ptl_handle_ni_t ni_handle;
    ptl_size_t count;
    ptl_eq_handler_t eq_handler;   /* kept for the library */
    ptl_handle_eq_t *eq_handle;    /* out */
    struct uk_ptl_eq_rec *record;  /* sizeof(struct uk_ptl_eq_rec) + count events */
};

struct uk_ptl_args_eq_free {       /* PtlEQFree */
    ptl_handle_eq_t eq_handle;
};

struct uk_ptl_args_eq_wait {       /* the blocking half of PtlEQWait and PtlEQPoll */
    ptl_handle_eq_t eq_handle;
    ptl_time_t timeout;            /* ms, or PTL_TIME_FOREVER: the kernel may answer PTL_OK sooner */
};

struct uk_ptl_args_eq_get {        /* PtlEQGet by the kernel */
    ptl_handle_eq_t eq_handle;
    ptl_event_t *event;            /* out */
};

struct uk_ptl_args_put {           /* PtlPut */
    ptl_handle_md_t md_handle;
    uint32_t ack_req;              /* ptl_ack_req_t */
    ptl_process_id_t target_id;
    ptl_pt_index_t pt_index;
    ptl_ac_index_t ac_index;
    ptl_match_bits_t match_bits;
    ptl_size_t remote_offset;
    ptl_hdr_data_t hdr_data;
};

struct uk_ptl_args_put_region {    /* PtlPutRegion */
    ptl_handle_md_t md_handle;
    ptl_size_t local_offset;
    ptl_size_t length;
    uint32_t ack_req;              /* ptl_ack_req_t */
    ptl_process_id_t target_id;
    ptl_pt_index_t pt_index;
    ptl_ac_index_t ac_index;
    ptl_match_bits_t match_bits;
    ptl_size_t remote_offset;
    ptl_hdr_data_t hdr_data;
};

struct uk_ptl_args_get {           /* PtlGet */
    ptl_handle_md_t md_handle;
    ptl_process_id_t target_id;
    ptl_pt_index_t pt_index;
    ptl_ac_index_t ac_index;
    ptl_match_bits_t match_bits;
    ptl_size_t remote_offset;
};

struct uk_ptl_args_get_region {    /* PtlGetRegion */
    ptl_handle_md_t md_handle;
    ptl_size_t local_offset;
    ptl_size_t length;
    ptl_process_id_t target_id;
    ptl_pt_index_t pt_index;
    ptl_ac_index_t ac_index;
    ptl_match_bits_t match_bits;
    ptl_size_t remote_offset;
};

struct uk_ptl_args_job_info {      /* for the collectives: who am I, how many are we */
    int32_t *rank;                 /* out: 0 .. size - 1 */
    int32_t *size;                 /* out: >= 1 */
};

struct uk_ptl_args_job_process {   /* for the collectives: the process of a rank */
    int32_t rank;                  /* PTL_PROCESS_INVALID unless 0 .. size - 1 */
    ptl_process_id_t *id;          /* out */
};

/* The call itself (lib/portals.c). */
long uk_portals(int op, void *args);

/* ---- Layout checks: io.uniform.portals.PortalsCall says the same -------- */

_Static_assert(sizeof(struct uk_ptl_args_ni_init) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_init, iface) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_init, pid) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_init, desired) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_init, actual) == 12, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_init, ni_handle) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_init, block) == 20, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_ni_fini) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_fini, ni_handle) == 0, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_ni_status) == 12, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_status, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_status, register_index) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ni_status, status) == 8, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_get_id) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_id, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_id, id) == 4, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_get_uid) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_uid, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_uid, uid) == 4, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_get_jid) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_jid, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_jid, jid) == 4, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_ac_entry) == 28, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ac_entry, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ac_entry, ac_index) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ac_entry, match_id) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ac_entry, user_id) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ac_entry, job_id) == 20, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_ac_entry, pt_index) == 24, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_me_attach) == 48, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, pt_index) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, match_id) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, match_bits) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, ignore_bits) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, unlink_op) == 32, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, position) == 36, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, me_handle) == 40, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach, record) == 44, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_me_attach_any) == 48, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, pt_index) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, match_id) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, match_bits) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, ignore_bits) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, unlink_op) == 32, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, me_handle) == 36, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_attach_any, record) == 40, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_me_insert) == 48, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, base) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, match_id) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, match_bits) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, ignore_bits) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, unlink_op) == 32, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, position) == 36, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, me_handle) == 40, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_insert, record) == 44, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_me_unlink) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_me_unlink, me_handle) == 0, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_md_attach) == 72, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_attach, me_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_attach, md) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_attach, unlink_op) == 56, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_attach, md_handle) == 60, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_attach, record) == 64, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_md_bind) == 72, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_bind, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_bind, md) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_bind, unlink_op) == 56, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_bind, md_handle) == 60, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_bind, record) == 64, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_md_unlink) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_md_unlink, md_handle) == 0, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_eq_alloc) == 32, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_alloc, ni_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_alloc, count) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_alloc, eq_handler) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_alloc, eq_handle) == 20, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_alloc, record) == 24, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_eq_free) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_free, eq_handle) == 0, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_eq_wait) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_wait, eq_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_wait, timeout) == 4, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_eq_get) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_get, eq_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_eq_get, event) == 4, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_put) == 48, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, md_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, ack_req) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, target_id) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, pt_index) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, ac_index) == 20, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, match_bits) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, remote_offset) == 32, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put, hdr_data) == 40, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_put_region) == 72, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, md_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, local_offset) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, length) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, ack_req) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, target_id) == 28, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, pt_index) == 36, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, ac_index) == 40, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, match_bits) == 48, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, remote_offset) == 56, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_put_region, hdr_data) == 64, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_get) == 40, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get, md_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get, target_id) == 4, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get, pt_index) == 12, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get, ac_index) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get, match_bits) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get, remote_offset) == 32, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_get_region) == 56, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, md_handle) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, local_offset) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, length) == 16, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, target_id) == 24, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, pt_index) == 32, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, ac_index) == 36, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, match_bits) == 40, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_get_region, remote_offset) == 48, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_job_info) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_job_info, rank) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_job_info, size) == 4, "portals call layout");

_Static_assert(sizeof(struct uk_ptl_args_job_process) == 8, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_job_process, rank) == 0, "portals call layout");
_Static_assert(offsetof(struct uk_ptl_args_job_process, id) == 4, "portals call layout");

#endif /* UNIFORM_PORTALS_ABI_H */
