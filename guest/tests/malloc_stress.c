/* malloc/free/realloc patterns over a heap grown with brk; every block is
 * filled with a pattern derived from its id and verified before release. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SLOTS 512
#define ROUNDS 20000

struct block {
    uint8_t *data;
    size_t size;
    uint32_t id;
};

static struct block slots[SLOTS];
static uint32_t rng = 0x9e3779b9u;

static uint32_t next_random(void)
{
    rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
    return rng;
}

static uint8_t pattern(uint32_t id, size_t i) { return (uint8_t)(id * 131u + i * 7u); }

static void fill(struct block *b, size_t from)
{
    for (size_t i = from; i < b->size; i++)
        b->data[i] = pattern(b->id, i);
}

static int intact(const struct block *b, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if (b->data[i] != pattern(b->id, i))
            return 0;
    return 1;
}

static size_t random_size(void)
{
    uint32_t r = next_random();
    /* Mostly small blocks, sometimes large ones that force brk growth. */
    return (r & 15) == 0 ? 4096 + r % 65536 : 1 + r % 200;
}

int main(void)
{
    int ok = 1;
    char *initial_break = sbrk(0);
    uint32_t next_id = 1, mallocs = 0, reallocs = 0, frees = 0;

    for (int round = 0; round < ROUNDS && ok; round++) {
        struct block *b = &slots[next_random() % SLOTS];
        uint32_t action = next_random() % 4;
        if (b->data == NULL) {
            b->size = random_size();
            b->id = next_id++;
            b->data = malloc(b->size);
            if (b->data == NULL || ((uintptr_t)b->data & 7) != 0)
                ok = 0;
            else
                fill(b, 0);
            mallocs++;
        } else if (action == 0) {
            size_t new_size = random_size();
            size_t kept = new_size < b->size ? new_size : b->size;
            uint8_t *moved = realloc(b->data, new_size);
            if (moved == NULL) {
                ok = 0;
                break;
            }
            b->data = moved;
            b->size = new_size;
            if (!intact(b, kept))
                ok = 0;
            fill(b, kept);
            reallocs++;
        } else {
            if (!intact(b, b->size))
                ok = 0;
            free(b->data);
            b->data = NULL;
            frees++;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].data && !intact(&slots[i], slots[i].size))
            ok = 0;
        free(slots[i].data);
    }
    char *final_break = sbrk(0);
    int heap_grew = final_break - initial_break > 256 * 1024;
    printf("mallocs %lu reallocs %lu frees %lu, heap grew past 256 KiB: %s\n",
           (unsigned long)mallocs, (unsigned long)reallocs, (unsigned long)frees,
           heap_grew ? "yes" : "no");
    if (!heap_grew)
        ok = 0;
    printf(ok ? "PASS malloc_stress\n" : "FAIL malloc_stress\n");
    return ok ? 0 : 1;
}
