package io.uniform.puma.pct;



import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.Section;
import io.uniform.guest.GuestFiles;
import io.uniform.guest.GuestManifest;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import io.uniform.puma.qk.Arrival;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.Pcb;
import io.uniform.puma.qk.Pct;
import io.uniform.puma.qk.PctFactory;
import io.uniform.puma.qk.PumaAbi;
import io.uniform.puma.qk.Qk;
import io.uniform.puma.qk.QkEvent;
import io.uniform.puma.qk.QkServices;
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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest programs on one Puma compute node: QK + PCT + an in-memory yod, whose file system is a temporary directory. */
class PumaNodeTest {
    private static final int NODE_MEMORY = 2 * LoadRequest.DEFAULT_REGION_BYTES;
    private static final long CAP = 5_000_000_000L;

    @TempDir
    Path files;

    private final Map<Integer, TestYod> yods = new HashMap<>();
    private final List<QkEvent> events = new ArrayList<>();

    private PctFactory standard(SchedulingPolicy policy, long quantum) {
        return () -> new StandardPct(policy, quantum, yods::get);
    }

    private Qk node(PctFactory factory) {
        return new Qk(NODE_MEMORY, ProcessClock.host(), factory);
    }

    private int load(Qk qk, int job, byte[] elf, List<String> argv, byte[] stdin) {
        yods.put(job, new TestYod(stdin, files));
        LoadRequest.Result result = qk.load(LoadRequest.of(elf, argv, job));
        assertTrue(result.ok(), () -> "load refused: " + result.error());
        return result.pid();
    }

    private void runUntilIdle(Qk qk) {
        long ran = 0;
        while ((!qk.idle() || yods.values().stream().anyMatch(TestYod::pending)) && ran < CAP) {
            events.addAll(qk.runSlice(1 << 20));
            ran += 1 << 20;
            yods.values().forEach(yod -> yod.deliver(qk));
        }
        assertTrue(qk.idle(), "the node went idle within the instruction cap");
    }

    private String out(int job) {
        return new String(yods.get(job).stdout(), StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> everyGuestTestPrintsTheGoldenOutputOnPuma() {
        return GuestManifest.load().entries().stream().filter(e -> e.program().startsWith("tests/")).map(entry -> DynamicTest.dynamicTest(entry.program(), () -> {
            Qk qk = node(standard(SchedulingPolicy.FIFO, 1));
            int pid = load(qk, 1, entry.elfBytes(), argv(entry), entry.stdinBytes());
            runUntilIdle(qk);
            assertEquals(entry.status(), qk.exitStatus(pid).orElseThrow().shellStatus(), () -> "status; report " + qk.killReport(pid));
            assertArrayEquals(entry.expectedStdout(), yods.get(1).stdout(), () -> "stdout:\n" + out(1));
        }));
    }

    @Test
    void theOsFlagIsPumaWhileRunning() throws Exception {
        byte[] elf = GuestFiles.elf("tests/hello.elf");
        Section abi = ElfFile.parse(elf, 0, 1L << 32).sections().get(".uniform");
        Qk qk = node(standard(SchedulingPolicy.FIFO, 1));
        int pid = load(qk, 1, elf, List.of("hello"), new byte[0]);
        assertEquals(UnifiedLibrary.OS_PUMA, qk.space(pid).load32(abi.address() + 8));
        qk.runSlice(1000);
        assertEquals(UnifiedLibrary.OS_PUMA, qk.space(pid).load32(abi.address() + 8));
        Pcb pcb = qk.pcb(pid);
        assertEquals(Pcb.STATE_RUNNABLE, pcb.state());
        assertEquals(PumaAbi.REGION_BASE + LoadRequest.DEFAULT_REGION_BYTES, pcb.stackTop());
        runUntilIdle(qk);
        assertEquals(Pcb.STATE_EXITED, qk.pcb(pid).state());
    }

    private Qk badTrapBesideHello(String mode) {
        Qk qk = node(standard(SchedulingPolicy.ROUND_ROBIN, 5000));
        int bad = load(qk, 1, GuestFiles.elf("puma/bad_trap.elf"), List.of("bad_trap", mode), new byte[0]);
        int good = load(qk, 2, GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), new byte[0]);
        runUntilIdle(qk);
        assertEquals(0, qk.exitStatus(good).orElseThrow().shellStatus(), "the second process on the node finishes");
        assertArrayEquals(readGolden("tests/hello.out"), yods.get(2).stdout());
        assertEquals(1, bad);
        return qk;
    }

    private static byte[] readGolden(String name) {
        return GuestManifest.load().entry(name.replace(".out", ".elf")).expectedStdout();
    }

    @Test
    void aWildTrapStructureKillsOnlyThatProcess() {
        Qk qk = badTrapBesideHello("wild");
        assertEquals(Signal.SIGSEGV, qk.exitStatus(1).orElseThrow().signal());
        String report = qk.killReport(1).orElseThrow();
        assertTrue(report.contains("trap structure address 0x00000010 is outside the user region"), report);
        assertEquals("bad_trap wild\n", out(1));
    }

    @Test
    void aMisalignedTrapStructureKillsOnlyThatProcess() {
        Qk qk = badTrapBesideHello("misaligned");
        assertTrue(qk.killReport(1).orElseThrow().contains("not 4-aligned"), qk.killReport(1).orElseThrow());
    }

    @Test
    void aLinuxEcallOnPumaKillsOnlyThatProcess() {
        Qk qk = badTrapBesideHello("linux");
        assertEquals(Signal.SIGSYS, qk.exitStatus(1).orElseThrow().signal());
        String report = qk.killReport(1).orElseThrow();
        assertTrue(report.contains("a7 = 64 (Linux write)") && report.contains("not a Puma trap"), report);
        assertEquals("bad_trap linux\n", out(1), "the Linux write was not performed");
    }

    @Test
    void aWildPointerInATrapFailsThatCallWithEfault() {
        Qk qk = badTrapBesideHello("wildarg");
        assertEquals(0, qk.exitStatus(1).orElseThrow().shellStatus());
        assertEquals("bad_trap wildarg\nresult -14 stored -14\n", out(1));
    }

    @Test
    void anUnknownTrapNumberIsEnosys() {
        Qk qk = badTrapBesideHello("unknown");
        assertEquals(0, qk.exitStatus(1).orElseThrow().shellStatus());
        assertEquals("bad_trap unknown\nresult -38 stored -38\n", out(1));
    }

    @Test
    void aCorruptedPcbIsDetectedAndOnlyThatProcessDies() {
        Qk qk = node(standard(SchedulingPolicy.ROUND_ROBIN, 10_000));
        int victim = load(qk, 1, GuestFiles.elf("tests/sort.elf"), List.of("sort"), new byte[0]);
        int other = load(qk, 2, GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), new byte[0]);
        qk.runSlice(50_000);
        qk.space(victim).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_HEAP_BREAK, 0x3000_0000); // outside the region
        runUntilIdle(qk);
        assertEquals(Signal.SIGKILL, qk.exitStatus(victim).orElseThrow().signal());
        String report = qk.killReport(victim).orElseThrow();
        assertTrue(report.contains("corrupt PCB: heapBreak = 0x30000000"), report);
        assertEquals(0, qk.exitStatus(other).orElseThrow().shellStatus());
        assertArrayEquals(readGolden("tests/hello.out"), yods.get(2).stdout());
    }

    private void assertForgedFieldKillsOnlyThatProcess(int offset, int forged, String field) {
        Qk qk = node(standard(SchedulingPolicy.ROUND_ROBIN, 10_000));
        int victim = load(qk, 1, GuestFiles.elf("tests/sort.elf"), List.of("sort"), new byte[0]);
        int other = load(qk, 2, GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), new byte[0]);
        qk.runSlice(50_000);
        qk.space(victim).store32(PumaAbi.PCB_ADDRESS + offset, forged);
        runUntilIdle(qk);
        assertFalse(qk.pctFailed(), "the PCT never saw the forgery");
        assertEquals(Signal.SIGKILL, qk.exitStatus(victim).orElseThrow().signal());
        String report = qk.killReport(victim).orElseThrow();
        assertTrue(report.contains("corrupt PCB: " + field), report);
        assertEquals(0, qk.exitStatus(other).orElseThrow().shellStatus());
        assertArrayEquals(readGolden("tests/hello.out"), yods.get(2).stdout());
    }

    @Test
    void aForgedJobIdKillsOnlyThatProcess() {
        assertForgedFieldKillsOnlyThatProcess(Pcb.OFF_JOB_ID, 2, "jobId"); // another job's yod
        assertForgedFieldKillsOnlyThatProcess(Pcb.OFF_JOB_ID, 99, "jobId"); // no yod at all
    }

    @Test
    void aForgedRankKillsOnlyThatProcess() {
        assertForgedFieldKillsOnlyThatProcess(Pcb.OFF_RANK, 0x7fff_ffff, "rank");
    }

    @Test
    void anUnknownJobIsEioNotAPctFault() {
        Qk qk = node(standard(SchedulingPolicy.FIFO, 1));
        int pid = load(qk, 1, GuestFiles.elf("tests/hello.elf"), List.of("hello"), new byte[0]);
        yods.remove(1); // the node forgot the job
        runUntilIdle(qk);
        assertFalse(qk.pctFailed());
        assertTrue(qk.exitStatus(pid).isPresent());
    }

    @Test
    void threeJobsRunOneAfterAnotherOnANodeThatHoldsTwo() {
        Qk qk = node(standard(SchedulingPolicy.FIFO, 1));
        for (int job = 1; job <= 3; job++) {
            int pid = load(qk, job, GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), new byte[0]);
            runUntilIdle(qk);
            QkEvent.Exited exited = events.stream().filter(QkEvent.Exited.class::isInstance).map(QkEvent.Exited.class::cast)
                    .filter(e -> e.pid() == pid).findFirst().orElseThrow();
            assertEquals(new Qk.Collected(pid, exited.status(), null), qk.collect(pid));
            assertEquals(0, exited.status().shellStatus());
            assertArrayEquals(readGolden("tests/hello.out"), yods.get(job).stdout());
            assertEquals(List.of(), qk.pids());
        }
    }

    @Test
    void aReloadedPctKeepsThePolicyAndQuantumRecordedInThePcbs() {
        List<Integer> dispatched = new ArrayList<>();
        Qk qk = node(() -> new FaultInjectingPct(new Recording(new StandardPct(SchedulingPolicy.ROUND_ROBIN, 20_000, yods::get), dispatched),
                FaultInjectingPct.onNth("schedule", 6)));
        int a = load(qk, 1, GuestFiles.elf("tests/sort.elf"), List.of("sort"), new byte[0]);
        int b = load(qk, 2, GuestFiles.elf("tests/sort.elf"), List.of("sort"), new byte[0]);
        runUntilIdle(qk);
        assertTrue(qk.pctFailed());
        qk.reloadPct(() -> new Recording(new StandardPct(SchedulingPolicy.FIFO, 1, yods::get), dispatched));
        runUntilIdle(qk);
        assertEquals(0, qk.exitStatus(a).orElseThrow().shellStatus());
        assertEquals(0, qk.exitStatus(b).orElseThrow().shellStatus());
        int bothAlive = Math.min(dispatched.lastIndexOf(a), dispatched.lastIndexOf(b));
        assertTrue(bothAlive > 10, dispatched::toString);
        for (int i = 0; i < bothAlive; i++) {
            assertEquals(i % 2 == 0 ? a : b, dispatched.get(i), "turn " + i + " of " + dispatched);
        }
    }

    @Test
    void aCallPumaLacksStopsTheProcessWithAMigrationRequest() throws Exception {
        Qk qk = node(standard(SchedulingPolicy.FIFO, 1));
        int pid = load(qk, 1, GuestFiles.elf("linux/unimplemented.elf"), List.of("unimplemented"), new byte[0]);
        runUntilIdle(qk);
        QkEvent.MigrationRequest request = events.stream().filter(QkEvent.MigrationRequest.class::isInstance)
                .map(QkEvent.MigrationRequest.class::cast).findFirst().orElseThrow();
        assertEquals(new QkEvent.MigrationRequest(pid, 134, "rt_sigaction"), request);
        assertTrue(qk.exitStatus(pid).isEmpty(), "stopped, not dead");
        assertEquals(Pcb.STATE_STOPPED, qk.pcb(pid).state());
        assertEquals(134, qk.space(pid).load32(PumaAbi.PCB_ADDRESS + Pcb.OFF_DEFICIENCY));
        List<QkEvent> killed = qk.kill(pid, "needs " + request.callName() + ", which Puma lacks");
        assertInstanceOf(QkEvent.Killed.class, killed.get(0));
        assertEquals("needs rt_sigaction, which Puma lacks", qk.killReport(pid).orElseThrow());
        assertEquals(137, qk.exitStatus(pid).orElseThrow().shellStatus());
    }

    @Test
    void aPctFaultMidRunIsContainedAndTheReloadedPctFinishesTheProgram() {
        PctFactory faulty = () -> new FaultInjectingPct(new StandardPct(SchedulingPolicy.FIFO, 1, yods::get),
                FaultInjectingPct.onNth("write", 3));
        Qk qk = node(faulty);
        GuestManifest.Entry entry = GuestManifest.load().entry("tests/printf_torture.elf");
        int pid = load(qk, 1, entry.elfBytes(), argv(entry), entry.stdinBytes());
        List<QkEvent> slice = List.of();
        for (int i = 0; i < 1000 && !qk.pctFailed(); i++) {
            slice = qk.runSlice(100_000);
            yods.get(1).deliver(qk);
        }
        assertTrue(qk.pctFailed());
        assertTrue(slice.get(slice.size() - 1) instanceof QkEvent.PctFailed f && f.cause().contains("injected PCT fault in write #3"), slice.toString());
        assertTrue(qk.exitStatus(pid).isEmpty(), "the process survived");
        assertTrue(qk.runSlice(1000).isEmpty(), "nothing runs without a PCT");
        int writtenBefore = yods.get(1).stdout().length;

        qk.reloadPct(standard(SchedulingPolicy.FIFO, 1));
        assertFalse(qk.pctFailed());
        List<Long> sequences = yods.get(1).sequences;
        assertEquals(sequences.get(sequences.size() - 2), sequences.get(sequences.size() - 1),
                "the new PCT forwarded the interrupted write again, under the same sequence number");
        yods.get(1).deliver(qk);
        assertEquals(writtenBefore, yods.get(1).stdout().length, "which yod had already performed: it is not written twice");
        runUntilIdle(qk);
        assertEquals(0, qk.exitStatus(pid).orElseThrow().shellStatus());
        assertArrayEquals(entry.expectedStdout(), yods.get(1).stdout());
    }

    @Test
    void aPctThatFaultsInBrkIsReloadedAndTheHeapViewComesFromThePcb() {
        Qk qk = node(() -> new FaultInjectingPct(new StandardPct(SchedulingPolicy.FIFO, 1, yods::get), FaultInjectingPct.onNth("brk", 5)));
        GuestManifest.Entry entry = GuestManifest.load().entry("tests/malloc_stress.elf");
        int pid = load(qk, 1, entry.elfBytes(), argv(entry), entry.stdinBytes());
        runUntilIdle(qk);
        assertTrue(qk.pctFailed());
        qk.reloadPct(standard(SchedulingPolicy.FIFO, 1));
        runUntilIdle(qk);
        assertEquals(0, qk.exitStatus(pid).orElseThrow().shellStatus());
        assertArrayEquals(entry.expectedStdout(), yods.get(1).stdout());
    }

    /** Records the PCT's dispatch decisions, and the runnable pids at each. */
    private static final class Recording implements Pct {
        final Pct delegate;
        final List<Integer> dispatched;
        final List<List<Integer>> runnableAtDispatch = new ArrayList<>();
        QkServices qk;

        Recording(Pct delegate, List<Integer> dispatched) {
            this.delegate = delegate;
            this.dispatched = dispatched;
        }

        @Override public void attach(QkServices services) {
            qk = services;
            delegate.attach(services);
        }
        @Override public LoadRequest.Result load(LoadRequest request) { return delegate.load(request); }
        @Override public LoadRequest.Result admit(Arrival arrival) { return delegate.admit(arrival); }
        @Override public void departed(int pid) { delegate.departed(pid); }
        @Override public Dispatch schedule() {
            Dispatch d = delegate.schedule();
            if (d != null) {
                dispatched.add(d.pid());
                runnableAtDispatch.add(qk.pids().stream().filter(qk::runnable).toList());
            }
            return d;
        }
        @Override public int brk(int pid, int requested) { return delegate.brk(pid, requested); }
        @Override public IoReply forward(int pid, long sequence, IoRequest request) { return delegate.forward(pid, sequence, request); }
        @Override public void ended(int pid, ExitStatus status) { delegate.ended(pid, status); }
    }

    private List<Integer> runTwoSorts(SchedulingPolicy policy, long quantum) {
        return runTwoSorts(new Recording[1], policy, quantum);
    }

    private List<Integer> runTwoSorts(Recording[] last, SchedulingPolicy policy, long quantum) {
        List<Integer> dispatched = new ArrayList<>();
        Qk qk = node(() -> last[0] = new Recording(new StandardPct(policy, quantum, yods::get), dispatched));
        int a = load(qk, 1, GuestFiles.elf("tests/sort.elf"), List.of("sort"), new byte[0]);
        int b = load(qk, 2, GuestFiles.elf("tests/sort.elf"), List.of("sort"), new byte[0]);
        runUntilIdle(qk);
        assertEquals(0, qk.exitStatus(a).orElseThrow().shellStatus());
        assertEquals(0, qk.exitStatus(b).orElseThrow().shellStatus());
        assertArrayEquals(yods.get(1).stdout(), yods.get(2).stdout());
        return dispatched;
    }

    @Test
    void fifoRunsTheEarliestLoadedRunnableProcessUntilItWaitsOrEnds() {
        Recording[] recording = new Recording[1];
        List<Integer> dispatched = runTwoSorts(recording, SchedulingPolicy.FIFO, 1);
        assertTrue(dispatched.contains(1) && dispatched.contains(2), dispatched::toString);
        for (int i = 0; i < dispatched.size(); i++) {
            List<Integer> runnable = recording[0].runnableAtDispatch.get(i);
            assertEquals(runnable.get(0), dispatched.get(i), "turn " + i + ": 2 runs only while 1 waits for yod or has ended; runnable " + runnable);
        }
    }

    @Test
    void roundRobinAlternatesEveryQuantum() {
        List<Integer> dispatched = runTwoSorts(SchedulingPolicy.ROUND_ROBIN, 20_000);
        assertTrue(dispatched.size() > 20, "many turns: " + dispatched.size());
        int lastOfA = dispatched.lastIndexOf(1);
        int lastOfB = dispatched.lastIndexOf(2);
        int bothAlive = Math.min(lastOfA, lastOfB);
        for (int i = 0; i < bothAlive; i++) {
            assertEquals(i % 2 == 0 ? 1 : 2, dispatched.get(i), "turn " + i + " of " + dispatched);
        }
    }

    /** argv of a manifest program: its name as the manifest writes it, then its arguments. */
    private static List<String> argv(GuestManifest.Entry entry) {
        List<String> argv = new ArrayList<>();
        argv.add(entry.program());
        argv.addAll(entry.arguments());
        return argv;
    }
}
