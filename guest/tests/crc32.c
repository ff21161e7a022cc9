/* CRC-32 (IEEE, reflected): bitwise and table-driven versions must agree,
 * and the standard check value of "123456789" must be 0xcbf43926. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BUFFER_SIZE 65536

static uint32_t table[256];
static uint8_t buffer[BUFFER_SIZE];

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static void build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        table[i] = c;
    }
}

static uint32_t crc32_table(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--)
        crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
    return ~crc;
}

int main(void)
{
    build_table();
    const char *check_input = "123456789";
    uint32_t check = crc32_table((const uint8_t *)check_input, strlen(check_input));

    uint32_t x = 0x2545f491u;
    for (size_t i = 0; i < BUFFER_SIZE; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5; /* xorshift32 */
        buffer[i] = (uint8_t)x;
    }
    uint32_t fast = crc32_table(buffer, BUFFER_SIZE);
    uint32_t slow = crc32_bitwise(buffer, BUFFER_SIZE);

    printf("crc32(\"123456789\") = 0x%08x\n", (unsigned)check);
    printf("crc32(buffer) table 0x%08x bitwise 0x%08x\n", (unsigned)fast, (unsigned)slow);
    int ok = check == 0xcbf43926u && fast == slow;
    printf(ok ? "PASS crc32\n" : "FAIL crc32\n");
    return ok ? 0 : 1;
}
