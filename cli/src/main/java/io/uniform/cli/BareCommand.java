package io.uniform.cli;

import io.uniform.cpu.bare.BareMachine;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.trace.Tracer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code uniform bare}: a bare-metal self-checking test program in machine mode. */
@Command(name = "bare",
        description = {"Run a bare-metal RISC-V test program (linked at 0x80000000) in machine mode.",
                "It reports through its 'tohost' symbol: exit status 0 on pass, 1 with the failing test number otherwise,",
                "3 if it gives no result within the instruction limit."})
final class BareCommand implements Callable<Integer> {
    static final int EXIT_FAILED = 1;
    static final int EXIT_NO_RESULT = 3;

    @Parameters(index = "0", paramLabel = "PROG.elf", description = "The bare-metal program.")
    Path program;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100000000",
            description = "Stop after N instructions without a result (default: ${DEFAULT-VALUE}).")
    long limit;

    @Option(names = "--trace", description = "Print every instruction (pc, disassembly, written register) to stderr.")
    boolean trace;

    @Option(names = "--memory", converter = SizeConverter.class, paramLabel = "SIZE", defaultValue = "16M",
            description = "RAM at 0x80000000 (default: ${DEFAULT-VALUE}).")
    int memory;

    @Override
    public Integer call() {
        if (limit <= 0) {
            System.err.println("uniform: --limit must be positive");
            return 2;
        }
        BareMachine machine;
        try {
            machine = BareMachine.load(ProgramFile.read(program), memory);
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        } catch (ElfFormatException e) {
            System.err.println("uniform: " + program + ": " + e.getMessage());
            return Uniform.EXIT_NOT_EXECUTABLE;
        }
        Optional<BareMachine.Result> result = Optional.empty();
        if (trace) {
            Tracer tracer = new Tracer(System.err);
            for (long n = 0; n < limit && result.isEmpty(); n++) {
                tracer.before(machine.hart());
                result = machine.runSlice(1);
                tracer.after(machine.hart());
            }
        } else {
            result = machine.runSlice(limit);
        }
        if (result.isEmpty()) {
            System.err.printf("uniform: %s: no result in tohost after %d instructions (pc 0x%08x)%n",
                    program, limit, machine.hart().pc());
            return EXIT_NO_RESULT;
        }
        BareMachine.Result outcome = result.get();
        if (outcome instanceof BareMachine.Result.Passed passed) {
            System.out.printf("PASS %s (%d instructions)%n", program, passed.instructions());
            return 0;
        }
        if (outcome instanceof BareMachine.Result.Failed failed) {
            System.out.printf("FAIL %s: test %d failed%n", program, failed.testNumber());
            return EXIT_FAILED;
        }
        BareMachine.Result.UnsupportedRequest request = (BareMachine.Result.UnsupportedRequest) outcome;
        System.err.printf("uniform: %s: unsupported HTIF request 0x%08x in tohost%n", program, request.value());
        return EXIT_FAILED;
    }
}
