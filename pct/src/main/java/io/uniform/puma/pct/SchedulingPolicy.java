package io.uniform.puma.pct;

import io.uniform.puma.qk.Pcb;

/**
 * The node's scheduling policy (the paper's "several PCTs to choose from"), recorded in every
 * PCB so that a reloaded PCT continues with the same one.
 */
public enum SchedulingPolicy {
    /** Run the earliest loaded runnable process until it ends or stops. */
    FIFO(Pcb.POLICY_FIFO),
    /** Rotate through runnable processes, each for an instruction quantum, least recently run first. */
    ROUND_ROBIN(Pcb.POLICY_ROUND_ROBIN);

    private final int id;

    SchedulingPolicy(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The policy a configuration names: "fifo" or "round-robin". */
    public static SchedulingPolicy parse(String name) {
        return switch (name) {
            case "fifo" -> FIFO;
            case "round-robin" -> ROUND_ROBIN;
            default -> throw new IllegalArgumentException("unknown PCT scheduling policy '" + name + "' (fifo, round-robin)");
        };
    }
}
