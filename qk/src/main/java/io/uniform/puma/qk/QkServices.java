package io.uniform.puma.qk;

import io.uniform.cpu.memory.FlatAddressSpace;
import java.util.List;

/** What the QK offers the PCT. */
public interface QkServices {
    /**
     * Allocates a contiguous region of {@code regionBytes} (page multiple) of the node's physical
     * memory, zeroed, mapped at {@link PumaAbi#REGION_BASE}, for a new process that is not yet
     * runnable; returns its pid.
     *
     * @throws IllegalArgumentException the node's memory not yet given to processes is smaller
     */
    int createProcess(int regionBytes);

    /** The address space of a process the QK knows (live or ended but not yet reaped). */
    FlatAddressSpace space(int pid);

    /**
     * Makes a created process runnable at {@code entry} with stack pointer {@code sp}; its PCB
     * must be written. The QK keeps {@code image} (what a migration carries of the image).
     */
    void start(int pid, int entry, int sp, ImageLayout image);

    /**
     * Makes a created process, its PCB written, one arriving by migration: the QK sets its
     * registers, its host writes its pages, and it runs once its host starts it ({@link Qk#admit}).
     */
    void arrive(int pid, ImageLayout image);

    /** Pids of every process that has not been reaped, in creation order. */
    List<Integer> pids();

    /** The validated PCB of a process. */
    Pcb pcb(int pid) throws Pcb.CorruptPcbException;

    /** Whether the QK would run the process now (started, alive, not stopped, no trap awaiting a PCT reload). */
    boolean runnable(int pid);

    /** Frees an ended process's memory. */
    void reap(int pid);
}
