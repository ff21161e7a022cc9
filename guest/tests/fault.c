/* Stores to an unmapped address: the process must be killed by SIGSEGV
 * (qemu-riscv32 then kills itself with SIGSEGV: shell status 139). */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    printf("about to store to an unmapped address\n");
    fflush(stdout);
    /* Page 0 is never mapped in a Linux process.  The volatile pointer
     * keeps the compiler from treating the store as undefined behaviour. */
    volatile uint32_t *volatile unmapped = (volatile uint32_t *)(uintptr_t)0x10;
    *unmapped = 0xdead;
    printf("FAIL fault: store did not fault\n");
    return 1;
}
