/* Table-driven CRC-32 over a 64 KiB buffer, many passes.
 * usage: bench_crc [passes] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_PASSES 18000
#define BUFFER_SIZE 65536

static uint32_t table[256];
static uint8_t buffer[BUFFER_SIZE];

int main(int argc, char **argv)
{
    long passes = argc > 1 ? atol(argv[1]) : DEFAULT_PASSES;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        table[i] = c;
    }
    for (uint32_t i = 0; i < BUFFER_SIZE; i++)
        buffer[i] = (uint8_t)(i * 2654435761u >> 13);

    uint32_t crc = 0xffffffffu;
    for (long pass = 0; pass < passes; pass++) {
        for (uint32_t i = 0; i < BUFFER_SIZE; i++)
            crc = (crc >> 8) ^ table[(crc ^ buffer[i]) & 0xff];
        buffer[pass % BUFFER_SIZE] ^= (uint8_t)crc; /* each pass sees new data */
    }
    printf("bench_crc passes %ld crc 0x%08x\n", passes, (unsigned)~crc);
    return 0;
}
