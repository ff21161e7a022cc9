/* RV32M multiply and divide, including division by zero and overflow. */
#include "bare_test.h"

    .text
    .globl test_main
test_main:
    TEST_RR(1, mul, 0x242d2080, 0x12345678, 0x9abcdef0)
    TEST_RR(2, mul, 0x00000001, 0xffffffff, 0xffffffff)
    TEST_RR(3, mul, 0x80000000, 0x80000000, 0xffffffff)
    TEST_RR(4, mulh, 0xf8cc93d6, 0x12345678, 0x9abcdef0)
    TEST_RR(5, mulh, 0x00000000, 0xffffffff, 0xffffffff)
    TEST_RR(6, mulh, 0x40000000, 0x80000000, 0x80000000)
    TEST_RR(7, mulh, 0xffffffff, 0xffffffff, 0x00000001)
    TEST_RR(8, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
    TEST_RR(9, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff)
    TEST_RR(10, mulhu, 0x00000000, 0xffffffff, 0x00000001)
    TEST_RR(11, mulhsu, 0xf4ff15b1, 0xedcba988, 0x9abcdef0)
    TEST_RR(12, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff)
    TEST_RR(13, mulhsu, 0x80000000, 0x80000000, 0xffffffff)
    TEST_RR(14, mulhsu, 0x00000000, 0x00000001, 0xffffffff)

    TEST_RR(15, div, 0xfffffffd, -7, 2)
    TEST_RR(16, div, 0xfffffffd, 7, -2)
    TEST_RR(17, div, 0x00000003, -7, -2)
    TEST_RR(18, div, 0xffffffff, 7, 0)          /* by zero: all ones */
    TEST_RR(19, div, 0x80000000, 0x80000000, -1) /* overflow: dividend */
    TEST_RR(20, divu, 0x7ffffffc, -7, 2)
    TEST_RR(21, divu, 0xffffffff, 7, 0)
    TEST_RR(22, divu, 0x00000000, 0x80000000, -1)
    TEST_RR(23, rem, 0xffffffff, -7, 2)          /* sign of dividend */
    TEST_RR(24, rem, 0x00000001, 7, -2)
    TEST_RR(25, rem, 0x00000007, 7, 0)           /* by zero: dividend */
    TEST_RR(26, rem, 0xfffffff9, -7, 0)
    TEST_RR(27, rem, 0x00000000, 0x80000000, -1) /* overflow: zero */
    TEST_RR(28, remu, 0x00000001, -7, 2)
    TEST_RR(29, remu, 0xfffffff9, -7, 0)
    TEST_RR(30, remu, 0x80000000, 0x80000000, -1)
    TEST_RR_SAME(31, mul, 0x00000009, 3)
    TEST_RR_SAME(32, div, 0x00000001, -5)
    TEST_PASS
