package io.uniform.node;

import io.uniform.portals.PortalsMessage;
import io.uniform.process.ExitStatus;
import io.uniform.process.io.IoReply;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import io.uniform.process.io.IoRequest;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel a node hosts for one process, driven by its {@link NodeActor}: load, run a bounded
 * slice, kill. Plain single-threaded Java: a slice runs on the CPU dispatcher while the actor
 * keeps its hands off; everything else runs on the actor's thread between slices (the future
 * the slice completes and the actor's mailbox order the two).
 */
abstract class Kernel {
    /** One write to stdout or stderr, in program order. */
    record Chunk(int fd, byte[] bytes) {
        Chunk {
            bytes = bytes.clone();
        }

        /** A copy of the bytes written. */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** How the process ended: its status, and why it was killed (null if it exited). */
    record Ended(ExitStatus status, String report) {}

    /** An I/O request of the process for yod, with its sequence number (the same on a retry). */
    record IoCall(long sequence, IoRequest request) {}

    /**
     * What one slice produced: output written during it, I/O requests for yod, Portals messages
     * for other processes, the end if it came, and whether the processes now wait: for yod's
     * answer or a Portals message (no slice runs until one comes), or, if {@code sleepNanos} is
     * positive, for that long.
     */
    record SliceResult(List<Chunk> output, List<IoCall> ioCalls, List<PortalsMessage> network, Ended ended, boolean waiting,
                       int pctReloads, long sleepNanos) {
        SliceResult {
            ioCalls = List.copyOf(ioCalls);
            network = List.copyOf(network);
        }
    }

    /**
     * What the kernel's processes have done since it was built, as the kernel counts it between
     * hart runs (never per instruction): instructions retired, traps taken, page faults.
     */
    record Counters(long instructions, long traps, long pageFaults) {
        static final Counters NONE = new Counters(0, 0, 0);
    }

    private final List<Chunk> output = new ArrayList<>();

    /** Runs up to {@code budget} instructions. */
    abstract SliceResult runSlice(long budget);

    /**
     * Passes yod's answer to request {@code sequence} to the process (between slices); true if
     * the process can run again. A kernel whose processes never wait for yod ignores it.
     */
    boolean complete(long sequence, IoReply reply) {
        return false;
    }

    /**
     * Hands a Portals message from the network to the process it names (between slices); true
     * if a process waiting for it can run again. A kernel without Portals drops it.
     */
    boolean deliver(PortalsMessage message) {
        return false;
    }

    /**
     * Portals messages the kernel has produced since a slice returned (the answers to messages
     * delivered between slices: acks, replies), for the node to send now rather than after the
     * next slice, which may never come while the process waits.
     */
    List<PortalsMessage> drainNetwork() {
        return List.of();
    }

    /** What the kernel's processes have done so far (between slices); a kernel that counts nothing says so with zeros. */
    Counters counters() {
        return Counters.NONE;
    }

    /** Ends the process now (between slices), with {@code report} as the reason. */
    abstract Ended kill(String report);

    /**
     * The name of the call the process stopped at because this kernel lacks it (the unified
     * library's deficiency routine), while it waits to move; null when it has not.
     */
    String deficiency() {
        return null;
    }

    /** The stopped process cannot move to where its call is served, for {@code why}: it ends as a bad system call. */
    Ended deficient(String why) {
        throw new IllegalStateException("the process did not stop for a call its kernel lacks");
    }

    // ---- Migration, between slices. At the source: freeze, then either thaw (the move failed)
    // or release (the process runs elsewhere now). At the destination: the kernel's admit
    // factory, writePage for each page that travels, then start.

    /**
     * Stops the node's process at an instruction boundary for a move to a node running
     * {@code destinationOs} ({@code UnifiedLibrary.OS_PUMA} or {@code OS_LINUX}) and returns its
     * state; its memory is {@link #frozenMemory()}. Nothing is released yet.
     *
     * @throws MigrationRefused why the process cannot move there; it runs on as before
     */
    ProcessState freeze(int destinationOs) throws MigrationRefused {
        throw new MigrationRefused("this node's kernel cannot move its process");
    }

    /**
     * Begins tracking the pages the running process writes, for a pre-copy migration (between
     * slices); null when this kernel cannot, and its process moves frozen only.
     */
    DirtyPages trackWrites() {
        return null;
    }

    /** The bytes the process's memory spans, for a destination to make room for before the freeze; 0 if unknown. */
    long memoryBytes() {
        return 0;
    }

    /** The memory of the process {@link #freeze} stopped. */
    FrozenMemory frozenMemory() {
        throw new IllegalStateException("no process is frozen");
    }

    /** The move failed: the frozen process runs on here, as if nothing had happened. */
    void thaw() {
        throw new IllegalStateException("no process is frozen");
    }

    /** Stores a page of the arriving process (admitted, not started), as its source read it: the page at {@code offset} of {@code from}. */
    void writePage(int address, byte[] from, int offset) {
        throw new IllegalStateException("no process is arriving");
    }

    /** Every page has arrived: the admitted process runs from the next slice. */
    void start() {
        throw new IllegalStateException("no process is arriving");
    }

    /** Releases the node memory the process held. */
    abstract void release();

    final void capture(int fd, byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        Chunk last = output.isEmpty() ? null : output.get(output.size() - 1);
        if (last != null && last.fd() == fd && last.bytes.length + length <= 1 << 20) {
            byte[] merged = new byte[last.bytes.length + length];
            System.arraycopy(last.bytes, 0, merged, 0, last.bytes.length);
            System.arraycopy(bytes, offset, merged, last.bytes.length, length);
            output.set(output.size() - 1, new Chunk(fd, merged));
        } else {
            byte[] copy = new byte[length];
            System.arraycopy(bytes, offset, copy, 0, length);
            output.add(new Chunk(fd, copy));
        }
    }

    /** Output captured since the last call. */
    final List<Chunk> drainOutput() {
        List<Chunk> drained = List.copyOf(output);
        output.clear();
        return drained;
    }

    /** An output stream that captures into this kernel's ordered output (the Linux console). */
    final OutputStream stream(int fd) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                capture(fd, new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                capture(fd, b, off, len);
            }
        };
    }
}
