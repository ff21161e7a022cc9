package io.uniform.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code uniform} command: the entry point of the launcher script. */
@Command(name = "uniform",
        mixinStandardHelpOptions = true,
        versionProvider = Uniform.Version.class,
        description = "An emulator of a Paragon / ASCI Red style MPP whose processes migrate between operating systems.",
        subcommands = {ExecCommand.class, RunCommand.class, YodCommand.class, TopCommand.class, BareCommand.class, BenchCommand.class, MachineCommand.class, MachineBenchCommand.class,
                PortalsBenchCommand.class, MigrationBenchCommand.class, StreamBenchCommand.class, ClusterBenchCommand.class, SnapshotBenchCommand.class, ClusterCommand.class, MemberCommand.class,
                MoveCommand.Migrate.class, MoveCommand.Drain.class, io.uniform.cli.chaos.ChaosCommand.class,
                CheckpointCommand.class, RestartCommand.class,
                CommandLine.HelpCommand.class})
public final class Uniform {
    /** Exit status when the program file cannot be read. */
    static final int EXIT_NOT_FOUND = 127;
    /** Exit status when the program file is not an executable this machine can run. */
    static final int EXIT_NOT_EXECUTABLE = 126;

    public static void main(String[] args) {
        // On a host with two cores the common ForkJoin pool has one thread, and CompletableFuture
        // then starts a new thread for every async callback (Pekko's ask uses them): booting
        // ASCI Red started 9,000 threads and took three times as long.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
        System.exit(commandLine().execute(args));
    }

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Uniform())
                .setExecutionExceptionHandler((exception, failed, parseResult) -> {
                    failed.getErr().println("uniform: error: " + exception.getMessage());
                    return 1;
                });
        // Everything after the program belongs to the program, even words that look like options.
        commandLine.getSubcommands().get("exec").setStopAtPositional(true);
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        commandLine.getSubcommands().get("yod").setStopAtPositional(true);
        commandLine.getSubcommands().get("top").setStopAtPositional(true);
        return commandLine;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Uniform.class.getPackage().getImplementationVersion();
            return new String[] {"uniform " + (version == null ? "(development build)" : version)};
        }
    }
}
