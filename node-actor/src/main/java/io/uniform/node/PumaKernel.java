package io.uniform.node;

import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.io.IoReply;
import io.uniform.puma.pct.FaultInjectingPct;
import io.uniform.puma.pct.SchedulingPolicy;
import io.uniform.puma.pct.StandardPct;
import io.uniform.puma.pct.YodDirectory;
import io.uniform.puma.pct.YodPort;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import io.uniform.puma.qk.Arrival;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.PumaAbi;
import io.uniform.puma.qk.PctFactory;
import io.uniform.puma.qk.Qk;
import io.uniform.puma.qk.QkEvent;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.process.image.Area;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Puma on a compute node: a {@link Qk} with a PCT, holding one process. The node's yod port
 * collects the process's I/O requests during a slice; the node actor sends them to the job's
 * yod after it, and passes the answers back through {@link #complete}.
 */
final class PumaKernel extends Kernel {
    /** The standard PCT with {@code policy} ({@code quantum} instructions per round-robin turn). */
    static Function<YodDirectory, PctFactory> standard(SchedulingPolicy policy, long quantum) {
        return yods -> () -> new StandardPct(policy, quantum, yods);
    }

    private final int jobId;
    // Every PCT this kernel installs passes through it, so an operator can make the current one fail.
    private final FaultInjectingPct.Armed injectedFault = new FaultInjectingPct.Armed();
    private final List<IoCall> ioCalls = new ArrayList<>();
    private final Function<YodDirectory, PctFactory> reloadPct;
    private final YodDirectory directory;
    private Qk qk;
    private int pid;
    private int pctReloads;
    private Ended result;
    private String lastPctFault;
    // Reloads in a row that retired no instruction of the process, and its count at the last reload.
    private int fruitlessReloads;
    private long instretAtReload = -1;
    // The Linux call the process stopped at, waiting to move (the deficiency routine), or null.
    private String deficiency;

    /** Reloads in a row without progress after which the node gives up on the process. */
    static final int MAX_FRUITLESS_RELOADS = 3;
    /** The ecall instruction's word, and the register holding a system call's number. */
    private static final int ECALL = 0x0000_0073;
    private static final int A7 = 17;

    private PumaKernel(int jobId, Function<YodDirectory, PctFactory> reloadPct) {
        this.jobId = jobId;
        this.reloadPct = reloadPct;
        YodPort port = (pid, rank, sequence, request) -> ioCalls.add(new IoCall(sequence, request));
        this.directory = job -> job == this.jobId ? port : null;
    }

    /**
     * Boots a QK of {@code memoryBytes} with the PCT {@code bootPct} makes and loads one rank;
     * returns the kernel, or throws {@link IllegalArgumentException} with the PCT's refusal.
     */
    static PumaKernel load(long memoryBytes, int regionBytes, Function<YodDirectory, PctFactory> bootPct, Function<YodDirectory, PctFactory> reloadPct,
                           int jobId, int rank, int size, byte[] elf, List<String> argv, ProcessPortals portals) {
        PumaKernel kernel = boot(memoryBytes, bootPct, reloadPct, jobId);
        LoadRequest request = new LoadRequest(elf, argv, Map.of(), jobId, rank, size, region(memoryBytes, regionBytes), LoadRequest.DEFAULT_STACK_BYTES);
        LoadRequest.Result result = kernel.qk.load(request);
        if (!result.ok()) {
            throw new IllegalArgumentException(result.error());
        }
        return kernel.hosting(result.pid(), portals);
    }

    /**
     * Boots a QK as {@link #load} does and admits rank {@code rank} of job {@code jobId}, arriving
     * by migration in {@code state}, into the region a loaded rank would get: the one {@code landed}
     * holds, with the pages pre-copied into it (those outside the process's areas zeroed first);
     * its other pages come through {@link #writePage}, and it runs after {@link #start}. The files
     * it holds are not the kernel's: its node has yod open them.
     *
     * @throws MigrationRefused the process does not fit this node, and why
     * @throws IllegalArgumentException the state is malformed
     */
    static PumaKernel admit(long memoryBytes, int regionBytes, Function<YodDirectory, PctFactory> bootPct, Function<YodDirectory, PctFactory> reloadPct,
                            int jobId, int rank, int size, ProcessState state, ProcessPortals portals, Landed landed) throws MigrationRefused {
        Arrival arrival = arrival(memoryBytes, regionBytes, jobId, rank, size, state);
        PumaKernel kernel = boot(memoryBytes, bootPct, reloadPct, jobId);
        landed.keepOnly(state.areas());
        LoadRequest.Result result = kernel.qk.admit(arrival, landed.region);
        if (!result.ok()) {
            throw new MigrationRefused(result.error());
        }
        return kernel.hosting(result.pid(), portals);
    }

    /**
     * Why rank {@code rank} of a job of {@code size}, recorded in {@code state} on either OS
     * with {@code nextInstruction} to run next, would not run on a node of {@code memoryBytes},
     * or null if it fits: the check {@link #admit} makes, and, for a Linux process, the one
     * its move to Puma makes at the source (a process at a Linux system call would make it
     * again on Puma, which has no such call). A restart places a Linux rank on Puma only then.
     *
     * @throws IllegalArgumentException the state is malformed
     */
    static String admissionRefusal(long memoryBytes, int regionBytes, int rank, int size, ProcessState state, int nextInstruction) {
        try {
            arrival(memoryBytes, regionBytes, 0, rank, size, state);
        } catch (MigrationRefused refused) {
            return refused.getMessage();
        }
        if (state.os() == UnifiedLibrary.OS_LINUX && nextInstruction == ECALL) {
            return "it was recorded in a Linux system call (a7 = " + state.hart().registers()[A7]
                    + "), which it would make again on Puma: it can run on Puma from a snapshot taken once the call returns";
        }
        return null;
    }

    private static Arrival arrival(long memoryBytes, int regionBytes, int jobId, int rank, int size, ProcessState state)
            throws MigrationRefused {
        // A Puma process's files are yod's to serve: the node has yod open them (Yod.AdoptFiles).
        return Arrival.of(state.withFiles(List.of()), jobId, rank, size, region(memoryBytes, regionBytes));
    }

    private static PumaKernel boot(long memoryBytes, Function<YodDirectory, PctFactory> bootPct,
                                   Function<YodDirectory, PctFactory> reloadPct, int jobId) {
        PumaKernel kernel = new PumaKernel(jobId, reloadPct);
        kernel.qk = new Qk((int) Math.min(memoryBytes, Integer.MAX_VALUE & ~0xfff), ProcessClock.host(), kernel.injectable(bootPct));
        return kernel;
    }

    /**
     * A landing for a compute node: the region its process will get ({@link #region}), made when
     * the node reserves itself, so that pre-copied pages are written once, in place, while the
     * source still runs the process, and the admission takes the region as it is. Its memory is
     * grown then to hold the {@code processBytes} the process has (as a Linux landing's is), so
     * that the stream does not copy it each time it doubles.
     *
     * @throws MigrationRefused if the JVM cannot hold that memory
     */
    static Landed land(long memoryBytes, int regionBytes, long processBytes) throws MigrationRefused {
        FlatAddressSpace region = FlatAddressSpace.demandZero(PumaAbi.REGION_BASE, region(memoryBytes, regionBytes));
        try {
            region.reserveFrames(processBytes);
        } catch (IllegalStateException e) {
            throw new MigrationRefused("the node cannot make room for the process's " + (processBytes >> 10) + " KiB: " + e.getMessage());
        }
        return new Landed(region);
    }

    /**
     * Pre-copied pages in the region of the process to come, each written where it will be read;
     * which pages were landed is kept, so that those outside the frozen areas (given up since they
     * were sent) are zeroed before the admission. A page outside the region is not kept: no
     * process holding one fits this node, and its admission is refused with that reason.
     */
    static final class Landed implements Landing {
        private final FlatAddressSpace region;
        private final BitSet landed = new BitSet();

        private Landed(FlatAddressSpace region) {
            this.region = region;
        }

        @Override
        public void page(int address, byte[] chunk, int offset) {
            if (region.contains(address)) {
                region.write(address, chunk, offset, Area.PAGE_SIZE);
                landed.set(pageOf(address));
            }
        }

        @Override
        public void zeros(int address) {
            if (region.contains(address) && landed.get(pageOf(address))) {
                region.zero(address, Area.PAGE_SIZE);
                landed.clear(pageOf(address));
            }
        }

        /** Zeroes the landed pages outside {@code areas}: the admitted process finds zeros there, as it would in a fresh region. */
        void keepOnly(List<Area> areas) {
            for (int page = landed.nextSetBit(0); page >= 0; page = landed.nextSetBit(page + 1)) {
                int address = region.base() + page * Area.PAGE_SIZE;
                if (!Landing.inAreas(areas, address)) {
                    zeros(address);
                }
            }
        }

        private int pageOf(int address) {
            return (address - region.base()) / Area.PAGE_SIZE;
        }

        /** The region is the admitted process's now, cut to its areas at the admission. */
        @Override
        public void admitted(Kernel kernel, List<Area> areas) {}

        /** Nothing outside the JVM's heap holds the region: it goes with the last reference. */
        @Override
        public void release() {}
    }

    /**
     * The region a node gives its process: {@code regionBytes} ({@code uniform.node.puma-region-bytes}),
     * or all of a smaller node's memory, or all that fits below Puma's user limit.
     */
    static int region(long memoryBytes, int regionBytes) {
        return (int) Math.min(Math.min(regionBytes, memoryBytes & ~0xfffL), PumaAbi.USER_LIMIT - PumaAbi.REGION_BASE);
    }

    private PumaKernel hosting(int processId, ProcessPortals portals) {
        pid = processId;
        qk.attachPortals(pid, portals);
        return this;
    }

    @Override
    SliceResult runSlice(long budget) {
        if (qk.inTransit(pid)) {
            throw new IllegalStateException("a slice of a process in transit");
        }
        int reloadsBefore = pctReloads;
        Ended ended = handle(qk.runSlice(budget));
        boolean waiting = false;
        if (ended == null && result == null && qk.idle()) {
            if (qk.pctFailed()) {
                reload("the PCT is down");
                ended = handle(List.of());
            } else if (qk.waitingForIo(pid) || qk.waitingForEvent(pid) || deficiency != null) {
                waiting = true;
            } else if (qk.exitStatus(pid).isEmpty()) {
                // Stopped with nothing to resume it: end it rather than spin.
                ended = handle(qk.kill(pid, "the process stopped and nothing can resume it"));
            }
        }
        List<IoCall> calls = List.copyOf(ioCalls);
        ioCalls.clear();
        long sleepNanos = waiting && ended == null ? qk.eventWaitLeft(pid) : 0;
        return new SliceResult(drainOutput(), calls, qk.drainOutbox(), ended, waiting && ended == null, pctReloads - reloadsBefore, sleepNanos);
    }

    /** Puma has no demand paging: a page fault is a trap that ends the process, so none is counted apart. */
    @Override
    Counters counters() {
        return new Counters(qk.instructions(), qk.traps(), 0);
    }

    @Override
    boolean complete(long sequence, IoReply reply) {
        return result == null && qk.complete(pid, sequence, reply);
    }

    @Override
    List<PortalsMessage> drainNetwork() {
        return qk.drainOutbox();
    }

    @Override
    boolean deliver(PortalsMessage message) {
        return result == null && qk.deliver(message);
    }

    /** Acts on the QK's events; the end of the process if it came. */
    private Ended handle(List<QkEvent> events) {
        Ended ended = null;
        for (QkEvent event : events) {
            if (event instanceof QkEvent.Exited exited && exited.pid() == pid) {
                ended = collect();
            } else if (event instanceof QkEvent.Killed killed && killed.pid() == pid) {
                ended = collect();
            } else if (event instanceof QkEvent.MigrationRequest request && request.pid() == pid) {
                deficiency = request.callName(); // stopped: its node moves it to Linux, or ends it

            } else if (event instanceof QkEvent.PctFailed failed) {
                Ended afterReload = reload(failed.cause());
                ended = afterReload != null ? afterReload : ended;
            }
        }
        if (ended == null && result == null && qk.exitStatus(pid).isPresent()) {
            ended = collect();
        }
        return ended;
    }

    private Ended reload(String cause) {
        if (result != null) {
            return result;
        }
        long instret = instret();
        fruitlessReloads = instret == instretAtReload ? fruitlessReloads + 1 : 0;
        instretAtReload = instret;
        lastPctFault = cause;
        if (fruitlessReloads >= MAX_FRUITLESS_RELOADS) {
            // Installing keeps failing, or the fresh PCT faults before the process runs again: give up.
            return giveUp("the PCT cannot be reloaded: " + cause);
        }
        pctReloads++;
        return handle(qk.reloadPct(injectable(reloadPct)));
    }

    private long instret() {
        try {
            return qk.hart(pid).instret();
        } catch (RuntimeException e) {
            return -2;
        }
    }

    private Ended giveUp(String report) {
        Ended ended = null;
        try {
            ended = handle(qk.kill(pid, report));
        } catch (RuntimeException e) {
            // the QK cannot end it cleanly either; the process is abandoned with the node's report
        }
        if (ended == null) {
            ended = result != null ? result : new Ended(ExitStatus.killed(Signal.SIGKILL), report);
            result = ended;
        }
        return ended;
    }

    private Ended collect() {
        if (result == null) {
            Qk.Collected collected = qk.collect(pid);
            result = new Ended(collected.status(), collected.report());
        }
        return result;
    }

    private PctFactory injectable(Function<YodDirectory, PctFactory> factory) {
        PctFactory pcts = factory.apply(directory);
        return () -> new FaultInjectingPct(pcts.create(), injectedFault);
    }

    /** Makes the PCT fail at its {@code nth} {@code operation} from now (between slices). */
    void injectPctFault(String operation, int nth) {
        injectedFault.arm(operation, nth);
    }

    /** The cause of the last PCT fault the node recovered from, or null. */
    String lastPctFault() {
        return lastPctFault;
    }

    @Override
    String deficiency() {
        return deficiency;
    }

    /**
     * A call Puma lacks ends the process as a bad system call (SIGSYS, status 159), distinct from
     * faults and kills, with the call and why it could not move named in the report.
     */
    @Override
    Ended deficient(String why) {
        Ended ended = handle(qk.kill(pid, Signal.SIGSYS, "needs " + deficiency + ", which Puma lacks, and " + why));
        return ended != null ? ended : collect();
    }

    @Override
    Ended kill(String report) {
        if (result != null || qk.exitStatus(pid).isPresent()) {
            return collect();
        }
        Ended ended = handle(qk.kill(pid, report));
        return ended != null ? ended : new Ended(ExitStatus.killed(Signal.SIGKILL), report);
    }

    @Override
    ProcessState freeze(int destinationOs) throws MigrationRefused {
        if (result != null) {
            throw new MigrationRefused("the process has ended");
        }
        return qk.freeze(pid, destinationOs);
    }

    @Override
    DirtyPages trackWrites() {
        return result != null ? null : qk.trackWrites(pid);
    }

    /** The pages its region backs (those it has written): what a destination stores of it, not the region's size. */
    @Override
    long memoryBytes() {
        return qk.space(pid).backedBytes();
    }

    @Override
    FrozenMemory frozenMemory() {
        return qk.frozenMemory(pid);
    }

    @Override
    void thaw() {
        qk.thaw(pid);
    }

    @Override
    void writePage(int address, byte[] from, int offset) {
        qk.writePage(pid, address, from, offset);
    }

    @Override
    void start() {
        qk.startArrived(pid);
    }

    /** A process that moved, or did not arrive, leaves without an exit status; an ended one was collected already. */
    @Override
    void release() {
        if (qk != null && result == null && qk.inTransit(pid)) {
            qk.release(pid);
        }
        qk = null;
    }
}
