package io.uniform.portals;

import java.util.List;

/**
 * A parallel job as one of its processes sees it: its own rank and the Portals process id of
 * every rank ({@code processes.get(r)} is rank r's). The kernel answers the collectives' calls
 * from it ({@link PortalsCall#JOB_INFO}, {@link PortalsCall#JOB_PROCESS}). Immutable; the ranks
 * of a job can share one list (built once with {@link List#copyOf}, it is not copied again).
 * Ids held by guest code stay valid when a process moves (the interconnect's location
 * directory maps them), so a migrating process keeps its map unchanged.
 */
public record JobMap(int rank, List<ProcessId> processes) {
    public JobMap {
        processes = List.copyOf(processes);
        if (processes.isEmpty()) {
            throw new IllegalArgumentException("a job has at least one process");
        }
        if (rank < 0 || rank >= processes.size()) {
            throw new IllegalArgumentException("rank " + rank + " of a job of " + processes.size());
        }
        for (ProcessId id : processes) {
            if (id.hasWildcard()) {
                throw new IllegalArgumentException("a job's process has no wildcard: " + id);
            }
        }
    }

    /** A process that is a job of its own: rank 0 of 1. */
    public static JobMap single(ProcessId self) {
        return new JobMap(0, List.of(self));
    }

    /** The map of rank {@code rank} of the same job. */
    public JobMap forRank(int rank) {
        return new JobMap(rank, processes);
    }

    /** How many ranks the job has. */
    public int size() {
        return processes.size();
    }

    /** The process id of {@code rank}. */
    public ProcessId process(int rank) {
        return processes.get(rank);
    }

    /** This process's own id. */
    public ProcessId self() {
        return processes.get(rank);
    }

    @Override
    public String toString() {
        return "rank " + rank + " of " + processes.size();
    }
}
