/* Loads and stores of every width (aligned only: machine-mode misaligned
 * data access is implementation-defined), and the instruction-address-
 * misaligned exception of a jump to a target with bit 1 set. */
#include "bare_test.h"

#define MISA_C (1 << 2)

    .data
    .balign 4
bytes:  .byte 0x80, 0xff, 0x7f, 0x01
word:   .word 0x00000000
buffer: .word 0, 0

    .text
    .globl test_main
test_main:
    la s0, bytes
    lb t0, 0(s0)
    CHECK(1, t0, 0xffffff80)
    lbu t0, 0(s0)
    CHECK(2, t0, 0x00000080)
    lb t0, 2(s0)
    CHECK(3, t0, 0x0000007f)
    lh t0, 0(s0)
    CHECK(4, t0, 0xffffff80)
    lhu t0, 0(s0)
    CHECK(5, t0, 0x0000ff80)
    lh t0, 2(s0)
    CHECK(6, t0, 0x0000017f)
    lw t0, 0(s0)
    CHECK(7, t0, 0x017fff80)
    lbu t0, 3(s0)
    CHECK(8, t0, 0x00000001)

    /* Stores write only their width, little-endian. */
    la s1, buffer
    li t1, 0x11223344
    sw t1, 0(s1)
    li t1, 0xaabbccdd
    sb t1, 1(s1)
    lw t0, 0(s1)
    CHECK(9, t0, 0x1122dd44)
    sh t1, 2(s1)
    lw t0, 0(s1)
    CHECK(10, t0, 0xccdddd44)
    sw t1, 4(s1)
    lw t0, 0(s1)
    CHECK(11, t0, 0xccdddd44)
    lw t0, 4(s1)
    CHECK(12, t0, 0xaabbccdd)
    /* Negative offsets. */
    addi s2, s1, 8
    lw t0, -4(s2)
    CHECK(13, t0, 0xaabbccdd)
    lh t0, -2(s2)
    CHECK(14, t0, 0xffffaabb)

    /* Load into the base register itself. */
    la t1, word
    li t2, 0x12345678
    sw t2, 0(t1)
    lw t1, 0(t1)
    CHECK(15, t1, 0x12345678)

    /* Jump to an address with bit 1 set.  Without the C extension it must
     * raise instruction-address-misaligned (mcause 0) at the jump, with
     * mtval = target; with C (as in qemu's spike machine) it is legal. */
    li TESTNUM, 16
    csrr s3, misa
    andi s3, s3, MISA_C
    li s4, 0                    /* becomes 1 if the target executed */
    la s5, misaligned_target
    ARM_TRAP
    .balign 4
jump:
    jalr x0, 0(s5)
    j after_jump                /* resumed here after the trap */
    .half 0x0001                /* c.nop: pads the target to 2 mod 4 */
misaligned_target:
    li s4, 1
    j after_jump
    .half 0x0001                /* realigns: a hart without C cannot jump to 2 mod 4 */
after_jump:
    bnez s3, with_compressed
    CHECK_TRAP(17, 0)
    LOAD_TRAP_TVAL(t0)
    li TESTNUM, 18
    bne t0, s5, fail
    LOAD_TRAP_EPC(t0)
    la t1, jump
    li TESTNUM, 19
    bne t0, t1, fail
    CHECK(20, s4, 0)
    TEST_PASS
with_compressed:
    CHECK(21, s4, 1)
    la t3, trap_armed           /* no trap happened: disarm */
    sw zero, 0(t3)
    TEST_PASS
