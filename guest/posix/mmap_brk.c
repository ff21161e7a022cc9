/*
 * Memory growth and its limits: sbrk growth, shrink and regrowth (zeroed);
 * anonymous mmap (zeroed, written, read back), MAP_FIXED over part of a
 * mapping, munmap of a middle page, mprotect to read-only and none and
 * back; a child touching an unmapped, read-only or PROT_NONE page is killed
 * by SIGSEGV; and the errors: a mapping too large for the 32-bit user space
 * (ENOMEM), zero length, missing MAP_PRIVATE/MAP_SHARED, unaligned offset
 * or address (EINVAL).  Not checked: mprotect of unmapped memory, which is
 * ENOMEM under Linux but succeeds under qemu-riscv32 7.2.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define PAGE 4096
#define MIB (1024 * 1024)

extern char _end[]; /* end of .bss, where the heap begins */

static int all_bytes(const volatile unsigned char *from, long length, unsigned char value)
{
    for (long i = 0; i < length; i++)
        if (from[i] != value)
            return 0;
    return 1;
}

static void *map(size_t length, int prot)
{
    return mmap(NULL, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void heap_break(void)
{
    char *start = sbrk(0);
    char *grown = sbrk(MIB);
    check(grown == start && sbrk(0) == start + MIB, "sbrk grows the break by 1 MiB");
    check(all_bytes((unsigned char *)start, MIB, 0), "the new heap is zeroed");
    memset(start, 0x5a, MIB);
    check(all_bytes((unsigned char *)start, MIB, 0x5a), "every heap page written and read back");
    check(sbrk(-MIB) == start + MIB && sbrk(0) == start, "sbrk shrinks it back");
    check(sbrk(MIB) == start && all_bytes((unsigned char *)start, MIB, 0), "regrown heap is zeroed again");
    sbrk(-MIB);
}

/* Forks a child that does access (0 read, 1 write) at address; returns how
 * it ended. */
static const char *touch_in_child(volatile unsigned char *address, int write_it)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        if (write_it)
            *address = 1;
        else
            (void)*address;
        _exit(0);
    }
    return describe(reap(pid));
}

static void mappings(void)
{
    unsigned char *area = map(MIB, PROT_READ | PROT_WRITE);
    check(area != MAP_FAILED, "mmap 1 MiB anonymous");
    check(((uintptr_t)area & (PAGE - 1)) == 0, "page aligned");
    check(all_bytes(area, MIB, 0), "anonymous memory is zeroed");
    for (long i = 0; i < MIB; i++)
        area[i] = (unsigned char)(i % 251);
    unsigned sum = fnv1a(FNV_START, area, MIB);
    printf("1 MiB pattern checksum 0x%08x\n", sum);
    check((char *)area >= (char *)sbrk(0) || (char *)area + MIB <= _end, "the mapping is apart from the heap");
    check(munmap(area, MIB) == 0, "munmap 1 MiB");

    unsigned char *three = map(3 * PAGE, PROT_READ | PROT_WRITE);
    memset(three, 0x55, 3 * PAGE);
    unsigned char *middle = mmap(three + PAGE, PAGE, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check(middle == three + PAGE, "MAP_FIXED maps at the address asked");
    check(all_bytes(middle, PAGE, 0) && all_bytes(three, PAGE, 0x55) && all_bytes(three + 2 * PAGE, PAGE, 0x55),
          "the replaced page is zeroed, its neighbours kept");
    check(munmap(middle, PAGE) == 0, "munmap the middle page");
    printf("child reading the unmapped middle page: %s\n", touch_in_child(middle, 0));
    check(all_bytes(three, PAGE, 0x55) && all_bytes(three + 2 * PAGE, PAGE, 0x55), "the pages around it still work");
    check(munmap(middle, PAGE) == 0, "munmap of an unmapped range succeeds");
    check(munmap(three, 3 * PAGE) == 0, "munmap across the hole");

    unsigned char *page = map(PAGE, PROT_READ | PROT_WRITE);
    page[0] = 42;
    check(mprotect(page, PAGE, PROT_READ) == 0 && page[0] == 42, "read-only page still reads");
    printf("child writing the read-only page: %s\n", touch_in_child(page, 1));
    check(mprotect(page, PAGE, PROT_NONE) == 0, "mprotect PROT_NONE");
    printf("child reading the PROT_NONE page: %s\n", touch_in_child(page, 0));
    check(mprotect(page, PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect back to read-write");
    page[1] = 43;
    check(page[0] == 42 && page[1] == 43, "the page kept its contents and takes writes");
    check(munmap(page, PAGE) == 0, "munmap");

    unsigned char *many[64];
    int distinct = 1;
    for (int i = 0; i < 64; i++) {
        many[i] = map(4 * PAGE, PROT_READ | PROT_WRITE);
        if (many[i] == MAP_FAILED)
            distinct = 0;
        else
            memset(many[i], i, 4 * PAGE);
    }
    for (int i = 0; i < 64 && distinct; i++)
        distinct = all_bytes(many[i], 4 * PAGE, (unsigned char)i);
    check(distinct, "64 mappings of 16 KiB each keep their own contents");
    for (int i = 0; i < 64; i++)
        munmap(many[i], 4 * PAGE);
}

static void errors(void)
{
    check(map(0xC0000000u, PROT_READ | PROT_WRITE) == MAP_FAILED && errno == ENOMEM,
          "mmap of 3 GiB is ENOMEM");
    check(map(0xFFFFF000u, PROT_READ) == MAP_FAILED && errno == ENOMEM, "mmap of 4 GiB - 4 KiB is ENOMEM");
    check(map(0, PROT_READ) == MAP_FAILED && errno == EINVAL, "mmap of length 0 is EINVAL");
    check(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
          "mmap without MAP_PRIVATE or MAP_SHARED is EINVAL");
    check(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100) == MAP_FAILED && errno == EINVAL,
          "mmap at an unaligned offset is EINVAL");
    unsigned char *page = map(PAGE, PROT_READ);
    check_errno(munmap(page + 1, PAGE), EINVAL, "munmap of an unaligned address is EINVAL");
    check_errno(mprotect(page + 1, PAGE, PROT_READ), EINVAL, "mprotect of an unaligned address is EINVAL");
    munmap(page, PAGE);
}

int main(void)
{
    heap_break();
    mappings();
    errors();
    return finish("mmap_brk");
}
