/*
 * Macros for the bare-metal ISA tests (assembly, preprocessed).
 *
 * A test defines test_main, runs numbered checks and ends with TEST_PASS.
 * TESTNUM holds the number of the check being run; a failing check jumps to
 * fail, which reports (TESTNUM << 1) | 1 through tohost.  Registers t3/t4
 * are clobbered by the trap handler and t6 by the checks.
 */
#ifndef BARE_TEST_H
#define BARE_TEST_H

/* Name the object after its source: otherwise the linker records the
 * compiler's random temporary object name, breaking reproducible builds. */
    .file __BASE_FILE__

#define TESTNUM s11

/* Fail check n unless register reg holds expected. */
#define CHECK(n, reg, expected) \
    li TESTNUM, n; li t6, expected; bne reg, t6, fail

/* Register-register op on two immediates: t0 = a op b. */
#define TEST_RR(n, op, expected, a, b) \
    li TESTNUM, n; li t1, a; li t2, b; op t0, t1, t2; li t6, expected; bne t0, t6, fail

/* Register-immediate op: t0 = a op imm. */
#define TEST_RI(n, op, expected, a, imm) \
    li TESTNUM, n; li t1, a; op t0, t1, imm; li t6, expected; bne t0, t6, fail

/* Same source and destination register. */
#define TEST_RR_SAME(n, op, expected, a) \
    li TESTNUM, n; li t1, a; op t1, t1, t1; li t6, expected; bne t1, t6, fail

/* Allow exactly one trap; the handler records it and resumes at mepc + 4. */
#define ARM_TRAP \
    la t3, trap_armed; li t4, 1; sw t4, 0(t3)

/* Fail check n unless the armed trap happened with mcause cause. */
#define CHECK_TRAP(n, cause) \
    li TESTNUM, n; \
    la t3, trap_armed; lw t4, 0(t3); bnez t4, fail; \
    la t3, trap_cause; lw t4, 0(t3); li t6, cause; bne t4, t6, fail

/* Load the recorded mepc / mtval of the last trap into reg. */
#define LOAD_TRAP_EPC(reg)  la reg, trap_epc; lw reg, 0(reg)
#define LOAD_TRAP_TVAL(reg) la reg, trap_tval; lw reg, 0(reg)

#define TEST_PASS j pass

#endif
