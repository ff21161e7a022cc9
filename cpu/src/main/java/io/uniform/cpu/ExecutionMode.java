package io.uniform.cpu;

/** How the hart deals with traps. */
public enum ExecutionMode {
    /**
     * A user process under a kernel written in Java: the hart runs in U-mode and every trap
     * (ECALL, EBREAK, illegal instruction, fault) stops it and is returned to the kernel.
     */
    PROCESS,
    /**
     * A bare machine: the hart starts in M-mode, traps vector through {@code mtvec}, MRET drops
     * to the privilege in {@code mstatus.MPP}. Nothing is returned to Java but slice ends.
     */
    MACHINE
}
