/*
 * Environment for the bare-metal ISA tests: entry at 0x80000000 in machine
 * mode, a trap vector, and the HTIF tohost protocol for reporting
 * (1 = pass, (n << 1) | 1 = check n failed; qemu exits with status n).
 */
#include "bare_test.h"

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    la      t0, trap_vector
    csrw    mtvec, t0

    /* Give user mode access to all memory (needed by the U-mode checks).
     * Where PMP is not implemented the CSR accesses trap: mtvec briefly
     * points past them so such a trap simply skips the setup. */
    la      t0, 1f
    csrw    mtvec, t0
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f            /* NAPOT, R, W, X */
    csrw    pmpcfg0, t0
    .balign 4
1:  la      t0, trap_vector
    csrw    mtvec, t0

    li      TESTNUM, 0
    j       test_main

/* Records an armed trap and resumes after the trapping instruction; an
 * unarmed trap fails the current check.  An ecall from user mode returns
 * to machine mode, so a test can drop to U and come back with ecall. */
    .balign 4
trap_vector:
    la      t3, trap_armed
    lw      t4, 0(t3)
    beqz    t4, fail
    sw      zero, 0(t3)
    csrr    t4, mcause
    la      t3, trap_cause
    sw      t4, 0(t3)
    csrr    t4, mtval
    la      t3, trap_tval
    sw      t4, 0(t3)
    csrr    t4, mepc
    la      t3, trap_epc
    sw      t4, 0(t3)
    addi    t4, t4, 4
    csrw    mepc, t4
    csrr    t4, mcause
    li      t3, 8               /* environment call from U-mode */
    bne     t4, t3, 2f
    li      t3, 0x1800          /* mstatus.MPP = M */
    csrs    mstatus, t3
2:  mret

    .globl pass
pass:
    li      t0, 1
    j       report

    .globl fail
fail:
    slli    t0, TESTNUM, 1
    ori     t0, t0, 1
report:
    fence
    la      t1, tohost
    sw      t0, 0(t1)           /* low word first: the high word commits */
    sw      zero, 4(t1)
1:  j       1b

    .section .tohost, "aw", @progbits
    .balign 8
    /* qemu insists on 8-byte symbol sizes. */
    .globl tohost
    .type tohost, @object
    .size tohost, 8
tohost:     .dword 0
    .globl fromhost
    .type fromhost, @object
    .size fromhost, 8
fromhost:   .dword 0

    .section .bss
    .balign 4
    .globl trap_armed, trap_cause, trap_epc, trap_tval
trap_armed: .word 0
trap_cause: .word 0
trap_epc:   .word 0
trap_tval:  .word 0
