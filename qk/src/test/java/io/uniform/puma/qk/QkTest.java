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
import io.uniform.process.image.Area;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

    /**
     * The minimal PCT: round robin over runnable pids; answers I/O at once through a replaceable
     * function, or (answer null) forwards it and leaves the answer to the test.
     */
    static final class TinyPct implements Pct {
        QkServices qk;
        int sequence;
        int next;
        boolean failAfterCreate;
        final List<IoRequest> forwarded = new ArrayList<>();
        final List<Long> sequences = new ArrayList<>();
        Function<IoRequest, IoReply> answer = TinyPct::plainAnswer;

        static IoReply plainAnswer(IoRequest request) {
            if (request instanceof IoRequest.Write write) {
                return IoReply.of(write.length());
            }
            if (request instanceof IoRequest.Read) {
                return IoReply.bytes(new byte[0]);
            }
            return IoReply.of(request instanceof IoRequest.Open ? 3 : 0);
        }

        <T extends IoRequest> List<T> forwarded(Class<T> type) {
            return forwarded.stream().filter(type::isInstance).map(type::cast).toList();
        }

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
            qk.start(pid, PumaAbi.IMAGE_LOW, top - 16, new ImageLayout(List.of(new Area(PumaAbi.IMAGE_LOW, HEAP - PumaAbi.IMAGE_LOW, 7)), 0));
            return LoadRequest.Result.loaded(pid);
        }

        @Override
        public LoadRequest.Result admit(Arrival arrival) {
            return LoadRequest.Result.refused("TinyPct admits no process");
        }

        @Override
        public void departed(int pid) {
            // keeps nothing per process
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
        public IoReply forward(int pid, long sequence, IoRequest request) {
            forwarded.add(request);
            sequences.add(sequence);
            return answer == null ? null : answer.apply(request);
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

    /** sw t1, 0(t0) */
    private static final int STORE_T1_AT_T0 = 6 << 20 | 5 << 15 | 2 << 12 | 0x23;
    /** A word of the stack (the region's top 64 KiB below 0x101000). */
    private static final int STACK_WORD = 0x100000;
    /** t0 = STACK_WORD; then forever: store t1 there, t1 += 1. */
    private static final int[] STORE_LOOP = {lui(5, STACK_WORD >>> 12), STORE_T1_AT_T0, addi(6, 6, 1), jal(0, -8)};

    @Test
    void preCopyRoundsListThePagesWrittenSinceTheRoundBefore() {
        Qk qk = node(1);
        int pid = load(qk, 1, STORE_LOOP);
        qk.runSlice(1000);
        DirtyPages dirty = qk.trackWrites(pid);
        List<Integer> first = dirty.nextRound();
        assertTrue(first.contains(STACK_WORD), "the first round lists every page written: " + first);
        assertFalse(first.contains(PumaAbi.PCB_ADDRESS), "the PCB is Puma's, not the process's");
        assertEquals(List.of(), dirty.nextRound(), "nothing ran since");

        qk.runSlice(1000);
        List<Integer> written = dirty.nextRound();
        assertTrue(written.contains(STACK_WORD), written::toString);
        assertTrue(written.size() < first.size(), "its code is not written: " + written + " of " + first);
        byte[] page = new byte[Area.PAGE_SIZE];
        dirty.read(STACK_WORD, page);
        assertEquals(qk.space(pid).load32(STACK_WORD), ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt());

        dirty.stop();
        int before = qk.space(pid).load32(STACK_WORD);
        qk.runSlice(1000);
        assertTrue(qk.space(pid).load32(STACK_WORD) > before, "the process runs on");
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
        List<Integer> writes = tiny.forwarded(IoRequest.Write.class).stream().map(IoRequest.Write::length).toList();
        assertFalse(writes.isEmpty());
        assertTrue(writes.stream().allMatch(n -> n == UnifiedLibrary.IO_CHUNK), writes::toString);
        assertEquals(UnifiedLibrary.IO_CHUNK, result(qk, pid), "a short count");
        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 0xffff_ffff);
        qk.runSlice(100);
        assertEquals(UnifiedLibrary.IO_CHUNK, result(qk, pid));

        tiny.answer = request -> IoReply.bytes(new byte[] {1, 2, 3});
        trap(qk, pid, PumaAbi.TRAP_READ, 0, BUF, 0xffff_fff0);
        qk.runSlice(100);
        List<Integer> reads = tiny.forwarded(IoRequest.Read.class).stream().map(IoRequest.Read::maxBytes).toList();
        assertTrue(reads.stream().allMatch(n -> n == UnifiedLibrary.IO_CHUNK), reads::toString);
        assertEquals(3, result(qk, pid));
        assertEquals(0x030201, qk.space(pid).load32(BUF) & 0xffffff);
        assertTrue(qk.exitStatus(pid).isEmpty() && !qk.pctFailed());
    }

    @Test
    void openPathsAreCappedDecodedStrictlyAndFaultChecked() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        FlatAddressSpace space = qk.space(pid);
        byte[] longPath = new byte[io.uniform.process.files.GuestPath.PATH_MAX + 10];
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
        List<String> opened = tiny.forwarded(IoRequest.Open.class).stream().map(IoRequest.Open::path).toList();
        assertTrue(!opened.isEmpty() && opened.stream().allMatch("file"::equals), "only the valid path reached the PCT: " + opened);
    }

    @Test
    void answersOutsideWhatTheCallMayReturnFailTheCallWithEio() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        trap(qk, pid, PumaAbi.TRAP_READ, 0, BUF, 16);
        tiny.answer = request -> IoReply.bytes(new byte[17]);
        qk.runSlice(100);
        assertEquals(-Errno.EIO, result(qk, pid), "more bytes than asked for");

        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 16);
        tiny.answer = request -> IoReply.of(17);
        qk.runSlice(100);
        assertEquals(-Errno.EIO, result(qk, pid), "more written than given");

        qk.space(pid).write(BUF, new byte[] {'f', 0}, 0, 2);
        trap(qk, pid, PumaAbi.TRAP_OPEN, BUF, 0, 0);
        tiny.answer = request -> IoReply.of(-5000);
        qk.runSlice(100);
        assertEquals(-Errno.EIO, result(qk, pid), "no errno");

        trap(qk, pid, PumaAbi.TRAP_STAT, BUF, BUF + 512);
        tiny.answer = request -> new IoReply(0, new byte[10]);
        qk.runSlice(100);
        assertEquals(-Errno.EIO, result(qk, pid), "a statx structure of the wrong size");
        assertTrue(qk.exitStatus(pid).isEmpty() && !qk.pctFailed(), "yod's mistakes are the call's failure, nothing more");
    }

    @Test
    void aProcessWaitsForYodsAnswerWhichOnlyItsSequenceNumberCompletes() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        tiny.answer = null;
        trap(qk, pid, PumaAbi.TRAP_READ, 0, BUF, 8);
        qk.runSlice(100);
        assertTrue(qk.waitingForIo(pid) && qk.idle(), "waiting, not runnable");
        long instret = qk.hart(pid).instret();
        qk.runSlice(1000);
        assertEquals(instret, qk.hart(pid).instret(), "nothing runs while it waits");
        long sequence = tiny.sequences.get(0);
        assertFalse(qk.complete(pid, sequence + 1, IoReply.bytes(new byte[] {9})), "not the request it waits for");
        assertTrue(qk.complete(pid, sequence, IoReply.bytes(new byte[] {4, 5})));
        assertFalse(qk.complete(pid, sequence, IoReply.bytes(new byte[] {4, 5})), "a duplicate answer changes nothing");
        assertEquals(2, result(qk, pid));
        assertEquals(0x0504, qk.space(pid).load16(BUF));
        assertFalse(qk.waitingForIo(pid));

        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 2);
        qk.runSlice(100);
        assertEquals(sequence + 1, tiny.sequences.get(1), "the next request has the next number");
    }

    @Test
    void aTrapRetriedAfterAPctFaultKeepsItsSequenceNumber() {
        Qk qk = node(1);
        int pid = load(qk, 1, TRAP_LOOP);
        trap(qk, pid, PumaAbi.TRAP_WRITE, 1, BUF, 4);
        tiny.answer = request -> {
            throw new IllegalStateException("the PCT fails after forwarding");
        };
        qk.runSlice(100);
        assertTrue(qk.pctFailed());
        long first = tiny.sequences.get(0);
        tiny = new TinyPct();
        qk.reloadPct(() -> tiny);
        assertEquals(List.of(first), tiny.sequences, "yod sees the same request again, and can tell");
        assertEquals(4, result(qk, pid));
    }

    @Test
    void aTrapThatBringsDownEveryPctEndsItsProcessAndTheNodeGoesOn() {
        Qk qk = node(2);
        int victim = load(qk, 1, TRAP_LOOP);
        int bystander = load(qk, 2, SPIN);
        trap(qk, victim, PumaAbi.TRAP_WRITE, 1, BUF, 16);
        Function<IoRequest, IoReply> breaksThePct = request -> {
            throw new IllegalStateException("this write always breaks the PCT");
        };
        tiny.answer = breaksThePct;
        qk.runSlice(100_000);
        assertTrue(qk.pctFailed(), "the first fault");
        List<QkEvent> events = List.of();
        int reloads = 0;
        while (qk.exitStatus(victim).isEmpty()) {
            assertTrue(++reloads <= Qk.MAX_TRAP_FAULTS, "the trap is not retried forever");
            tiny = new TinyPct();
            tiny.answer = breaksThePct;
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
