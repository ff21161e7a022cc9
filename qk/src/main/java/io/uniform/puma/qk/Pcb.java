package io.uniform.puma.qk;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;

/**
 * The process control block: little-endian u32 words in the page at
 * {@link PumaAbi#PCB_ADDRESS} of the process's own address space, shared by the QK and the
 * PCT. Because it lives in user memory the program can scribble on it, so every read goes
 * through {@link #read} which validates every field against the process's region and throws
 * {@link CorruptPcbException} naming the first bad one; once the process has started, the QK
 * also compares every field but {@code heapBreak} (the PCT's) with its own copy
 * ({@link #requireSameAs}): the fixed fields never change, and {@code state},
 * {@code exitStatus}, {@code lastDispatch} and {@code deficiency} are written by the QK only.
 * It is also the only state a freshly loaded PCT needs to rebuild its view of the node (see
 * {@code Qk#reloadPct}).
 *
 * <pre>
 * offset field          meaning
 *   0    magic          "PPCB" (50 50 43 42)
 *   4    version        1
 *   8    pid            node-local process id (QK's)
 *  12    jobId          yod's job id
 *  16    rank           rank in the job, 0 &lt;= rank &lt; jobSize
 *  20    jobSize        processes in the job, &gt;= 1
 *  24    state          1 runnable, 2 exited, 3 killed, 4 stopped (migration requested)
 *  28    exitStatus     shell status once state is 2 or 3
 *  32    heapStart      page aligned, &gt;= 0x2000 (IMAGE_LOW): end of the image
 *  36    heapBreak      heapStart &lt;= heapBreak &lt;= heapLimit (any alignment)
 *  40    heapLimit      page aligned, == stackBottom
 *  44    stackTop       == regionBase + regionSize
 *  48    stackBottom    page aligned, &lt; stackTop
 *  52    policy         scheduling policy id of the PCT (1 FIFO, 2 round robin)
 *  56    reserved       0
 *  60    loadSequence   order in which the PCT loaded processes on this node (FIFO order)
 *  64    lastDispatch   QK's dispatch tick when it last switched to this process (round robin order)
 *  68    regionBase     0x1000
 *  72    regionSize     bytes, page multiple
 *  76    entry          ELF entry point
 *  80    quantum        round-robin instruction quantum (0 = run to completion)
 *  84    deficiency     the Linux call number of a pending migration request (state 4), else 0
 * </pre>
 */
public record Pcb(int pid, int jobId, int rank, int jobSize, int state, int exitStatus,
                  int heapStart, int heapBreak, int heapLimit, int stackTop, int stackBottom,
                  int policy, int loadSequence, int lastDispatch,
                  int regionBase, int regionSize, int entry, int quantum, int deficiency) {
    public static final int MAGIC = 0x42435050; // "PPCB" little-endian
    public static final int VERSION = 1;
    public static final int SIZE = 88;

    public static final int STATE_RUNNABLE = 1;
    public static final int STATE_EXITED = 2;
    public static final int STATE_KILLED = 3;
    public static final int STATE_STOPPED = 4;

    public static final int POLICY_FIFO = 1;
    public static final int POLICY_ROUND_ROBIN = 2;

    // Word offsets, public for tests that corrupt single fields and for the PCT.
    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_PID = 8;
    public static final int OFF_JOB_ID = 12;
    public static final int OFF_RANK = 16;
    public static final int OFF_STATE = 24;
    public static final int OFF_EXIT_STATUS = 28;
    public static final int OFF_HEAP_BREAK = 36;
    public static final int OFF_LAST_DISPATCH = 64;
    public static final int OFF_QUANTUM = 80;
    public static final int OFF_DEFICIENCY = 84;

    /** Thrown when a PCB field fails validation; the QK kills the process, never itself. */
    public static final class CorruptPcbException extends Exception {
        private static final long serialVersionUID = 1L;

        public CorruptPcbException(String message) {
            super(message);
        }
    }

    /** Writes the whole block at {@link PumaAbi#PCB_ADDRESS}. */
    public void write(AddressSpace space) {
        int[] words = {MAGIC, VERSION, pid, jobId, rank, jobSize, state, exitStatus, heapStart, heapBreak, heapLimit,
            stackTop, stackBottom, policy, 0, loadSequence, lastDispatch, regionBase, regionSize, entry, quantum, deficiency};
        for (int i = 0; i < words.length; i++) {
            space.store32(PumaAbi.PCB_ADDRESS + 4 * i, words[i]);
        }
    }

    /**
     * Reads and validates the block of the process {@code expectedPid}, whose region is
     * {@code [regionBase, regionBase + regionSize)}.
     */
    public static Pcb read(AddressSpace space, int expectedPid, int expectedRegionBase, int expectedRegionSize) throws CorruptPcbException {
        int[] w = new int[SIZE / 4];
        try {
            for (int i = 0; i < w.length; i++) {
                w[i] = space.load32(PumaAbi.PCB_ADDRESS + 4 * i);
            }
        } catch (MemoryFault fault) {
            throw new CorruptPcbException("the PCB page is not mapped: " + fault.getMessage());
        }
        if (w[0] != MAGIC) {
            throw corrupt("magic", w[0], "not \"PPCB\"");
        }
        if (w[1] != VERSION) {
            throw corrupt("version", w[1], "not " + VERSION);
        }
        Pcb pcb = new Pcb(w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[15], w[16],
                w[17], w[18], w[19], w[20], w[21]);
        pcb.validate(expectedPid, expectedRegionBase, expectedRegionSize);
        return pcb;
    }

    private void validate(int expectedPid, int expectedRegionBase, int expectedRegionSize) throws CorruptPcbException {
        long regionEnd = Integer.toUnsignedLong(expectedRegionBase) + Integer.toUnsignedLong(expectedRegionSize);
        if (pid != expectedPid) {
            throw corrupt("pid", pid, "the QK knows this process as " + expectedPid);
        }
        if (jobSize < 1) {
            throw corrupt("jobSize", jobSize, "not positive");
        }
        if (rank < 0 || rank >= jobSize) {
            throw corrupt("rank", rank, "outside [0, jobSize " + jobSize + ")");
        }
        if (state < STATE_RUNNABLE || state > STATE_STOPPED) {
            throw corrupt("state", state, "not a known state (1..4)");
        }
        if (regionBase != expectedRegionBase || regionSize != expectedRegionSize) {
            throw corrupt("region", regionBase, String.format("the region is [0x%x, 0x%x)", expectedRegionBase, regionEnd));
        }
        if (Integer.toUnsignedLong(stackTop) != regionEnd) {
            throw corrupt("stackTop", stackTop, String.format("not the region end 0x%x", regionEnd));
        }
        if (!pageAligned(stackBottom) || Integer.compareUnsigned(stackBottom, stackTop) >= 0
                || Integer.compareUnsigned(stackBottom, PumaAbi.IMAGE_LOW) <= 0) {
            throw corrupt("stackBottom", stackBottom, "not a page boundary inside the region below stackTop");
        }
        if (heapLimit != stackBottom) {
            throw corrupt("heapLimit", heapLimit, "not stackBottom");
        }
        if (!pageAligned(heapStart) || Integer.compareUnsigned(heapStart, PumaAbi.IMAGE_LOW) < 0
                || Integer.compareUnsigned(heapStart, heapLimit) > 0) {
            throw corrupt("heapStart", heapStart, "not a page boundary between the image base and the heap limit");
        }
        if (Integer.compareUnsigned(heapBreak, heapStart) < 0 || Integer.compareUnsigned(heapBreak, heapLimit) > 0) {
            throw corrupt("heapBreak", heapBreak, String.format("outside the heap [0x%08x, 0x%08x]", heapStart, heapLimit));
        }
        if (policy != POLICY_FIFO && policy != POLICY_ROUND_ROBIN) {
            throw corrupt("policy", policy, "not a known scheduling policy (1, 2)");
        }
        if (Integer.compareUnsigned(entry, PumaAbi.IMAGE_LOW) < 0 || Integer.compareUnsigned(entry, heapStart) >= 0) {
            throw corrupt("entry", entry, "not inside the image");
        }
        if (quantum < 0) {
            throw corrupt("quantum", quantum, "negative");
        }
    }

    /**
     * Compares this (validated) block with the QK's own record of the process, {@code owned}:
     * every field but {@code heapBreak} must be equal, or the program has forged its PCB.
     */
    public void requireSameAs(Pcb owned) throws CorruptPcbException {
        int[][] pairs = {{jobId, owned.jobId}, {rank, owned.rank}, {jobSize, owned.jobSize}, {state, owned.state},
            {exitStatus, owned.exitStatus}, {heapStart, owned.heapStart}, {heapLimit, owned.heapLimit},
            {stackTop, owned.stackTop}, {stackBottom, owned.stackBottom}, {policy, owned.policy},
            {loadSequence, owned.loadSequence}, {lastDispatch, owned.lastDispatch}, {regionBase, owned.regionBase},
            {regionSize, owned.regionSize}, {entry, owned.entry}, {quantum, owned.quantum}, {deficiency, owned.deficiency}};
        String[] names = {"jobId", "rank", "jobSize", "state", "exitStatus", "heapStart", "heapLimit", "stackTop",
            "stackBottom", "policy", "loadSequence", "lastDispatch", "regionBase", "regionSize", "entry", "quantum", "deficiency"};
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i][0] != pairs[i][1]) {
                throw corrupt(names[i], pairs[i][0], String.format("not 0x%08x, the value the QK recorded", pairs[i][1]));
            }
        }
    }

    /** This block with the fields the QK owns replaced (for the QK's own record). */
    Pcb withOwned(int newState, int newExitStatus, int newLastDispatch, int newDeficiency) {
        return new Pcb(pid, jobId, rank, jobSize, newState, newExitStatus, heapStart, heapBreak, heapLimit, stackTop, stackBottom,
                policy, loadSequence, newLastDispatch, regionBase, regionSize, entry, quantum, newDeficiency);
    }

    private static boolean pageAligned(int address) {
        return (address & 0xfff) == 0;
    }

    private static CorruptPcbException corrupt(String field, int value, String why) {
        return new CorruptPcbException(String.format("corrupt PCB: %s = 0x%08x is %s", field, value, why));
    }
}
