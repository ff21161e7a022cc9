package io.uniform.node;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.linux.Console;
import io.uniform.linux.Linux;
import io.uniform.linux.Task;
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
    static LinuxKernel admit(long memoryBytes, String filesRoot, ProcessPortals portals, ProcessState state)
            throws MigrationRefused {
        LinuxKernel kernel = boot(memoryBytes, filesRoot);
        kernel.first = kernel.linux.admit(state, kernel.console(new byte[0]));
        kernel.linux.attachPortals(kernel.first, portals);
        return kernel;
    }

    private static LinuxKernel boot(long memoryBytes, String filesRoot) {
        ServiceFileSystem fileSystem = filesRoot == null ? null : new ServiceFileSystem(Path.of(filesRoot));
        return new LinuxKernel(new Linux(Linux.Config.forNode(memoryBytes), fileSystem, ProcessClock.host()));
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
    FrozenMemory frozenMemory() {
        return linux.frozenMemory(first);
    }

    @Override
    void thaw() {
        linux.thaw(first);
    }

    @Override
    void writePage(int address, byte[] page) {
        linux.writePage(first, address, page);
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
