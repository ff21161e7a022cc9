/*
 * Program break and memory mappings.  picolibc's own sbrk carves a heap out of linker symbols;
 * this one grows the heap with the brk call instead, so the kernel decides
 * where the heap lives and how far it may grow.  The linker script forces
 * this sbrk to be linked in place of picolibc's.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

/* Current break; 0 until first asked from the kernel. */
static uintptr_t current_break;

/* Linux brk never fails with an errno: it returns the (possibly unchanged)
 * break, so success means the kernel moved it where we asked. */
int brk(void *addr)
{
    uintptr_t result = (uintptr_t)uk_syscall(UK_SYS_brk, (long)addr, 0, 0, 0, 0, 0);
    current_break = result;
    if (result != (uintptr_t)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *sbrk(ptrdiff_t increment)
{
    if (current_break == 0)
        current_break = (uintptr_t)uk_syscall(UK_SYS_brk, 0, 0, 0, 0, 0, 0);
    uintptr_t old_break = current_break;
    uintptr_t new_break = old_break + (uintptr_t)increment;
    if ((increment > 0 && new_break < old_break) || (increment < 0 && new_break > old_break)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    if (increment != 0 && brk((void *)new_break) < 0)
        return (void *)-1;
    return (void *)old_break;
}

/* Anonymous and file mappings.  rv32 Linux's mmap2 takes the offset in
 * 4 KiB pages. */
void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    if (offset < 0 || (offset & 4095) != 0) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    long r = UK_CALL(UK_SYS_mmap2, addr, length, prot, flags, fd, offset / 4096);
    return r == -1 ? MAP_FAILED : (void *)r;
}

int munmap(void *addr, size_t length)
{
    return (int)UK_CALL(UK_SYS_munmap, addr, length);
}

int mprotect(void *addr, size_t length, int prot)
{
    return (int)UK_CALL(UK_SYS_mprotect, addr, length, prot);
}
