/*
 * Benchmark: maps MIB MiB of anonymous memory (default 64) and touches
 * every 4 KiB page twice: a write, then a read-modify-write.  Prints a
 * checksum of the values read.  usage: touch_mem [MIB]
 */
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define PAGE 4096

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 64;
    size_t length = (size_t)mib * 1024 * 1024;
    uint32_t *memory = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mib <= 0 || memory == MAP_FAILED) {
        printf("touch_mem: cannot map %ld MiB (errno %d)\n", mib, errno);
        return 1;
    }
    size_t pages = length / PAGE, words_per_page = PAGE / sizeof *memory;
    for (size_t p = 0; p < pages; p++)
        memory[p * words_per_page + p % words_per_page] = (uint32_t)p * 2654435761u;
    unsigned checksum = FNV_START;
    for (size_t p = 0; p < pages; p++) {
        uint32_t *word = &memory[p * words_per_page + p % words_per_page];
        *word += (uint32_t)p ^ 0x5bd1e995u;
        checksum = fnv1a(checksum, word, sizeof *word);
    }
    printf("touch_mem: %ld MiB, %lu pages touched twice, checksum 0x%08x\n", mib,
           (unsigned long)pages, checksum);
    return munmap(memory, length) == 0 ? 0 : 1;
}
