package io.uniform.puma.pct;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.process.Errno;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.InitialStack;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import io.uniform.process.image.ProcessState;
import io.uniform.puma.qk.Arrival;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.Pcb;
import io.uniform.puma.qk.Pct;
import io.uniform.puma.qk.PumaAbi;
import io.uniform.puma.qk.QkServices;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The process control thread: loads images into Puma regions and writes their PCBs, grows
 * heaps (brk, within the region below the stack), schedules with the node's
 * {@link SchedulingPolicy}, and forwards I/O to the job's yod.
 *
 * <p>Every fact about a process (heap, state, load order, policy and quantum) lives in that
 * process's PCB, read back through the QK's validating reader, which compares it with the
 * QK's own record. The one piece of scheduling bookkeeping it keeps in its own memory, when
 * each process was last dispatched, it rebuilds in {@link #attach} from the (validated) PCBs,
 * never reading the guest-writable word again; so a reload loses nothing, and a reloaded PCT
 * continues with the policy and quantum its predecessor recorded there.
 */
public final class StandardPct implements Pct {
    private SchedulingPolicy policy;
    private long quantum;
    private final YodDirectory yods;
    private final Map<Integer, Integer> lastDispatch = new HashMap<>();
    private QkServices qk;
    private int loadSequence;
    private int dispatchTick;

    /**
     * @param quantum instructions per round-robin turn (ignored by FIFO)
     */
    public StandardPct(SchedulingPolicy policy, long quantum, YodDirectory yods) {
        if (quantum <= 0 || quantum > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("quantum must be in 1..2^31-1: " + quantum);
        }
        this.policy = policy;
        this.quantum = quantum;
        this.yods = yods;
    }

    /** The policy this PCT schedules with (after a reload: the one its processes were loaded under). */
    public SchedulingPolicy policy() {
        return policy;
    }

    @Override
    public void attach(QkServices services) {
        this.qk = services;
        loadSequence = 0;
        dispatchTick = 0;
        lastDispatch.clear();
        Pcb earliestLive = null;
        for (int pid : services.pids()) {
            try {
                Pcb pcb = services.pcb(pid);
                loadSequence = Math.max(loadSequence, pcb.loadSequence());
                lastDispatch.put(pid, pcb.lastDispatch());
                if (Integer.compareUnsigned(pcb.lastDispatch(), dispatchTick) > 0) {
                    dispatchTick = pcb.lastDispatch();
                }
                if (pcb.state() != Pcb.STATE_EXITED && pcb.state() != Pcb.STATE_KILLED
                        && (earliestLive == null || pcb.loadSequence() < earliestLive.loadSequence())) {
                    earliestLive = pcb;
                }
            } catch (Pcb.CorruptPcbException e) {
                // the QK kills such a process at its next switch; it is not schedulable here
            }
        }
        if (earliestLive != null) { // the node keeps the policy its processes were loaded under
            policy = earliestLive.policy() == Pcb.POLICY_ROUND_ROBIN ? SchedulingPolicy.ROUND_ROBIN : SchedulingPolicy.FIFO;
            if (policy == SchedulingPolicy.ROUND_ROBIN && earliestLive.quantum() > 0) {
                quantum = earliestLive.quantum();
            }
        }
    }

    @Override
    public LoadRequest.Result load(LoadRequest request) {
        LoadRequest.Result created = createProcess(request.jobId(), request.regionBytes());
        if (!created.ok()) {
            return created;
        }
        int pid = created.pid();
        FlatAddressSpace space = qk.space(pid);
        int stackTop = PumaAbi.REGION_BASE + request.regionBytes();
        int stackBottom = stackTop - request.stackBytes();
        try {
            PumaLoader.Loaded image = PumaLoader.loadImage(request.elf(), space, stackBottom);
            int sp = InitialStack.build(space, stackTop, request.stackBytes(), image.entry(), request.argv(), request.env(),
                    // AT_RANDOM: deterministic, like the rest of the kernel, and different for every rank.
                    new Random(((long) request.jobId() << 32) ^ ((long) request.rank() << 8) ^ pid));
            writePcb(pid, request.jobId(), request.rank(), request.jobSize(), image.imageEnd(), image.imageEnd(), stackBottom,
                    request.regionBytes(), image.entry());
            qk.start(pid, image.entry(), sp, image.layout());
            return LoadRequest.Result.loaded(pid);
        } catch (ElfFormatException e) {
            qk.reap(pid);
            return LoadRequest.Result.refused("cannot load the image: " + e.getMessage());
        } catch (ExecFailure e) {
            qk.reap(pid);
            return LoadRequest.Result.refused(e.getMessage());
        }
    }

    /**
     * A process arriving by migration gets a PCB like a loaded one: its heap and stack from its
     * state, this node's policy and quantum, the next load sequence (it queues behind the
     * processes already here); its entry is its image's base (its ELF entry does not travel).
     */
    @Override
    public LoadRequest.Result admit(Arrival arrival) {
        LoadRequest.Result created = createProcess(arrival.jobId(), arrival.regionBytes());
        if (!created.ok()) {
            return created;
        }
        int pid = created.pid();
        ProcessState state = arrival.state();
        writePcb(pid, arrival.jobId(), arrival.rank(), arrival.jobSize(), state.heapStart(), state.programBreak(), state.stackBottom(),
                arrival.regionBytes(), arrival.image().base());
        qk.arrive(pid, arrival.image());
        return LoadRequest.Result.loaded(pid);
    }

    /** A new process of job {@code jobId} with a region of {@code regionBytes}, not yet started: its pid, or why there is none. */
    private LoadRequest.Result createProcess(int jobId, int regionBytes) {
        if (yods.forJob(jobId) == null) {
            return LoadRequest.Result.refused("no yod is known for job " + jobId);
        }
        try {
            return LoadRequest.Result.loaded(qk.createProcess(regionBytes));
        } catch (IllegalArgumentException e) {
            return LoadRequest.Result.refused(e.getMessage());
        }
    }

    /** Writes the PCB of a new process in a region of {@code regionBytes}, its stack at the region's top. */
    private void writePcb(int pid, int jobId, int rank, int jobSize, int heapStart, int heapBreak, int stackBottom, int regionBytes,
                          int entry) {
        new Pcb(pid, jobId, rank, jobSize, Pcb.STATE_RUNNABLE, 0, heapStart, heapBreak, stackBottom, PumaAbi.REGION_BASE + regionBytes,
                stackBottom, policy.id(), ++loadSequence, 0, PumaAbi.REGION_BASE, regionBytes, entry,
                policy == SchedulingPolicy.ROUND_ROBIN ? (int) quantum : 0, 0).write(qk.space(pid));
    }

    @Override
    public void departed(int pid) {
        lastDispatch.remove(pid);
    }

    @Override
    public Dispatch schedule() {
        Pcb next = null;
        for (int pid : qk.pids()) {
            if (!qk.runnable(pid)) { // the QK decides (it owns the state)
                continue;
            }
            Pcb pcb;
            try {
                pcb = qk.pcb(pid);
            } catch (Pcb.CorruptPcbException e) {
                continue;
            }
            if (next == null || before(pcb, next)) {
                next = pcb;
            }
        }
        if (next == null) {
            return null;
        }
        lastDispatch.put(next.pid(), ++dispatchTick);
        return new Dispatch(next.pid(), policy == SchedulingPolicy.FIFO ? Long.MAX_VALUE : quantum);
    }

    /** Whether {@code a} goes before {@code b} under this policy. */
    private boolean before(Pcb a, Pcb b) {
        int aLast = lastDispatch.getOrDefault(a.pid(), 0);
        int bLast = lastDispatch.getOrDefault(b.pid(), 0);
        if (policy == SchedulingPolicy.ROUND_ROBIN && aLast != bLast) {
            return Integer.compareUnsigned(aLast, bLast) < 0;
        }
        return a.loadSequence() < b.loadSequence();
    }

    @Override
    public int brk(int pid, int requested) {
        Pcb pcb = pcb(pid);
        int current = pcb.heapBreak();
        if (Integer.compareUnsigned(requested, pcb.heapStart()) < 0 || Integer.compareUnsigned(requested, pcb.heapLimit()) > 0) {
            return current;
        }
        if (Integer.compareUnsigned(requested, current) > 0) {
            qk.space(pid).zero(current, requested - current); // memory given back earlier reads as zero again
        }
        qk.space(pid).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_HEAP_BREAK, requested);
        return requested;
    }

    @Override
    public IoReply forward(int pid, long sequence, IoRequest request) {
        Pcb pcb = pcb(pid);
        YodPort yod = yods.forJob(pcb.jobId());
        if (yod == null) {
            return IoReply.error(Errno.EIO); // the node knows no yod for the job
        }
        yod.submit(pid, pcb.rank(), sequence, request);
        return null;
    }

    @Override
    public void ended(int pid, ExitStatus status) {
        lastDispatch.remove(pid); // the PCB records the end; yod learns it from the node (a later issue)
    }

    private Pcb pcb(int pid) {
        try {
            return qk.pcb(pid);
        } catch (Pcb.CorruptPcbException e) {
            throw new IllegalStateException(e.getMessage(), e); // the QK validated it at trap entry
        }
    }

}
