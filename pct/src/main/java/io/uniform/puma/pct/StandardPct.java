package io.uniform.puma.pct;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.puma.qk.ExitStatus;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.Pcb;
import io.uniform.puma.qk.Pct;
import io.uniform.puma.qk.PumaAbi;
import io.uniform.puma.qk.QkServices;
import io.uniform.puma.qk.ReadResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The process control thread: loads images into Puma regions and writes their PCBs, grows
 * heaps (brk, within the region below the stack), schedules with the node's
 * {@link SchedulingPolicy}, and forwards I/O to the job's yod.
 *
 * <p>It keeps no state of its own beyond counters derived from the PCBs: every fact about a
 * process (heap, state, load order, last dispatch) lives in that process's PCB, read back
 * through the QK's validating reader. So {@link #attach} after a reload rebuilds everything,
 * and a PCT fault loses nothing.
 */
public final class StandardPct implements Pct {
    private final SchedulingPolicy policy;
    private final long quantum;
    private final YodDirectory yods;
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

    @Override
    public void attach(QkServices services) {
        this.qk = services;
        loadSequence = 0;
        dispatchTick = 0;
        for (int pid : services.pids()) {
            try {
                Pcb pcb = services.pcb(pid);
                loadSequence = Math.max(loadSequence, pcb.loadSequence());
                dispatchTick = Math.max(dispatchTick, pcb.lastDispatch());
            } catch (Pcb.CorruptPcbException e) {
                // the QK kills such a process at its next trap; it is not schedulable here
            }
        }
    }

    @Override
    public LoadRequest.Result load(LoadRequest request) {
        if (yods.forJob(request.jobId()) == null) {
            return LoadRequest.Result.refused("no yod is known for job " + request.jobId());
        }
        int pid;
        try {
            pid = qk.createProcess(request.regionBytes());
        } catch (IllegalArgumentException e) {
            return LoadRequest.Result.refused(e.getMessage());
        }
        FlatAddressSpace space = qk.space(pid);
        int stackTop = PumaAbi.REGION_BASE + request.regionBytes();
        int stackBottom = stackTop - request.stackBytes();
        try {
            if (Integer.compareUnsigned(stackBottom, PumaAbi.IMAGE_BASE) <= 0) {
                throw new ElfFormatException("the stack fills the whole region");
            }
            PumaLoader.Loaded image = PumaLoader.loadImage(request.elf(), space, stackBottom);
            int sp = PumaLoader.buildStack(space, stackTop, request.stackBytes(), image.entry(), request.argv(), request.env());
            Pcb pcb = new Pcb(pid, request.jobId(), request.rank(), request.jobSize(), Pcb.STATE_RUNNABLE, 0,
                    image.imageEnd(), image.imageEnd(), stackBottom, stackTop, stackBottom, policy.id(), 0, ++loadSequence, 0,
                    PumaAbi.REGION_BASE, request.regionBytes(), image.entry(),
                    policy == SchedulingPolicy.ROUND_ROBIN ? (int) quantum : 0, 0);
            pcb.write(space);
            qk.start(pid, image.entry(), sp);
            return LoadRequest.Result.loaded(pid);
        } catch (ElfFormatException e) {
            qk.reap(pid);
            return LoadRequest.Result.refused("cannot load the image: " + e.getMessage());
        }
    }

    @Override
    public Dispatch schedule() {
        Pcb next = null;
        for (int pid : qk.pids()) {
            Pcb pcb;
            try {
                pcb = qk.pcb(pid);
            } catch (Pcb.CorruptPcbException e) {
                continue;
            }
            if (pcb.state() != Pcb.STATE_RUNNABLE || !qkRunnable(pid)) {
                continue;
            }
            if (next == null || before(pcb, next)) {
                next = pcb;
            }
        }
        if (next == null) {
            return null;
        }
        qk.space(next.pid()).store32(PumaAbi.PCB_ADDRESS + Pcb.OFF_LAST_DISPATCH, ++dispatchTick);
        return new Dispatch(next.pid(), policy == SchedulingPolicy.FIFO ? Long.MAX_VALUE : quantum);
    }

    /** Whether {@code a} goes before {@code b} under this policy. */
    private boolean before(Pcb a, Pcb b) {
        if (policy == SchedulingPolicy.ROUND_ROBIN && a.lastDispatch() != b.lastDispatch()) {
            return Integer.compareUnsigned(a.lastDispatch(), b.lastDispatch()) < 0;
        }
        return a.loadSequence() < b.loadSequence();
    }

    /** A PCB can say runnable while the QK holds the process (interrupted trap); the QK decides. */
    private boolean qkRunnable(int pid) {
        return qk.runnable(pid);
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
    public int write(int pid, int fd, byte[] bytes) {
        return yod(pid).write(fd, bytes);
    }

    @Override
    public ReadResult read(int pid, int fd, int maxBytes) {
        return yod(pid).read(fd, maxBytes);
    }

    @Override
    public int open(int pid, String path, int linuxFlags, int mode) {
        return yod(pid).open(path, linuxFlags, mode);
    }

    @Override
    public int close(int pid, int fd) {
        return yod(pid).close(fd);
    }

    @Override
    public long lseek(int pid, int fd, long offset, int whence) {
        return yod(pid).lseek(fd, offset, whence);
    }

    @Override
    public void ended(int pid, ExitStatus status) {
        // The PCB already records it; yod learns it from the node (a later issue).
    }

    /** The processes this PCT sees, from their PCBs (corrupt ones left out), for hosts and tests. */
    public List<Pcb> view() {
        List<Pcb> view = new ArrayList<>();
        for (int pid : qk.pids()) {
            try {
                view.add(qk.pcb(pid));
            } catch (Pcb.CorruptPcbException e) {
                // left out
            }
        }
        return view;
    }

    public SchedulingPolicy policy() {
        return policy;
    }

    private Pcb pcb(int pid) {
        try {
            return qk.pcb(pid);
        } catch (Pcb.CorruptPcbException e) {
            throw new IllegalStateException(e.getMessage(), e); // the QK validated it at trap entry
        }
    }

    private YodPort yod(int pid) {
        int job = pcb(pid).jobId();
        YodPort port = yods.forJob(job);
        if (port == null) {
            throw new IllegalStateException("no yod for job " + job);
        }
        return port;
    }
}
