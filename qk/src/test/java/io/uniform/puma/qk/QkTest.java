package io.uniform.puma.qk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.process.Errno;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The QK alone, with a minimal test PCT: "images" are raw machine code copied to
 * {@link PumaAbi#IMAGE_LOW} (0x2000, below where uniform executables are linked), the heap
 * starts at 0x4000, and a test sets up the trap structure at {@link #TRAP} itself.
 */
class QkTest {
    private static final int REGION = 1 << 20;
    private static final int STACK = 64 << 10;
    private static final int TRAP = 0x3000;
    private static final int BUF = 0x3100;
    private static final int HEAP = 0x4000;

    /** lui a0, 0x3 (a0 = TRAP); a7 = "PUMA"; ecall; j back to the start: the same trap forever. */
    private static final int[] TRAP_LOOP = {lui(10, 0x3), lui(17, 0x50555), addi(17, 17, -0x2bf), 0x00000073, jal(0, -16)};
    private static final int[] SPIN = {jal(0, 0)};

    private static int lui(int rd, int imm20) {
        return imm20 << 12 | rd << 7 | 0x37;
    }

    private static int addi(int rd, int rs1, int imm) {
        return (imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
    }

    private static int jal(int rd, int offset) {
        return ((offset >> 20) & 1) << 31 | ((offset >> 1) & 0x3ff) << 21 | ((offset >> 11) & 1) << 20
                | ((offset >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
    }

    private static byte[] code(int... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    /** The minimal PCT: round robin over runnable pids, answers I/O through replaceable functions. */
    static final class TinyPct implements Pct {
        QkServices qk;
        int sequence;
        int next;
        boolean failAfterCreate;
        final List<Integer> writes = new ArrayList<>();
        final List<Integer> reads = new ArrayList<>();
        final List<String> opened = new ArrayList<>();
        IntUnaryOperator writeAnswer = length -> length;
        ReadResult readAnswer = ReadResult.ok(new byte[0]);
        int openAnswer = 3;

        @Override
        public void attach(QkServices services) {
            qk = services;
            for (int pid : services.pids()) {
                try {
                    sequence = Math.max(sequence, services.pcb(pid).loadSequence());
                } catch (Pcb.CorruptPcbException e) {
                    // killed at the next switch
                }
            }
        }

        @Override
        public LoadRequest.Result load(LoadRequest request) {
            int pid = qk.createProcess(request.regionBytes());
            if (failAfterCreate) {
                throw new IllegalStateException("fault between createProcess and start");
            }
            FlatAddressSpace space = qk.space(pid);
            space.write(PumaAbi.IMAGE_LOW, request.elf(), 0, request.elf().length);
            int top = PumaAbi.REGION_BASE + request.regionBytes();
            int bottom = top - request.stackBytes();
            new Pcb(pid, request.jobId(), request.rank(), request.jobSize(), Pcb.STATE_RUNNABLE, 0, HEAP, HEAP, bottom, top, bottom,
                    Pcb.POLICY_ROUND_ROBIN, ++sequence, 0, PumaAbi.REGION_BASE, request.regionBytes(), PumaAbi.IMAGE_LOW, 1000, 0)
                    .write(space);
            qk.start(pid, PumaAbi.IMAGE_LOW, top - 16);
            return LoadRequest.Result.loaded(pid);
        }

        @Override
        public Dispatch schedule() {
            List<Integer> runnable = qk.pids().stream().filter(qk::runnable).toList();
            if (runnable.isEmpty()) {
                return null;
            }
            return new Dispatch(runnable.get(next++ % runnable.size()), 1000);
        }

        @Override
        public int brk(int pid, int requested) {
            return HEAP;
        }

        @Override
        public int write(int pid, int fd, byte[] bytes) {
            writes.add(bytes.length);
            return writeAnswer.applyAsInt(bytes.length);
        }

        @Override
        public ReadResult read(int pid, int fd, int maxBytes) {
            reads.add(maxBytes);
            return readAnswer;
        }

        @Override
        public int open(int pid, String path, int linuxFlags, int mode) {
            opened.add(path);
            return openAnswer;
        }

        @Override
        public int close(int pid, int fd) {
            return 0;
        }

        @Override
        public long lseek(int pid, int fd, long offset, int whence) {
            return 0;
        }

        @Override
        public void ended(int pid, ExitStatus status) {}
    }

    private TinyPct tiny = new TinyPct();

    private Qk node(int regions) {
        return new Qk(regions * REGION, ProcessClock.host(), () -> tiny);
    }

    private static int load(Qk qk, int job, int... program) {
        LoadRequest.Result r = qk.load(new LoadRequest(code(program), List.of("p"), Map.of(), job, 0, 1, REGION, STACK));
        assertTrue(r.ok(), r::error);
        return r.pid();
    }

    private static void trap(Qk qk, int pid, int number, int... args) {
        FlatAddressSpace space = qk.space(pid);
        space.store32(TRAP, number);
        for (int i = 0; i < args.length; i++) {
            space.store32(TRAP + PumaAbi.TRAP_ARGS_OFFSET + 4 * i, args[i]);
        }
    }

    private static int result(Qk qk, int pid) {
        return qk.space(pid).load32(TRAP + PumaAbi.TRAP_RESULT_OFFSET);
    }

    @Test
    void anImageLinkedBelow0x10000RunsToItsExit() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        trap(qk, pid, PumaAbi.TRAP_EXIT, 7);
        List<QkEvent> events = qk.runSlice(10_000);
        assertEquals(List.of(new QkEvent.Exited(pid, ExitStatus.exited(7))), events);
        assertThrows(UnsupportedOperationException.class, () -> events.add(null), "an immutable copy");
    }

    @Test
    void aHugeWriteOrReadLengthMovesAtMost64KiBPerTrap() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 0x7fff_ffff);
        qk.runSlice(100);
        assertFalse(tiny.writes.isEmpty());
        assertTrue(tiny.writes.stream().allMatch(n -> n == UnifiedLibrary.IO_CHUNK), tiny.writes::toString);
        assertEquals(UnifiedLibrary.IO_CHUNK, result(qk, pid), "a short count");
        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 0xffff_ffff);
        qk.runSlice(100);
        assertEquals(UnifiedLibrary.IO_CHUNK, result(qk, pid));

        tiny.readAnswer = ReadResult.ok(new byte[] {1, 2, 3});
        trap(qk, pid, PumaAbi.TRAP_READ, 0, BUF, 0xffff_fff0);
        qk.runSlice(100);
        assertTrue(tiny.reads.stream().allMatch(n -> n == UnifiedLibrary.IO_CHUNK), tiny.reads::toString);
        assertEquals(3, result(qk, pid));
        assertEquals(0x030201, qk.space(pid).load32(BUF) & 0xffffff);
        assertTrue(qk.exitStatus(pid).isEmpty() && !qk.pctFailed());
    }

    @Test
    void openPathsAreCappedDecodedStrictlyAndFaultChecked() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        FlatAddressSpace space = qk.space(pid);
        byte[] longPath = new byte[PumaAbi.PATH_MAX + 10];
        java.util.Arrays.fill(longPath, (byte) 'a');
        space.write(BUF, longPath, 0, longPath.length);
        trap(qk, pid, PumaAbi.TRAP_OPEN, BUF, 0, 0);
        qk.runSlice(100);
        assertEquals(-Errno.ENAMETOOLONG, result(qk, pid));

        space.write(BUF, new byte[] {'a', (byte) 0xff, 'b', 0}, 0, 4);
        qk.runSlice(100);
        assertEquals(-Errno.EINVAL, result(qk, pid), "invalid UTF-8");

        trap(qk, pid, PumaAbi.TRAP_OPEN, PumaAbi.REGION_BASE + REGION - 2, 0, 0); // runs off the region end
        space.store16(PumaAbi.REGION_BASE + REGION - 2, 0x6161);
        qk.runSlice(100);
        assertEquals(-Errno.EFAULT, result(qk, pid));

        space.write(BUF, new byte[] {'f', 'i', 'l', 'e', 0}, 0, 5);
        trap(qk, pid, PumaAbi.TRAP_OPEN, BUF, 0, 0);
        qk.runSlice(100);
        assertEquals(3, result(qk, pid));
        assertTrue(tiny.opened.stream().allMatch("file"::equals), tiny.opened::toString);
    }

    private void assertWrongAnswerIsAPctFault(Qk qk, int pid, String expected) {
        List<QkEvent> events = qk.runSlice(100);
        assertTrue(qk.pctFailed(), events::toString);
        assertTrue(events.get(events.size() - 1) instanceof QkEvent.PctFailed f && f.cause().contains(expected), events::toString);
        assertTrue(qk.exitStatus(pid).isEmpty(), "the process survives");
        tiny = new TinyPct();
        qk.reloadPct(() -> tiny);
        assertFalse(qk.pctFailed());
    }

    @Test
    void answersOutsideWhatTheCallMayReturnArePctFaults() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        trap(qk, pid, PumaAbi.TRAP_READ, 0, BUF, 16);
        tiny.readAnswer = null;
        assertWrongAnswerIsAPctFault(qk, pid, "read of at most 16 bytes answered null");
        assertEquals(List.of(16), tiny.reads, "the reloaded PCT performed the interrupted read");

        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 16);
        tiny.writeAnswer = n -> n + 1;
        assertWrongAnswerIsAPctFault(qk, pid, "write of 16 bytes answered 17");
        assertEquals(16, result(qk, pid), "completed by the reloaded PCT");

        qk.space(pid).write(BUF, new byte[] {'f', 0}, 0, 2);
        trap(qk, pid, PumaAbi.TRAP_OPEN, BUF, 0, 0);
        tiny.openAnswer = -5000;
        assertWrongAnswerIsAPctFault(qk, pid, "open answered -5000");
        assertEquals(3, result(qk, pid));
    }

    @Test
    void aTrapThatBringsDownEveryPctEndsItsProcessAndTheNodeGoesOn() {
        Qk qk = node(2);
        int victim = load(qk, 1, TRAP_LOOP);
        int bystander = load(qk, 2, SPIN);
        trap(qk, victim, PumaAbi.TRAP_WRITE, 1, BUF, 16);
        IntUnaryOperator breaksThePct = n -> {
            throw new IllegalStateException("this write always breaks the PCT");
        };
        tiny.writeAnswer = breaksThePct;
        qk.runSlice(100_000);
        assertTrue(qk.pctFailed(), "the first fault");
        List<QkEvent> events = List.of();
        int reloads = 0;
        while (qk.exitStatus(victim).isEmpty()) {
            assertTrue(++reloads <= Qk.MAX_TRAP_FAULTS, "the trap is not retried forever");
            tiny = new TinyPct();
            tiny.writeAnswer = breaksThePct;
            events = qk.reloadPct(() -> tiny);
        }
        assertEquals(Qk.MAX_TRAP_FAULTS, reloads, "retried until it had failed MAX_TRAP_FAULTS PCTs");
        assertFalse(qk.pctFailed());
        assertEquals(Signal.SIGKILL, qk.exitStatus(victim).orElseThrow().signal());
        List<QkEvent> last = events;
        assertTrue(last.stream().anyMatch(e -> e instanceof QkEvent.Killed k && k.report().contains("failed " + Qk.MAX_TRAP_FAULTS + " times")), last::toString);
        qk.runSlice(10_000);
        assertTrue(qk.exitStatus(bystander).isEmpty(), "the other process runs on");
    }

    @Test
    void aStackThatLeavesNoRoomForAnImageIsRefusedAsARequest() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new LoadRequest(code(SPIN), List.of("p"), Map.of(), 1, 0, 1, REGION, REGION));
        assertTrue(refused.getMessage().contains("no room for an image"), refused.getMessage());
    }

    private Qk twoSpinners() {
        Qk qk = node(2);
        assertEquals(1, load(qk, 1, SPIN));
        assertEquals(2, load(qk, 2, SPIN));
        qk.runSlice(5000);
        return qk;
    }

    private static void assertOnlyFirstKilledFor(Qk qk, String field) {
        List<QkEvent> events = qk.runSlice(5000);
        assertEquals(1, events.size(), events::toString);
        QkEvent.Killed killed = (QkEvent.Killed) events.get(0);
        assertEquals(1, killed.pid());
        assertEquals(Signal.SIGKILL, killed.status().signal());
        assertTrue(killed.report().contains("corrupt PCB: " + field), killed.report());
        assertFalse(qk.idle(), "the other process keeps running");
        assertTrue(qk.exitStatus(2).isEmpty());
        assertEquals(List.of(), qk.runSlice(5000), "the node goes on running process 2");
        assertTrue(qk.exitStatus(2).isEmpty());
    }

    @Test
    void forgingTheStateIsACorruptPcb() {
        Qk qk = twoSpinners();
        qk.space(1).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_STATE, Pcb.STATE_EXITED);
        assertOnlyFirstKilledFor(qk, "state");
    }

    @Test
    void forgingTheLastDispatchIsACorruptPcb() {
        Qk qk = twoSpinners();
        qk.space(1).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_LAST_DISPATCH, 0);
        assertOnlyFirstKilledFor(qk, "lastDispatch");
    }

    @Test
    void forgingAFixedFieldIsACorruptPcb() {
        Qk qk = twoSpinners();
        qk.space(1).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_JOB_ID, 2);
        assertOnlyFirstKilledFor(qk, "jobId");
        Qk other = twoSpinners();
        other.space(1).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_QUANTUM, 1);
        assertOnlyFirstKilledFor(other, "quantum");
    }

    @Test
    void aPctFaultDuringALoadFreesTheRegionItCreated() {
        Qk qk = node(1);
        tiny.failAfterCreate = true;
        LoadRequest.Result refused = qk.load(new LoadRequest(code(SPIN), List.of("p"), Map.of(), 1, 0, 1, REGION, STACK));
        assertFalse(refused.ok());
        assertTrue(refused.error().contains("between createProcess and start"), refused.error());
        assertTrue(qk.pctFailed());
        tiny = new TinyPct();
        qk.reloadPct(() -> tiny);
        assertEquals(List.of(), tiny.qk.pids());
        int pid = load(qk, 1, TRAP_LOOP); // the node's only region is free again
        trap(qk, pid, PumaAbi.TRAP_EXIT, 3);
        qk.runSlice(1000);
        Qk.Collected collected = qk.collect(pid);
        assertEquals(new Qk.Collected(pid, ExitStatus.exited(3), null), collected);
        assertEquals(List.of(), tiny.qk.pids());
        load(qk, 1, SPIN);
    }
}
