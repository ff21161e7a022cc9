package io.uniform.puma.pct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.HartState;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.guest.GuestFiles;
import io.uniform.guest.GuestManifest;
import io.uniform.portals.Identity;
import io.uniform.portals.JobMap;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.portals.Ptl;
import io.uniform.process.ProcessClock;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.Area;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.OpenFile;
import io.uniform.process.image.ProcessState;
import io.uniform.puma.qk.Arrival;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.Pcb;
import io.uniform.puma.qk.PumaAbi;
import io.uniform.puma.qk.Qk;
import io.uniform.puma.qk.QkEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Puma's half of migration on plain QKs: a process frozen on one node, its pages copied into
 * another through admit, writePage and startArrived, runs on to the output and status of a run
 * that never moved; a frozen process that thaws goes on as before; what cannot move, or does not
 * fit, is refused with the reason.
 */
class PumaMigrationTest {
    private static final int REGION = LoadRequest.DEFAULT_REGION_BYTES;
    private static final int SLICE = 100_000;
    private static final long CAP = 5_000_000_000L;
    private static final int JOB = 1;

    @TempDir
    Path files;

    private final Map<Integer, TestYod> yods = new HashMap<>();
    private final List<QkEvent> events = new ArrayList<>();

    private Qk node(int memoryBytes) {
        return new Qk(memoryBytes, ProcessClock.host(), () -> new StandardPct(SchedulingPolicy.FIFO, 1, yods::get));
    }

    private Qk node() {
        return node(2 * REGION);
    }

    private int load(Qk qk, GuestManifest.Entry entry) {
        yods.put(JOB, new TestYod(entry.stdinBytes(), files));
        List<String> argv = new ArrayList<>(List.of(entry.program()));
        argv.addAll(entry.arguments());
        LoadRequest.Result result = qk.load(LoadRequest.of(entry.elfBytes(), argv, JOB));
        assertTrue(result.ok(), result::error);
        return result.pid();
    }

    /** Runs the node for up to {@code budget} instructions, yod answering between slices, and leaves it between slices. */
    private void run(Qk qk, long budget) {
        for (long ran = 0; ran < budget && (!qk.idle() || yods.get(JOB).pending()); ran += SLICE) {
            events.addAll(qk.runSlice(SLICE));
            yods.get(JOB).deliver(qk);
        }
    }

    /** Freezes {@code pid} on {@code from} and moves it to {@code to} the way node actors do: its new pid there. */
    private static int move(Qk from, int pid, Qk to, int region) throws MigrationRefused, Pcb.CorruptPcbException {
        Pcb pcb = from.pcb(pid);
        ProcessState state = from.freeze(pid, UnifiedLibrary.OS_PUMA);
        FrozenMemory memory = from.frozenMemory(pid);
        LoadRequest.Result admitted = to.admit(Arrival.of(state, pcb.jobId(), pcb.rank(), pcb.jobSize(), region));
        assertTrue(admitted.ok(), admitted::error);
        byte[] page = new byte[Area.PAGE_SIZE];
        for (int address : memory.pages()) {
            memory.read(address, page);
            to.writePage(admitted.pid(), address, page);
        }
        assertTrue(from.release(pid).isEmpty());
        assertFalse(from.pids().contains(pid), "the source holds nothing of it");
        to.startArrived(admitted.pid());
        return admitted.pid();
    }

    @TestFactory
    Stream<DynamicTest> guestProgramsMovedBetweenTwoNodesAgainAndAgainPrintWhatTheyPrintUnmoved() {
        return Stream.of("tests/hello.elf", "tests/printf_torture.elf", "tests/malloc_stress.elf", "tests/sort.elf",
                "tests/matmul.elf", "tests/files.elf", "tests/big_bss.elf", "tests/stdin_echo.elf")
                .map(program -> DynamicTest.dynamicTest(program, () -> {
                    GuestManifest.Entry entry = GuestManifest.load().entry(program);
                    Qk[] nodes = {node(), node()};
                    int here = 0;
                    int pid = load(nodes[here], entry);
                    int moves = 0;
                    // Moves after 1, 3, 6, 10, ... slices: early and often, without making a long program slow.
                    for (long ran = 0; nodes[here].exitStatus(pid).isEmpty() && ran < CAP; ran += (moves + 1L) * SLICE) {
                        run(nodes[here], (moves + 1L) * SLICE);
                        if (nodes[here].exitStatus(pid).isEmpty()) {
                            pid = move(nodes[here], pid, nodes[1 - here], REGION);
                            here = 1 - here;
                            moves++;
                        }
                    }
                    int last = pid;
                    Qk end = nodes[here];
                    assertTrue(moves > 0, "it moved");
                    assertEquals(entry.status(), end.exitStatus(last).orElseThrow().shellStatus(), () -> "report " + end.killReport(last));
                    assertArrayEquals(entry.expectedStdout(), yods.get(JOB).stdout(),
                            () -> "after " + yods.get(JOB).stdout().length + " bytes:\n" + new String(yods.get(JOB).stdout(), StandardCharsets.UTF_8));
                }));
    }

    @Test
    void aFrozenProcessDescribesItsImageHeapAndStackAndListsOnlyThePagesItWrote() throws Exception {
        GuestManifest.Entry entry = GuestManifest.load().entry("tests/malloc_stress.elf");
        Qk qk = node();
        int pid = load(qk, entry);
        run(qk, 2 * SLICE);
        Pcb pcb = qk.pcb(pid);
        HartState hart = qk.hart(pid).capture();
        ProcessState state = qk.freeze(pid, UnifiedLibrary.OS_LINUX);

        assertEquals(UnifiedLibrary.OS_PUMA, state.os());
        assertEquals(hart, state.hart());
        assertEquals(pcb.heapStart(), state.heapStart());
        assertEquals(pcb.heapBreak(), state.programBreak());
        assertEquals(pcb.stackBottom(), state.stackBottom());
        assertEquals(PumaAbi.REGION_BASE + REGION, state.stackTop());
        assertEquals(ElfFile.parse(entry.elfBytes(), 0, 1L << 32).sections().get(".uniform").address() + 8, state.osFlagAddress());
        assertEquals(0, state.sleepNanos());
        assertTrue(state.files().isEmpty());
        List<Area> areas = state.areas();
        assertEquals(new Area(state.stackBottom(), state.stackTop() - state.stackBottom(), 3), areas.get(areas.size() - 1));
        assertEquals(new Area(state.heapStart(), ((state.programBreak() + 4095) & -4096) - state.heapStart(), 3), areas.get(areas.size() - 2));
        assertTrue(state.programBreak() > state.heapStart(), "the heap has grown");
        assertEquals(5, areas.get(0).protection(), "text: read and execute");
        assertTrue(areas.stream().anyMatch(area -> area.protection() == 3 && area.end() <= Integer.toUnsignedLong(state.heapStart())),
                "data: read and write");
        assertTrue(areas.stream().allMatch(area -> area.start() >= PumaAbi.IMAGE_LOW), "the PCB page is Puma's own: " + areas);

        FrozenMemory memory = qk.frozenMemory(pid);
        List<Integer> pages = memory.pages();
        assertFalse(pages.contains(PumaAbi.PCB_ADDRESS));
        assertFalse(pages.contains(state.stackBottom()), "the stack's untouched bottom does not travel");
        assertTrue(pages.contains(state.stackTop() - 4096), "the stack's top does");
        assertTrue(pages.size() < areas.stream().mapToLong(area -> area.length() / 4096).sum() / 4, pages.size() + " pages");
        for (int address : pages) {
            assertTrue(qk.space(pid).written(address));
        }
        byte[] page = new byte[4096];
        memory.read(state.osFlagAddress() & -4096, page);
        assertEquals(UnifiedLibrary.OS_PUMA, word(page, state.osFlagAddress() & 4095));
        assertThrows(IllegalArgumentException.class, () -> memory.read(PumaAbi.PCB_ADDRESS, page));
        assertThrows(IllegalArgumentException.class, () -> memory.read(state.stackTop() - 4095, page));
    }

    @Test
    void aThawedProcessGoesOnAsBeforeAndAFreezeWhileItWaitsForYodIsRefused() throws Exception {
        GuestManifest.Entry entry = GuestManifest.load().entry("tests/printf_torture.elf");
        Qk qk = node();
        int pid = load(qk, entry);
        events.addAll(qk.runSlice(SLICE));
        assertTrue(qk.waitingForIo(pid), "its first write waits for yod");
        MigrationRefused refused = assertThrows(MigrationRefused.class, () -> qk.freeze(pid, UnifiedLibrary.OS_LINUX));
        assertEquals("process 1 cannot move: it waits for yod's answer to its write call", refused.getMessage());
        yods.get(JOB).deliver(qk);

        HartState before = qk.hart(pid).capture();
        qk.freeze(pid, UnifiedLibrary.OS_PUMA);
        assertTrue(qk.idle(), "a frozen process does not run");
        assertTrue(qk.runSlice(SLICE).isEmpty());
        assertEquals(before, qk.hart(pid).capture());
        assertThrows(MigrationRefused.class, () -> qk.freeze(pid, UnifiedLibrary.OS_PUMA));
        qk.thaw(pid);
        assertThrows(IllegalStateException.class, () -> qk.thaw(pid));
        run(qk, CAP);
        assertEquals(0, qk.exitStatus(pid).orElseThrow().shellStatus());
        assertArrayEquals(entry.expectedStdout(), yods.get(JOB).stdout());
        assertThrows(MigrationRefused.class, () -> qk.freeze(pid, UnifiedLibrary.OS_PUMA));
    }

    @Test
    void aProcessStoppedByTheDeficiencyRoutineFreezesAfterItsEbreakThawsStoppedAndStopsAgainOnAnotherPumaNode() throws Exception {
        byte[] elf = GuestFiles.elf("linux/unimplemented.elf");
        int osWord = ElfFile.parse(elf, 0, 1L << 32).sections().get(".uniform").address() + UnifiedLibrary.OS_FLAG_OFFSET;
        yods.put(JOB, new TestYod(new byte[0], files));
        Qk qk = node();
        int pid = qk.load(LoadRequest.of(elf, List.of("unimplemented"), JOB)).pid();
        run(qk, CAP);
        QkEvent.MigrationRequest request = (QkEvent.MigrationRequest) events.stream()
                .filter(QkEvent.MigrationRequest.class::isInstance).findFirst().orElseThrow();

        ProcessState state = qk.freeze(pid, UnifiedLibrary.OS_LINUX);
        assertEquals(0x00100073, qk.space(pid).load32(state.hart().pc() - 4), "pc is after the ebreak");
        assertEquals(PumaAbi.DEFICIENCY_CODE, state.hart().registers()[17]);
        assertEquals(osWord, state.osFlagAddress());
        qk.thaw(pid);
        assertEquals(Pcb.STATE_STOPPED, qk.pcb(pid).state());
        assertTrue(qk.idle(), "still stopped");

        events.clear();
        Qk other = node();
        int moved = move(qk, pid, other, REGION);
        assertEquals(Pcb.STATE_RUNNABLE, other.pcb(moved).state());
        assertEquals(0, other.pcb(moved).deficiency());
        assertEquals(UnifiedLibrary.OS_PUMA, other.space(moved).load32(osWord));
        run(other, CAP);
        assertEquals(List.of(new QkEvent.MigrationRequest(moved, request.callNumber(), request.callName())), events,
                "the library's wedge asks again: Puma still lacks the call");
    }

    @Test
    void aProcessWaitingForAPortalsEventFreezesAsIfItsWaitEndedAndMovesInTheMiddleOfAJob() throws Exception {
        byte[] elf = GuestFiles.elf("mpp/token_ring.elf");
        String unmoved = runTokenRing(elf, false);
        assertTrue(unmoved.contains("ok"), unmoved);
        assertEquals(unmoved, runTokenRing(elf, true));
    }

    /**
     * Two ranks of token_ring, one per node, messages carried between nodes after each slice;
     * when {@code move}, rank 1 is frozen once it waits for an event (checked, thawed once),
     * then moved to a third node. Returns the job's output.
     */
    private String runTokenRing(byte[] elf, boolean move) throws Exception {
        yods.clear();
        yods.put(JOB, new TestYod(new byte[0], files));
        List<ProcessId> ids = List.of(new ProcessId(0, 0), new ProcessId(1, 1));
        Map<ProcessId, Qk> where = new HashMap<>();
        Map<ProcessId, Integer> pids = new HashMap<>();
        Map<ProcessId, ProcessPortals> portals = new HashMap<>();
        for (int rank = 0; rank < 2; rank++) {
            Qk qk = node();
            LoadRequest.Result loaded = qk.load(new LoadRequest(elf, List.of("token_ring", "20"), Map.of(), JOB, rank, 2,
                    REGION, LoadRequest.DEFAULT_STACK_BYTES));
            assertTrue(loaded.ok(), loaded::error);
            JobMap job = new JobMap(rank, ids);
            portals.put(job.self(), new ProcessPortals(new Identity(job.self(), 0, JOB), job));
            qk.attachPortals(loaded.pid(), portals.get(job.self()));
            where.put(ids.get(rank), qk);
            pids.put(ids.get(rank), loaded.pid());
        }
        boolean moved = !move;
        for (long ran = 0; ran < CAP && ids.stream().anyMatch(id -> where.get(id).exitStatus(pids.get(id)).isEmpty()); ran += SLICE) {
            for (ProcessId id : ids) {
                Qk qk = where.get(id);
                qk.runSlice(SLICE);
                yods.get(JOB).deliver(qk);
                carry(qk.drainOutbox(), where);
            }
            ProcessId one = ids.get(1);
            int pid = pids.get(one);
            if (!moved && where.get(one).waitingForEvent(pid) && where.get(one).eventWaitLeft(pid) == 0) {
                Qk from = where.get(one);
                int pc = from.hart(pid).pc();
                int trap = from.hart(pid).register(10);
                ProcessState state = from.freeze(pid, UnifiedLibrary.OS_LINUX);
                assertEquals(pc + 4, state.hart().pc());
                assertEquals(Ptl.PTL_OK, state.hart().registers()[10]);
                byte[] page = new byte[4096];
                from.frozenMemory(pid).read(trap & -4096, page);
                assertEquals(Ptl.PTL_OK, word(page, (trap & 4095) + PumaAbi.TRAP_RESULT_OFFSET));
                from.thaw(pid);
                assertTrue(from.waitingForEvent(pid), "thawed, it waits as before");
                assertEquals(pc, from.hart(pid).pc());

                Qk to = node();
                int arrived = move(from, pid, to, REGION);
                to.attachPortals(arrived, portals.get(one).copy()); // its interface block travels with its memory
                where.put(one, to);
                pids.put(one, arrived);
                moved = true;
            }
        }
        assertTrue(moved, "rank 1 waited for an event");
        for (ProcessId id : ids) {
            assertEquals(0, where.get(id).exitStatus(pids.get(id)).orElseThrow().shellStatus(), () -> where.get(id).killReport(pids.get(id)).orElse(""));
        }
        return new String(yods.get(JOB).stdout(), StandardCharsets.UTF_8);
    }

    /** Hands each message to the node its destination runs on now, and what it answers on, until none is left. */
    private static void carry(List<PortalsMessage> messages, Map<ProcessId, Qk> where) {
        List<PortalsMessage> due = new ArrayList<>(messages);
        while (!due.isEmpty()) {
            PortalsMessage message = due.remove(0);
            Qk qk = where.get(message.destination());
            qk.deliver(message);
            due.addAll(qk.drainOutbox());
        }
    }

    /** A process frozen on its node. */
    private record Frozen(GuestManifest.Entry entry, Qk node, int pid, ProcessState state) {}

    /** hello, frozen after its first slice. */
    private Frozen frozenHello() throws Exception {
        GuestManifest.Entry entry = GuestManifest.load().entry("tests/hello.elf");
        Qk node = node();
        int pid = load(node, entry);
        run(node, SLICE);
        return new Frozen(entry, node, pid, node.freeze(pid, UnifiedLibrary.OS_PUMA));
    }

    @Test
    void aProcessThatDoesNotFitIsRefusedWithTheReasonAndTheNodeStaysUsable() throws Exception {
        Frozen frozen = frozenHello();
        ProcessState state = frozen.state();

        MigrationRefused smallRegion = assertThrows(MigrationRefused.class, () -> Arrival.of(state, JOB, 0, 1, REGION / 2));
        assertTrue(smallRegion.getMessage().startsWith("its stack ends at 0x02001000, not at the top of the region this node gives "
                + "a process, [0x00002000, 0x01001000)"), smallRegion.getMessage());
        ProcessState linuxLike = withAreas(state, List.of(state.areas().get(0), new Area(0x3000_0000, 4096, 3)));
        assertTrue(assertThrows(MigrationRefused.class, () -> Arrival.of(linuxLike, JOB, 0, 1, REGION)).getMessage()
                .startsWith("its memory at [0x30000000, 0x30001000) is outside the region"));
        List<Area> withMapping = new ArrayList<>(state.areas());
        withMapping.add(withMapping.size() - 1, new Area(state.stackBottom() - 0x10000, 4096, 3));
        assertTrue(assertThrows(MigrationRefused.class, () -> Arrival.of(withAreas(state, withMapping), JOB, 0, 1, REGION)).getMessage()
                .endsWith("lies between its heap and its stack, where a Puma heap grows"));
        ProcessState withFiles = new ProcessState(state.os(), state.hart(), state.areas(), state.heapStart(), state.programBreak(),
                state.stackBottom(), state.stackTop(), state.osFlagAddress(), 0, List.of(new OpenFile(3, "/data", 0, 12)));
        assertTrue(assertThrows(MigrationRefused.class, () -> Arrival.of(withFiles, JOB, 0, 1, REGION)).getMessage()
                .startsWith("it holds open files (descriptors [3])"));
        ProcessState sleeping = new ProcessState(state.os(), state.hart(), state.areas(), state.heapStart(), state.programBreak(),
                state.stackBottom(), state.stackTop(), state.osFlagAddress(), 5_000, List.of());
        assertEquals("it sleeps in clock_nanosleep, a call Puma lacks",
                assertThrows(MigrationRefused.class, () -> Arrival.of(sleeping, JOB, 0, 1, REGION)).getMessage());

        Qk small = node(REGION / 2);
        LoadRequest.Result full = small.admit(Arrival.of(state, JOB, 0, 1, REGION));
        assertFalse(full.ok());
        assertTrue(full.error().startsWith("no free 32768 KiB of memory on this node"), full.error());
        assertTrue(small.pids().isEmpty());

        // The source still holds the process: it thaws and finishes.
        frozen.node().thaw(frozen.pid());
        run(frozen.node(), CAP);
        assertEquals(0, frozen.node().exitStatus(frozen.pid()).orElseThrow().shellStatus());
        assertArrayEquals(frozen.entry().expectedStdout(), yods.get(JOB).stdout());
    }

    @Test
    void malformedStatesAndPagesGetAClearErrorAndHarmNoOtherProcess() throws Exception {
        Frozen frozen = frozenHello();
        ProcessState state = frozen.state();

        List<Area> reversed = new ArrayList<>(state.areas());
        java.util.Collections.reverse(reversed);
        assertThrows(IllegalArgumentException.class, () -> Arrival.of(withAreas(state, reversed), JOB, 0, 1, REGION));
        ProcessState badFlag = new ProcessState(state.os(), state.hart(), state.areas(), state.heapStart(), state.programBreak(),
                state.stackBottom(), state.stackTop(), state.areas().get(0).start() + 8, 0, List.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Arrival.of(badFlag, JOB, 0, 1, REGION)).getMessage()
                .contains("is not an aligned word of a writable image area"));

        Qk destination = node();
        int neighbour = load(destination, frozen.entry()); // already on the node: it must come through unharmed
        HartState hart = state.hart();
        ProcessState machineMode = new ProcessState(state.os(), new HartState(hart.pc(), hart.registers(), 3, hart.instret(), hart.cycles(),
                hart.machineCsrs()), state.areas(), state.heapStart(), state.programBreak(), state.stackBottom(), state.stackTop(),
                state.osFlagAddress(), 0, List.of());
        LoadRequest.Result refused = destination.admit(Arrival.of(machineMode, JOB, 0, 1, REGION));
        assertTrue(refused.error().startsWith("a malformed state: privilege 3"), refused.error());
        assertEquals(List.of(neighbour), destination.pids());

        int arriving = destination.admit(Arrival.of(state, JOB, 0, 1, REGION)).pid();
        assertFalse(destination.runnable(arriving), "an arriving process waits for its pages");
        byte[] page = new byte[4096];
        assertThrows(IllegalArgumentException.class, () -> destination.writePage(arriving, PumaAbi.PCB_ADDRESS, page));
        assertThrows(IllegalArgumentException.class, () -> destination.writePage(arriving, PumaAbi.REGION_BASE + REGION, page));
        assertThrows(IllegalArgumentException.class, () -> destination.writePage(arriving, state.stackTop() - 4096, new byte[12]));
        assertThrows(IllegalStateException.class, () -> destination.writePage(neighbour, state.stackTop() - 4096, page));
        assertTrue(destination.release(arriving).isEmpty());
        assertEquals(List.of(neighbour), destination.pids());
        run(destination, CAP);
        assertEquals(0, destination.exitStatus(neighbour).orElseThrow().shellStatus(), "the neighbour ran to its end");
    }

    private static ProcessState withAreas(ProcessState state, List<Area> areas) {
        return new ProcessState(state.os(), state.hart(), areas, state.heapStart(), state.programBreak(), state.stackBottom(),
                state.stackTop(), state.osFlagAddress(), 0, List.of());
    }

    private static int word(byte[] page, int offset) {
        return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }
}
