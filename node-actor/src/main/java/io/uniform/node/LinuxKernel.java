package io.uniform.node;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.linux.Console;
import io.uniform.linux.LinuxProcess;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Linux personality on a service (io, system) node: one {@link LinuxProcess} at a time. */
final class LinuxKernel extends Kernel {
    private LinuxProcess process;

    private LinuxKernel() {}

    /** Loads the program as execve would; throws with the reason when it cannot. */
    static LinuxKernel exec(long memoryBytes, byte[] elf, List<String> argv, byte[] stdin)
            throws ElfFormatException, ExecFailure {
        LinuxKernel kernel = new LinuxKernel();
        int memory = (int) Math.min(memoryBytes, LinuxProcess.Limits.DEFAULT.memoryBytes());
        LinuxProcess.Limits limits = memory == LinuxProcess.Limits.DEFAULT.memoryBytes()
                ? LinuxProcess.Limits.DEFAULT : new LinuxProcess.Limits(memory, Math.min(memory / 4, 8 << 20));
        Console console = new Console(new ByteArrayInputStream(stdin), kernel.stream(1), kernel.stream(2));
        kernel.process = LinuxProcess.exec(elf, argv, Map.of(), limits, console, null, ProcessClock.host());
        return kernel;
    }

    @Override
    SliceResult runSlice(long budget) {
        Optional<ExitStatus> status = process.runSlice(budget);
        Ended ended = status.map(s -> new Ended(s, process.killReport().orElse(null))).orElse(null);
        return new SliceResult(drainOutput(), List.of(), ended, false, 0);
    }

    @Override
    Ended kill(String report) {
        Optional<ExitStatus> status = process.exitStatus();
        return status.map(s -> new Ended(s, process.killReport().orElse(null)))
                .orElseGet(() -> new Ended(ExitStatus.killed(Signal.SIGKILL), report));
    }

    @Override
    void release() {
        process = null;
    }
}
