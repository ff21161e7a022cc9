package io.uniform.cli;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.trace.Tracer;
import io.uniform.linux.Console;
import io.uniform.linux.Linux;
import io.uniform.linux.Task;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.files.ServiceFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code uniform exec}: one Linux user program straight on the CPU, as qemu-riscv32 runs it. */
@Command(name = "exec",
        description = {"Run one RISC-V (RV32IM) Linux program, and the processes it starts, on a Linux kernel of its own, like qemu-riscv32.",
                "The exit status is the program's (128 + signal if a fault killed it)."})
final class ExecCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PROG.elf", description = "The program: a static RV32IM ELF executable.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments passed to the program.")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--trace", description = "Print every retired instruction (pc, disassembly, written register) to stderr.")
    boolean trace;

    @Option(names = "--stats", description = "Print the instruction count, time and MIPS to stderr at exit.")
    boolean stats;

    @Option(names = "--memory", converter = SizeConverter.class, paramLabel = "SIZE",
            description = "Physical memory of the node the program runs on: what all its processes may map, stacks"
                    + " included (default: ${DEFAULT-VALUE}, at most 1G).", defaultValue = "256M")
    int memory;

    @Option(names = "--stack", converter = SizeConverter.class, paramLabel = "SIZE",
            description = "Stack mapped for every program image (default: ${DEFAULT-VALUE}).", defaultValue = "8M")
    int stack;

    @Option(names = "--files", paramLabel = "DIR", defaultValue = ".",
            description = "The directory the program sees as its whole file system, both its \"/\" and its working"
                    + " directory (default: the current directory, so that relative paths lead where they would under qemu-riscv32).")
    Path files;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Linux.Config config;
        try {
            config = new Linux.Config(memory, stack, Linux.Config.DEFAULT.maxTasks(), Linux.Config.DEFAULT.quantum());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--memory " + memory + ", --stack " + stack + ": " + e.getMessage());
        }
        ServiceFileSystem fileSystem = fileSystem();
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(arguments);
        Linux linux = new Linux(config, fileSystem, ProcessClock.host());
        Task first;
        try {
            byte[] elf = ProgramFile.read(program);
            first = linux.spawn(elf, argv, System.getenv(), Console.system());
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        } catch (ElfFormatException | ExecFailure e) {
            System.err.println("uniform: " + program + ": " + e.getMessage());
            return Uniform.EXIT_NOT_EXECUTABLE;
        }
        if (trace) {
            linux.trace(new Tracer(System.err));
        }
        long start = System.nanoTime();
        ExitStatus status = linux.runToCompletion(first, problem -> System.err.println("uniform: " + problem));
        long elapsed = System.nanoTime() - start;
        System.out.flush();
        first.killReport().ifPresent(report -> System.err.println("uniform: " + report));
        if (stats) {
            long instructions = linux.instructions();
            System.err.printf("uniform: %d instructions in %.3f s: %.1f MIPS%n",
                    instructions, elapsed / 1e9, instructions / (elapsed / 1e3));
        }
        return status.shellStatus();
    }

    private ServiceFileSystem fileSystem() {
        if (!Files.isDirectory(files)) {
            throw new ParameterException(spec.commandLine(), "--files " + files + ": not a directory");
        }
        try {
            return new ServiceFileSystem(files);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--files " + files + ": " + e.getMessage());
        }
    }
}
