/*
 * The call wedge: the single place where a system call is dispatched on the
 * OS flag.  All wrappers (read, write, brk, ...) end up in uk_syscall().
 */
#include <errno.h>
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
        case UNIFORM_OS_LINUX:
            return linux_ecall(n, a0, a1, a2, a3, a4, a5);
        default:
            /* UNIFORM_OS_PUMA serves no calls yet (its branch will consult a
             * table of the calls Puma implements); unknown flag values cannot
             * be served either. */
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
