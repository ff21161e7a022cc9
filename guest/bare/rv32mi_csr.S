/* Zicsr instructions and machine-mode traps: CSR read/modify forms,
 * read-only counters, illegal CSR, ecall/ebreak causes, a round trip
 * through user mode, fence and fence.i. */
#include "bare_test.h"

#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_USER_ECALL 8
#define CAUSE_MACHINE_ECALL 11
#define MSTATUS_MPP 0x1800

    .text
    .globl test_main
test_main:
    /* csrrw returns the old value and writes the new one. */
    li t1, 0x12345678
    csrw mscratch, t1
    li t1, 0xcafef00d
    csrrw t0, mscratch, t1
    CHECK(1, t0, 0x12345678)
    csrr t0, mscratch
    CHECK(2, t0, 0xcafef00d)
    li t1, 0x0000000f
    csrrs t0, mscratch, t1
    CHECK(3, t0, 0xcafef00d)
    csrr t0, mscratch
    CHECK(4, t0, 0xcafef00f)
    li t1, 0xff00000f
    csrrc t0, mscratch, t1
    csrr t0, mscratch
    CHECK(5, t0, 0x00fef000)
    csrrwi t0, mscratch, 0x15
    CHECK(6, t0, 0x00fef000)
    csrrsi t0, mscratch, 0x0a
    csrr t0, mscratch
    CHECK(7, t0, 0x0000001f)
    csrrci t0, mscratch, 0x03
    csrr t0, mscratch
    CHECK(8, t0, 0x0000001c)
    /* csrrs with rs1 = x0 only reads. */
    csrrs t0, mscratch, x0
    CHECK(9, t0, 0x0000001c)

    /* Counters are readable and count up. */
    li TESTNUM, 10
    rdcycle t0
    rdinstret t1
    nop
    nop
    rdinstret t2
    bleu t2, t1, fail
    li TESTNUM, 11
    csrr t0, mcycle
    csrr t0, minstret
    /* time may be absent in hardware and trapped for M-mode emulation (as
     * qemu's spike machine does): it must read or trap as illegal. */
    ARM_TRAP
    rdtime t0
    la t3, trap_armed
    lw t4, 0(t3)
    sw zero, 0(t3)
    bnez t4, time_done          /* still armed: time was readable */
    CHECK_TRAP(32, CAUSE_ILLEGAL_INSTRUCTION)
time_done:

    /* Machine information registers. */
    csrr t0, mhartid
    CHECK(12, t0, 0)
    csrr t0, misa
    srli t1, t0, 30
    CHECK(13, t1, 1)                    /* MXL = 1: 32-bit */
    li t1, (1 << 8) | (1 << 12)         /* I and M */
    and t0, t0, t1
    CHECK(14, t0, (1 << 8) | (1 << 12))
    csrr t0, mstatus

    /* An unimplemented CSR (custom 0x7c0 is not in any standard) traps as
     * illegal instruction with mepc at the access. */
    li TESTNUM, 15
    ARM_TRAP
illegal_csr:
    csrr t0, 0x7c0
    CHECK_TRAP(16, CAUSE_ILLEGAL_INSTRUCTION)
    LOAD_TRAP_EPC(t0)
    la t1, illegal_csr
    li TESTNUM, 17
    bne t0, t1, fail

    /* Writing a read-only counter is illegal too. */
    li TESTNUM, 18
    ARM_TRAP
    csrw cycle, x0
    CHECK_TRAP(19, CAUSE_ILLEGAL_INSTRUCTION)

    li TESTNUM, 20
    ARM_TRAP
machine_ecall:
    ecall
    CHECK_TRAP(21, CAUSE_MACHINE_ECALL)
    LOAD_TRAP_EPC(t0)
    la t1, machine_ecall
    li TESTNUM, 22
    bne t0, t1, fail

    li TESTNUM, 23
    ARM_TRAP
breakpoint:
    ebreak
    CHECK_TRAP(24, CAUSE_BREAKPOINT)
    LOAD_TRAP_EPC(t0)
    la t1, breakpoint
    li TESTNUM, 25
    bne t0, t1, fail

    /* mret to user mode (MPP = 0); ecall from U comes back to M with
     * mcause 8 (the handler resumes after the ecall in machine mode). */
    li TESTNUM, 26
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    la t0, user_code
    csrw mepc, t0
    ARM_TRAP
    mret
user_code:
    li s1, 0x5e5
user_ecall:
    ecall
    CHECK_TRAP(27, CAUSE_USER_ECALL)
    CHECK(28, s1, 0x5e5)
    LOAD_TRAP_EPC(t0)
    la t1, user_ecall
    li TESTNUM, 29
    bne t0, t1, fail
    /* Back in machine mode: machine CSRs are accessible again. */
    csrr t0, mscratch
    CHECK(30, t0, 0x0000001c)

    /* fence and fence.i execute; code written to memory then runs. */
    fence
    fence rw, rw
    la t0, patched
    li t1, 0x00100513           /* addi a0, x0, 1 */
    sw t1, 0(t0)
    fence.i
    li a0, 0
patched:
    nop
    CHECK(31, a0, 1)
    TEST_PASS
