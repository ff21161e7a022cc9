/* Deliberately fails check 3, so harnesses can see how failure is reported. */
#include "bare_test.h"

    .text
    .globl test_main
test_main:
    TEST_RR(1, add, 4, 2, 2)
    TEST_RR(2, sub, 0, 2, 2)
    TEST_RR(3, add, 5, 2, 2)    /* wrong on purpose: 2 + 2 != 5 */
    TEST_PASS
