package io.uniform.cli;

import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.guest.GuestFiles;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code uniform bench-cluster}: the same job on a machine in this JVM and on a cluster of member
 * JVMs that this command starts on this host, alternately, each run's wall time from
 * {@link Machine.Run} to the job's end, and the cluster's over the one JVM's. The job's output
 * must be the same on both, or the run fails.
 */
@Command(name = "bench-cluster",
        description = {"Benchmark a job on a cluster of member JVMs started here against the same job on one JVM, alternately:",
                "by default the 1,024-rank allreduce.elf on asci-red. Prints each run's wall times and the ratio cluster / one JVM;",
                "fails if the job's output differs between the two."})
final class ClusterBenchCommand implements Callable<Integer> {
    @Option(names = "--members", paramLabel = "N", defaultValue = "3", description = "Member JVMs of the cluster (default: ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--machine", paramLabel = "PRESET", defaultValue = "asci-red", description = "The machine (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = {"-sz", "--size"}, paramLabel = "RANKS", defaultValue = "1024", description = "Ranks of the job (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--program", paramLabel = "PROG.elf", description = "The program (default: guest/elf/mpp/allreduce.elf).")
    Path program;

    @Option(names = "--forming-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long the members may take to start, join and place the machine's nodes (default: ${DEFAULT-VALUE}; "
                    + "asci-red's 4,602 nodes over three members on a loaded 2-core host took more than 120).")
    long formingSeconds;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1", description = "Measured runs of each side (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
        if (members < 1 || runs < 1 || size < 1 || formingSeconds < 1) {
            System.err.println("uniform: bench-cluster: --members, --runs, --size and --forming-timeout must be at least 1");
            return 2;
        }
        MachineDescription description;
        try {
            description = MachineDescriptions.preset(machine);
        } catch (MachineConfigException e) {
            System.err.println("uniform: bench-cluster: " + e.getMessage());
            return 2;
        }
        Path elf = program != null ? program : GuestFiles.directory().resolve("elf/mpp/allreduce.elf");
        Program job = new Program(Files.readAllBytes(elf), List.of(elf.toString()), null);
        java.time.Duration forming = java.time.Duration.ofSeconds(formingSeconds);
        Path logs = Files.createTempDirectory("uniform-bench-cluster");
        List<Process> processes = new ArrayList<>();
        Thread stopMembers = new Thread(() -> MemberProcesses.stop(processes), "uniform-bench-cluster-down");
        Runtime.getRuntime().addShutdownHook(stopMembers);
        try (MemberProcesses.Formed formed = MemberProcesses.startMembers(members, "127.0.0.1", 0, 0, machine, null, logs, processes, forming)) {
            MachineConnection cluster = formed.client();
            System.out.printf(Locale.ROOT, "%s, %d ranks of %s: one JVM against %d members (logs in %s)%n", machine, size, elf, members, logs);
            System.out.printf(Locale.ROOT, "%-5s %12s %12s %10s%n", "run", "one JVM s", "cluster s", "ratio");
            double[] ratios = new double[runs];
            for (int run = 0; run < runs; run++) {
                ActorSystem<Machine.Command> local = MachineBenchCommand.start(description);
                BenchCommand.Measured alone;
                try {
                    alone = MachineBenchCommand.runJob(local, job, JobPlacement.COMPUTE, size);
                } finally {
                    MachineBenchCommand.stop(local);
                }
                BenchCommand.Measured spread = MachineBenchCommand.runJob(cluster.system(), cluster.machine(), job, JobPlacement.COMPUTE, size,
                        started -> {});
                String aloneOut = new String(alone.output(), StandardCharsets.UTF_8);
                if (alone.status() != 0 || spread.status() != alone.status() || !aloneOut.equals(new String(spread.output(), StandardCharsets.UTF_8))) {
                    System.err.println("uniform: bench-cluster: the job's results differ: one JVM status " + alone.status() + ", cluster status "
                            + spread.status() + "; one JVM printed:\n" + aloneOut + "the cluster printed:\n"
                            + new String(spread.output(), StandardCharsets.UTF_8));
                    return 1;
                }
                ratios[run] = spread.seconds() / alone.seconds();
                System.out.printf(Locale.ROOT, "%-5d %12.1f %12.1f %10.2f%n", run + 1, alone.seconds(), spread.seconds(), ratios[run]);
            }
            System.out.printf(Locale.ROOT, "median ratio cluster / one JVM: %.2f%n", BenchCommand.median(ratios));
            return 0;
        } catch (ClusterMember.Unavailable | IllegalStateException e) {
            System.err.println("uniform: bench-cluster: " + e.getMessage() + " (see the logs in " + logs + ")");
            return 1;
        } finally {
            MemberProcesses.stop(processes);
            try {
                Runtime.getRuntime().removeShutdownHook(stopMembers);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook stops the members
            }
        }
    }
}
