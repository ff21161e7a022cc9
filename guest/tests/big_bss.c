/* A 4 MiB .bss array, touched sparsely: it must start zeroed, and pages
 * far apart must keep independent contents. */
#include <stdint.h>
#include <stdio.h>

#define BIG_SIZE (4u << 20)
#define STRIDE 4093u /* odd stride: touches every page at varying offsets */

static uint8_t big[BIG_SIZE];

int main(void)
{
    int ok = 1;
    unsigned touched = 0;
    for (uint32_t i = 0; i < BIG_SIZE; i += STRIDE) {
        if (big[i] != 0)
            ok = 0;
        big[i] = (uint8_t)(i * 2654435761u >> 24);
        touched++;
    }
    big[BIG_SIZE - 1] = 0x5a;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BIG_SIZE; i += STRIDE) {
        if (big[i] != (uint8_t)(i * 2654435761u >> 24))
            ok = 0;
        sum = sum * 31 + big[i];
    }
    /* Untouched bytes next to touched ones are still zero. */
    for (uint32_t i = 1; i < BIG_SIZE - 1; i += 65536)
        if (i % STRIDE != 0 && big[i] != 0)
            ok = 0;
    if (big[BIG_SIZE - 1] != 0x5a)
        ok = 0;
    printf("touched %u bytes, checksum 0x%08x\n", touched, (unsigned)sum);
    printf(ok ? "PASS big_bss\n" : "FAIL big_bss\n");
    return ok ? 0 : 1;
}
