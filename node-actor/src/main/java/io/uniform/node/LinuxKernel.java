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
        ServiceFileSystem fileSystem = filesRoot == null ? null : new ServiceFileSystem(Path.of(filesRoot));
        LinuxKernel kernel = new LinuxKernel(new Linux(Linux.Config.forNode(memoryBytes), fileSystem, ProcessClock.host()));
        Console console = new Console(new ByteArrayInputStream(program.stdin()), kernel.stream(1), kernel.stream(2));
        kernel.first = kernel.linux.spawn(program.image(), program.argv(), Map.of(), console);
        kernel.linux.attachPortals(kernel.first, portals);
        return kernel;
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
    void release() {
        linux.killAll(Signal.SIGKILL, "released");
    }
}
