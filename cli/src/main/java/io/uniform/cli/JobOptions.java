package io.uniform.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every job-launching command takes: the machine, the files directory, the program and its arguments. */
final class JobOptions {
    @Option(names = "--machine", paramLabel = "PRESET", description = "The machine preset (default: the configured default machine).")
    String machine;

    @Option(names = "--files", paramLabel = "DIR", defaultValue = ".",
            description = "The service partition's file system: the program's files live here, confined (default: the current directory).")
    Path files;

    @Parameters(index = "0", paramLabel = "PROG.elf", description = "The program: a static RV32IM ELF executable linked with the unified library.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments passed to the program (every rank).")
    List<String> arguments = new ArrayList<>();
}
