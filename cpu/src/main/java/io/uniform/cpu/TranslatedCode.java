package io.uniform.cpu;

/**
 * Guest code translated to JVM bytecode by {@link Translator}: one entry point in one page and
 * everything reachable from it there. Instances are hidden classes, collected with the decoded
 * page they were made from.
 */
abstract class TranslatedCode {
    /** The virtual pc this code was translated for (a physical page may be mapped twice). */
    final int entryPc;

    TranslatedCode(int entryPc) {
        this.entryPc = entryPc;
    }

    /**
     * Runs from {@link #entryPc} until control leaves the translated region, a trap is raised,
     * or the budget would not cover the next block. Leaves the next pc in {@code hart.pc}, the
     * registers in {@code x}, and a raised trap pending in the hart; returns the budget left,
     * counting a trapping instruction as executed (as the interpreter does).
     */
    abstract long run(Hart hart, int[] x, byte[] mem, long budget);
}
