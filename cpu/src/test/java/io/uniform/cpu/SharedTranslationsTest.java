package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.DecodedPage;
import io.uniform.cpu.memory.FlatAddressSpace;
import org.junit.jupiter.api.Test;

/** Harts running the same code reuse one translation of each region; different page bytes get their own. */
class SharedTranslationsTest {
    static final int BASE = 0x10000;
    static final int SIZE = 0x4000;
    static final int LOOP = BASE + 8;
    static final int A0 = 10, T0 = 5;

    /** Sums {@code step} 1000 times into a0 at a loop entered at {@link #LOOP}, then traps. */
    static Hart runSum(int step) {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        TestAssembler asm = new TestAssembler(BASE);
        asm.li(T0, 1000);
        asm.li(A0, 0);
        asm.org(LOOP);
        asm.i(Isa.ADDI, A0, A0, step);
        asm.i(Isa.ADDI, T0, T0, -1);
        asm.branchTo(Isa.BNE, T0, 0, LOOP);
        asm.ecall();
        asm.writeTo(space);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setPc(BASE);
        Stop stop = hart.run(1_000_000);
        assertEquals(TrapCause.ECALL_FROM_U, ((Stop.Trap) stop).cause());
        assertEquals(1000 * step, hart.register(A0));
        return hart;
    }

    static Object loopTranslation(Hart hart) {
        AddressSpace space = hart.addressSpace();
        DecodedPage page = space.physical().decodedPage(space.translate(LOOP, Access.EXECUTE));
        Object translation = page.translation((LOOP & 0xfff) >>> 2);
        assertNotNull(translation, "the loop should have been translated");
        return translation;
    }

    @Test
    void theSameCodeIsTranslatedOnceForEveryHart() {
        assertSame(loopTranslation(runSum(3)), loopTranslation(runSum(3)));
    }

    @Test
    void otherBytesInThePageGetTheirOwnTranslation() {
        assertNotSame(loopTranslation(runSum(3)), loopTranslation(runSum(5)));
    }
}
