/* A CoreMark-style mix (own code): linked-list manipulation, small matrix
 * arithmetic, a character-class state machine, all folded through CRC-16.
 * usage: bench_coremark_like [iterations] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_ITERATIONS 84000
#define LIST_NODES 200
#define MATRIX_N 16
#define INPUT_SIZE 512

static uint16_t crc16_update(uint16_t crc, uint32_t value)
{
    for (int byte = 0; byte < 4; byte++) {
        crc ^= (uint8_t)(value >> (8 * byte));
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xa001u & -(crc & 1));
    }
    return crc;
}

/* ---- linked list ---------------------------------------------------- */

struct node {
    struct node *next;
    int32_t key;
    int32_t payload;
};

static struct node nodes[LIST_NODES];

static struct node *build_list(uint32_t seed)
{
    struct node *head = NULL;
    for (int i = LIST_NODES - 1; i >= 0; i--) {
        seed = seed * 1664525u + 1013904223u;
        nodes[i].key = (int32_t)(seed >> 20);
        nodes[i].payload = i;
        nodes[i].next = head;
        head = &nodes[i];
    }
    return head;
}

static struct node *reverse_list(struct node *head)
{
    struct node *reversed = NULL;
    while (head) {
        struct node *next = head->next;
        head->next = reversed;
        reversed = head;
        head = next;
    }
    return reversed;
}

static struct node *merge_sort_list(struct node *head)
{
    if (!head || !head->next)
        return head;
    struct node *slow = head, *fast = head->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    struct node *second = slow->next;
    slow->next = NULL;
    struct node *a = merge_sort_list(head), *b = merge_sort_list(second);
    struct node merged = { 0 }, *tail = &merged;
    while (a && b) {
        if (b->key < a->key) { tail->next = b; b = b->next; }
        else { tail->next = a; a = a->next; }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return merged.next;
}

static uint32_t list_work(uint32_t seed)
{
    struct node *head = reverse_list(build_list(seed));
    head = merge_sort_list(head);
    uint32_t result = 0;
    int32_t wanted = (int32_t)(seed >> 22);
    for (struct node *n = head; n; n = n->next) {
        result = result * 3 + (uint32_t)n->payload;
        if (n->key == wanted)
            result ^= 0x5a5a;
    }
    return result;
}

/* ---- matrix --------------------------------------------------------- */

static int16_t ma[MATRIX_N][MATRIX_N], mb[MATRIX_N][MATRIX_N];
static int32_t mc[MATRIX_N][MATRIX_N];

static uint32_t matrix_work(uint32_t seed)
{
    for (int i = 0; i < MATRIX_N; i++)
        for (int j = 0; j < MATRIX_N; j++) {
            ma[i][j] = (int16_t)((seed + i * 7 + j) & 0xff) - 128;
            mb[i][j] = (int16_t)((seed ^ (i * 3 + j * 5)) & 0x7f) - 64;
        }
    for (int i = 0; i < MATRIX_N; i++)
        for (int j = 0; j < MATRIX_N; j++) {
            int32_t sum = 0;
            for (int k = 0; k < MATRIX_N; k++)
                sum += ma[i][k] * mb[k][j];
            mc[i][j] = sum;
        }
    uint32_t result = 0;
    for (int i = 0; i < MATRIX_N; i++)
        for (int j = 0; j < MATRIX_N; j++) {
            int32_t bits = (mc[i][j] >> 3) & 0x3f; /* bit-field extraction */
            result += (uint32_t)(mc[i][j] + (int32_t)seed) * (uint32_t)bits;
        }
    return result;
}

/* ---- state machine -------------------------------------------------- */

enum scan_state { START, INTEGER, FRACTION, EXPONENT_SIGN, EXPONENT, INVALID, STATE_COUNT };

static char input[INPUT_SIZE];

static void make_input(uint32_t seed)
{
    static const char alphabet[] = "0123456789+-.eE,x ";
    for (int i = 0; i < INPUT_SIZE - 1; i++) {
        seed = seed * 1103515245u + 12345u;
        input[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    input[INPUT_SIZE - 1] = '\0';
}

static enum scan_state step(enum scan_state s, char c)
{
    int digit = c >= '0' && c <= '9';
    switch (s) {
    case START:         return digit || c == '+' || c == '-' ? INTEGER : c == '.' ? FRACTION : INVALID;
    case INTEGER:       return digit ? INTEGER : c == '.' ? FRACTION : (c == 'e' || c == 'E') ? EXPONENT_SIGN : INVALID;
    case FRACTION:      return digit ? FRACTION : (c == 'e' || c == 'E') ? EXPONENT_SIGN : INVALID;
    case EXPONENT_SIGN: return digit || c == '+' || c == '-' ? EXPONENT : INVALID;
    case EXPONENT:      return digit ? EXPONENT : INVALID;
    default:            return INVALID;
    }
}

static uint32_t state_machine_work(uint32_t seed)
{
    make_input(seed);
    uint32_t final_counts[STATE_COUNT] = { 0 };
    enum scan_state s = START;
    for (const char *p = input; *p; p++) {
        if (*p == ',' || *p == ' ') {
            final_counts[s]++;
            s = START;
        } else {
            s = step(s, *p);
        }
    }
    final_counts[s]++;
    uint32_t result = 0;
    for (int i = 0; i < STATE_COUNT; i++)
        result = result * 131 + final_counts[i];
    return result;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : DEFAULT_ITERATIONS;
    uint16_t crc = 0;
    for (long i = 0; i < iterations; i++) {
        uint32_t seed = (uint32_t)i * 2654435761u + crc;
        crc = crc16_update(crc, list_work(seed));
        crc = crc16_update(crc, matrix_work(seed));
        crc = crc16_update(crc, state_machine_work(seed));
    }
    printf("bench_coremark_like iterations %ld crc 0x%04x\n", iterations, (unsigned)crc);
    return 0;
}
