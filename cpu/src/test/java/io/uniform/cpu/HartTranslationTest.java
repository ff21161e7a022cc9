package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hot loops, which the hart translates to JVM bytecode when it runs with a large budget, must
 * behave exactly as the interpreter does (which is what runs under a budget of 1): same
 * registers, memory, traps, pc, tval and instret.
 */
class HartTranslationTest {
    static final int BASE = 0x10000;
    static final int SIZE = 0x10000;
    static final int END = BASE + SIZE;
    static final int PAGE = PhysicalMemory.PAGE_SIZE;
    static final int DATA = BASE + 0x8000;

    static final int RA = 1, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10, A1 = 11, A2 = 12, A3 = 13;
    static final int A6 = 16, A7 = 17, S2 = 18, S3 = 19, S4 = 20, S5 = 21, T3 = 28, T4 = 29, T5 = 30, T6 = 31;

    record Run(Stop stop, HartState state, byte[] memory, boolean translated) {}

    /** Runs the program on a fresh hart, either with one big budget or one instruction at a time. */
    static Run run(Consumer<TestAssembler> program, long budget) {
        PhysicalMemory memory = new PhysicalMemory(SIZE);
        FlatAddressSpace space = FlatAddressSpace.covering(memory, BASE);
        TestAssembler asm = new TestAssembler(BASE);
        program.accept(asm);
        asm.writeTo(space);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setPc(BASE);
        Stop stop;
        long steps = 0;
        while ((stop = hart.run(budget)) instanceof Stop.SliceEnd) {
            if (++steps > 10_000_000) {
                fail("runaway");
            }
        }
        boolean translated = false;
        for (int frame = 0; frame < SIZE; frame += PAGE) {
            translated |= memory.decodedPage(frame) != null && memory.decodedPage(frame).hasTranslations();
        }
        return new Run(stop, hart.capture(), memory.bytes().clone(), translated);
    }

    /** The program's result with one big budget equals its result interpreted step by step. */
    static Run assertSameAsInterpreted(Consumer<TestAssembler> program) {
        Run interpreted = run(program, 1);
        Run whole = run(program, 100_000_000);
        assertTrue(whole.translated(), "the hot loop should have been translated");
        assertEquals(interpreted.stop(), whole.stop());
        assertEquals(interpreted.state(), whole.state());
        assertArrayEquals(interpreted.memory(), whole.memory());
        return whole;
    }

    static final int[] R_OPS = {Isa.ADD, Isa.SUB, Isa.SLL, Isa.SLT, Isa.SLTU, Isa.XOR, Isa.SRL, Isa.SRA, Isa.OR, Isa.AND,
        Isa.MUL, Isa.MULH, Isa.MULHSU, Isa.MULHU, Isa.DIV, Isa.DIVU, Isa.REM, Isa.REMU};

    /** t2 into the checksums a6 (xor) and a7 (add, rotated). */
    static void accumulate(TestAssembler asm) {
        asm.r(Isa.XOR, A6, A6, T2);
        asm.i(Isa.SLLI, T3, A7, 5);
        asm.i(Isa.SRLI, A7, A7, 27);
        asm.r(Isa.OR, A7, A7, T3);
        asm.r(Isa.ADD, A7, A7, T2);
    }

    /** A loop that applies every computational instruction to pseudo-random operands and checksums the results. */
    static void aluLoop(TestAssembler asm) {
        int sub = BASE + 2 * PAGE + 0x40; // a subroutine in another page
        asm.li(S0, 300);
        asm.li(S1, 0x12345678);
        asm.li(T6, 1103515245);
        asm.li(S2, DATA + PAGE - 700); // store pointer: crosses a page boundary during the loop
        asm.li(T4, Integer.MIN_VALUE);
        asm.li(T5, -1);
        int loop = asm.here();
        asm.r(Isa.MUL, S1, S1, T6);
        asm.i(Isa.ADDI, S1, S1, 1234);
        asm.i(Isa.SRAI, T0, S1, 3);
        asm.r(Isa.XOR, T1, S1, S0);
        asm.i(Isa.SRAI, T1, T1, 1); // random low bits: random shift amounts
        for (int op : R_OPS) {
            asm.r(op, T2, T0, T1);
            accumulate(asm);
        }
        asm.i(Isa.ANDI, T3, T1, 3 << 7); // zero a quarter of the time
        asm.r(Isa.DIV, T2, T0, T3);
        accumulate(asm);
        asm.r(Isa.REMU, T2, T0, T3);
        accumulate(asm);
        asm.r(Isa.DIV, T2, T4, T5);
        accumulate(asm);
        asm.r(Isa.REM, T2, T4, T5);
        accumulate(asm);
        int[][] immediates = {{Isa.ADDI, -2048}, {Isa.SLTI, -1}, {Isa.SLTIU, -1}, {Isa.SLTIU, 2047}, {Isa.XORI, -1},
            {Isa.ORI, 0x555}, {Isa.ANDI, -16}, {Isa.SLLI, 31}, {Isa.SRLI, 1}, {Isa.SRAI, 17}};
        for (int[] op : immediates) {
            asm.i(op[0], T2, T0, op[1]);
            accumulate(asm);
        }
        asm.u(Isa.AUIPC, T2, 0x12345);
        accumulate(asm);
        asm.r(Isa.ADD, 0, T0, T1); // x0 stays 0
        asm.load(Isa.LW, 0, S2, 0);
        asm.r(Isa.ADD, T2, 0, 0);
        accumulate(asm);
        // memory: misaligned and sub-word, crossing a page boundary at some iteration
        asm.store(Isa.SW, T0, S2, 1);
        asm.store(Isa.SH, T1, S2, 6);
        asm.store(Isa.SB, S1, S2, 3);
        asm.load(Isa.LW, T2, S2, 2);
        accumulate(asm);
        asm.load(Isa.LH, T2, S2, 5);
        accumulate(asm);
        asm.load(Isa.LHU, T2, S2, 6);
        accumulate(asm);
        asm.load(Isa.LB, T2, S2, 4);
        accumulate(asm);
        asm.load(Isa.LBU, T2, S2, 3);
        accumulate(asm);
        asm.i(Isa.ADDI, S2, S2, 5);
        // data-dependent branches, forward
        asm.branch(Isa.BLT, T0, T1, 8);
        asm.i(Isa.ADDI, A0, A0, 1);
        asm.branch(Isa.BGEU, T0, T1, 8);
        asm.i(Isa.ADDI, A1, A1, 1);
        asm.branch(Isa.BEQ, T3, 0, 8);
        asm.i(Isa.ADDI, A2, A2, 1);
        // a call to another page and back
        asm.jalTo(RA, sub);
        asm.i(Isa.ADDI, S0, S0, -1);
        asm.branchTo(Isa.BNE, S0, 0, loop);
        asm.ecall();
        asm.org(sub);
        asm.i(Isa.ADDI, A3, A3, 3);
        asm.jalr(0, RA, 0);
    }

    @Test
    void translatedHotLoopComputesExactlyWhatTheInterpreterComputes() {
        Run run = assertSameAsInterpreted(HartTranslationTest::aluLoop);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, run.stop());
        assertEquals(TrapCause.ECALL_FROM_U, trap.cause());
        assertEquals(900, run.state().registers()[A3]);
        assertEquals(0, run.state().registers()[0]);
    }

    @ParameterizedTest(name = "budget {0}")
    @ValueSource(ints = {2047, 2048, 2049, 3000, 4096, 10_000})
    void slicesAroundTheTranslationBudgetGiveTheSameResultAsInterpreting(int budget) {
        Run interpreted = run(HartTranslationTest::aluLoop, 1);
        Run sliced = run(HartTranslationTest::aluLoop, budget);
        assertEquals(interpreted.stop(), sliced.stop());
        assertEquals(interpreted.state(), sliced.state());
        assertArrayEquals(interpreted.memory(), sliced.memory());
    }

    @Test
    void hotLoopThatEventuallyLoadsOutsideTheRegionTrapsExactly() {
        Run run = assertSameAsInterpreted(asm -> {
            asm.li(S2, DATA);
            int loop = asm.here();
            asm.load(Isa.LW, T0, S2, 0);
            asm.r(Isa.ADD, A0, A0, T0);
            asm.i(Isa.ADDI, A1, A1, 1);
            asm.i(Isa.ADDI, S2, S2, 0x40);
            asm.jalTo(0, loop);
        });
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, run.stop());
        assertEquals(TrapCause.LOAD_ACCESS_FAULT, trap.cause());
        assertEquals(BASE + 8, trap.pc());
        assertEquals(END, trap.tval());
        assertEquals((END - DATA) / 0x40, run.state().registers()[A1]);
        assertEquals(2 + 5L * ((END - DATA) / 0x40), run.state().instret());
    }

    @Test
    void hotLoopThatEventuallyStoresOutsideTheRegionTrapsExactlyAndWritesNothingThere() {
        Run run = assertSameAsInterpreted(asm -> {
            asm.li(S2, END - 0x40 * 200 - 2);
            asm.li(T1, 0x01020304);
            int loop = asm.here();
            asm.store(Isa.SW, T1, S2, 0); // misaligned: the last one straddles the end
            asm.i(Isa.ADDI, S2, S2, 0x40);
            asm.jalTo(0, loop);
        });
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, run.stop());
        assertEquals(TrapCause.STORE_ACCESS_FAULT, trap.cause());
        assertEquals(BASE + 16, trap.pc());
        assertEquals(0, run.memory()[SIZE - 2]);
        assertEquals(0, run.memory()[SIZE - 1]);
    }

    @Test
    void hotLoopEndingInAMisalignedJumpTrapsExactly() {
        Run run = assertSameAsInterpreted(asm -> {
            asm.li(S0, 100);
            int loop = asm.here();
            asm.i(Isa.ADDI, S0, S0, -1);
            asm.branchTo(Isa.BNE, S0, 0, loop);
            asm.li(T0, BASE + 0x202);
            asm.jalr(RA, T0, 0);
        });
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, run.stop());
        assertEquals(TrapCause.INSTRUCTION_ADDRESS_MISALIGNED, trap.cause());
        assertEquals(BASE + 0x202, trap.tval());
        assertEquals(0, run.state().registers()[RA]);
    }

    @Test
    void hotLoopThatPatchesItsOwnBodySeesTheNewInstructionOnTheNextIteration() {
        Run run = assertSameAsInterpreted(asm -> {
            asm.li(S0, 200);
            asm.li(T0, BASE + 32); // the loop head, patched at the 100th iteration
            asm.li(T1, TestAssembler.encodeI(Isa.ADDI, A0, A0, 100));
            asm.li(T3, 100);
            int loop = asm.i(Isa.ADDI, A0, A0, 1);
            assertEquals(BASE + 32, loop);
            asm.i(Isa.ADDI, S0, S0, -1);
            asm.branch(Isa.BNE, S0, T3, 8);
            asm.store(Isa.SW, T1, T0, 0);
            asm.branchTo(Isa.BNE, S0, 0, loop);
            asm.ecall();
        });
        assertEquals(100 * 1 + 100 * 100, run.state().registers()[A0]);
    }

    @Test
    void hotLoopThatPatchesAnotherHotPageSeesTheNewCode() {
        int sub = BASE + 3 * PAGE;
        Run run = assertSameAsInterpreted(asm -> {
            asm.li(S0, 200);
            asm.li(T0, sub);
            asm.li(T1, TestAssembler.encodeI(Isa.ADDI, A0, A0, 100));
            asm.li(T3, 100);
            int loop = asm.jalTo(RA, sub);
            asm.i(Isa.ADDI, S0, S0, -1);
            asm.branch(Isa.BNE, S0, T3, 8);
            asm.store(Isa.SW, T1, T0, 0);
            asm.branchTo(Isa.BNE, S0, 0, loop);
            asm.ecall();
            asm.org(sub);
            asm.i(Isa.ADDI, A0, A0, 1);
            asm.jalr(0, RA, 0);
        });
        assertEquals(100 * 1 + 100 * 100, run.state().registers()[A0]);
    }

    @Test
    void csrReadsOfInstretInsideAHotLoopCountExactly() {
        Run run = assertSameAsInterpreted(asm -> {
            asm.li(S0, 300);
            int loop = asm.here();
            asm.i(Isa.ADDI, A1, A1, 1);
            asm.i(Isa.ADDI, S0, S0, -1);
            asm.csr(Isa.CSRRS, T0, io.uniform.cpu.isa.Csr.INSTRET, 0);
            asm.r(Isa.ADD, A0, A0, T0);
            asm.branchTo(Isa.BNE, S0, 0, loop);
            asm.ecall();
        });
        // iteration i (0-based) reads 2 + 5i + 2
        long expected = 0;
        for (int i = 0; i < 300; i++) {
            expected += 4 + 5L * i;
        }
        assertEquals((int) expected, run.state().registers()[A0]);
    }
}
