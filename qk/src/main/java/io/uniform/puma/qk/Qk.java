package io.uniform.puma.qk;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.HartState;
import io.uniform.cpu.Stop;
import io.uniform.cpu.TrapCause;
import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.portals.Outbox;
import io.uniform.portals.Outcome;
import io.uniform.portals.PortalsCalls;
import io.uniform.portals.PortalsEngine;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.portals.Ptl;
import io.uniform.process.Errno;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.GuestPath;
import io.uniform.process.image.Area;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Puma's quintessential kernel on one compute node: it owns the node's physical memory, one
 * {@link Hart} in PROCESS mode per process (its register context; a context switch is choosing
 * which hart runs), handles every trap, and validates every address a process hands it.
 * Policy is the {@link Pct}'s: the QK asks it what to run, and forwards loading, heap growth,
 * exits and I/O to it.
 *
 * <p><b>Traps.</b> A Puma trap is {@code ecall} with a7 = {@link PumaAbi#TRAP_CODE} and a0 =
 * the address of a 32-byte {@code struct puma_trap}; the structure must be 4-aligned and lie in
 * the region outside the PCB page, or the process is killed (SIGSEGV). Every pointer argument
 * is validated before use: a bad one fails that call with {@code -EFAULT}. The result goes into
 * the structure's {@code result} and into a0. Any other ecall is a protocol violation (SIGSYS).
 * The unified library's deficiency {@code ebreak} (a7 = {@link PumaAbi#DEFICIENCY_CODE}) stops
 * the process with a {@link QkEvent.MigrationRequest}; other traps kill it with a report naming
 * cause, pc and address. The PCB is validated at every trap and every context switch, and
 * compared with the QK's own record of the process (the fields fixed at {@link #start}, and
 * state, exit status, last dispatch and deficiency, which only the QK writes); a corrupt or
 * forged one kills the process (SIGKILL, report naming the field), never the kernel. A write or
 * read trap moves at most {@link UnifiedLibrary#IO_CHUNK} bytes; every PCT answer is range-checked,
 * and one outside what the call may return is a PCT fault. Ended processes stay until the host
 * {@link #collect}s them.
 *
 * <p><b>PCT faults.</b> Every call into the PCT is guarded: if it throws, the QK marks the PCT
 * failed ({@link QkEvent.PctFailed}), leaves the trapping process at its ecall with memory and
 * registers intact, and runs nothing until {@link #reloadPct} installs a fresh PCT, which
 * rebuilds its view from the PCBs; the interrupted trap is then performed again through the new
 * PCT. Each I/O request carries the process's I/O sequence number, unchanged on a retry, so yod
 * performs a request a faulting PCT had already forwarded once only.
 *
 * <p><b>I/O.</b> Write, read, open, close, lseek, stat, fstat and unlink are yod's: the QK
 * validates and copies in the arguments, validates the output buffers, and hands the request to
 * the PCT, which forwards it to the job's yod; the process waits, not runnable, until the host
 * passes yod's answer to {@link #complete}, which range-checks it (a bad answer is {@code -EIO})
 * and stores it.
 *
 * <p><b>Migration.</b> {@link #freeze} stops a process at an instruction boundary and describes
 * it as a kernel-neutral {@link ProcessState} (its image areas as loaded, heap, stack, registers;
 * not the PCB page, which is Puma's), {@link #frozenMemory} lists and reads the pages it wrote;
 * then {@link #thaw} (the move failed) or {@link #release} (it runs elsewhere now). At the
 * destination, {@link #admit} creates it through the PCT with a fresh PCB, {@link #writePage}
 * stores its pages and {@link #startArrived} lets it run. A process in transit neither runs nor
 * takes Portals messages (its host holds them).
 *
 * <p>Deterministic and single-threaded: one thread at a time drives it (a node's CPU slice, or
 * its actor between slices passing yod's answers to {@link #complete}).
 */
public final class Qk implements QkServices {
    /** A trap that has failed this many PCTs in a row ends its process instead of being retried. */
    static final int MAX_TRAP_FAULTS = 3;

    /** {@code Proc.eventDeadline} of a wait without a timeout. */
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Lowest -errno a trap may return (Linux's MAX_ERRNO). */
    private static final int MAX_ERRNO = 4095;

    /** The node's physical memory in bytes: the sum of the regions of its processes may not exceed it. */
    private final long memoryBytes;
    private final ProcessClock clock;
    private final Map<Integer, Proc> processes = new LinkedHashMap<>();
    private int nextPid = 1;
    // During an admission into a landed region: that region, for the PCT's createProcess.
    private FlatAddressSpace landedRegion;
    // Counted between hart runs (never per instruction): what the node's metrics report.
    private long instructions;
    private long traps;
    private Pct pct;
    private String pctFailure;
    private List<QkEvent> events = new ArrayList<>();
    private final PortalsCalls portals = new PortalsCalls(new PortalsEngine());
    private final Outbox outbox = new Outbox();
    private Proc current;
    private long currentLeft;
    private int dispatchTick;

    private static final class Proc {
        final int pid;
        final int size;
        final FlatAddressSpace space;
        final Hart hart;
        boolean started;
        boolean stopped;
        boolean trapInterrupted;
        /** The I/O trap the process waits on (its answer comes through {@link #complete}); null when none. */
        Awaiting awaiting;
        /** The process's Portals identity, job and interface; null until its host gives it one. */
        ProcessPortals portals;
        /** Waiting in PtlEQWait at its trap, which runs again once an event reaches one of its queues. */
        boolean waitingForEvent;
        /** When a timed wait for an event gives up (monotonic ns; its trap then returns PTL_OK), or {@link #NO_DEADLINE}. */
        long eventDeadline = NO_DEADLINE;
        /** Sequence number of the process's next I/O request; a retried trap reuses it, so yod performs it once. */
        long ioSequence;
        /** PCT faults in a row on this process's current trap; reset when a trap completes. */
        int trapFaults;
        int deficiency;
        int lastDispatch;
        ExitStatus status;
        String report;
        /** The QK's own copy of the PCB, taken at start; null before. */
        Pcb owned;
        /** Its image's areas and OS word, from the PCT at start (what a migration carries); null before. */
        ImageLayout image;
        /** Frozen for a move: not runnable until thawed or released. */
        boolean frozen;
        /** Admitted by migration, its pages still coming: not runnable until started. */
        boolean arriving;
        /**
         * Where it resumed after arriving (pc and instret), or pc -1: a Linux ecall there is a call
         * its wedge dispatched on Linux just before it was frozen, which it dispatches again here.
         */
        int arrivalPc = -1;
        long arrivalInstret;

        Proc(int pid, int size, FlatAddressSpace space, Hart hart) {
            this.pid = pid;
            this.size = size;
            this.space = space;
            this.hart = hart;
        }

        boolean runnable() {
            return started && status == null && !stopped && !trapInterrupted && awaiting == null && !waitingForEvent && !inTransit();
        }

        boolean inTransit() {
            return frozen || arriving;
        }

        int state() {
            if (status != null) {
                return status.signal() != null ? Pcb.STATE_KILLED : Pcb.STATE_EXITED;
            }
            return stopped ? Pcb.STATE_STOPPED : Pcb.STATE_RUNNABLE;
        }
    }

    /**
     * An I/O trap forwarded to yod: what completing it needs. The process stays at its ecall
     * until the answer comes.
     */
    private record Awaiting(long sequence, IoRequest request, int trapAddress, int pc, int[] args) {}

    /** Thrown inside the QK to unwind after a PCT fault has been recorded. */
    private static final class PctFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PctFault() {
            super(null, null, false, false);
        }
    }

    /** Boots the node with {@code memoryBytes} of physical memory and the PCT {@code factory} makes. */
    public Qk(int memoryBytes, ProcessClock clock, PctFactory factory) {
        this.memoryBytes = memoryBytes;
        this.clock = clock;
        install(factory);
    }

    // ---------------------------------------------------------------- host interface

    /**
     * Loads a process through the PCT: its pid, or why it was refused. A PCT fault (also a null
     * or wrong answer) is a refusal naming it, and {@link #pctFailed()} is then true; every
     * process created during a failed load is freed, as is any other created during a
     * successful one.
     */
    public LoadRequest.Result load(LoadRequest request) {
        return create("loading", () -> pct.load(request), p -> p.started && !p.arriving);
    }

    /**
     * Admits a process arriving by migration through the PCT, which gives it a region and a
     * fresh PCB; the QK sets its registers from the arrival's state. Its pid, or why it was
     * refused (as for {@link #load}). It runs only once every page has come through
     * {@link #writePage} and {@link #startArrived} has been called; {@link #release} lets go of
     * it if the move fails.
     */
    public LoadRequest.Result admit(Arrival arrival) {
        return admit(arrival, null);
    }

    /**
     * As {@link #admit(Arrival)}, into {@code landed} (null: a fresh region): the arrival's
     * region, demand-zero at {@link PumaAbi#REGION_BASE}, which already holds the pages its
     * destination landed while its source still ran it (pre-copy), and nothing else. The region
     * the PCT creates for it is that one; one of another size is a refusal.
     */
    public LoadRequest.Result admit(Arrival arrival, FlatAddressSpace landed) {
        landedRegion = landed;
        LoadRequest.Result result;
        try {
            result = create("admitting", () -> pct.admit(arrival), p -> p.arriving);
        } finally {
            landedRegion = null;
        }
        if (result.ok()) {
            Proc admitted = processes.get(result.pid());
            try {
                admitted.hart.restore(arrival.state().hart());
            } catch (IllegalArgumentException e) {
                free(admitted);
                return LoadRequest.Result.refused("a malformed state: " + e.getMessage());
            }
            // yod performs a rank's request once and answers a repeat of its last number again: the
            // arrival's numbers must not repeat one its source used. Every request took a retired
            // instruction at least, so the count retired so far is above all of them.
            admitted.ioSequence = Math.max(0, arrival.state().hart().instret());
        }
        return result;
    }

    /**
     * A process made by the PCT's {@code call}: the result must name a process it created that
     * is {@code made}; a PCT fault (also a null or wrong answer) is a refusal naming it. Every
     * process created during the call but the one it made is freed.
     */
    private LoadRequest.Result create(String doing, Supplier<LoadRequest.Result> call, Predicate<Proc> made) {
        events = new ArrayList<>(); // its own: a PctFailed here belongs to no slice
        if (pct == null) {
            return LoadRequest.Result.refused("the PCT has failed and awaits reload: " + pctFailure);
        }
        int firstNew = nextPid;
        LoadRequest.Result result;
        try {
            result = guard(call);
            if (result == null) {
                failPct(new IllegalStateException("the PCT answered null while " + doing));
            } else if (result.ok()) {
                Proc created = processes.get(result.pid());
                if (created == null || !made.test(created) || result.pid() < firstNew) {
                    failPct(new IllegalStateException("while " + doing + ", the PCT named pid " + result.pid()
                            + ", which it did not create and start"));
                }
            }
        } catch (PctFault fault) {
            result = LoadRequest.Result.refused("the PCT faulted while " + doing + ": " + pctFailure);
        }
        for (Proc p : List.copyOf(processes.values())) {
            if (p.pid >= firstNew && !(result.ok() && p.pid == result.pid())) {
                free(p); // never ran, and the host does not know it
            }
        }
        return result;
    }

    /**
     * Runs processes for up to {@code budget} instructions as the PCT schedules them, handling
     * their traps; returns what the host must learn (exits, kills, migration requests, a PCT
     * failure). Returns early when nothing is runnable or the PCT has failed.
     */
    public List<QkEvent> runSlice(long budget) {
        events = new ArrayList<>();
        endExpiredEventWaits();
        long remaining = budget;
        try {
            while (remaining > 0 && pct != null) {
                if (current == null || !current.runnable() || currentLeft <= 0) {
                    checkPcbs();
                    Pct.Dispatch dispatch = guard(() -> pct.schedule());
                    if (dispatch == null) {
                        current = null;
                        break;
                    }
                    Proc chosen = processes.get(dispatch.pid());
                    if (chosen == null || !chosen.runnable()) {
                        failPct(new IllegalStateException("the PCT scheduled pid " + dispatch.pid() + ", which is not runnable"));
                        break;
                    }
                    current = chosen;
                    currentLeft = dispatch.quantum();
                    chosen.lastDispatch = ++dispatchTick;
                    chosen.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_LAST_DISPATCH, chosen.lastDispatch);
                }
                long used = runProcess(current, Math.min(remaining, currentLeft));
                remaining -= used;
                currentLeft -= used;
            }
        } catch (PctFault fault) {
            // recorded in events; processes stay as they are
        }
        return List.copyOf(events);
    }

    /** Instructions the QK's processes have retired on its harts so far. */
    public long instructions() {
        return instructions;
    }

    /** Traps the QK has taken from its processes so far: system calls, breakpoints, faults. */
    public long traps() {
        return traps;
    }

    /** True when no process can run (all ended, stopped, or waiting for a PCT reload). */
    public boolean idle() {
        return pct == null || processes.values().stream().noneMatch(Proc::runnable);
    }

    /** Whether the process waits for yod's answer to an I/O trap. */
    public boolean waitingForIo(int pid) {
        return process(pid).awaiting != null;
    }

    public boolean pctFailed() {
        return pct == null;
    }

    /**
     * Installs a fresh PCT after a fault. It rebuilds its view from the PCBs; then every trap the
     * fault interrupted is performed through it, so the processes continue to a correct result.
     */
    public List<QkEvent> reloadPct(PctFactory factory) {
        events = new ArrayList<>();
        current = null;
        if (!install(factory)) {
            return List.copyOf(events);
        }
        try {
            for (Proc p : List.copyOf(processes.values())) {
                if (p.trapInterrupted && p.status == null) {
                    p.trapInterrupted = false;
                    if (p.trapFaults >= MAX_TRAP_FAULTS) {
                        // The trap itself brings every PCT down (its arguments, or what they make
                        // the PCT do): end the process so that the node goes on.
                        kill(p, Signal.SIGKILL, "the PCT failed %d times in a row on the trap at pc 0x%08x",
                                p.trapFaults, p.hart.pc());
                        continue;
                    }
                    handleTrap(p, new Stop.Trap(TrapCause.ECALL_FROM_U, p.hart.pc(), 0));
                }
            }
        } catch (PctFault fault) {
            // failed again; the remaining interrupted traps wait for the next reload
        }
        return List.copyOf(events);
    }

    /** The host kills a process (e.g. a migration request it cannot serve), with its reason. */
    public List<QkEvent> kill(int pid, String report) {
        return kill(pid, Signal.SIGKILL, report);
    }

    /** The host ends a process with a chosen signal (SIGSYS for a call this OS lacks), with its reason. */
    public List<QkEvent> kill(int pid, Signal signal, String report) {
        events = new ArrayList<>();
        Proc p = process(pid);
        if (p.status == null) {
            try {
                end(p, ExitStatus.killed(signal), report);
            } catch (PctFault fault) {
                // the process is dead; the PCT awaits reload
            }
        }
        return List.copyOf(events);
    }

    /** Resumes a process stopped by a migration request (after the OS flag has been rewritten). */
    public void resume(int pid) {
        Proc p = process(pid);
        if (!p.stopped || p.status != null) {
            throw new IllegalStateException("process " + pid + " is not stopped");
        }
        p.stopped = false;
        p.deficiency = 0;
        p.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_STATE, Pcb.STATE_RUNNABLE);
        p.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_DEFICIENCY, 0);
    }

    public Optional<ExitStatus> exitStatus(int pid) {
        return Optional.ofNullable(process(pid).status);
    }

    /** Why the QK killed the process, for the user; empty if it exited normally or still runs. */
    public Optional<String> killReport(int pid) {
        return Optional.ofNullable(process(pid).report);
    }

    /** The hart holding the process's register context (for inspection and migration). */
    public Hart hart(int pid) {
        return process(pid).hart;
    }

    /** What {@link #collect} returns: how the process ended, and the kill report (null if it exited). */
    public record Collected(int pid, ExitStatus status, String report) {}

    /**
     * Reaps an ended process (after its {@link QkEvent.Exited} or {@link QkEvent.Killed}): returns
     * its status and report and frees its region; the pid is then unknown to the QK and the PCT.
     */
    public Collected collect(int pid) {
        Proc p = process(pid);
        if (p.status == null) {
            throw new IllegalStateException("process " + pid + " has not ended");
        }
        free(p);
        return new Collected(pid, p.status, p.report);
    }

    // ---------------------------------------------------------------- migration

    /**
     * Freezes process {@code pid} for a move to a node running {@code destinationOs}
     * ({@link UnifiedLibrary#OS_PUMA} or {@link UnifiedLibrary#OS_LINUX}) and returns its state;
     * its memory is {@link #frozenMemory}. A process stopped by the deficiency routine is frozen
     * as it is (pc after its ebreak). One waiting for a Portals event is frozen as if the wait
     * had just ended with PTL_OK, as a timed wait ends at its deadline: the library looks at its
     * queue again and waits anew, on whichever OS it then runs, and a timed wait's deadline is
     * the library's own (so nothing becomes a sleep); here it keeps waiting, should it thaw.
     *
     * @throws MigrationRefused the process cannot move now, and why; it is left as it was
     */
    public ProcessState freeze(int pid, int destinationOs) throws MigrationRefused {
        if (destinationOs != UnifiedLibrary.OS_PUMA && destinationOs != UnifiedLibrary.OS_LINUX) {
            throw new MigrationRefused("no operating system " + destinationOs + " to move to");
        }
        Proc p = process(pid);
        String refusal = p.status != null ? "it has ended"
                : !p.started || p.arriving ? "it has not started"
                : p.frozen ? "it is frozen already"
                : p.awaiting != null ? "it waits for yod's answer to its " + p.awaiting.request().call() + " call"
                : p.trapInterrupted ? "its trap waits for the PCT to be reloaded"
                : null;
        if (refusal != null) {
            throw new MigrationRefused("process " + pid + " cannot move: " + refusal);
        }
        Pcb pcb;
        try {
            pcb = readPcb(p);
        } catch (Pcb.CorruptPcbException e) {
            throw new MigrationRefused("process " + pid + " cannot move: " + e.getMessage());
        }
        HartState hart = p.hart.capture();
        if (p.waitingForEvent) {
            int[] registers = hart.registers();
            registers[10] = Ptl.PTL_OK;
            hart = new HartState(hart.pc() + 4, registers, hart.privilege(), hart.instret(), hart.cycles(), hart.machineCsrs());
        }
        p.frozen = true;
        if (current == p) {
            current = null;
        }
        return new ProcessState(UnifiedLibrary.OS_PUMA, hart, areas(p, pcb), pcb.heapStart(), pcb.heapBreak(), pcb.stackBottom(),
                pcb.stackTop(), p.image.osFlagAddress(), 0, List.of());
    }

    /** The memory of frozen process {@code pid}: the pages of its areas it has written, read on demand. */
    public FrozenMemory frozenMemory(int pid) {
        Proc p = process(pid);
        if (!p.frozen) {
            throw new IllegalStateException("process " + pid + " is not frozen");
        }
        // Its trap structure's result word, for a Portals wait the frozen state shows as ended.
        int resultAddress = p.waitingForEvent ? p.hart.register(10) + PumaAbi.TRAP_RESULT_OFFSET : FrozenRegion.NO_RESULT;
        return new FrozenRegion(p.space, areas(p, pcbOf(p)), resultAddress, Ptl.PTL_OK);
    }

    /**
     * Begins tracking the pages process {@code pid} writes while it still runs, for a pre-copy
     * migration (between slices only): each round lists the pages of its areas (image, heap,
     * stack; not the PCB, which is Puma's) written since the round before (the first, every page
     * it has written), read as they are. A process whose PCB is corrupt lists none: it will not
     * freeze.
     */
    public DirtyPages trackWrites(int pid) {
        Proc p = process(pid);
        if (p.status != null || p.inTransit()) {
            throw new IllegalStateException("process " + pid + " does not run here");
        }
        FlatAddressSpace space = p.space;
        PhysicalMemory physical = space.physical();
        physical.beginWriteRound();
        return new DirtyPages() {
            private boolean first = true;

            @Override
            public List<Integer> nextRound() {
                List<Integer> pages = new ArrayList<>();
                try {
                    for (Area area : areas(p, readPcb(p))) {
                        for (long page = Integer.toUnsignedLong(area.start()); page < area.end(); page += Area.PAGE_SIZE) {
                            int frame = space.frameOf((int) page);
                            if (frame >= 0 && (first || physical.writtenThisRound(frame))) {
                                pages.add((int) page);
                            }
                        }
                    }
                } catch (Pcb.CorruptPcbException e) {
                    pages.clear();
                }
                first = false;
                physical.beginWriteRound();
                return pages;
            }

            @Override
            public void read(int address, byte[] into, int offset) {
                space.read(address, into, offset, Area.PAGE_SIZE);
            }

            @Override
            public byte[] readRun(int address, int pages, int room) {
                return space.readRun(address, pages, room);
            }

            @Override
            public void stop() {
                physical.stopTrackingWrites();
            }
        };
    }

    /** The move failed: the frozen process goes on exactly as it was (still waiting, or still stopped, if it was). */
    public void thaw(int pid) {
        Proc p = process(pid);
        if (!p.frozen) {
            throw new IllegalStateException("process " + pid + " is not frozen");
        }
        p.frozen = false;
    }

    /**
     * A frozen process has moved (or an arriving one will not come): it leaves the QK and the
     * PCT without an exit status, and its region is free again. Returns what the host must
     * learn (a PCT that faulted meanwhile).
     */
    public List<QkEvent> release(int pid) {
        events = new ArrayList<>();
        Proc p = process(pid);
        if (!p.inTransit()) {
            throw new IllegalStateException("process " + pid + " is neither frozen nor arriving");
        }
        free(p);
        try {
            guard(() -> {
                pct.departed(pid);
                return null;
            });
        } catch (PctFault fault) {
            // the process is gone; the PCT awaits reload
        }
        return List.copyOf(events);
    }

    /**
     * Stores a page of an arriving process, as its source read it.
     *
     * @throws IllegalArgumentException the address is not a page of the process's areas (its
     *     image, heap or stack), or the page is not a page
     */
    public void writePage(int pid, int address, byte[] page) {
        if (page.length != Area.PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + Area.PAGE_SIZE + " bytes, not " + page.length);
        }
        writePage(pid, address, page, 0);
    }

    /** {@link #writePage(int, int, byte[])} from {@code from} at {@code offset} (a page inside a chunk). */
    public void writePage(int pid, int address, byte[] from, int offset) {
        Proc p = process(pid);
        if (!p.arriving) {
            throw new IllegalStateException("process " + pid + " is not arriving");
        }
        List<Area> areas = areas(p, p.owned);
        if (offset < 0 || from.length - offset < Area.PAGE_SIZE || !inAreas(areas, address)) {
            throw new IllegalArgumentException(String.format("0x%08x is not a page of the arriving process's areas %s (or the "
                    + "page is %d bytes, not %d)", address, areas, from.length - offset, Area.PAGE_SIZE));
        }
        p.space.write(address, from, offset, Area.PAGE_SIZE);
    }

    /** Every page of the arriving process is stored: its OS word now says PUMA, and it runs from the next slice. */
    public void startArrived(int pid) {
        Proc p = process(pid);
        if (!p.arriving) {
            throw new IllegalStateException("process " + pid + " is not arriving");
        }
        if (p.image.osFlagAddress() != 0) {
            UnifiedLibrary.rewriteOsFlag(p.space, p.image.osFlagAddress(), UnifiedLibrary.OS_PUMA);
        }
        p.arriving = false;
        p.arrivalPc = p.hart.pc();
        p.arrivalInstret = p.hart.instret();
    }

    /** Whether the process is frozen or arriving. */
    public boolean inTransit(int pid) {
        return process(pid).inTransit();
    }

    /** A process's areas, given its PCB: its image's, its heap up to the page of its break, its stack. */
    private static List<Area> areas(Proc p, Pcb pcb) {
        List<Area> areas = new ArrayList<>(p.image.areas());
        int heapEnd = (pcb.heapBreak() + Area.PAGE_SIZE - 1) & -Area.PAGE_SIZE;
        int readWrite = ImageLayout.PROT_READ | ImageLayout.PROT_WRITE;
        if (heapEnd != pcb.heapStart()) {
            areas.add(new Area(pcb.heapStart(), heapEnd - pcb.heapStart(), readWrite));
        }
        areas.add(new Area(pcb.stackBottom(), pcb.stackTop() - pcb.stackBottom(), readWrite));
        return areas;
    }

    /** Whether {@code address} is the start of a page inside one of {@code areas}. */
    static boolean inAreas(List<Area> areas, int address) {
        long at = Integer.toUnsignedLong(address);
        if ((address & (Area.PAGE_SIZE - 1)) != 0) {
            return false;
        }
        for (Area area : areas) { // a loop, not a stream: called for every page a move reads or stores
            if (at >= Integer.toUnsignedLong(area.start()) && at < area.end()) {
                return true;
            }
        }
        return false;
    }

    /** The PCB of a process known to be sound (checked when it was frozen, and nothing has run since). */
    private static Pcb pcbOf(Proc p) {
        try {
            return readPcb(p);
        } catch (Pcb.CorruptPcbException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- QkServices for the PCT

    @Override
    public int createProcess(int regionBytes) {
        if (regionBytes <= 0 || (regionBytes & PhysicalMemory.PAGE_MASK) != 0
                || Integer.toUnsignedLong(PumaAbi.REGION_BASE) + regionBytes > PumaAbi.USER_LIMIT) {
            throw new IllegalArgumentException("a region must be a positive page multiple inside 0x00000000..0x40000000");
        }
        long used = processes.values().stream().mapToLong(p -> p.size).sum();
        if (used + regionBytes > memoryBytes) {
            throw new IllegalArgumentException(String.format(
                    "no free %d KiB of memory on this node (%d KiB in all, %d KiB in use)", regionBytes >> 10, memoryBytes >> 10, used >> 10));
        }
        // The region is charged whole above, but backed as the process writes it: an idle node
        // holds no memory, and a rank holds what it uses, not its region's size.
        FlatAddressSpace space = landedRegion != null ? landedRegion : FlatAddressSpace.demandZero(PumaAbi.REGION_BASE, regionBytes);
        if (space.size() != regionBytes || space.base() != PumaAbi.REGION_BASE) {
            throw new IllegalArgumentException(String.format("the arriving process's pages were landed in a region of %d KiB at 0x%08x, "
                    + "not the %d KiB at 0x%08x asked for", space.size() >> 10, space.base(), regionBytes >> 10, PumaAbi.REGION_BASE));
        }
        landedRegion = null; // one process takes it
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTimer(clock::timerTicks);
        Proc p = new Proc(nextPid++, regionBytes, space, hart);
        processes.put(p.pid, p);
        return p.pid;
    }

    @Override
    public FlatAddressSpace space(int pid) {
        return process(pid).space;
    }

    @Override
    public void start(int pid, int entry, int sp, ImageLayout image) {
        Proc p = process(pid);
        Pcb pcb = begin(p, image);
        if (pcb.entry() != entry || pcb.heapBreak() != pcb.heapStart()) {
            throw new IllegalArgumentException(String.format(
                    "process %d cannot start at 0x%08x: its PCB says entry 0x%08x, break 0x%08x", pid, entry, pcb.entry(), pcb.heapBreak()));
        }
        p.hart.setPc(entry);
        p.hart.setRegister(2, sp);
        p.started = true;
    }

    @Override
    public void arrive(int pid, ImageLayout image) {
        Proc p = process(pid);
        begin(p, image);
        p.arriving = true;
        p.started = true;
    }

    /** Takes the QK's own record of a created process whose PCB the PCT has written, and its image. */
    private static Pcb begin(Proc p, ImageLayout image) {
        if (p.started) {
            throw new IllegalStateException("process " + p.pid + " has already started");
        }
        Pcb pcb;
        try {
            pcb = Pcb.read(p.space, p.pid, PumaAbi.REGION_BASE, p.size);
            pcb.requireSameAs(pcb.withOwned(Pcb.STATE_RUNNABLE, 0, 0, 0));
        } catch (Pcb.CorruptPcbException e) {
            throw new IllegalArgumentException("process " + p.pid + " cannot start: " + e.getMessage(), e);
        }
        image.requireBelow(pcb.heapStart());
        p.owned = pcb;
        p.image = image;
        return pcb;
    }

    @Override
    public List<Integer> pids() {
        return List.copyOf(processes.keySet());
    }

    @Override
    public Pcb pcb(int pid) throws Pcb.CorruptPcbException {
        return readPcb(process(pid));
    }

    /** Validates the PCB and, once the process has started, compares it with the QK's own record. */
    private static Pcb readPcb(Proc p) throws Pcb.CorruptPcbException {
        Pcb pcb = Pcb.read(p.space, p.pid, PumaAbi.REGION_BASE, p.size);
        if (p.owned != null) {
            pcb.requireSameAs(p.owned.withOwned(p.state(), p.status == null ? 0 : p.status.shellStatus(), p.lastDispatch, p.deficiency));
        }
        return pcb;
    }

    @Override
    public boolean runnable(int pid) {
        Proc p = processes.get(pid);
        return p != null && p.runnable();
    }

    @Override
    public void reap(int pid) {
        Proc p = process(pid);
        if (p.started && p.status == null) {
            throw new IllegalStateException("process " + pid + " is still alive");
        }
        free(p);
    }

    private void free(Proc p) {
        processes.remove(p.pid);
        if (current == p) {
            current = null;
        }
    }

    private Proc process(int pid) {
        Proc p = processes.get(pid);
        if (p == null) {
            throw new IllegalArgumentException("no process " + pid + " on this node");
        }
        return p;
    }

    // ---------------------------------------------------------------- running and traps

    /**
     * At every context switch, before the PCT reads them to schedule: kills each runnable
     * process whose PCB no longer validates (the program wrote over it).
     */
    private void checkPcbs() {
        for (Proc p : List.copyOf(processes.values())) {
            if (p.runnable()) {
                try {
                    readPcb(p);
                } catch (Pcb.CorruptPcbException e) {
                    kill(p, Signal.SIGKILL, "%s (found at a context switch, pc 0x%08x)", e.getMessage(), p.hart.pc());
                }
            }
        }
    }

    private long runProcess(Proc p, long slice) {
        long remaining = slice;
        while (remaining > 0 && p.runnable()) {
            long before = p.hart.cycles();
            long retiredBefore = p.hart.instret();
            Stop stop = p.hart.run(remaining);
            remaining -= Math.max(1, p.hart.cycles() - before);
            instructions += p.hart.instret() - retiredBefore;
            if (stop instanceof Stop.Trap trap) {
                traps++;
                handleTrap(p, trap);
            }
        }
        return slice - Math.max(0, remaining);
    }

    private void handleTrap(Proc p, Stop.Trap trap) {
        switch (trap.cause()) {
            case ECALL_FROM_U -> ecall(p, trap);
            case BREAKPOINT -> {
                if (p.hart.register(17) == PumaAbi.DEFICIENCY_CODE) {
                    deficiency(p, trap);
                } else {
                    kill(p, Signal.SIGTRAP, "breakpoint at pc 0x%08x", trap.pc());
                }
            }
            case ILLEGAL_INSTRUCTION -> kill(p, Signal.SIGILL, "illegal instruction 0x%08x at pc 0x%08x", trap.tval(), trap.pc());
            case INSTRUCTION_ADDRESS_MISALIGNED ->
                    kill(p, Signal.SIGBUS, "jump to misaligned address 0x%08x at pc 0x%08x", trap.tval(), trap.pc());
            default -> kill(p, Signal.SIGSEGV, "%s at pc 0x%08x, address 0x%08x (outside the region [0x%08x, 0x%08x))",
                    trap.cause().name().toLowerCase().replace('_', ' '), trap.pc(), trap.tval(),
                    PumaAbi.REGION_BASE, PumaAbi.REGION_BASE + p.size);
        }
    }

    private void deficiency(Proc p, Stop.Trap trap) {
        int call = p.hart.register(10);
        p.hart.setPc(trap.pc() + 4); // resume after the ebreak: the wedge re-reads the OS flag
        p.stopped = true;
        p.deficiency = call;
        p.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_STATE, Pcb.STATE_STOPPED);
        p.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_DEFICIENCY, call);
        events.add(new QkEvent.MigrationRequest(p.pid, call, PumaAbi.linuxCallName(call)));
    }

    private void ecall(Proc p, Stop.Trap trap) {
        int code = p.hart.register(17);
        if (code != PumaAbi.TRAP_CODE && trap.pc() == p.arrivalPc && p.hart.instret() - p.arrivalInstret <= 1) {
            p.arrivalPc = -1;
            p.hart.setRegister(10, UnifiedLibrary.NOT_THIS_OS); // not performed: the wedge sees the OS changed and dispatches again
            p.hart.setPc(trap.pc() + 4);
            return;
        }
        if (code != PumaAbi.TRAP_CODE) {
            kill(p, Signal.SIGSYS, "ecall with a7 = %d (%s) at pc 0x%08x is not a Puma trap (a7 must be 0x%08x)",
                    code, "Linux " + PumaAbi.linuxCallName(code), trap.pc(), PumaAbi.TRAP_CODE);
            return;
        }
        int address = p.hart.register(10);
        long end = Integer.toUnsignedLong(address) + PumaAbi.TRAP_SIZE;
        long pcbEnd = PumaAbi.PCB_ADDRESS + 0x1000L;
        if ((address & 3) != 0 || Integer.toUnsignedLong(address) < pcbEnd || end > PumaAbi.REGION_BASE + (long) p.size) {
            kill(p, Signal.SIGSEGV, "Puma trap at pc 0x%08x: trap structure address 0x%08x is %s",
                    trap.pc(), address, (address & 3) != 0 ? "not 4-aligned"
                            : String.format("outside the user region [0x%08x, 0x%08x)", (int) pcbEnd, PumaAbi.REGION_BASE + p.size));
            return;
        }
        Pcb pcb;
        try {
            pcb = readPcb(p);
        } catch (Pcb.CorruptPcbException e) {
            kill(p, Signal.SIGKILL, "%s (found at a trap at pc 0x%08x)", e.getMessage(), trap.pc());
            return;
        }
        int number = p.space.load32(address);
        int[] args = new int[6];
        for (int i = 0; i < args.length; i++) {
            args[i] = p.space.load32(address + PumaAbi.TRAP_ARGS_OFFSET + 4 * i);
        }
        int result;
        try {
            result = perform(p, pcb, number, args, address, trap.pc());
        } catch (MemoryFault fault) {
            result = -Errno.EFAULT;
        } catch (FileSystemException error) {
            result = -error.errno();
        } catch (PctFault fault) {
            p.trapInterrupted = true; // pc still at the ecall: the reloaded PCT completes it
            p.trapFaults++;
            throw fault;
        }
        p.trapFaults = 0;
        if (p.status != null || p.awaiting != null || p.waitingForEvent) {
            return; // exited, or waits for yod's answer or a Portals event (then the trap runs again)
        }
        finishTrap(p, address, trap.pc(), result);
    }

    private static void finishTrap(Proc p, int trapAddress, int pc, int result) {
        p.space.store32(trapAddress + PumaAbi.TRAP_RESULT_OFFSET, result);
        p.hart.setRegister(10, result);
        p.hart.setPc(pc + 4);
    }

    private int perform(Proc p, Pcb pcb, int number, int[] a, int trapAddress, int pc) throws FileSystemException {
        int pid = p.pid;
        switch (number) {
            case PumaAbi.TRAP_EXIT -> {
                end(p, ExitStatus.exited(a[0]), null);
                return 0;
            }
            case PumaAbi.TRAP_BRK -> {
                int r = guard(() -> pct.brk(pid, a[0]));
                requireAnswer(Integer.compareUnsigned(r, pcb.heapStart()) >= 0 && Integer.compareUnsigned(r, pcb.heapLimit()) <= 0,
                        "brk answered 0x%08x, outside the heap [0x%08x, 0x%08x]", r, pcb.heapStart(), pcb.heapLimit());
                return r;
            }
            case PumaAbi.TRAP_CLOCK_GETTIME -> {
                return clockGettime(p, a[0], a[1]);
            }
            case PumaAbi.TRAP_PORTALS -> {
                return portalsCall(p, a[0], a[1]);
            }
            default -> {
                IoRequest request = ioRequest(p, number, a);
                return request == null ? -Errno.ENOSYS : forward(p, request, trapAddress, pc, a);
            }
        }
    }

    /**
     * The I/O request of trap {@code number}, its arguments validated and copied in (bytes to
     * write, paths) and its output buffers validated before anything reaches yod, so yod never
     * consumes input the process could not take; null if {@code number} is no trap at all.
     */
    private static IoRequest ioRequest(Proc p, int number, int[] a) throws FileSystemException {
        return switch (number) {
            case PumaAbi.TRAP_WRITE -> new IoRequest.Write(a[0], p.space.read(a[1], chunk(a[2]))); // a short count: the library writes the rest
            case PumaAbi.TRAP_READ -> {
                int max = chunk(a[2]);
                p.space.validate(a[1], max, Access.WRITE);
                yield new IoRequest.Read(a[0], max);
            }
            case PumaAbi.TRAP_OPEN -> new IoRequest.Open(GuestPath.read(p.space, a[0]), a[1], a[2]);
            case PumaAbi.TRAP_CLOSE -> new IoRequest.Close(a[0]);
            case PumaAbi.TRAP_LSEEK -> {
                p.space.validate(a[4], 8, Access.WRITE);
                yield new IoRequest.Seek(a[0], (long) a[2] << 32 | Integer.toUnsignedLong(a[1]), a[3]);
            }
            case PumaAbi.TRAP_STAT -> {
                String path = GuestPath.read(p.space, a[0]);
                p.space.validate(a[1], FileStatus.STATX_SIZE, Access.WRITE);
                yield new IoRequest.Stat(path);
            }
            case PumaAbi.TRAP_FSTAT -> {
                p.space.validate(a[1], FileStatus.STATX_SIZE, Access.WRITE);
                yield new IoRequest.Fstat(a[0]);
            }
            case PumaAbi.TRAP_UNLINK -> new IoRequest.Unlink(GuestPath.read(p.space, a[0]));
            default -> null;
        };
    }

    /**
     * Hands an I/O request to the PCT, which forwards it to the job's yod: the process then
     * waits for {@link #complete}. An immediate answer (the PCT knows no yod for the job)
     * completes the trap at once.
     */
    private int forward(Proc p, IoRequest request, int trapAddress, int pc, int[] args) {
        long sequence = p.ioSequence;
        IoReply immediate = guard(() -> pct.forward(p.pid, sequence, request));
        Awaiting awaiting = new Awaiting(sequence, request, trapAddress, pc, args.clone());
        if (immediate != null) {
            p.ioSequence++;
            return answer(p, awaiting, immediate);
        }
        p.awaiting = awaiting;
        return 0;
    }

    /**
     * The Portals trap: the node's engine performs the call on the process's memory; messages go
     * out, and a PtlEQWait with no event leaves the process waiting at its trap.
     */
    private int portalsCall(Proc p, int op, int args) {
        if (p.portals == null) {
            return Ptl.PTL_NO_INIT;
        }
        PortalsCalls.Result result = portals.perform(p.space, p.portals, op, args);
        if (result.blocks()) {
            p.waitingForEvent = true;
            p.eventDeadline = result.waitTimeout() == Ptl.PTL_TIME_FOREVER
                    ? NO_DEADLINE : clock.monotonicNanos() + Integer.toUnsignedLong(result.waitTimeout()) * 1_000_000L;
            return 0;
        }
        send(result.send());
        return result.status();
    }

    /** Makes process {@code pid} the Portals process {@code identity} names (its host knows the job). */
    public void attachPortals(int pid, ProcessPortals identity) {
        process(pid).portals = identity;
    }

    /**
     * A Portals message from the network for one of this node's processes: matched and deposited
     * in its memory; answers go out; a process waiting for an event can run again. Returns
     * whether one can; a message for no live process here is dropped.
     */
    public boolean deliver(PortalsMessage message) {
        Proc target = portalsProcess(message.destination());
        if (target == null) {
            return false;
        }
        if (target.inTransit()) {
            throw new IllegalStateException("process " + target.pid + " is in transit: its host holds its Portals messages");
        }
        Outcome outcome = portals.engine().receive(target.space, target.portals.ni(), message);
        send(outcome.send());
        if (!outcome.eventQueues().isEmpty() && target.waitingForEvent) {
            target.waitingForEvent = false;
            target.eventDeadline = NO_DEADLINE;
            return true;
        }
        return false;
    }

    /** Answers PTL_OK to every timed wait for an event whose time is up: the library then sees its queue still empty. */
    private void endExpiredEventWaits() {
        long now = clock.monotonicNanos();
        for (Proc p : processes.values()) {
            if (p.waitingForEvent && p.eventDeadline <= now && !p.frozen) { // a frozen process is left as it was frozen
                p.waitingForEvent = false;
                p.eventDeadline = NO_DEADLINE;
                finishTrap(p, p.hart.register(10), p.hart.pc(), Ptl.PTL_OK); // still at its ecall, a0 the trap structure
            }
        }
    }

    private Proc portalsProcess(ProcessId id) {
        for (Proc p : processes.values()) {
            if (p.status == null && p.portals != null && p.portals.identity().id().equals(id)) {
                return p;
            }
        }
        return null;
    }

    private void send(List<PortalsMessage> messages) {
        // A local process in transit takes no message: its host holds them for it.
        outbox.send(messages, id -> portalsProcess(id) != null && !portalsProcess(id).inTransit(), this::deliver);
    }

    /** The Portals messages for other nodes since the last call, in the order they were sent. */
    public List<PortalsMessage> drainOutbox() {
        return outbox.drain();
    }

    /** Whether the process waits in PtlEQWait for a Portals event. */
    public boolean waitingForEvent(int pid) {
        return process(pid).waitingForEvent;
    }

    /**
     * Nanoseconds until the process's timed wait for a Portals event gives up (at least 1), for
     * its host to run a slice then; 0 if it waits for no event or without a timeout.
     */
    public long eventWaitLeft(int pid) {
        Proc p = process(pid);
        if (!p.waitingForEvent || p.eventDeadline == NO_DEADLINE) {
            return 0;
        }
        return Math.max(1, p.eventDeadline - clock.monotonicNanos());
    }

    /**
     * Completes the I/O trap process {@code pid} waits on with yod's answer to request
     * {@code sequence}, which makes it runnable again. Returns false (and changes nothing) for
     * an answer nobody waits for: a duplicate, or one for a process that has since ended.
     */
    public boolean complete(int pid, long sequence, IoReply reply) {
        Proc p = processes.get(pid);
        if (p == null || p.status != null || p.awaiting == null || p.awaiting.sequence() != sequence) {
            return false;
        }
        Awaiting awaiting = p.awaiting;
        p.awaiting = null;
        p.ioSequence++;
        int result;
        try {
            result = answer(p, awaiting, reply);
        } catch (MemoryFault fault) {
            result = -Errno.EFAULT; // validated when the trap was taken; kept for safety all the same
        }
        finishTrap(p, awaiting.trapAddress(), awaiting.pc(), result);
        return true;
    }

    /**
     * The trap's result from an answer, storing what it carries into the buffers validated at
     * the trap. yod is outside the kernel's trust: an answer outside what the call may return
     * fails the call with EIO, never corrupts the process.
     */
    private static int answer(Proc p, Awaiting awaiting, IoReply reply) {
        long r = reply == null ? -Errno.EIO : reply.result();
        byte[] data = reply == null ? new byte[0] : reply.data();
        int[] a = awaiting.args();
        if (r < 0) {
            return r >= -MAX_ERRNO && data.length == 0 ? (int) r : -Errno.EIO;
        }
        IoRequest request = awaiting.request();
        if (request instanceof IoRequest.Read read) {
            if (r > read.maxBytes() || data.length != r) {
                return -Errno.EIO;
            }
            p.space.write(a[1], data, 0, data.length);
            return (int) r;
        }
        if (request instanceof IoRequest.Stat || request instanceof IoRequest.Fstat) {
            if (r != 0 || data.length != FileStatus.STATX_SIZE) {
                return -Errno.EIO;
            }
            p.space.write(a[1], data, 0, data.length);
            return 0;
        }
        if (data.length != 0) {
            return -Errno.EIO;
        }
        if (request instanceof IoRequest.Write write) {
            return r <= write.length() ? (int) r : -Errno.EIO;
        }
        if (request instanceof IoRequest.Seek) {
            p.space.store32(a[4], (int) r);
            p.space.store32(a[4] + 4, (int) (r >>> 32));
            return 0;
        }
        if (request instanceof IoRequest.Open) {
            return r <= Integer.MAX_VALUE ? (int) r : -Errno.EIO;
        }
        return r == 0 ? 0 : -Errno.EIO; // close, unlink
    }

    /** A guest-given length, as unsigned, capped at {@link UnifiedLibrary#IO_CHUNK}. */
    private static int chunk(int length) {
        return (int) Math.min(Integer.toUnsignedLong(length), UnifiedLibrary.IO_CHUNK);
    }

    /** An answer outside what the call may return is a PCT fault (the trap is retried after the reload). */
    private void requireAnswer(boolean valid, String format, Object... args) {
        if (!valid) {
            failPct(new IllegalStateException("the PCT's " + String.format(format, args)));
        }
    }

    private int clockGettime(Proc p, int clockId, int timespec) {
        OptionalLong time = clock.read(clockId);
        if (time.isEmpty()) {
            return -Errno.EINVAL;
        }
        UnifiedLibrary.writeTimespec(p.space, timespec, time.getAsLong());
        return 0;
    }

    private void kill(Proc p, Signal signal, String format, Object... args) {
        String report = String.format("process %d killed by %s: %s", p.pid, signal, String.format(format, args));
        end(p, ExitStatus.killed(signal), report);
    }

    private void end(Proc p, ExitStatus status, String report) {
        p.status = status;
        p.report = report;
        p.frozen = false;
        p.arriving = false;
        p.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_STATE, status.signal() != null ? Pcb.STATE_KILLED : Pcb.STATE_EXITED);
        p.space.store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_EXIT_STATUS, status.shellStatus());
        events.add(report == null ? new QkEvent.Exited(p.pid, status) : new QkEvent.Killed(p.pid, status, report));
        guard(() -> {
            pct.ended(p.pid, status);
            return null;
        });
    }

    // ---------------------------------------------------------------- PCT containment

    private boolean install(PctFactory factory) {
        try {
            Pct fresh = factory.create();
            pct = fresh;
            pctFailure = null;
            fresh.attach(this);
            return true;
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            failPctQuietly(e);
            return false;
        }
    }

    private <T> T guard(Supplier<T> call) {
        if (pct == null) {
            throw new PctFault();
        }
        try {
            return call.get();
        } catch (PctFault fault) {
            throw fault;
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            failPct(e);
            throw new PctFault();
        }
    }

    private void failPct(Throwable cause) {
        failPctQuietly(cause);
        throw new PctFault();
    }

    private void failPctQuietly(Throwable cause) {
        pct = null;
        current = null;
        pctFailure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        events.add(new QkEvent.PctFailed(pctFailure));
    }
}
