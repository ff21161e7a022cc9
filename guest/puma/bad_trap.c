/*
 * Misbehaving Puma traps, for the Java tests of the Puma kernel only (built
 * into elf/puma/, not in expected/manifest: under Linux these are not traps).
 * Run with the OS flag set to PUMA by the loader.  argv[1] selects:
 *   wild       ecall with a0 = 0x10 (outside the region): the QK kills it
 *   misaligned ecall with a0 = a trap structure address + 2: killed
 *   linux      a raw Linux write ecall (a7 = 64): killed as a protocol violation
 *   unknown    trap number 99: prints the result (-ENOSYS = -38) and exits 0
 *   wildarg    write trap with a wild buffer: prints the result (-EFAULT = -14)
 *   pcb        overwrites the pid in its own PCB, then writes: killed at that trap
 */
#include <stdio.h>
#include <string.h>
#include <uniform.h>

static long raw_ecall(long a7, long a0, long a1, long a2)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a7 __asm__("a7") = a7;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
    return r_a0;
}

int main(int argc, char **argv)
{
    static union { struct puma_trap trap; char bytes[64]; } space;
    const char *mode = argc > 1 ? argv[1] : "";
    printf("bad_trap %s\n", mode);
    fflush(stdout);
    long r = 0;
    if (strcmp(mode, "wild") == 0) {
        r = raw_ecall((long)UNIFORM_PUMA_TRAP_CODE, 0x10, 0, 0);
    } else if (strcmp(mode, "misaligned") == 0) {
        r = raw_ecall((long)UNIFORM_PUMA_TRAP_CODE, (long)(space.bytes + 2), 0, 0);
    } else if (strcmp(mode, "linux") == 0) {
        static const char text[] = "linux write\n";
        r = raw_ecall(UK_SYS_write, 1, (long)text, (long)strlen(text));
    } else if (strcmp(mode, "unknown") == 0) {
        space.trap.number = 99;
        r = raw_ecall((long)UNIFORM_PUMA_TRAP_CODE, (long)&space.trap, 0, 0);
        printf("result %ld stored %ld\n", r, (long)space.trap.result);
        return 0;
    } else if (strcmp(mode, "wildarg") == 0) {
        space.trap.number = PUMA_TRAP_WRITE;
        space.trap.args[0] = 1;
        space.trap.args[1] = 0x10;
        space.trap.args[2] = 8;
        r = raw_ecall((long)UNIFORM_PUMA_TRAP_CODE, (long)&space.trap, 0, 0);
        printf("result %ld stored %ld\n", r, (long)space.trap.result);
        return 0;
    } else if (strcmp(mode, "pcb") == 0) {
        volatile uint32_t *pcb = (volatile uint32_t *)0x1000; /* PUMA PCB page; word 2 is the pid */
        pcb[2] = 0xdeadbeefu;
        printf("PCB garbled\n");
        fflush(stdout);
        return 0;
    }
    printf("survived %ld\n", r);
    return 1;
}
