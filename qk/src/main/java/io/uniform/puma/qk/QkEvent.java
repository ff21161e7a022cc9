package io.uniform.puma.qk;

import io.uniform.process.ExitStatus;

/** Something the host (the node actor, tests) must learn from a slice of {@link Qk#runSlice}. */
public sealed interface QkEvent {
    /** The process ended through its exit trap. */
    record Exited(int pid, ExitStatus status) implements QkEvent {}

    /** The QK killed the process; {@code report} names the cause, pc and address. */
    record Killed(int pid, ExitStatus status, String report) implements QkEvent {}

    /**
     * The process asked, through the unified library's deficiency routine, for a call Puma lacks.
     * It is stopped with its state intact (pc after the ebreak); the host migrates it, resumes
     * it, or kills it.
     */
    record MigrationRequest(int pid, int callNumber, String callName) implements QkEvent {}

    /** The PCT faulted; processes are intact and nothing runs until {@link Qk#reloadPct}. */
    record PctFailed(String cause) implements QkEvent {}
}
