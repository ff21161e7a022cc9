/*
 * Shared by the parallel programs of guest/mpp: failing loudly, the
 * interface, and waiting for an event of one kind.  Only rank 0 prints its
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

static inline long mpp_arg(int argc, char **argv, int index, long fallback)
{
    return argc > index ? strtol(argv[index], NULL, 10) : fallback;
}

#endif
