package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.HartState;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.Area;
import io.uniform.process.image.ProcessState;
import io.uniform.puma.qk.PumaAbi;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether a rank recorded in a snapshot would run on a Puma node: the check a restart makes before it places a Linux rank there. */
class PumaAdmissionRefusalTest {
    private static final int REGION = 8 << 20;
    private static final int REGION_END = PumaAbi.REGION_BASE + REGION;
    private static final int ECALL = 0x0000_0073;
    private static final int ADDI = 0x0000_0513; // addi a0, zero, 0
    private static final int WRITE = 64;

    /** A process laid out as Puma lays one out in a region of {@link #REGION}: image, heap, stack at the top. */
    private static ProcessState state(int os, int stackTop) {
        int image = PumaAbi.IMAGE_LOW;
        int heap = image + Area.PAGE_SIZE;
        int[] registers = new int[32];
        registers[17] = WRITE;
        HartState hart = new HartState(image, registers, 0, 0, 0, new int[0]);
        List<Area> areas = List.of(new Area(image, Area.PAGE_SIZE, 5), new Area(stackTop - 4 * Area.PAGE_SIZE, 4 * Area.PAGE_SIZE, 3));
        return new ProcessState(os, hart, areas, heap, heap, stackTop - 4 * Area.PAGE_SIZE, stackTop, 0, 0, List.of());
    }

    private static String refusal(ProcessState state, int nextInstruction) {
        return PumaKernel.admissionRefusal(REGION, REGION, 1, 2, state, nextInstruction);
    }

    @Test
    void aLinuxRankLaidOutForPumaAndNotInASystemCallFits() {
        assertNull(refusal(state(UnifiedLibrary.OS_LINUX, REGION_END), ADDI));
    }

    @Test
    void aLinuxRankRecordedInASystemCallDoesNotFitPuma() {
        String refusal = refusal(state(UnifiedLibrary.OS_LINUX, REGION_END), ECALL);
        assertTrue(refusal.startsWith("it was recorded in a Linux system call (a7 = 64)"), refusal);
    }

    @Test
    void aPumaRankAtItsEcallFitsPuma() {
        assertNull(refusal(state(UnifiedLibrary.OS_PUMA, REGION_END), ECALL));
    }

    @Test
    void aLinuxRankWhoseStackIsNotAtTheTopOfThePumaRegionDoesNotFit() {
        String refusal = refusal(state(UnifiedLibrary.OS_LINUX, 0x7fff_0000), ADDI);
        assertTrue(refusal.startsWith("its stack ends at 0x7fff0000, not at the top of the region"), refusal);
    }
}
