/*
 * The call wedge: the single place where a system call is dispatched on the
 * OS flag.  All wrappers (read, write, brk, ...) end up in uk_syscall().
 */
#include <errno.h>
#include <stdint.h>
#include "internal.h"

/*
 * The OS flag.  Its default is LINUX so that the unmodified image runs under
 * any Linux (qemu-riscv32); a Puma loader rewrites os to PUMA.  The linker
 * script keeps the section and places it in the RW data segment.
 */
__attribute__((section(".uniform"), aligned(4), used))
struct uniform_abi __uniform_abi = {
    .magic = UNIFORM_ABI_MAGIC,
    .version = UNIFORM_ABI_VERSION,
    .os = UNIFORM_OS_LINUX,
    .reserved = 0,
};

static long linux_ecall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a4 __asm__("a4") = a4;
    register long r_a5 __asm__("a5") = a5;
    register long r_a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                     : "memory");
    return r_a0;
}

/*
 * The Puma branch.  A Puma trap is an ecall with a7 = UNIFORM_PUMA_TRAP_CODE
 * and a0 = the address of a struct puma_trap in the caller's memory (here on
 * the stack); the QK writes the result into the structure and returns it in
 * a0 as well.  Which calls Puma has, and how a Linux call's arguments map
 * onto the trap's, is this one table: anything not in it is a deficiency.
 */
enum puma_args {
    PUMA_ARGS_SAME,      /* args[i] = a_i */
    PUMA_ARGS_OPENAT,    /* openat(AT_FDCWD, path, flags, mode) -> open(path, flags, mode) */
    PUMA_ARGS_LLSEEK,    /* _llseek(fd, hi, lo, result, whence) -> lseek(fd, lo, hi, whence, result) */
    PUMA_ARGS_STATX,     /* statx(AT_FDCWD, path, 0, mask, buf) -> stat(path, buf);
                            statx(fd, "", AT_EMPTY_PATH, mask, buf) -> fstat(fd, buf) */
    PUMA_ARGS_UNLINKAT,  /* unlinkat(AT_FDCWD, path, 0) -> unlink(path) */
};

static const struct puma_call {
    long linux_nr;
    uint32_t puma_nr;
    enum puma_args args;
} puma_calls[] = {
    { UK_SYS_write,           PUMA_TRAP_WRITE,         PUMA_ARGS_SAME },
    { UK_SYS_read,            PUMA_TRAP_READ,          PUMA_ARGS_SAME },
    { UK_SYS_exit,            PUMA_TRAP_EXIT,          PUMA_ARGS_SAME },
    { UK_SYS_exit_group,      PUMA_TRAP_EXIT,          PUMA_ARGS_SAME },
    { UK_SYS_brk,             PUMA_TRAP_BRK,           PUMA_ARGS_SAME },
    { UK_SYS_clock_gettime64, PUMA_TRAP_CLOCK_GETTIME, PUMA_ARGS_SAME },
    { UK_SYS_openat,          PUMA_TRAP_OPEN,          PUMA_ARGS_OPENAT },
    { UK_SYS_close,           PUMA_TRAP_CLOSE,         PUMA_ARGS_SAME },
    { UK_SYS_llseek,          PUMA_TRAP_LSEEK,         PUMA_ARGS_LLSEEK },
    { UK_SYS_statx,           PUMA_TRAP_STAT,          PUMA_ARGS_STATX },
    { UK_SYS_unlinkat,        PUMA_TRAP_UNLINK,        PUMA_ARGS_UNLINKAT },
    { UK_SYS_portals,         PUMA_TRAP_PORTALS,       PUMA_ARGS_SAME },     /* (op, args) */
};

#define LINUX_AT_EMPTY_PATH 0x1000

/* A result no Puma trap gives (not an errno, above every Puma address). */
#define TRAP_UNSERVED ((int32_t)0x80000001)

static long puma_ecall(struct puma_trap *trap)
{
    register long r_a0 __asm__("a0") = (long)trap;
    register long r_a7 __asm__("a7") = (long)UNIFORM_PUMA_TRAP_CODE;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory");
    return r_a0;
}

/* Performs call n as a Puma trap; returns 1 and stores the result in *result,
 * 0 if Puma lacks the call (or this form of it), or -1 if the process moved to
 * another OS between reading the OS flag and its trap, which then did not run
 * (a kernel never leaves TRAP_UNSERVED as a trap's result): dispatch again. */
static int puma_call(long n, long a0, long a1, long a2, long a3, long a4, long a5, long *result)
{
    for (unsigned i = 0; i < sizeof puma_calls / sizeof puma_calls[0]; i++) {
        const struct puma_call *call = &puma_calls[i];
        if (call->linux_nr != n)
            continue;
        struct puma_trap trap = { .number = call->puma_nr, .result = TRAP_UNSERVED, .args = { 0 } };
        switch (call->args) {
        case PUMA_ARGS_SAME:
            trap.args[0] = (uint32_t)a0; trap.args[1] = (uint32_t)a1; trap.args[2] = (uint32_t)a2;
            trap.args[3] = (uint32_t)a3; trap.args[4] = (uint32_t)a4; trap.args[5] = (uint32_t)a5;
            break;
        case PUMA_ARGS_OPENAT:
            /* Puma has no directories to be relative to: only AT_FDCWD. */
            if (a0 != LINUX_AT_FDCWD)
                return 0;
            trap.args[0] = (uint32_t)a1; trap.args[1] = (uint32_t)a2; trap.args[2] = (uint32_t)a3;
            break;
        case PUMA_ARGS_LLSEEK:
            trap.args[0] = (uint32_t)a0; trap.args[1] = (uint32_t)a2; trap.args[2] = (uint32_t)a1;
            trap.args[3] = (uint32_t)a4; trap.args[4] = (uint32_t)a3;
            break;
        case PUMA_ARGS_STATX:
            /* Only a path from the root or a descriptor itself; no other flags (lstat, ...). */
            if (a2 == LINUX_AT_EMPTY_PATH && *(const char *)a1 == '\0') {
                trap.number = PUMA_TRAP_FSTAT;
                trap.args[0] = (uint32_t)a0;
            } else if (a0 == LINUX_AT_FDCWD && a2 == 0) {
                trap.args[0] = (uint32_t)a1;
            } else {
                return 0;
            }
            trap.args[1] = (uint32_t)a4;
            break;
        case PUMA_ARGS_UNLINKAT:
            if (a0 != LINUX_AT_FDCWD || a2 != 0)
                return 0; /* rmdir and relative-to-directory forms are Linux's */
            trap.args[0] = (uint32_t)a1;
            break;
        }
        *result = puma_ecall(&trap);
        return trap.result == TRAP_UNSERVED && uk_os() != UNIFORM_OS_PUMA ? -1 : 1;
    }
    return 0;
}

void __uniform_deficiency(int syscall_no)
{
    register long r_a0 __asm__("a0") = syscall_no;
    register long r_a7 __asm__("a7") = (long)UNIFORM_DEFICIENCY_CODE;
    __asm__ volatile("ebreak" : : "r"(r_a0), "r"(r_a7) : "memory");
}

long uk_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    /* The flag is re-read on every pass: a deficiency may migrate the
     * program, and the destination kernel rewrites the flag. */
    for (;;) {
        switch (__uniform_abi.os) {
        case UNIFORM_OS_LINUX: {
            long result = linux_ecall(n, a0, a1, a2, a3, a4, a5);
            if (result == -LINUX_ENOSYS && uk_os() != UNIFORM_OS_LINUX)
                break; /* moved between the flag and the ecall: the call did not run */
            return result;
        }
        case UNIFORM_OS_PUMA: {
            long result;
            int served = puma_call(n, a0, a1, a2, a3, a4, a5, &result);
            if (served > 0)
                return result;
            if (served == 0)
                __uniform_deficiency((int)n);
            break;
        }
        default:
            /* An unknown flag value cannot be served by anyone. */
            __uniform_deficiency((int)n);
        }
    }
}

/* Linux errno values above ERANGE differ from picolibc's (newlib's). */
_Static_assert(EPERM == 1 && ERANGE == 34, "errno 1..34 shared with Linux");

static int errno_from_linux(long linux_errno)
{
    if (linux_errno >= 1 && linux_errno <= 34)
        return (int)linux_errno;
    switch (linux_errno) {
    case 35: return EDEADLK;
    case 36: return ENAMETOOLONG;
    case 37: return ENOLCK;
    case 38: return ENOSYS;
    case 39: return ENOTEMPTY;
    case 40: return ELOOP;
    case 75: return EOVERFLOW;
    case 84: return EILSEQ;
    case 95: return EOPNOTSUPP;
    case 110: return ETIMEDOUT;
    case 122: return EDQUOT;
    default: return EIO; /* no faithful picolibc equivalent */
    }
}

long __uniform_fail(long linux_errno)
{
    errno = errno_from_linux(linux_errno);
    return -1;
}

long __uniform_call(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    long r = uk_syscall(n, a0, a1, a2, a3, a4, a5);
    /* Linux reserves -4095..-1 for errors; other values are results. */
    if (r < 0 && r >= -4095)
        return __uniform_fail(-r);
    return r;
}
