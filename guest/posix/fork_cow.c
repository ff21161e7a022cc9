/*
 * fork and copy-on-write.  Parent and child write the same static data,
 * .bss, heap, stack and mmap'd page and each sees its own values; a 256 KiB
 * heap block written whole by the child stays intact in the parent; and a
 * chain of generations, each writing right after its fork, never sees
 * another's writes.  Children print their own checks while the parent
 * waits, so the output order is fixed.
 */
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define GENERATIONS 4
#define BLOCK_SIZE (256 * 1024)

static int data_value = 1; /* .data */
static int bss_value;      /* .bss */

struct places {
    int *data, *bss, *heap, *stack, *mapped;
};

static void set_all(const struct places *p, int value)
{
    *p->data = *p->bss = *p->heap = *p->stack = *p->mapped = value;
}

static int all_are(const struct places *p, int value)
{
    return *p->data == value && *p->bss == value && *p->heap == value
           && *p->stack == value && *p->mapped == value;
}

/* A pipe each way, one byte per step, so both processes have written
 * before either looks. */
static int to_child[2], to_parent[2];

static void signal_peer(int fd)
{
    if (write(fd, "x", 1) != 1)
        die("pipe write");
}

static void await_peer(int fd)
{
    char byte;
    if (read(fd, &byte, 1) != 1)
        die("pipe read");
}

static void same_page(const struct places *p)
{
    set_all(p, 100);
    if (pipe(to_child) < 0 || pipe(to_parent) < 0)
        die("pipe");
    pid_t pid = fork_flushed();
    if (pid == 0) {
        failures = 0;
        check(all_are(p, 100), "child inherits data, bss, heap, stack and mapped values");
        set_all(p, 200);
        signal_peer(to_parent[1]);
        await_peer(to_child[0]); /* the parent has written 300 by now */
        check(all_are(p, 200), "child sees its own writes after the parent wrote");
        fflush(stdout);
        _exit(failures);
    }
    set_all(p, 300);
    await_peer(to_parent[0]); /* the child has written 200 by now */
    signal_peer(to_child[1]);
    int status = reap(pid);
    check(all_are(p, 300), "parent sees its own writes after the child wrote");
    check(status == 0, "child's checks passed");
    close(to_child[0]); close(to_child[1]);
    close(to_parent[0]); close(to_parent[1]);
}

static unsigned block_sum(const unsigned char *block)
{
    return fnv1a(FNV_START, block, BLOCK_SIZE);
}

static void big_block(void)
{
    unsigned char *block = malloc(BLOCK_SIZE);
    if (block == NULL)
        die("malloc");
    for (unsigned i = 0; i < BLOCK_SIZE; i++)
        block[i] = (unsigned char)(i * 7 + 1);
    unsigned before = block_sum(block);
    pid_t pid = fork_flushed();
    if (pid == 0) {
        memset(block, 0xee, BLOCK_SIZE); /* every page copied */
        _exit(block_sum(block) == before ? 1 : 0);
    }
    int status = reap(pid);
    check(status == 0, "child rewrote every page of a 256 KiB heap block");
    check(block_sum(block) == before, "parent's 256 KiB block is unchanged");
    free(block);
}

/* Generation gen holds 1000 + gen everywhere.  It forks gen + 1 and at once
 * writes 2000 + gen, whichever of the two runs first; the child must still
 * see 1000 + gen, and the parent its 2000 + gen after the child is gone. */
static int generation(const struct places *p, int gen)
{
    if (gen == GENERATIONS)
        return 0;
    pid_t pid = fork_flushed();
    if (pid == 0) {
        failures = 0;
        int inherited = all_are(p, 1000 + gen);
        printf("generation %d inherited the values of generation %d: %s\n", gen + 1, gen,
               inherited ? "ok" : "FAILED");
        set_all(p, 1000 + gen + 1);
        int child_failures = generation(p, gen + 1) + !inherited;
        fflush(stdout);
        _exit(child_failures);
    }
    set_all(p, 2000 + gen);
    int status = reap(pid);
    int own = all_are(p, 2000 + gen);
    printf("generation %d keeps its own values, its child %s: %s\n", gen, describe(status),
           own ? "ok" : "FAILED");
    return !own + (status != 0);
}

int main(void)
{
    int stack_value = 0;
    int *heap_value = malloc(sizeof *heap_value);
    int *mapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap_value == NULL || mapped == MAP_FAILED)
        die("allocation");
    struct places places = { &data_value, &bss_value, heap_value, &stack_value, mapped };

    same_page(&places);
    big_block();

    set_all(&places, 1000);
    failures += generation(&places, 0);
    return finish("fork_cow");
}
