package io.uniform.cli;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.guest.GuestFiles;
import io.uniform.linux.Console;
import io.uniform.linux.Linux;
import io.uniform.linux.Task;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
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
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform bench}: runs CPU-heavy guest programs under {@code uniform exec} (in this JVM)
 * and under the reference {@code qemu-riscv32}, alternately in one run, checks that both print
 * the same bytes, and reports MIPS and the wall-time ratio.
 */
@Command(name = "bench",
        description = {"Benchmark the CPU: each program runs under uniform exec and under qemu-riscv32, alternately;",
                "prints instructions, MIPS and the wall-time ratio uniform/qemu (median of the runs)."})
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
        System.out.printf("%-28s %14s %10s %10s %10s %8s%n", "program", "instructions", "uniform s", "MIPS", "qemu s", "ratio");
        boolean allMatch = true;
        double logRatioSum = 0;
        for (int index = 0; index < selected.size(); index++) {
            Path program = selected.get(index);
            double[] uniformSeconds = new double[runs];
            double[] qemuSeconds = new double[runs];
            long instructions = 0;
            for (int run = 0; run < runs; run++) {
                Measured ours = execInProcess(program, elves.get(index), programArguments);
                Measured reference = runQemu(program);
                uniformSeconds[run] = ours.seconds;
                qemuSeconds[run] = reference.seconds;
                instructions = ours.instructions;
                if (!Arrays.equals(ours.output, reference.output) || ours.status != reference.status) {
                    allMatch = false;
                    System.err.printf("uniform: %s: output or status differs from qemu (status %d vs %d)%n",
                            program, ours.status, reference.status);
                }
            }
            double uniform = median(uniformSeconds);
            double reference = median(qemuSeconds);
            double ratio = uniform / reference;
            logRatioSum += Math.log(ratio);
            System.out.printf("%-28s %14d %10.3f %10.1f %10.3f %8.2f%n", program.getFileName(), instructions, uniform,
                    instructions / uniform / 1e6, reference, ratio);
        }
        System.out.printf("geometric mean ratio uniform/qemu: %.2f (%d programs, median of %d runs each)%n",
                Math.exp(logRatioSum / selected.size()), selected.size(), runs);
        return allMatch ? 0 : 1;
    }

    /** One run: wall time, retired instructions (0 when unknown), stdout, shell status. */
    record Measured(double seconds, long instructions, byte[] output, int status) {}

    /** {@code uniform exec} of {@code program} in this JVM: stdout captured, stdin empty, stderr passed through. */
    static Measured execInProcess(Path program, byte[] elf, List<String> arguments) {
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(arguments);
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
