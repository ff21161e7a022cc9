package io.uniform.puma.pct;

/** Finds the yod serving a job; survives PCT reloads (it belongs to the node, not the PCT). */
@FunctionalInterface
public interface YodDirectory {
    /** The job's yod, or null if the node knows no such job. */
    YodPort forJob(int jobId);
}
