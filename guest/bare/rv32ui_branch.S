/* Conditional branches, jal and jalr (link values, bit 0 of jalr cleared). */
#include "bare_test.h"

/* Fail check n unless branch op a, b is taken (taken = 1) or not (0). */
#define TEST_BRANCH(n, op, taken, a, b) \
    li TESTNUM, n; li t1, a; li t2, b; li t0, 0; \
    op t1, t2, 1f; li t0, 1; 1: xori t0, t0, 1; li t6, taken; bne t0, t6, fail

    .text
    .globl test_main
test_main:
    TEST_BRANCH(1, beq, 1, 5, 5)
    TEST_BRANCH(2, beq, 0, 5, 6)
    TEST_BRANCH(3, bne, 1, 5, 6)
    TEST_BRANCH(4, bne, 0, 5, 5)
    TEST_BRANCH(5, blt, 1, -1, 1)
    TEST_BRANCH(6, blt, 0, 1, -1)
    TEST_BRANCH(7, blt, 0, 3, 3)
    TEST_BRANCH(8, bge, 1, 3, 3)
    TEST_BRANCH(9, bge, 1, 1, -1)
    TEST_BRANCH(10, bge, 0, -1, 1)
    TEST_BRANCH(11, bltu, 1, 1, -1)
    TEST_BRANCH(12, bltu, 0, -1, 1)
    TEST_BRANCH(13, bgeu, 1, -1, 1)
    TEST_BRANCH(14, bgeu, 0, 1, -1)
    TEST_BRANCH(15, bgeu, 1, 0, 0)

    /* Backward branch. */
    li TESTNUM, 16
    li t0, 3
1:  addi t0, t0, -1
    bnez t0, 1b
    bnez t0, fail

    /* jal links to the next instruction. */
    li TESTNUM, 17
2:  jal t0, 3f
    j fail
3:  la t1, 2b
    sub t0, t0, t1
    CHECK(17, t0, 4)

    /* jalr: target rs1 + imm; link = own address + 4. */
    li TESTNUM, 18
    la t1, 5f
4:  jalr t0, 0(t1)
    j fail
5:  la t2, 4b
    sub t0, t0, t2
    CHECK(18, t0, 4)

    /* jalr clears bit 0 of the target (odd rs1 and odd immediate). */
    li TESTNUM, 19
    la t1, 6f
    addi t1, t1, 1
    jalr t0, 0(t1)
    j fail
6:  li TESTNUM, 20
    la t1, 7f
    jalr t0, 1(t1)
    j fail
7:  li TESTNUM, 21
    la t1, 8f
    addi t1, t1, 4
    jalr t0, -4(t1)
    j fail

    /* jalr with rd == rs1 uses the old rs1 value for the target. */
8:  li TESTNUM, 22
    la t0, 9f
    jalr t0, 0(t0)
    j fail
9:  TEST_PASS
