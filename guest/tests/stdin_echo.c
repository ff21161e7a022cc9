/* Reads stdin to EOF, echoes it uppercased, then prints the byte count and
 * an FNV-1a checksum of the original bytes. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    uint32_t hash = 2166136261u;
    unsigned long count = 0;
    int c;
    while ((c = getchar()) != EOF) {
        hash = (hash ^ (uint8_t)c) * 16777619u;
        count++;
        putchar(toupper(c));
    }
    printf("\nbytes %lu fnv1a 0x%08x\n", count, (unsigned)hash);
    return 0;
}
