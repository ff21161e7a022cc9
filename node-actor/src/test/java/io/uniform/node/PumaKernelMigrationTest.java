package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.elf.ElfFile;
import io.uniform.guest.GuestFiles;
import io.uniform.guest.GuestManifest;
import io.uniform.portals.Identity;
import io.uniform.portals.JobMap;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import io.uniform.puma.pct.SchedulingPolicy;
import io.uniform.puma.pct.YodDirectory;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.PctFactory;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The migration steps of a compute node's kernel as the node drives them, between slices: a
 * rank frozen on one {@link PumaKernel}, admitted by another through {@link PumaKernel#admit},
 * its pages written and started there, released at the source; the output both captured is
 * what one node captures when the rank stays.
 */
class PumaKernelMigrationTest {
    private static final long MEMORY = 64 << 20;
    private static final long SLICE = 50_000;
    private static final int JOB = 7;
    private static final Function<YodDirectory, PctFactory> FIFO = PumaKernel.standard(SchedulingPolicy.FIFO, 1);

    private final ProcessId rank = new ProcessId(3, 0);
    private final ProcessPortals portals = new ProcessPortals(new Identity(rank, 0, JOB), JobMap.single(rank));

    private PumaKernel load(String program, long memory) {
        GuestManifest.Entry entry = GuestManifest.load().entry(program);
        return PumaKernel.load(memory, LoadRequest.DEFAULT_REGION_BYTES, FIFO, FIFO, JOB, 0, 1, entry.elfBytes(), List.of(program), portals);
    }

    /** The run of a rank that never moves. */
    private CapturedRun stayed(String program) {
        CapturedRun stayed = new CapturedRun();
        stayed.finish(load(program, MEMORY));
        return stayed;
    }

    private PumaKernel admit(ProcessState state, long memory) throws MigrationRefused {
        return PumaKernel.admit(memory, LoadRequest.DEFAULT_REGION_BYTES, FIFO, FIFO, JOB, 0, 1, state, portals,
                PumaKernel.land(memory, LoadRequest.DEFAULT_REGION_BYTES, 0));
    }

    @Test
    void aRankMovedBetweenComputeNodesPrintsWhatItWouldHaveStaying() throws Exception {
        moveMallocStressBetweenComputeNodes(false);
    }

    /**
     * Pre-copy to a compute node: most pages land in the region made at the reservation before
     * the process is admitted (one of them landed twice, the later copy counting, and one page
     * outside the region, which no process of the region can hold), the admission takes that
     * region as it is, and only the last pages are written after it.
     */
    @Test
    void pagesLandedInTheRegionBeforeTheAdmissionAreTheAdmittedRanksOwn() throws Exception {
        moveMallocStressBetweenComputeNodes(true);
    }

    /**
     * tests/malloc_stress, frozen mid-run on one compute node and admitted on another, prints what
     * it would have staying; {@code preCopied}: all but its last two pages were landed before the
     * admission, else every page is written after it.
     */
    private void moveMallocStressBetweenComputeNodes(boolean preCopied) throws Exception {
        CapturedRun stayed = stayed("tests/malloc_stress.elf");
        PumaKernel source = load("tests/malloc_stress.elf", MEMORY);
        CapturedRun captured = new CapturedRun();
        for (int i = 0; i < 20; i++) {
            captured.run(source, SLICE);
        }
        assertNull(captured.ended, "still running");
        ProcessState state = source.freeze(UnifiedLibrary.OS_PUMA);
        List<Integer> pages = source.frozenMemory().pages();
        int landedBefore = preCopied ? pages.size() - 2 : 0;
        PumaKernel.Landed landed = PumaKernel.land(MEMORY, LoadRequest.DEFAULT_REGION_BYTES, source.memoryBytes());
        byte[] page = new byte[4096];
        if (preCopied) {
            java.util.Arrays.fill(page, (byte) 0x5a);
            landed.page(pages.get(0), page, 0); // an earlier round's copy, replaced below
            landed.page(0x7fff_f000, page, 0);
        }
        for (int address : pages.subList(0, landedBefore)) {
            source.frozenMemory().read(address, page);
            landed.page(address, page, 0);
        }
        PumaKernel destination = PumaKernel.admit(MEMORY, LoadRequest.DEFAULT_REGION_BYTES, FIFO, FIFO, JOB, 0, 1, state, portals, landed);
        landed.admitted(destination, state.areas());
        CapturedRun.handOver(source, destination, pages.subList(landedBefore, pages.size()));

        captured.finish(destination);
        assertEquals(stayed.stdout(), captured.stdout());
        assertEquals(new Kernel.Ended(ExitStatus.exited(0), null), captured.ended);
    }

    @Test
    void aRankWaitingForYodIsNotFrozenAndOneThatDoesNotFitIsRefusedAndRunsOn() throws Exception {
        CapturedRun stayed = stayed("tests/hello.elf");
        PumaKernel source = load("tests/hello.elf", MEMORY);
        CapturedRun captured = new CapturedRun();
        Kernel.SliceResult first = captured.slice(source, SLICE);
        assertTrue(first.waiting() && !first.ioCalls().isEmpty(), "hello's first write waits for yod");
        MigrationRefused waiting = assertThrows(MigrationRefused.class, () -> source.freeze(UnifiedLibrary.OS_LINUX));
        assertTrue(waiting.getMessage().endsWith("it waits for yod's answer to its write call"), waiting.getMessage());
        captured.answer(source, first);

        ProcessState state = source.freeze(UnifiedLibrary.OS_PUMA);
        MigrationRefused small = assertThrows(MigrationRefused.class, () -> admit(state, 16 << 20));
        assertTrue(small.getMessage().startsWith("its stack ends at 0x02001000, not at the top of the region"), small.getMessage());
        PumaKernel abandoned = admit(state, MEMORY);
        abandoned.release(); // the transfer failed: the destination forgets the arrival
        source.thaw();
        captured.finish(source);
        assertEquals(stayed.stdout(), captured.stdout());
        assertEquals(stayed.ended, captured.ended);
    }

    @Test
    void aRankStoppedForACallPumaLacksFreezesAfterTheEbreakAndThawsStillWaitingToMove() throws Exception {
        byte[] elf = GuestFiles.elf("linux/unimplemented.elf");
        int osWord = ElfFile.parse(elf, 0, 1L << 32).sections().get(".uniform").address() + UnifiedLibrary.OS_FLAG_OFFSET;
        PumaKernel kernel = PumaKernel.load(MEMORY, LoadRequest.DEFAULT_REGION_BYTES, FIFO, FIFO, JOB, 0, 1, elf, List.of("unimplemented"), portals);
        CapturedRun captured = new CapturedRun();
        for (int i = 0; i < 100 && kernel.deficiency() == null; i++) {
            captured.run(kernel, SLICE);
        }
        assertNotNull(kernel.deficiency());

        ProcessState state = kernel.freeze(UnifiedLibrary.OS_LINUX);
        assertEquals(osWord, state.osFlagAddress());
        byte[] page = new byte[4096];
        kernel.frozenMemory().read(state.hart().pc() - 4 & -4096, page);
        int ebreak = (page[(state.hart().pc() - 4) & 4095] & 0xff) | (page[(state.hart().pc() - 3) & 4095] & 0xff) << 8
                | (page[(state.hart().pc() - 2) & 4095] & 0xff) << 16 | (page[(state.hart().pc() - 1) & 4095] & 0xff) << 24;
        assertEquals(0x00100073, ebreak, "pc is after the ebreak");
        kernel.thaw();
        Kernel.SliceResult after = captured.slice(kernel, SLICE);
        assertTrue(after.waiting(), "still stopped, waiting to move");
        assertFalse(after.ended() != null);
        assertEquals(ExitStatus.killed(Signal.SIGSYS), kernel.deficient("it could not move").status());
    }
}
