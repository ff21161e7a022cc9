package io.uniform.linux;

import io.uniform.cpu.Hart;
import io.uniform.linux.files.Descriptors;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.linux.wait.WaitQueue;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One task of the {@link Linux} kernel: a process (this kernel has no threads) with its
 * identity, its hart, its paged memory, its descriptor table and its program break. The
 * kernel owns and mutates it; the getters are for the kernel's users and tests.
 */
public final class Task {
    /** Where a task is in its life. */
    public enum State {
        /** In the run queue, or running. */
        RUNNABLE,
        /** Waiting on a {@link WaitQueue} (a pipe, a child, a timer); its system call will be retried. */
        BLOCKED,
        /** Ended, its resources released, waiting for its parent to collect the status. */
        ZOMBIE
    }

    /** Where a task is in a migration ({@link Migration}); the scheduler runs only a task in none. */
    public enum Transit {
        /** Not moving. */
        NONE,
        /** Stopped at its source for a move: it resumes here if thawed, or is released once it runs elsewhere. */
        FROZEN,
        /** Admitted at its destination, its pages arriving: it runs once started. */
        ARRIVING,
        /** Released by its source after a move: it runs elsewhere now and has no exit status here. */
        MOVED
    }

    /** The parent of orphans and of a job's first task: an init that reaps at once. */
    static final int INIT_PID = 1;

    final int pid;
    Task parent;
    int processGroup;
    int session;
    final List<Task> children = new ArrayList<>();
    /** Woken when a child of this task ends. */
    final WaitQueue childEvents = new WaitQueue();
    /** Woken when the task's sleep ends. */
    final WaitQueue timer = new WaitQueue();
    /** Woken when an event reaches one of the task's Portals event queues. */
    final WaitQueue portalsEvents = new WaitQueue();
    /** The task's Portals identity, job and interface; null for a task that has none (a forked child). */
    ProcessPortals portals;

    Hart hart;
    PagedAddressSpace space;
    final Descriptors descriptors;
    int heapStart;
    int programBreak;
    int mmapBase;
    /** The lowest page of the stack mapped so far (it grows down on faults, to the stack limit below its top). */
    int stackBottom;
    /** The end of the stack: {@link io.uniform.linux.memory.PagedAddressSpace#USER_END} unless it came from elsewhere. */
    int stackTop;
    /** Where the unified library's OS word is in the image (0: not linked with it), for a migration to rewrite. */
    int osFlagAddress;
    Transit transit = Transit.NONE;

    State state = State.RUNNABLE;
    ExitStatus exitStatus;
    String killReport;
    /** A signal sent to the task whose default action ends it, acted on before it runs again. */
    Signal pendingTermination;
    /** Bytes a blocked write already moved, added to its result when it is retried to completion. */
    int carriedWrite;
    /** When a sleeping task's clock_nanosleep ends (monotonic nanoseconds), or {@link #NOT_SLEEPING}. */
    long sleepDeadline = NOT_SLEEPING;

    static final long NOT_SLEEPING = Long.MIN_VALUE;

    Task(int pid, Task parent, Descriptors descriptors) {
        this.pid = pid;
        this.parent = parent;
        this.descriptors = descriptors;
    }

    public int pid() {
        return pid;
    }

    /** The parent's pid; {@value #INIT_PID} for a job's first task and for orphans. */
    public int parentPid() {
        return parent == null ? INIT_PID : parent.pid;
    }

    public int processGroup() {
        return processGroup;
    }

    public int session() {
        return session;
    }

    public State state() {
        return state;
    }

    public Hart hart() {
        return hart;
    }

    public Transit transit() {
        return transit;
    }

    /** How the task ended, once it has. */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }

    /** Why a fault killed the task, for the user; empty if it exited or a signal from a task killed it. */
    public Optional<String> killReport() {
        return Optional.ofNullable(killReport);
    }

    @Override
    public String toString() {
        return "task " + pid + " (" + state + ")";
    }
}
