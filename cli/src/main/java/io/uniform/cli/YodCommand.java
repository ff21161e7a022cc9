package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.node.JobPlacement;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.node.yod.Yod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code uniform yod -sz N PROG.elf [ARGS]}: launches a job of N ranks on compute nodes of the
 * embedded machine (or service nodes, or both: {@code --on}), as the Paragon's yod did: a compact submesh when one is free, first fit
 * otherwise. yod serves the job's I/O: stdin to rank 0, every rank's output back (prefixed
 * with the rank when N > 1), and files on a host directory that is the service partition's
 * file system, confined to it.
 */
@Command(name = "yod",
        description = {"Launch a parallel job of N ranks on the embedded machine: on compute nodes (Puma) by default, on service nodes"
                + " (Linux) with --on service, or across both with --on mixed.",
                "stdin goes to rank 0 as it reads; output of every rank comes back, each line prefixed with [rank] when N > 1; "
                        + "files the program opens are on the --files directory, which it cannot leave.",
                "Ctrl-C kills the job. The exit status is the first failing rank's (128 + signal if killed), 0 if all succeeded."})
final class YodCommand implements Callable<Integer> {
    @Option(names = {"-sz", "--size"}, paramLabel = "N", defaultValue = "1", description = "Ranks (compute nodes) of the job (default: ${DEFAULT-VALUE}).")
    int size;

    @Mixin
    JobOptions job;

    @Override
    public Integer call() {
        return launch(job, size);
    }

    /** Runs a job from the command line: 2 on a usage error, 126/127 for an unusable program, else the job's status. */
    static int launch(JobOptions job, int size) {
        return launch(job, size, new JobSession());
    }

    /** {@link #launch(JobOptions, int)} in {@code session}. */
    static int launch(JobOptions job, int size, JobSession session) {
        Path files = job.files;
        Path program = job.program;
        if (program == null) {
            System.err.println("uniform: give the program to run: PROG.elf [ARGS]");
            return 2;
        }
        if (size < 1) {
            System.err.println("uniform: -sz must be at least 1, not " + size);
            return 2;
        }
        NodeActor.InjectPctFault pctFault;
        try {
            pctFault = job.pctFault();
        } catch (IllegalArgumentException e) {
            System.err.println("uniform: " + e.getMessage());
            return 2;
        }
        if (job.metricsPort != null && (job.metricsPort < 1 || job.metricsPort > 65_535)) {
            System.err.println("uniform: --metrics-port must be a port from 1 to 65535, not " + job.metricsPort);
            return 2;
        }
        if (files != null && !Files.isDirectory(files)) {
            System.err.println("uniform: --files " + files + " is not a directory");
            return 2;
        }
        byte[] elf;
        try {
            elf = ProgramFile.read(program);
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        }
        MachineDescription description;
        try {
            description = job.machine == null ? MachineDescriptions.defaultMachine() : MachineDescriptions.preset(job.machine);
        } catch (MachineConfigException e) {
            System.err.println("uniform: " + e.getMessage());
            return 2;
        }
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(job.arguments);
        // yod serves a Puma job's stdin and files; a Linux node takes its stdin with the launch
        // (redirected or piped input is read first) and opens the same files directory itself.
        JobPlacement placement = job.on.placement;
        boolean interactive = placement != JobPlacement.SERVICE; // rank 0 is on a compute node
        byte[] stdin;
        try {
            stdin = interactive || System.console() != null ? null : System.in.readAllBytes();
        } catch (IOException e) {
            System.err.println("uniform: cannot read stdin: " + e.getMessage());
            return 1;
        }
        String filesRoot = files != null ? files.toAbsolutePath().toString() : null;
        Yod.Options options;
        try {
            options = job.snapshots.apply(new Yod.Options(filesRoot, interactive, pctFault, JobSession.OUTPUT_WINDOW));
        } catch (IllegalArgumentException e) {
            System.err.println("uniform: " + e.getMessage());
            return 2;
        }
        if (job.metricsPort != null && job.cluster.given()) {
            System.err.println("uniform: --metrics-port serves a machine embedded in this JVM, not a cluster's");
            return 2;
        }
        MachineConnection connection;
        try {
            connection = MachineConnection.open(job.cluster, description, settings(job));
        } catch (IllegalArgumentException | ClusterMember.Unavailable e) {
            System.err.println("uniform: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        return session.run(connection, new Program(elf, argv, stdin), placement, size, options);
    }

    /** The machine's configuration as the options choose it. */
    private static Config settings(JobOptions job) {
        Map<String, Object> settings = new HashMap<>(Map.of("uniform.pct.policy", job.pctPolicy.configName()));
        if (job.metricsPort != null) {
            settings.put("uniform.metrics.port", job.metricsPort);
        }
        return ConfigFactory.parseMap(settings);
    }
}
