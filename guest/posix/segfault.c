/*
 * A write through a mapping made read-only with mprotect: the process is
 * killed by SIGSEGV (qemu-riscv32 then kills itself with SIGSEGV: shell
 * status 139).
 */
#include <sys/mman.h>
#include "check.h"

int main(void)
{
    volatile unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        die("mmap");
    page[0] = 42;
    if (mprotect((void *)page, 4096, PROT_READ) != 0)
        die("mprotect");
    printf("the page reads %d after mprotect PROT_READ\n", page[0]);
    printf("about to write through the read-only mapping\n");
    fflush(stdout);
    page[0] = 43;
    printf("FAIL segfault: the write did not fault\n");
    return 1;
}
