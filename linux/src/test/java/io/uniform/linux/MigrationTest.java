package io.uniform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.HartState;
import io.uniform.guest.GuestFiles;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.process.ExitStatus;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.image.Area;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.OpenFile;
import io.uniform.process.image.ProcessState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real guest program (guest/linux/migrant.c: heap growth, a stack past its first mapping, an
 * anonymous mapping mostly never touched, a read-only page, a file written and read through two
 * descriptors, sleeps) frozen in one {@link Linux}, its pages copied into a second one through
 * admit, writePage and start, and run to its end there: its output and status are those of a run
 * that never moved. Also thawing, every refusal with its reason, and bad input. Both kernels
 * share one file system, as two service nodes share the job's files; their clocks are moved by
 * hand, so sleeps take no time and every run is deterministic.
 */
class MigrationTest {
    private static final String PROGRAM = "linux/migrant.elf";
    private static final int ROUNDS = 6;
    private static final long NAP_NANOS = 3_000_000;
    /** Instructions per slice while the test picks a moment to freeze (a run takes about 2.3 million). */
    private static final long SLICE = 5_000;
    private static final long FINISHING_SLICE = 1 << 20;
    private static final int PAGE = Area.PAGE_SIZE;
    private static final int A7 = 17;
    private static final int ECALL = 0x00000073;
    private static final int SYS_CLONE = 220;
    private static final int SYS_PIPE2 = 59;
    private static final int SYS_WRITE = 64;
    private static final int SIGCHLD = 17;

    @TempDir
    Path files;

    /** A kernel of one service node, with its console and its own clock. */
    private final class Node {
        final ManualClock clock;
        final Linux linux;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Console console = new Console(new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());

        Node(Linux.Config config, long clockStart) {
            clock = new ManualClock();
            clock.advance(clockStart);
            linux = new Linux(config, new ServiceFileSystem(files), clock);
        }

        Node() {
            this(Linux.Config.DEFAULT, 0);
        }

        Task spawn(String file) throws Exception {
            List<String> argv = List.of("migrant", file, String.valueOf(ROUNDS), String.valueOf(NAP_NANOS / 1_000_000));
            return linux.spawn(GuestFiles.elf(PROGRAM), argv, Map.of(), console);
        }

        /** One slice; a kernel whose tasks all sleep has its clock moved to the first deadline. */
        Linux.Progress slice(long budget) {
            Linux.Progress progress = linux.runSlice(budget);
            if (progress.outlook() == Linux.Outlook.SLEEPING) {
                clock.advance(progress.sleepNanos());
            }
            return progress;
        }

        /** {@code slices} slices of {@link #SLICE} instructions: somewhere in the middle of the program. */
        void run(int slices) {
            for (int i = 0; i < slices; i++) {
                slice(SLICE);
            }
        }

        ExitStatus finish(Task task) {
            for (int slices = 0; slices < 100_000; slices++) {
                Linux.Outlook outlook = slice(FINISHING_SLICE).outlook();
                if (outlook == Linux.Outlook.FINISHED) {
                    return task.exitStatus().orElseThrow();
                }
                assertTrue(outlook == Linux.Outlook.RUNNABLE || outlook == Linux.Outlook.SLEEPING, outlook.toString());
            }
            throw new AssertionError("no end within 100000 slices");
        }

        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** What a run that never moves prints, and its status and instruction count. */
    private record Reference(String stdout, ExitStatus status, long instructions) {}

    /** The same for every test: the program and the clocks are deterministic. */
    private static Reference reference;

    private Reference reference() throws Exception {
        if (reference != null) {
            return reference;
        }
        Node node = new Node();
        Task task = node.spawn("reference.txt");
        ExitStatus status = node.finish(task);
        reference = new Reference(node.stdout(), status, node.linux.instructions());
        return reference;
    }

    /** A frozen migrant, a few rounds in, and the state it left. */
    private record Frozen(Node source, Task task, ProcessState state) {}

    private Frozen frozen() throws Exception {
        Node source = new Node();
        Task task = source.spawn("moved.txt");
        source.run(150);
        return new Frozen(source, task, source.linux.freeze(task, UnifiedLibrary.OS_LINUX));
    }

    /** Moves the frozen {@code task} of {@code source} into {@code destination}: admit, every listed page, start; the source releases it. */
    private static Task move(Node source, Task task, ProcessState state, Node destination) throws MigrationRefused {
        Task arrived = destination.linux.admit(state, destination.console);
        FrozenMemory memory = source.linux.frozenMemory(task);
        byte[] page = new byte[PAGE];
        for (int address : memory.pages()) {
            memory.read(address, page);
            destination.linux.writePage(arrived, address, page);
        }
        source.linux.release(task);
        destination.linux.start(arrived);
        return arrived;
    }

    @ParameterizedTest(name = "frozen after {0} slices")
    @ValueSource(ints = {1, 20, 100, 250, 420})
    void aMovedProcessPrintsAndEndsAsOneThatStayed(int slices) throws Exception {
        Reference reference = reference();
        Node source = new Node();
        Task task = source.spawn("moved.txt");
        source.run(slices);
        assertEquals(Task.Transit.NONE, task.transit(), "still running after " + slices + " slices");

        ProcessState state = source.linux.freeze(task, UnifiedLibrary.OS_LINUX);
        Node destination = new Node(Linux.Config.DEFAULT, 9_000_000_000L);
        Task arrived = move(source, task, state, destination);

        assertEquals(Task.Transit.MOVED, task.transit());
        assertTrue(task.exitStatus().isEmpty(), "the source reports no end");
        assertTrue(source.linux.liveTasks().isEmpty());
        assertEquals(0, source.linux.memory().committedBytes(), "the source's memory went back to its node");
        assertEquals(Linux.Outlook.FINISHED, source.linux.runSlice(SLICE).outlook());

        ExitStatus status = destination.finish(arrived);
        assertEquals(reference.stdout(), source.stdout() + destination.stdout());
        assertEquals(reference.status(), status);
        assertEquals(ExitStatus.exited(ROUNDS), status);
    }

    /**
     * Pre-copy: pages copied in rounds while the migrant runs on (each round what it wrote since
     * the one before), staged by address, then the last round after the freeze; the staged pages
     * of its final areas, then the last round, make a process that ends as one that stayed.
     */
    @Test
    void aProcessPreCopiedInRoundsWhileItRunsPrintsAndEndsAsOneThatStayed() throws Exception {
        Reference reference = reference();
        Node source = new Node();
        Task task = source.spawn("moved.txt");
        source.run(100);
        DirtyPages dirty = source.linux.trackWrites(task);
        Map<Integer, byte[]> staged = new java.util.HashMap<>();
        List<Integer> first = dirty.nextRound();
        assertEquals(populated(task), first, "the first round lists every populated page");
        copy(first, dirty::read, staged);
        assertEquals(List.of(), dirty.nextRound(), "nothing ran: nothing written");
        List<Integer> rounds = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            source.run(30);
            List<Integer> written = dirty.nextRound();
            assertFalse(written.isEmpty(), "the migrant writes its stack at least");
            int populated = populated(task).size();
            assertTrue(written.size() < populated - 2, "its code is not written: " + written.size() + " of " + populated);
            rounds.add(written.size());
            copy(written, dirty::read, staged);
        }
        source.run(30);
        ProcessState state = source.linux.freeze(task, UnifiedLibrary.OS_LINUX);
        List<Integer> last = dirty.nextRound();
        dirty.stop();

        Node destination = new Node(Linux.Config.DEFAULT, 9_000_000_000L);
        Task arrived = destination.linux.admit(state, destination.console);
        staged.forEach((address, bytes) -> {
            if (state.areas().stream().anyMatch(area -> Integer.toUnsignedLong(area.start()) <= Integer.toUnsignedLong(address)
                    && Integer.toUnsignedLong(address) < area.end())) {
                destination.linux.writePage(arrived, address, bytes);
            }
        });
        FrozenMemory memory = source.linux.frozenMemory(task);
        byte[] page = new byte[PAGE];
        for (int address : last) {
            memory.read(address, page);
            destination.linux.writePage(arrived, address, page);
        }
        source.linux.release(task);
        destination.linux.start(arrived);
        assertEquals(reference.status(), destination.finish(arrived), "rounds of " + rounds + " pages, then " + last.size());
        assertEquals(reference.stdout(), source.stdout() + destination.stdout());
    }

    private static List<Integer> populated(Task task) {
        List<Integer> populated = new ArrayList<>();
        task.space.forEachMappedPage((address, protection, frame) -> {
            if (frame != PagedAddressSpace.NOT_POPULATED) {
                populated.add(address);
            }
        });
        return populated;
    }

    private static void copy(List<Integer> pages, java.util.function.BiConsumer<Integer, byte[]> read, Map<Integer, byte[]> staged) {
        for (int address : pages) {
            byte[] page = new byte[PAGE];
            read.accept(address, page);
            staged.put(address, page);
        }
    }

    @Test
    void theDestinationHoldsWhatTheSourceFroze() throws Exception {
        Frozen frozen = frozen();
        ProcessState state = frozen.state();
        assertEquals(2, state.files().size(), "the writer and the reader");
        assertEquals(List.of(3, 4), state.files().stream().map(OpenFile::fd).toList());
        assertEquals("/moved.txt", state.files().get(0).path());
        assertTrue(state.files().get(0).offset() > 0, "written some rounds");
        assertEquals(state.files().get(0).offset(), state.files().get(1).offset(), "the reader read back every line");
        assertTrue(state.areas().contains(new Area(state.stackBottom(), PagedAddressSpace.USER_END - state.stackBottom(),
                PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE)), "the stack: " + state.areas());
        assertTrue(PagedAddressSpace.USER_END - state.stackBottom() > 128 << 10, "the stack grew past its first mapping");
        assertTrue(state.areas().stream().anyMatch(area -> area.length() == PAGE && area.protection() == PagedAddressSpace.PROT_READ),
                "the page made read-only");
        assertTrue(state.programBreak() - state.heapStart() >= 32 << 10, "the heap grew");
        assertTrue(state.osFlagAddress() != 0);

        Node destination = new Node(Linux.Config.DEFAULT, 0);
        Task arrived = move(frozen.source(), frozen.task(), state, destination);
        assertTrue(arrived.pid() >= 100 && arrived.parentPid() == Task.INIT_PID);
        assertEquals(arrived.pid(), arrived.processGroup());
        assertEquals(arrived.pid(), arrived.session());
        assertEquals(UnifiedLibrary.OS_LINUX, arrived.hart().addressSpace().load32(state.osFlagAddress()));

        ProcessState again = destination.linux.freeze(arrived, UnifiedLibrary.OS_LINUX);
        assertEquals(state.areas(), again.areas());
        assertEquals(state.hart(), again.hart());
        assertEquals(List.of(state.heapStart(), state.programBreak(), state.stackBottom(), state.stackTop(), state.osFlagAddress()),
                List.of(again.heapStart(), again.programBreak(), again.stackBottom(), again.stackTop(), again.osFlagAddress()));
        assertEquals(state.files(), again.files());
        destination.linux.thaw(arrived);
        assertEquals(ExitStatus.exited(ROUNDS), destination.finish(arrived));
    }

    @Test
    void pagesNeverTouchedAreNotListed() throws Exception {
        Frozen frozen = frozen();
        ProcessState state = frozen.state();
        FrozenMemory memory = frozen.source().linux.frozenMemory(frozen.task());
        Area mapping = state.areas().stream().filter(area -> area.length() == 1 << 20).findFirst().orElseThrow();
        long listedInMapping = memory.pages().stream().map(Integer::toUnsignedLong)
                .filter(page -> page >= Integer.toUnsignedLong(mapping.start()) && page < mapping.end()).count();
        assertTrue(listedInMapping >= 1 && listedInMapping <= ROUNDS,
                "only the pages of the 1 MiB mapping a round wrote: " + listedInMapping);
        long mappedPages = state.areas().stream().mapToLong(area -> area.length() / PAGE).sum();
        assertTrue(memory.pages().size() < mappedPages - 200, memory.pages().size() + " of " + mappedPages);
        List<Integer> sorted = new ArrayList<>(memory.pages());
        sorted.sort(Integer::compareUnsigned);
        assertEquals(sorted, memory.pages(), "in increasing order");

        byte[] page = new byte[PAGE];
        memory.read(mapping.start() + PAGE, page); // round 1 wrote page 13: page 1 was never touched
        assertArrayEquals(new byte[PAGE], page);
        assertEquals(memory.pages(), frozen.source().linux.frozenMemory(frozen.task()).pages(), "reading populated nothing");
    }

    @Test
    void aProcessFrozenInItsSleepFinishesTheSleepAtTheDestination() throws Exception {
        Reference reference = reference();
        Node source = new Node();
        Task task = source.spawn("moved.txt");
        for (int round = 0; round < 3; round++) { // into the third round's sleep
            while (source.linux.runSlice(SLICE).outlook() != Linux.Outlook.SLEEPING) {
                assertTrue(task.exitStatus().isEmpty());
            }
            if (round < 2) {
                source.clock.advance(NAP_NANOS);
            }
        }
        assertEquals(Task.State.BLOCKED, task.state());
        ProcessState state = source.linux.freeze(task, UnifiedLibrary.OS_LINUX);
        assertEquals(NAP_NANOS, state.sleepNanos(), "the whole sleep remains: the source's clock has not moved");
        assertEquals(SystemCall.CLOCK_NANOSLEEP_TIME64.number(), state.hart().registers()[A7]);
        assertEquals(ECALL, task.hart().addressSpace().load32(state.hart().pc()), "the pc is at the ecall, to retry it");

        Node destination = new Node(Linux.Config.DEFAULT, 77_000_000_000L);
        Task arrived = move(source, task, state, destination);
        Linux.Progress first = destination.linux.runSlice(SLICE);
        assertEquals(Linux.Outlook.SLEEPING, first.outlook());
        assertEquals(NAP_NANOS, first.sleepNanos(), "the retried call sleeps what remained");
        destination.clock.advance(NAP_NANOS - 1);
        Linux.Progress almost = destination.linux.runSlice(SLICE);
        assertEquals(Linux.Outlook.SLEEPING, almost.outlook());
        assertEquals(1, almost.sleepNanos());
        assertEquals(ExitStatus.exited(ROUNDS), destination.finish(arrived));
        assertEquals(reference.stdout(), source.stdout() + destination.stdout());
    }

    @Test
    void aThawedProcessRunsOnExactlyAsBefore() throws Exception {
        Reference reference = reference();
        Node node = new Node();
        Task task = node.spawn("thawed.txt");
        node.run(40);
        HartState before = task.hart().capture();
        ProcessState state = node.linux.freeze(task, UnifiedLibrary.OS_LINUX);
        Linux.Progress frozen = node.linux.runSlice(SLICE);
        assertEquals(0, frozen.instructions(), "the scheduler skips a frozen task");
        assertEquals(Linux.Outlook.WAITING, frozen.outlook(), "a frozen task waits for its migration, no deadlock");
        assertEquals(before, task.hart().capture());
        assertEquals(before, state.hart());
        assertThrows(IllegalStateException.class, () -> node.linux.freeze(task, UnifiedLibrary.OS_LINUX), "frozen already");

        node.linux.thaw(task);
        assertEquals(Task.Transit.NONE, task.transit());
        assertEquals(reference.status(), node.finish(task));
        assertEquals(reference.stdout(), node.stdout());
        assertEquals(reference.instructions(), node.linux.instructions(), "not one instruction more or less");
    }

    @Test
    void aSleepThatEndsWhileFrozenEndsWhenThawed() throws Exception {
        Reference reference = reference();
        Node node = new Node();
        Task task = node.spawn("thawed.txt");
        while (node.linux.runSlice(SLICE).outlook() != Linux.Outlook.SLEEPING) {
            assertTrue(task.exitStatus().isEmpty());
        }
        node.linux.freeze(task, UnifiedLibrary.OS_LINUX);
        node.clock.advance(NAP_NANOS);
        assertEquals(0, node.linux.runSlice(SLICE).instructions(), "woken, but frozen");
        node.linux.thaw(task);
        assertEquals(reference.status(), node.finish(task));
        assertEquals(reference.stdout(), node.stdout());
        assertEquals(reference.instructions(), node.linux.instructions());
    }

    // ---- refusals at the source: the task runs on as before

    @Test
    void aProcessWithChildrenStays() throws Exception {
        Node node = new Node();
        Task task = node.spawn("stays.txt");
        int child = node.linux.invoke(task, SYS_CLONE, SIGCHLD, 0);
        assertRefused(() -> node.linux.freeze(task, UnifiedLibrary.OS_LINUX), "process 100 has children (" + child + ")");
        assertEquals(Task.Transit.NONE, task.transit());
    }

    @Test
    void aProcessThatIsNotAloneStays() throws Exception {
        Node node = new Node();
        Task task = node.spawn("stays.txt");
        Task other = node.spawn("other.txt");
        assertRefused(() -> node.linux.freeze(task, UnifiedLibrary.OS_LINUX),
                "the kernel runs other tasks besides process 100 (" + other.pid() + ")");
        assertEquals(ExitStatus.exited(ROUNDS), node.finish(task), "both run on");
    }

    @Test
    void aProcessInTheMiddleOfAWriteStays() throws Exception {
        Node node = new Node();
        Task task = node.spawn("stays.txt");
        int fds = task.stackBottom;
        assertEquals(0, node.linux.invoke(task, SYS_PIPE2, fds, 0));
        int writeEnd = task.space.load32(fds + 4);
        node.linux.invoke(task, SYS_WRITE, writeEnd, task.stackBottom, 96 << 10); // the pipe takes 64 KiB, then the write waits
        assertEquals(Task.State.BLOCKED, task.state());
        assertRefused(() -> node.linux.freeze(task, UnifiedLibrary.OS_LINUX), "is in the middle of a write (65536 bytes");
    }

    @Test
    void aProcessHoldingAPipeStays() throws Exception {
        Node node = new Node();
        Task task = node.spawn("stays.txt");
        assertEquals(0, node.linux.invoke(task, SYS_PIPE2, task.stackBottom, 0));
        assertRefused(() -> node.linux.freeze(task, UnifiedLibrary.OS_LINUX), "descriptor 3 is a pipe");
    }

    @Test
    void aProcessBornOnLinuxNeverFitsPuma() throws Exception {
        Node node = new Node();
        Task task = node.spawn("stays.txt");
        assertRefused(() -> node.linux.freeze(task, UnifiedLibrary.OS_PUMA),
                "its stack at 0xbffdf000-0xc0000000 lies above Puma's user limit 0x40000000");
        assertEquals(ExitStatus.exited(ROUNDS), node.finish(task));
    }

    @Test
    void anEndedProcessDoesNotMove() throws Exception {
        Node node = new Node();
        Task task = node.spawn("ended.txt");
        node.finish(task);
        assertRefused(() -> node.linux.freeze(task, UnifiedLibrary.OS_LINUX), "has ended");
    }

    // ---- refusals and bad input at the destination: nothing is held afterwards

    @Test
    void aNodeWithoutTheMemoryRefuses() throws Exception {
        Frozen frozen = frozen();
        Node small = new Node(new Linux.Config(1 << 20, 256 << 10, 16, 1 << 16), 0);
        assertRefused(() -> small.linux.admit(frozen.state(), small.console), "the node's memory cannot hold the process's");
        assertUnharmed(small);
        frozen.source().linux.thaw(frozen.task());
        assertEquals(ExitStatus.exited(ROUNDS), frozen.source().finish(frozen.task()), "the source goes on");
    }

    @Test
    void aNodeAtItsTaskLimitRefuses() throws Exception {
        Frozen frozen = frozen();
        Node full = new Node(new Linux.Config(64 << 20, 8 << 20, 1, 1 << 16), 0);
        full.spawn("other.txt");
        assertRefused(() -> full.linux.admit(frozen.state(), full.console), "the node runs 1 tasks, its limit");
        assertEquals(1, full.linux.liveTasks().size());
    }

    @Test
    void aFileThatIsGoneRefuses() throws Exception {
        Frozen frozen = frozen();
        Files.delete(files.resolve("moved.txt"));
        Node destination = new Node();
        assertRefused(() -> destination.linux.admit(frozen.state(), destination.console), "cannot be opened again");
        assertUnharmed(destination);
    }

    @Test
    void contradictoryStatesAreRejected() throws Exception {
        ProcessState state = frozen().state();
        Node destination = new Node();
        List<Area> overlapping = new ArrayList<>(state.areas());
        overlapping.add(1, state.areas().get(0));
        assertRejected(destination, withAreas(state, overlapping), "overlaps the one before");
        List<Area> pageZero = new ArrayList<>(state.areas());
        pageZero.add(0, new Area(0, PAGE, PagedAddressSpace.PROT_READ));
        assertRejected(destination, withAreas(state, pageZero), "maps page 0");
        assertRejected(destination, new ProcessState(state.os(), state.hart(), state.areas(), state.heapStart() + 1,
                state.programBreak(), state.stackBottom(), state.stackTop(), state.osFlagAddress(), 0, state.files()), "the heap");
        assertRejected(destination, new ProcessState(state.os(), state.hart(), state.areas(), state.heapStart(),
                state.programBreak(), state.stackTop(), state.stackBottom(), state.osFlagAddress(), 0, state.files()), "the stack");
        assertRejected(destination, new ProcessState(state.os(), state.hart(), state.areas(), state.heapStart(),
                state.programBreak(), state.stackBottom(), state.stackTop(), Linux.LOAD_BASE + 8, 0, state.files()), "the OS flag");
        HartState hart = state.hart();
        int[] registers = hart.registers();
        registers[A7] = SYS_WRITE;
        HartState writing = new HartState(hart.pc(), registers, hart.privilege(), hart.instret(), hart.cycles(), hart.machineCsrs());
        assertRejected(destination, new ProcessState(state.os(), writing, state.areas(), state.heapStart(),
                state.programBreak(), state.stackBottom(), state.stackTop(), state.osFlagAddress(), 5, state.files()),
                "not at its clock_nanosleep call");
        assertRejected(destination, new ProcessState(7, state.hart(), state.areas(), state.heapStart(),
                state.programBreak(), state.stackBottom(), state.stackTop(), state.osFlagAddress(), 0, state.files()), "no known OS");
        assertUnharmed(destination);
    }

    @Test
    void aPageOutsideEveryAreaOrAtTheWrongTimeIsRejected() throws Exception {
        Frozen frozen = frozen();
        Node destination = new Node();
        Task arrived = destination.linux.admit(frozen.state(), destination.console);
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> destination.linux.writePage(arrived, 0x8000_0000, new byte[PAGE]));
        assertTrue(outside.getMessage().contains("no page is mapped at 0x80000000"), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> destination.linux.writePage(arrived, frozen.state().heapStart(), new byte[12]));
        assertThrows(IllegalStateException.class,
                () -> frozen.source().linux.writePage(frozen.task(), frozen.state().heapStart(), new byte[PAGE]), "a frozen source takes no pages");
        assertEquals(Linux.Outlook.WAITING, destination.linux.runSlice(SLICE).outlook(), "an arriving task does not run");

        destination.linux.release(arrived); // the move failed: the destination forgets it
        assertUnharmed(destination);
        assertThrows(IllegalStateException.class, () -> destination.linux.start(arrived));
    }

    private static ProcessState withAreas(ProcessState state, List<Area> areas) {
        return new ProcessState(state.os(), state.hart(), areas, state.heapStart(), state.programBreak(), state.stackBottom(),
                state.stackTop(), state.osFlagAddress(), state.sleepNanos(), state.files());
    }

    private static void assertRejected(Node node, ProcessState state, String reason) {
        IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class, () -> node.linux.admit(state, node.console));
        assertTrue(rejected.getMessage().contains(reason), rejected.getMessage());
    }

    private static void assertUnharmed(Node node) {
        assertEquals(0, node.linux.memory().committedBytes(), "nothing is held");
        assertTrue(node.linux.liveTasks().isEmpty());
        assertEquals(Linux.Outlook.FINISHED, node.linux.runSlice(SLICE).outlook());
    }

    @FunctionalInterface
    private interface Attempt {
        Object run() throws MigrationRefused;
    }

    private static void assertRefused(Attempt attempt, String reason) {
        MigrationRefused refused = assertThrows(MigrationRefused.class, attempt::run);
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
        assertFalse(refused.getMessage().isBlank());
    }
}
