package io.uniform.node;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.linux.Console;
import io.uniform.linux.Linux;
import io.uniform.linux.Task;
import io.uniform.linux.memory.MappingException;
import io.uniform.linux.memory.NodeMemory;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.process.image.Area;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Linux personality on a service (io, system) node: a {@link Linux} kernel running the
 * rank's program and every process it starts, on the job's service file system; the rank's
 * process is its Portals process, whose messages the node routes. A deadlock
 * (every task waiting for another) ends the rank, killed, with the report naming the waits.
 */
final class LinuxKernel extends Kernel {
    /** The longest wait the node schedules at once (Pekko's scheduler refuses delays of months). */
    private static final long MAX_SLEEP_NANOS = 3_600_000_000_000L;

    private final Linux linux;
    private Task first;

    private LinuxKernel(Linux linux) {
        this.linux = linux;
    }

    /** Loads the program as execve would, as the process {@code portals} names; throws with the reason when it cannot. */
    static LinuxKernel exec(long memoryBytes, Program program, String filesRoot, ProcessPortals portals)
            throws ElfFormatException, ExecFailure {
        LinuxKernel kernel = boot(memoryBytes, filesRoot);
        kernel.first = kernel.linux.spawn(program.image(), program.argv(), Map.of(), kernel.console(program.stdin()));
        kernel.linux.attachPortals(kernel.first, portals);
        return kernel;
    }

    /**
     * Takes in a process frozen on another node, as the process {@code portals} names: a
     * migration's destination ({@link Linux#admit}). It runs once its pages are written
     * ({@link #writePage}) and it is started ({@link #start}). Its standard streams are this
     * node's console: output captured in order as for {@link #exec}, and an input at its end,
     * since what the process had not read of its input does not travel in a {@link ProcessState}.
     *
     * @throws MigrationRefused if the node's memory cannot take it, or a file it holds is gone
     */
    static LinuxKernel admit(long memoryBytes, String filesRoot, ProcessPortals portals, ProcessState state, Landed landed)
            throws MigrationRefused {
        LinuxKernel kernel = boot(Linux.Config.forNode(memoryBytes), filesRoot, landed.memory);
        kernel.first = kernel.linux.admit(state, kernel.console(new byte[0]), landed.space);
        kernel.linux.attachPortals(kernel.first, portals);
        return kernel;
    }

    /**
     * A landing for a node that will boot Linux on {@code memoryBytes}: the node memory, grown
     * to hold the {@code processBytes} the arriving process maps (so neither its pages nor its
     * admission grow it), and the process's space in it.
     *
     * @throws MigrationRefused if the JVM cannot hold that memory
     */
    static Landed land(long memoryBytes, long processBytes) throws MigrationRefused {
        NodeMemory memory = new NodeMemory(Linux.Config.forNode(memoryBytes).memoryBytes());
        try {
            memory.prepare(processBytes);
        } catch (MappingException e) {
            throw new MigrationRefused("the node cannot make room for the process's " + (processBytes >> 10) + " KiB: " + e.getMessage());
        }
        return new Landed(memory, new PagedAddressSpace(memory));
    }

    /**
     * Pre-copied pages landed in their final frames: each is mapped (its memory committed) and
     * written as it comes, a page of zeros unmapped; the admission then only fits the space to
     * the frozen areas, and the freeze's last pages are all that is written after it.
     */
    record Landed(NodeMemory memory, PagedAddressSpace space) implements Landing {
        @Override
        public void page(int address, byte[] chunk, int offset) {
            try {
                if (space.isFree(address, Area.PAGE_SIZE)) {
                    space.map(address, Area.PAGE_SIZE, PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
                }
            } catch (MappingException e) {
                throw new IllegalStateException("the node's memory cannot hold the arriving process: " + e.getMessage(), e);
            }
            space.writePage(address, chunk, offset);
        }

        @Override
        public void zeros(int address) {
            try {
                if (!space.isFree(address, Area.PAGE_SIZE)) {
                    space.unmap(address, Area.PAGE_SIZE);
                }
            } catch (MappingException e) {
                throw new IllegalArgumentException("no page of user space at " + Integer.toHexString(address) + ": " + e.getMessage(), e);
            }
        }

        /** The space is the admitted task's now, pages outside its areas already gone. */
        @Override
        public void admitted(Kernel kernel, List<Area> areas) {}

        @Override
        public void release() {
            space.release();
        }
    }

    private static LinuxKernel boot(long memoryBytes, String filesRoot) {
        Linux.Config config = Linux.Config.forNode(memoryBytes);
        return boot(config, filesRoot, new NodeMemory(config.memoryBytes()));
    }

    private static LinuxKernel boot(Linux.Config config, String filesRoot, NodeMemory memory) {
        ServiceFileSystem fileSystem = filesRoot == null ? null : new ServiceFileSystem(Path.of(filesRoot));
        return new LinuxKernel(new Linux(config, fileSystem, ProcessClock.host(), memory));
    }

    private Console console(byte[] stdin) {
        return new Console(new ByteArrayInputStream(stdin), stream(1), stream(2));
    }

    @Override
    SliceResult runSlice(long budget) {
        Linux.Progress progress = linux.runSlice(budget);
        Ended ended = null;
        long sleep = 0;
        switch (progress.outlook()) {
            case RUNNABLE, WAITING -> { }
            case SLEEPING -> sleep = Math.min(progress.sleepNanos(), MAX_SLEEP_NANOS); // a longer sleep is several
            case FINISHED -> ended = end(null);
            case DEADLOCKED -> ended = end("deadlock: every process waits for another ("
                    + String.join(", ", linux.killAll(Signal.SIGKILL, "deadlock")) + ")");
        }
        boolean waiting = progress.outlook() == Linux.Outlook.WAITING || progress.outlook() == Linux.Outlook.SLEEPING;
        return new SliceResult(drainOutput(), List.of(), linux.drainOutbox(), ended, waiting, 0, sleep);
    }

    private Ended end(String report) {
        ExitStatus status = first.exitStatus().orElse(ExitStatus.killed(Signal.SIGKILL));
        return new Ended(status, report != null ? report : first.killReport().orElse(null));
    }

    @Override
    Counters counters() {
        return new Counters(linux.instructions(), linux.traps(), linux.pageFaults());
    }

    @Override
    List<PortalsMessage> drainNetwork() {
        return linux.drainOutbox();
    }

    @Override
    boolean deliver(PortalsMessage message) {
        return linux.deliver(message);
    }

    /** Ends every process; the rank's status is its first process's, killed now if it still ran. */
    @Override
    Ended kill(String report) {
        boolean ran = first.exitStatus().isEmpty();
        linux.killAll(Signal.SIGKILL, report);
        return ran ? new Ended(ExitStatus.killed(Signal.SIGKILL), report) : end(null);
    }

    @Override
    ProcessState freeze(int destinationOs) throws MigrationRefused {
        return linux.freeze(first, destinationOs);
    }

    @Override
    DirtyPages trackWrites() {
        return linux.trackWrites(first);
    }

    @Override
    long memoryBytes() {
        return linux.mappedBytes(first);
    }

    @Override
    FrozenMemory frozenMemory() {
        return linux.frozenMemory(first);
    }

    @Override
    void thaw() {
        linux.thaw(first);
    }

    @Override
    void writePage(int address, byte[] from, int offset) {
        linux.writePage(first, address, from, offset);
    }

    @Override
    void start() {
        linux.start(first);
    }

    /**
     * Gives the node its memory back. A process frozen for a move runs elsewhere now, and one
     * that was arriving never will here: either leaves without an exit status; anything still
     * running is killed.
     */
    @Override
    void release() {
        switch (first.transit()) {
            case FROZEN, ARRIVING -> linux.release(first);
            case NONE -> linux.killAll(Signal.SIGKILL, "released");
            case MOVED -> { }
        }
    }
}
