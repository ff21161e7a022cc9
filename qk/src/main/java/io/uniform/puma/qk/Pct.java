package io.uniform.puma.qk;

import io.uniform.process.ExitStatus;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;

/**
 * What the QK calls up into: the process control thread, which owns policy (loading, heap,
 * scheduling, I/O to yod) while the QK owns mechanism (traps, registers, address validation).
 * Every argument the QK passes has already been validated and copied out of user memory.
 *
 * <p>Any exception thrown by a method here is a <em>PCT fault</em>: the QK catches it, keeps
 * every process and its memory intact, and waits for {@link Qk#reloadPct}. An implementation
 * must therefore keep no state it cannot rebuild from the PCBs in {@link #attach}.
 */
public interface Pct {
    /** Called once, first: the QK's services; rebuild any view of the node from the PCBs. */
    void attach(QkServices qk);

    /** Loads one process (validating the image); a refusal is a result, not a PCT fault. */
    LoadRequest.Result load(LoadRequest request);

    /** The next process to run and for how long, or {@code null} when none is runnable. */
    Dispatch schedule();

    /** {@code brk(requested)} with Linux semantics: the new break, or the old one on failure. */
    int brk(int pid, int requested);

    /**
     * Forwards an I/O request of process {@code pid} to its job's yod, tagged with
     * {@code sequence} (the same on a retried trap). Returns null when it went to yod (the
     * answer reaches the QK through the host), or an immediate answer when there is no yod to ask.
     */
    IoReply forward(int pid, long sequence, IoRequest request);

    /** The process has ended (exit trap or killed by the QK); the QK has already updated its PCB. */
    void ended(int pid, ExitStatus status);

    /**
     * Admits a process arriving by migration: creates it with the arrival's region, writes its
     * PCB as for a load (the arrival's job, rank, heap and stack; this PCT's policy, quantum and
     * next load sequence) and hands it to {@link QkServices#arrive}. A refusal is a result.
     */
    LoadRequest.Result admit(Arrival arrival);

    /** The process has moved to another node: it is gone from the QK, without an exit status. */
    void departed(int pid);

    /** A scheduling decision: run {@code pid} for at most {@code quantum} instructions. */
    record Dispatch(int pid, long quantum) {
        public Dispatch {
            if (quantum <= 0) {
                throw new IllegalArgumentException("quantum must be positive: " + quantum);
            }
        }
    }
}
