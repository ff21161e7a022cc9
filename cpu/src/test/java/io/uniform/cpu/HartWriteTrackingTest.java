package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Write tracking for a pre-copy migration: after a round begins, exactly the pages written since
 * are noted, whether the hart had them in its write TLB already, runs interpreted or translated,
 * or a kernel writes them; a page only read, or written before the round, is not.
 */
class HartWriteTrackingTest {
    static final int BASE = 0x10000;
    static final int PAGE = PhysicalMemory.PAGE_SIZE;
    static final int A = BASE + 4 * PAGE, B = BASE + 5 * PAGE, C = BASE + 6 * PAGE, D = BASE + 7 * PAGE;
    static final int T0 = 5, T1 = 6, S0 = 8, S1 = 9, S2 = 18, S3 = 19;

    /** Loops forever: stores the counter into the page at s0, reads the page at s1. */
    static Hart hart(FlatAddressSpace space, int threshold) {
        TestAssembler asm = new TestAssembler(BASE);
        int loop = asm.here();
        asm.store(Isa.SW, T1, S0, 8);
        asm.load(Isa.LW, T0, S1, 0);
        asm.i(Isa.ADDI, T1, T1, 1);
        asm.branchTo(Isa.BEQ, 0, 0, loop);
        asm.writeTo(space);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTranslationThreshold(threshold);
        hart.setPc(BASE);
        return hart;
    }

    @ParameterizedTest(name = "translation threshold {0}")
    @ValueSource(ints = {1, Integer.MAX_VALUE})
    void aRoundNotesThePagesWrittenSinceItBegan(int threshold) {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, 16 * PAGE);
        PhysicalMemory memory = space.physical();
        Hart hart = hart(space, threshold);
        hart.setRegister(S0, A);
        hart.setRegister(S1, C);
        assertInstanceOf(Stop.SliceEnd.class, hart.run(10_000)); // A is in the write TLB now
        memory.beginWriteRound();
        assertFalse(memory.writtenThisRound(space.frameOf(A)), "a page written before the round");

        assertInstanceOf(Stop.SliceEnd.class, hart.run(10_000)); // writes A again, through its old TLB entry
        assertTrue(memory.writtenThisRound(space.frameOf(A)), "a page written through a translation made before the round");
        space.write(B, new byte[] {1}, 0, 1);
        assertTrue(memory.writtenThisRound(space.frameOf(B)), "a page a kernel wrote");
        space.write(D, new byte[] {1}, 0, 1);

        memory.beginWriteRound();
        hart.setRegister(S1, B);
        assertInstanceOf(Stop.SliceEnd.class, hart.run(10_000));
        assertTrue(memory.writtenThisRound(space.frameOf(A)));
        assertFalse(memory.writtenThisRound(space.frameOf(B)), "a page only read in this round");
        assertFalse(memory.writtenThisRound(space.frameOf(D)), "a page written in an earlier round only");

        memory.stopTrackingWrites();
        space.write(D, new byte[] {2}, 0, 1);
        assertFalse(memory.writtenThisRound(space.frameOf(D)), "nothing is noted once tracking stops");
        assertEquals(0, space.load8(C)); // never written: still the zero page
        assertEquals(-1, space.frameOf(C));
    }
}
