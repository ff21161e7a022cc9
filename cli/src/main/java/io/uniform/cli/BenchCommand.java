package io.uniform.cli;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.Stop;
import io.uniform.cpu.TrapCause;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.guest.GuestFiles;
import io.uniform.linux.Console;
import io.uniform.linux.Linux;
import io.uniform.linux.Task;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.InitialStack;
import io.uniform.process.LinuxCallNames;
import io.uniform.process.ProcessClock;
import io.uniform.process.UnifiedLibrary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform bench}: runs CPU-heavy guest programs under {@code uniform exec} (in this JVM)
 * and under the reference {@code qemu-riscv32}, alternately in one run, checks that both print
 * the same bytes, and reports MIPS and the wall-time ratio. With {@code --flat} each program
 * also runs on the same hart over flat memory (see {@link #execFlat}), which prices the Linux
 * kernel's paged memory.
 */
@Command(name = "bench",
        description = {"Benchmark the CPU: each program runs under uniform exec and under qemu-riscv32, alternately;",
                "prints instructions, MIPS and the wall-time ratio uniform/qemu (median of the runs).",
                "--flat adds a third side, the same hart over flat memory, and the ratio paged/flat."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PROG.elf", arity = "0..*",
            description = "Programs to run (default: every guest/elf/bench/*.elf).")
    List<Path> programs = new ArrayList<>();

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each program on each side (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--qemu", defaultValue = "qemu-riscv32", description = "The reference emulator (default: ${DEFAULT-VALUE}).")
    String qemu;

    @Option(names = "--arg", description = "An argument passed to every program (for example a smaller scale).")
    List<String> programArguments = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Longest a single qemu run may take before it is killed (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--flat",
            description = {"Also run each program on the same hart over flat memory (a demand-zero FlatAddressSpace, as Puma's),",
                    "alternately with the other sides, and report the ratio paged (uniform exec) / flat.",
                    "Only for programs whose system calls are write and exit_group (the CPU benchmarks)."})
    boolean flat;

    /** The flat side's region: the image at {@link Linux#LOAD_BASE}, the stack at its top (the layout exec had before paging). */
    static final int FLAT_BYTES = 64 << 20;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (runs < 1) {
            System.err.println("uniform: --runs must be at least 1");
            return 2;
        }
        if (timeoutSeconds < 1) {
            System.err.println("uniform: --timeout must be at least 1 second");
            return 2;
        }
        List<Path> selected = programs.isEmpty() ? defaultPrograms() : programs;
        if (selected.isEmpty()) {
            System.err.println("uniform: no benchmark programs found (expected " + GuestFiles.directory().resolve("elf/bench")
                    + "/*.elf)");
            return 2;
        }
        // Every program is read before anything runs, so a bad name fails at once, not after minutes of benchmarking.
        List<byte[]> elves = new ArrayList<>();
        for (Path program : selected) {
            try {
                elves.add(ProgramFile.read(program));
            } catch (ProgramFile.Unusable e) {
                System.err.println("uniform: " + e.getMessage());
                return e.exitStatus();
            }
        }
        try {
            return table(selected, elves) ? 0 : 1;
        } catch (FlatUnsupported e) {
            System.err.println("uniform: " + e.getMessage());
            return 1;
        }
    }

    /** Runs every program on every side, prints the table; false if some side's output or status differed. */
    private boolean table(List<Path> selected, List<byte[]> elves) throws IOException, InterruptedException {
        if (flat) {
            System.out.printf("%-28s %14s %10s %10s %10s %8s %10s %10s%n", "program", "instructions", "uniform s", "MIPS", "qemu s",
                    "ratio", "flat s", "paged/flat");
        } else {
            System.out.printf("%-28s %14s %10s %10s %10s %8s%n", "program", "instructions", "uniform s", "MIPS", "qemu s", "ratio");
        }
        boolean allMatch = true;
        double logRatioSum = 0;
        double logPagedSum = 0;
        for (int index = 0; index < selected.size(); index++) {
            Path program = selected.get(index);
            byte[] elf = elves.get(index);
            double[] uniformSeconds = new double[runs];
            double[] qemuSeconds = new double[runs];
            double[] flatSeconds = new double[runs];
            long instructions = 0;
            for (int run = 0; run < runs; run++) {
                // With --flat the two sides in this JVM take turns going first, so neither always
                // pays for the other's garbage or follows it into a warmer JIT.
                boolean flatFirst = flat && run % 2 == 1;
                Measured flatRun = flatFirst ? execFlat(program, elf, programArguments) : null;
                Measured ours = execInProcess(program, elf, programArguments);
                if (flat && !flatFirst) {
                    flatRun = execFlat(program, elf, programArguments);
                }
                Measured reference = runQemu(program);
                uniformSeconds[run] = ours.seconds;
                qemuSeconds[run] = reference.seconds;
                instructions = ours.instructions;
                if (!Arrays.equals(ours.output, reference.output) || ours.status != reference.status) {
                    allMatch = false;
                    System.err.printf("uniform: %s: output or status differs from qemu (status %d vs %d)%n",
                            program, ours.status, reference.status);
                }
                if (flatRun != null) {
                    flatSeconds[run] = flatRun.seconds;
                    if (!Arrays.equals(ours.output, flatRun.output) || ours.status != flatRun.status
                            || ours.instructions != flatRun.instructions) {
                        allMatch = false;
                        System.err.printf("uniform: %s: flat memory differs from exec (status %d vs %d, %d vs %d instructions)%n",
                                program, flatRun.status, ours.status, flatRun.instructions, ours.instructions);
                    }
                }
            }
            double uniform = median(uniformSeconds);
            double reference = median(qemuSeconds);
            double ratio = uniform / reference;
            logRatioSum += Math.log(ratio);
            if (flat) {
                double flatMedian = median(flatSeconds);
                logPagedSum += Math.log(uniform / flatMedian);
                System.out.printf("%-28s %14d %10.3f %10.1f %10.3f %8.2f %10.3f %10.3f%n", program.getFileName(), instructions, uniform,
                        instructions / uniform / 1e6, reference, ratio, flatMedian, uniform / flatMedian);
            } else {
                System.out.printf("%-28s %14d %10.3f %10.1f %10.3f %8.2f%n", program.getFileName(), instructions, uniform,
                        instructions / uniform / 1e6, reference, ratio);
            }
        }
        System.out.printf("geometric mean ratio uniform/qemu: %.2f (%d programs, median of %d runs each)%n",
                Math.exp(logRatioSum / selected.size()), selected.size(), runs);
        if (flat) {
            System.out.printf("geometric mean ratio paged/flat: %.3f (target: each program <= 1.3)%n",
                    Math.exp(logPagedSum / selected.size()));
        }
        return allMatch;
    }

    /** One run: wall time, retired instructions (0 when unknown), stdout, shell status. */
    record Measured(double seconds, long instructions, byte[] output, int status) {}

    /** {@code uniform exec} of {@code program} in this JVM: stdout captured, stdin empty, stderr passed through. */
    static Measured execInProcess(Path program, byte[] elf, List<String> arguments) {
        List<String> argv = argv(program, arguments);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long start = System.nanoTime();
        Linux linux = new Linux(Linux.Config.DEFAULT, null, ProcessClock.host());
        Task first;
        try {
            first = linux.spawn(elf, argv, Map.of(), new Console(InputStream.nullInputStream(), out, System.err));
        } catch (ElfFormatException | ExecFailure e) {
            throw new IllegalArgumentException(program + ": " + e.getMessage(), e);
        }
        ExitStatus status = linux.runToCompletion(first, problem -> System.err.println("uniform: " + problem));
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Measured(seconds, linux.instructions(), out.toByteArray(), status.shellStatus());
    }

    /**
     * The flat side of {@code --flat}: the program on the same {@link Hart} as {@code uniform exec}
     * but over a {@link FlatAddressSpace} of {@link #FLAT_BYTES}, demand-zero as Puma's regions
     * are (a translation is one table look-up on a TLB miss, a page gets its frame at its first
     * write), loaded by the same shared code (ELF image, the unified library's
     * Linux flag, the initial stack), run in slices of the Linux kernel's quantum as its scheduler
     * runs a task, so that only the memory model differs. The two calls CPU benchmarks make,
     * write to stdout/stderr and exit_group, are served here; any other call or trap ends the run
     * with {@link FlatUnsupported}: this is a yardstick, not a kernel.
     */
    static Measured execFlat(Path program, byte[] elf, List<String> arguments) {
        List<String> argv = argv(program, arguments);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long start = System.nanoTime();
        ProcessClock clock = ProcessClock.host();
        FlatAddressSpace space = FlatAddressSpace.demandZero(Linux.LOAD_BASE, FLAT_BYTES);
        int stackTop = Linux.LOAD_BASE + FLAT_BYTES;
        int stackBytes = Linux.Config.DEFAULT.stackBytes();
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        try {
            ElfImage image = ElfFile.parse(elf, Linux.LOAD_BASE, Integer.toUnsignedLong(stackTop - stackBytes));
            image.copyInto(space);
            UnifiedLibrary.writeOsFlag(image, space, UnifiedLibrary.OS_LINUX);
            hart.setTimer(clock::timerTicks);
            hart.setPc(image.entry());
            hart.setRegister(2, InitialStack.build(space, stackTop, stackBytes, image.entry(), argv, List.of(), new Random(clock.seed())));
        } catch (ElfFormatException | ExecFailure e) {
            throw new IllegalArgumentException(program + ": " + e.getMessage(), e);
        }
        long quantum = Linux.Config.DEFAULT.quantum();
        int status = -1;
        while (status < 0) {
            if (hart.run(quantum) instanceof Stop.Trap trap) {
                status = flatTrap(program, hart, space, trap, out);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Counted as the Linux kernel counts a task's instructions: the ecalls included.
        return new Measured(seconds, hart.cycles(), out.toByteArray(), status);
    }

    /** The program's argv: its path, then {@code arguments}. */
    private static List<String> argv(Path program, List<String> arguments) {
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(arguments);
        return argv;
    }

    /** The flat side cannot run a program: it made a call other than write and exit_group, or it trapped. */
    static final class FlatUnsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FlatUnsupported(String message) {
            super(message);
        }
    }

    private static final int WRITE = 64;
    private static final int EXIT = 93;
    private static final int EXIT_GROUP = 94;

    /** Serves a trap of the flat side: the exit status (0-255) if the program ended, else -1. */
    private static int flatTrap(Path program, Hart hart, FlatAddressSpace space, Stop.Trap trap, ByteArrayOutputStream out) {
        if (trap.cause() != TrapCause.ECALL_FROM_U) {
            throw new FlatUnsupported(program + " on flat memory: " + trap);
        }
        int number = hart.register(17);
        switch (number) {
            case EXIT, EXIT_GROUP -> {
                return hart.register(10) & 0xff;
            }
            case WRITE -> {
                int fd = hart.register(10);
                byte[] bytes = space.read(hart.register(11), hart.register(12));
                if (fd == 1) {
                    out.writeBytes(bytes);
                } else if (fd == 2) {
                    System.err.write(bytes, 0, bytes.length);
                } else {
                    throw new FlatUnsupported(program + " on flat memory: a write to descriptor " + fd);
                }
                hart.setRegister(10, bytes.length);
            }
            default -> throw new FlatUnsupported(program + " on flat memory: the flat side serves write and exit_group, not "
                    + LinuxCallNames.of(number) + " (leave out --flat for this program)");
        }
        hart.setPc(trap.pc() + 4);
        return -1;
    }

    private Measured runQemu(Path program) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(qemu, program.toString()));
        command.addAll(programArguments);
        ReferenceEmulator.Run run;
        try {
            run = ReferenceEmulator.run(command, new byte[0], Duration.ofSeconds(timeoutSeconds));
        } catch (ReferenceEmulator.TimedOut e) {
            throw new IOException(e.getMessage() + " (raise --timeout for slower machines)", e);
        } catch (IOException e) {
            throw new IOException("cannot run the reference emulator (install qemu-user): " + e.getMessage(), e);
        }
        System.err.write(run.stderr());
        System.err.flush();
        return new Measured(run.elapsedNanos() / 1e9, 0, run.stdout(), run.status());
    }

    private static List<Path> defaultPrograms() throws IOException {
        Path directory = GuestFiles.directory().resolve("elf/bench");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> path.toString().endsWith(".elf")).sorted().toList();
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
