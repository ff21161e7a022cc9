package io.uniform.node;

import io.uniform.config.Partition;

/**
 * Which partitions a job's ranks run in: all on compute nodes (Puma), all on service nodes
 * (Linux), or mixed: the last half of the ranks (rounded down, at most as many as the service
 * partition has nodes) on service nodes and the rest, rank 0 among them, on compute nodes, so
 * that one job spans both operating systems.
 */
public enum JobPlacement {
    COMPUTE,
    SERVICE,
    MIXED;

    /** The placement that puts every rank in {@code partition}: compute or service. */
    public static JobPlacement of(Partition partition) {
        return switch (partition) {
            case COMPUTE -> COMPUTE;
            case SERVICE -> SERVICE;
            default -> throw new IllegalArgumentException("jobs run on compute or service nodes, not on " + partition.label() + " nodes");
        };
    }

    /** How many of a job's {@code size} ranks go to the service partition, which has {@code serviceNodes} nodes. */
    public int serviceRanks(int size, int serviceNodes) {
        return switch (this) {
            case COMPUTE -> 0;
            case SERVICE -> size;
            case MIXED -> Math.min(size / 2, serviceNodes);
        };
    }
}
