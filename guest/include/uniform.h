/*
 * uniform.h - the unified library's raw interface.
 *
 * Every system call a uniform program makes goes through one call wedge,
 * uk_syscall(), which reads the OS flag stored in the program image
 * (__uniform_abi.os) and dispatches on it.  Call numbers and argument
 * encodings are those of the RISC-V rv32 Linux syscall ABI on every branch;
 * the result is the raw kernel result (negative errno on failure).
 * See guest/README.md for the full guest ABI.
 */
#ifndef UNIFORM_H
#define UNIFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Values of __uniform_abi.os. */
#define UNIFORM_OS_LINUX 1u
#define UNIFORM_OS_PUMA  2u

#define UNIFORM_ABI_MAGIC   "UNFM"
#define UNIFORM_ABI_VERSION 1u

/*
 * The OS flag.  Lives in its own section ".uniform" inside the RW data
 * segment; loaders and migrating kernels find it through the ELF symbol
 * __uniform_abi (or the section) and rewrite os in place.
 */
struct uniform_abi {
    char magic[4];          /* "UNFM", not NUL-terminated */
    uint32_t version;       /* UNIFORM_ABI_VERSION */
    volatile uint32_t os;   /* UNIFORM_OS_*; rewritten by the kernel */
    uint32_t reserved;      /* 0 */
};
_Static_assert(sizeof(struct uniform_abi) == 16, "guest ABI: 16-byte flag struct");

extern struct uniform_abi __uniform_abi;

/*
 * Value placed in a7 by the deficiency routine before its ebreak; a0 holds
 * the call number the running OS cannot serve.  ASCII "UDEF".
 */
#define UNIFORM_DEFICIENCY_CODE 0x46454455u

/*
 * Puma trap ABI: ecall with a7 = UNIFORM_PUMA_TRAP_CODE ("PUMA") and a0 = the
 * address of a struct puma_trap (32 bytes, 4-aligned, in the program's own
 * memory).  The QK writes the result (>= 0, or -errno in Linux numbering)
 * into result and returns it in a0.  See guest/README.md.
 */
#define UNIFORM_PUMA_TRAP_CODE 0x50554D41u

struct puma_trap {
    uint32_t number;        /* PUMA_TRAP_* */
    int32_t result;         /* written by the kernel */
    uint32_t args[6];
};
_Static_assert(sizeof(struct puma_trap) == 32, "guest ABI: 32-byte Puma trap structure");

#define PUMA_TRAP_EXIT          1 /* (status) */
#define PUMA_TRAP_WRITE         2 /* (fd, buf, len) */
#define PUMA_TRAP_READ          3 /* (fd, buf, len) */
#define PUMA_TRAP_BRK           4 /* (new_break): Linux brk semantics */
#define PUMA_TRAP_CLOCK_GETTIME 5 /* (clock_id, struct timespec64 *) */
#define PUMA_TRAP_OPEN          6 /* (path, linux_flags, mode) */
#define PUMA_TRAP_CLOSE         7 /* (fd) */
#define PUMA_TRAP_LSEEK         8 /* (fd, offset_lo, offset_hi, whence, int64_t *result) */
#define PUMA_TRAP_STAT          9 /* (path, struct statx *) */
#define PUMA_TRAP_FSTAT        10 /* (fd, struct statx *) */
#define PUMA_TRAP_UNLINK       11 /* (path) */
#define PUMA_TRAP_PORTALS      12 /* (op, args): the uniform call UK_SYS_portals */

/* Call numbers (rv32 Linux).  rv32 has no wait4, nanosleep or renameat:
 * waitid, clock_nanosleep_time64 and renameat2 stand in for them. */
#define UK_SYS_dup             23
#define UK_SYS_dup3            24
#define UK_SYS_fcntl64         25
#define UK_SYS_ioctl           29
#define UK_SYS_mkdirat         34
#define UK_SYS_unlinkat        35
#define UK_SYS_openat          56
#define UK_SYS_close           57
#define UK_SYS_pipe2           59
#define UK_SYS_getdents64      61
#define UK_SYS_llseek          62
#define UK_SYS_read            63
#define UK_SYS_write           64
#define UK_SYS_readv           65
#define UK_SYS_writev          66
#define UK_SYS_exit            93
#define UK_SYS_exit_group      94
#define UK_SYS_waitid          95
#define UK_SYS_kill           129
#define UK_SYS_uname          160
#define UK_SYS_getpid         172
#define UK_SYS_getppid        173
#define UK_SYS_brk            214
#define UK_SYS_munmap         215
#define UK_SYS_clone          220
#define UK_SYS_execve         221
#define UK_SYS_mmap2          222 /* offset in 4 KiB pages */
#define UK_SYS_mprotect       226
#define UK_SYS_renameat2      276
#define UK_SYS_getrandom      278
#define UK_SYS_statx          291
#define UK_SYS_clock_gettime64 403
#define UK_SYS_clock_nanosleep_time64 407

/* uniform's own call, outside Linux's numbers (a real Linux answers ENOSYS):
 * Portals, uk_portals(op, args) (guest/README.md, "The Portals call"). */
#define UK_SYS_portals     0x554b

/* The OS flag as currently stored in the image. */
static inline uint32_t uk_os(void) { return __uniform_abi.os; }

/*
 * The call wedge: perform call n on whatever OS the flag names.  Returns the
 * raw result: >= 0 on success, -errno (Linux errno numbering) on failure.
 */
long uk_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5);

/*
 * Called by the wedge when the running OS cannot perform call n.  Puts
 * UNIFORM_DEFICIENCY_CODE in a7 and n in a0 and executes ebreak, which the
 * Puma kernel will turn into a migration request.  It returns only once the
 * kernel has resumed the program (normally after migration rewrote the OS
 * flag); the wedge then dispatches again on the new flag value.
 */
void __uniform_deficiency(int syscall_no);

/* Set the program break (Linux brk semantics wrapped POSIX-style: 0 or -1). */
int brk(void *addr);

/*
 * Calls the library implements that picolibc's headers do not declare for
 * this target (nanosleep needs _POSIX_TIMERS, pipe2 and dup3 _GNU_SOURCE).
 * <sys/mman.h>, <sys/uio.h>, <sys/utsname.h>, <sys/random.h> and
 * <sys/dirent.h> (for <dirent.h>) come from guest/include.
 */
struct timespec;
int nanosleep(const struct timespec *request, struct timespec *remaining);
int pipe2(int fds[2], int flags);
int dup3(int oldfd, int newfd, int flags);

/*
 * Collectives over Portals (lib/collectives.c), for the ranks of a parallel
 * job.  Every rank calls the same collectives in the same order, with the
 * same root, count and op (and len for a broadcast).  They return PTL_OK (0)
 * or the Portals return code that stopped them.  Without Portals (qemu, a
 * lone process) a program is rank 0 of 1 and they succeed alone.  They use
 * portal index UK_COLL_PT_INDEX of the process's interface (PtlNIInit'ed for
 * them if the program has not), which programs must leave alone.
 */
#define UK_COLL_PT_INDEX 63

typedef enum { UK_SUM = 0, UK_MIN = 1, UK_MAX = 2 } uk_op;

int uk_rank(void);                  /* 0 .. uk_size() - 1 */
int uk_size(void);                  /* ranks in the job, >= 1 */
int uk_barrier(void);
/* root's len bytes at buf into every rank's buf. */
int uk_broadcast(void *buf, size_t len, int root);
/* out[i] = op over the ranks of in[i], at root only (out may be NULL elsewhere;
 * in == out is allowed).  The order of combination is fixed by the job's size
 * and root, so doubles give the same bits every run. */
int uk_reduce_i64(const int64_t *in, int64_t *out, int count, uk_op op, int root);
int uk_reduce_f64(const double *in, double *out, int count, uk_op op, int root);
/* The same at every rank (a reduce to rank 0, then a broadcast: identical bits everywhere). */
int uk_allreduce_i64(const int64_t *in, int64_t *out, int count, uk_op op);
int uk_allreduce_f64(const double *in, double *out, int count, uk_op op);

#ifdef __cplusplus
}
#endif

#endif /* UNIFORM_H */
