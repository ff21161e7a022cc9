/* RV32I arithmetic, logic, shifts, comparisons and upper immediates. */
#include "bare_test.h"

    .text
    .globl test_main
test_main:
    TEST_RR(1, add, 0x00000000, 0x00000000, 0x00000000)
    TEST_RR(2, add, 0x80000000, 0x7fffffff, 0x00000001)
    TEST_RR(3, add, 0xfffffffe, 0xffffffff, 0xffffffff)
    TEST_RR(4, sub, 0xffffffff, 0x00000000, 0x00000001)
    TEST_RR(5, sub, 0x7fffffff, 0x80000000, 0x00000001)
    TEST_RR(6, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR(7, or,  0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR(8, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR(9, sll, 0x80000000, 0x00000001, 31)
    TEST_RR(10, sll, 0x00000002, 0x00000001, 33)        /* shift amount masked */
    TEST_RR(11, srl, 0x00000001, 0x80000000, 31)
    TEST_RR(12, srl, 0x40000000, 0x80000000, 0xffffffe1) /* 33 & 31 = 1 */
    TEST_RR(13, sra, 0xffffffff, 0x80000000, 31)
    TEST_RR(14, sra, 0xc0000000, 0x80000000, 1)
    TEST_RR(15, sra, 0x3fffffff, 0x7fffffff, 1)
    TEST_RR(16, slt, 1, 0xffffffff, 0x00000001)
    TEST_RR(17, slt, 0, 0x00000001, 0xffffffff)
    TEST_RR(18, slt, 0, 0x00000005, 0x00000005)
    TEST_RR(19, sltu, 0, 0xffffffff, 0x00000001)
    TEST_RR(20, sltu, 1, 0x00000001, 0xffffffff)

    TEST_RI(21, addi, 0x00000000, 0x00000001, -1)
    TEST_RI(22, addi, 0x800007fe, 0x7fffffff, 0x7ff)
    TEST_RI(23, addi, 0x7ffff800, 0x80000000, -0x800)
    TEST_RI(24, andi, 0xff00ff00, 0xff00ff00, -1)       /* imm sign-extended */
    TEST_RI(25, andi, 0x00000700, 0xff00ff00, 0x70f)
    TEST_RI(26, ori,  0xfffffff0, 0x00000000, -16)
    TEST_RI(27, xori, 0x00ff00ff, 0xff00ff00, -1)
    TEST_RI(28, slli, 0x80000000, 0x00000001, 31)
    TEST_RI(29, srli, 0x00000001, 0x80000000, 31)
    TEST_RI(30, srai, 0xffffffff, 0x80000000, 31)
    TEST_RI(31, slti, 1, 0xfffffff0, -15)
    TEST_RI(32, slti, 0, 0x00000000, -1)
    TEST_RI(33, sltiu, 1, 0x00000005, -1)               /* compares with 0xffffffff */
    TEST_RI(34, sltiu, 0, 0xffffffff, -1)
    TEST_RR_SAME(35, add, 0x00000002, 1)
    TEST_RR_SAME(36, sub, 0x00000000, 12345)

    /* Writes to x0 are discarded. */
    li TESTNUM, 37
    li t1, 5
    add x0, t1, t1
    addi x0, x0, 1
    lui x0, 0x12345
    bnez x0, fail

    li TESTNUM, 38
    lui t0, 0xfffff
    CHECK(38, t0, 0xfffff000)
    lui t0, 0x80000
    CHECK(39, t0, 0x80000000)

    /* auipc adds to its own address. */
    li TESTNUM, 40
1:  auipc t0, 0x1
    la t1, 1b
    sub t0, t0, t1
    CHECK(40, t0, 0x1000)
2:  auipc t0, 0
    la t1, 2b
    bne t0, t1, fail

    TEST_PASS
