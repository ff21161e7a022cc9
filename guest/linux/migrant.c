/*
 * A process whose state a migration must carry, for the Java tests of the
 * Linux layer (MigrationTest):   migrant FILE ROUNDS SLEEP_MS
 * Each round grows the heap by 32 KiB with sbrk and fills it, writes one page
 * of a 1 MiB anonymous mapping (the rest is never touched), reads a page
 * made read-only with mprotect, recurses 64 KiB deeper on the stack than the
 * round before (past the 128 KiB the kernel maps at first), appends a line to
 * FILE through a descriptor open from the start, reads that line back through
 * a second descriptor, sleeps SLEEP_MS milliseconds, and prints a checksum of
 * everything written so far.  Then it reads FILE back from the start.
 * Every line is deterministic (no address, pid or time), so a run that
 * migrated prints what a run that did not prints.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <uniform.h>

#define PAGE 4096
#define HEAP_STEP (32 * 1024)
#define MAPPING (1024 * 1024)
#define FRAME 4096

/* FNV-1a over every stride-th byte: a few bytes of every page. */
static unsigned fnv(unsigned hash, const unsigned char *bytes, long length, int stride)
{
    for (long i = 0; i < length; i += stride)
        hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

/* Uses a page of stack per level, written and read back on the way up. */
static unsigned deep(int levels, unsigned seed)
{
    volatile unsigned char frame[FRAME];
    for (int i = 0; i < FRAME; i += 64)
        frame[i] = (unsigned char)(seed + i);
    unsigned below = levels > 1 ? deep(levels - 1, seed * 31 + 7) : 2166136261u;
    for (int i = 0; i < FRAME; i += 64)
        below = (below ^ frame[i]) * 16777619u;
    return below;
}

/* The page of the mapping that round writes. */
static long page_of(int round)
{
    return (long)(round * 13 % (MAPPING / PAGE)) * PAGE;
}

static void fail(const char *what)
{
    printf("FAIL %s\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: migrant FILE ROUNDS SLEEP_MS\n");
        return 2;
    }
    int rounds = atoi(argv[2]);
    struct timespec nap = { 0, atol(argv[3]) * 1000000L };
    int writer = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
    int reader = open(argv[1], O_RDONLY);
    if (writer < 0 || reader < 0)
        fail("open");
    unsigned char *heap = sbrk(0);
    unsigned char *mapping = mmap(NULL, MAPPING, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *constant = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED || constant == MAP_FAILED)
        fail("mmap");
    memset(constant, 0xc3, PAGE);
    if (mprotect(constant, PAGE, PROT_READ) != 0)
        fail("mprotect");

    for (int round = 1; round <= rounds; round++) {
        unsigned char *grown = sbrk(HEAP_STEP);
        if (grown == (void *)-1)
            fail("sbrk");
        for (int i = 0; i < HEAP_STEP; i++)
            grown[i] = (unsigned char)(round * 7 + (i >> 6));
        memset(mapping + page_of(round), round, PAGE);
        unsigned stack = deep(16 * round, (unsigned)round);

        char line[64];
        int length = snprintf(line, sizeof line, "round %d of %d\n", round, rounds);
        char back[64];
        if (write(writer, line, length) != length || read(reader, back, length) != length
                || memcmp(line, back, length) != 0)
            fail("file");
        nanosleep(&nap, NULL);

        unsigned sum = fnv(2166136261u, heap, (long)round * HEAP_STEP, 61);
        for (int written = 1; written <= round; written++)
            sum = fnv(sum, mapping + page_of(written), PAGE, 1);
        sum = fnv(sum, constant, PAGE, 1);
        printf("round %d: memory 0x%08x stack 0x%08x\n", round, sum, stack);
    }

    char all[4096];
    if (lseek(writer, 0, SEEK_SET) != 0)
        fail("lseek");
    int length = read(writer, all, sizeof all - 1);
    if (length < 0)
        fail("read back");
    all[length] = '\0';
    printf("%s", all);
    close(reader);
    close(writer);
    return rounds;
}
