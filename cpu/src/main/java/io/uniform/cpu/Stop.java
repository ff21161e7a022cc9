package io.uniform.cpu;

/** Why {@link Hart#run} returned. */
public sealed interface Stop {
    /** The hart's pc when it stopped. */
    int pc();

    /** The instruction budget ran out; the hart resumes at {@code pc}. */
    record SliceEnd(int pc) implements Stop {}

    /**
     * In {@link ExecutionMode#PROCESS} mode: a trap for the kernel above. {@code pc} is the
     * trapping instruction (for ECALL the kernel advances it), {@code tval} the faulting address
     * or instruction word, as {@code mtval} would hold it.
     */
    record Trap(TrapCause cause, int pc, int tval) implements Stop {
        @Override
        public String toString() {
            return String.format("%s at pc 0x%08x (tval 0x%08x)", cause, pc, tval);
        }
    }
}
