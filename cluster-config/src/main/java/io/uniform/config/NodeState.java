package io.uniform.config;

import java.util.Objects;

/**
 * The live state of a node, as a running machine reports it to a {@link MeshMap}: idle,
 * running a job (with the job's id), or down. The map draws {@code .}, {@code #} and
 * {@code x} for them.
 */
public record NodeState(Kind kind, long job) {
    /** What a node is doing. */
    public enum Kind {
        IDLE('.', "idle"),
        RUNNING('#', "running"),
        DOWN('x', "down");

        private final char symbol;
        private final String label;

        Kind(char symbol, String label) {
            this.symbol = symbol;
            this.label = label;
        }

        /** The character drawn for a node in this state. */
        public char symbol() {
            return symbol;
        }

        public String label() {
            return label;
        }
    }

    /** A booted node with no process. */
    public static final NodeState IDLE = new NodeState(Kind.IDLE, 0);
    /** A node that failed or whose JVM is gone. */
    public static final NodeState DOWN = new NodeState(Kind.DOWN, 0);

    public NodeState {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.RUNNING && job != 0) {
            throw new IllegalArgumentException("only a running node has a job, not a " + kind.label() + " one");
        }
    }

    /** A node running a process of job {@code job}. */
    public static NodeState running(long job) {
        return new NodeState(Kind.RUNNING, job);
    }

    @Override
    public String toString() {
        return kind == Kind.RUNNING ? "running job " + job : kind.label();
    }
}
