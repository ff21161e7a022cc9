package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.guest.GuestFiles;
import io.uniform.portals.Identity;
import io.uniform.portals.JobMap;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExitStatus;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration steps of a service node's kernel as the node drives them, between slices: a
 * rank's program frozen on one {@link LinuxKernel}, admitted by another through
 * {@link LinuxKernel#admit}, its pages written and started there, released at the source; the
 * output both captured, in order, is what one node captures when the program stays.
 */
class LinuxKernelMigrationTest {
    private static final long MEMORY = 64 << 20;
    private static final long SLICE = 50_000;
    /** A node whose memory cannot hold migrant. */
    private static final long SMALL_MEMORY = 64 << 10;

    @TempDir
    Path files;

    private final ProcessId rank = new ProcessId(4, 0);
    private final ProcessPortals portals = new ProcessPortals(new Identity(rank, 0, 0), JobMap.single(rank));

    /** guest/linux/migrant writing {@code file}: 6 rounds, no sleeps (the node's clock is the host's). */
    private LinuxKernel exec(String file) throws Exception {
        Program program = new Program(GuestFiles.elf("linux/migrant.elf"), List.of("migrant", file, "6", "0"), null);
        return LinuxKernel.exec(MEMORY, program, files.toString(), portals);
    }

    /** The run of a rank that never moves. */
    private CapturedRun stayed() throws Exception {
        CapturedRun stayed = new CapturedRun();
        stayed.finish(exec("stayed.txt"));
        return stayed;
    }

    @Test
    void aRankMovedBetweenServiceNodesPrintsWhatItWouldHaveStaying() throws Exception {
        CapturedRun stayed = stayed();
        LinuxKernel source = exec("moved.txt");
        CapturedRun before = new CapturedRun();
        for (int i = 0; i < 20; i++) {
            before.slice(source, SLICE);
        }
        assertNull(before.ended, "still running");
        ProcessState state = source.freeze(UnifiedLibrary.OS_LINUX);
        LinuxKernel destination = LinuxKernel.admit(MEMORY, files.toString(), portals, state, LinuxKernel.land(MEMORY, 0));
        CapturedRun.handOver(source, destination, source.frozenMemory().pages());

        CapturedRun after = new CapturedRun();
        after.finish(destination);
        assertEquals(stayed.stdout(), before.stdout() + after.stdout());
        assertEquals(new Kernel.Ended(ExitStatus.exited(6), null), after.ended);
        assertEquals(stayed.ended, after.ended);
        assertTrue(source.drainOutput().isEmpty(), "the source says nothing more: no exit, no output");
    }

    /**
     * Pre-copy's landing: the running rank's pages land in frames of the destination's memory
     * before it freezes (committed there, as the node's account shows), admission keeps them
     * and only the pages written since are written after it; the output is the unmoved run's.
     * A landing given up returns every byte it committed.
     */
    @Test
    void pagesLandedBeforeTheFreezeStayInPlaceAtAdmission() throws Exception {
        CapturedRun stayed = stayed();
        LinuxKernel source = exec("moved.txt");
        CapturedRun before = new CapturedRun();
        before.slice(source, SLICE);
        DirtyPages dirty = source.trackWrites();
        LinuxKernel.Landed landed = LinuxKernel.land(MEMORY, source.memoryBytes());
        LinuxKernel.Landed abandoned = LinuxKernel.land(MEMORY, 0);
        byte[] page = new byte[4096];
        List<Integer> first = dirty.nextRound();
        for (int address : first) {
            dirty.read(address, page, 0);
            landed.page(address, page, 0);
            abandoned.page(address, page, 0);
        }
        assertTrue(landed.memory().committedBytes() >= (long) first.size() * 4096, "landed pages are committed");
        abandoned.release();
        assertEquals(0, abandoned.memory().committedBytes(), "a landing given up keeps nothing");
        for (int i = 0; i < 19; i++) {
            before.slice(source, SLICE);
        }
        assertNull(before.ended, "still running");
        List<Integer> last = dirty.nextRound();
        dirty.stop();
        ProcessState state = source.freeze(UnifiedLibrary.OS_LINUX);
        LinuxKernel destination = LinuxKernel.admit(MEMORY, files.toString(), portals, state, landed);
        CapturedRun.handOver(source, destination, last);

        CapturedRun after = new CapturedRun();
        after.finish(destination);
        assertEquals(stayed.stdout(), before.stdout() + after.stdout());
        assertEquals(stayed.ended, after.ended);
    }

    @Test
    void aRefusedOrAbandonedMoveLeavesTheRankRunning() throws Exception {
        CapturedRun stayed = stayed();
        LinuxKernel source = exec("moved.txt");
        CapturedRun captured = new CapturedRun();
        captured.slice(source, SLICE);
        MigrationRefused refused = assertThrows(MigrationRefused.class, () -> source.freeze(UnifiedLibrary.OS_PUMA));
        assertTrue(refused.getMessage().contains("above Puma's user limit"), refused.getMessage());

        ProcessState state = source.freeze(UnifiedLibrary.OS_LINUX);
        MigrationRefused full = assertThrows(MigrationRefused.class, () -> LinuxKernel.admit(SMALL_MEMORY, files.toString(), portals, state, LinuxKernel.land(SMALL_MEMORY, 0)));
        assertTrue(full.getMessage().startsWith("the node's memory cannot hold the process's "), full.getMessage());
        LinuxKernel destination = LinuxKernel.admit(MEMORY, files.toString(), portals, state, LinuxKernel.land(MEMORY, 0));
        destination.release(); // the transfer failed: the destination forgets the arrival
        source.thaw();
        captured.finish(source);
        assertEquals(stayed.stdout(), captured.stdout());
        assertEquals(stayed.ended, captured.ended);
    }
}
