package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A program on a demand-zero region, whose memory grows (its array replaced) while the hart
 * runs, in translated code and in the interpreter, behaves exactly as on a region allocated
 * whole: same registers, same memory.
 */
class HartDemandZeroTest {
    static final int BASE = 0x10000;
    static final int SIZE = 1 << 20;
    static final int PAGE = PhysicalMemory.PAGE_SIZE;
    /** Data pages 1 to PAGES; each loop visits one word per page, the stores crossing into the next page. */
    static final int PAGES = SIZE / PAGE - 2;
    static final int S0 = 8, S1 = 9, T0 = 5, T1 = 6, T6 = 31, A0 = 10, A1 = 11;

    record Result(HartState state, FlatAddressSpace.Image image, long backedBytes) {}

    /** Reads every data page (zero), stores a counter across each page's end, and sums it back into a1. */
    static void program(TestAssembler asm) {
        asm.li(T6, PAGE);
        asm.li(A0, 0);
        perPage(asm, BASE + PAGE, () -> {
            asm.load(Isa.LW, T0, S0, 0);
            asm.r(Isa.ADD, A0, A0, T0);
        });
        asm.li(T1, 1);
        perPage(asm, BASE + 2 * PAGE - 2, () -> {
            asm.store(Isa.SW, T1, S0, 0);
            asm.i(Isa.ADDI, T1, T1, 3);
        });
        asm.li(A1, 0);
        perPage(asm, BASE + 2 * PAGE - 2, () -> {
            asm.load(Isa.LW, T0, S0, 0);
            asm.r(Isa.ADD, A1, A1, T0);
        });
        asm.ecall();
    }

    /** A loop running {@code body} once per data page, s0 stepping a page (t6) from {@code start}. */
    static void perPage(TestAssembler asm, int start, Runnable body) {
        asm.li(S0, start);
        asm.li(S1, PAGES);
        int loop = asm.here();
        body.run();
        asm.r(Isa.ADD, S0, S0, T6);
        asm.i(Isa.ADDI, S1, S1, -1);
        asm.branchTo(Isa.BNE, S1, 0, loop);
    }

    static Result run(Supplier<FlatAddressSpace> region, long budget) {
        FlatAddressSpace space = region.get();
        TestAssembler asm = new TestAssembler(BASE);
        program(asm);
        asm.writeTo(space);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setPc(BASE);
        Stop stop;
        while ((stop = hart.run(budget)) instanceof Stop.SliceEnd) {
            // budget spent: go on
        }
        assertInstanceOf(Stop.Trap.class, stop);
        assertEquals(TrapCause.ECALL_FROM_U, ((Stop.Trap) stop).cause());
        return new Result(hart.capture(), space.capture(), space.backedBytes());
    }

    @ParameterizedTest(name = "budget {0}")
    @ValueSource(longs = {1, 100_000_000})
    void growingWhileRunningMatchesARegionAllocatedWhole(long budget) {
        Result whole = run(() -> FlatAddressSpace.covering(new PhysicalMemory(SIZE), BASE), budget);
        Result demand = run(() -> FlatAddressSpace.demandZero(BASE, SIZE), budget);

        assertEquals(0, demand.state().registers()[A0]);
        long expected = 0;
        for (int i = 0; i < PAGES; i++) {
            expected += 1 + 3L * i;
        }
        assertEquals((int) expected, demand.state().registers()[A1]);
        assertEquals(whole.state(), demand.state());
        assertEquals(whole.image().pages().keySet(), demand.image().pages().keySet());
        demand.image().pages().forEach((offset, bytes) ->
                assertTrue(Arrays.equals(whole.image().pages().get(offset), bytes), "page at offset " + offset));
        assertEquals((PAGES + 2L) * PAGE, demand.backedBytes()); // the code page, and the data pages stored into
    }
}
