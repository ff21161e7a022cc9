package io.uniform.cli;

import io.uniform.metrics.MemberMetrics;
import io.uniform.metrics.Top;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code uniform top PROG.elf [ARGS]}: launches a job as yod does and shows the whole machine
 * live while it runs, like top: members, nodes by state, jobs, rates, the busiest nodes.
 * {@code uniform top --cluster [HOST:PORT]} without a program shows a running cluster's machine
 * from any member, until Ctrl-C.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"Launch a job on the embedded machine as yod does and show the machine live while it runs, like top: members "
                + "(heap, CPU, GC), nodes by partition and state, jobs and their runtimes, MIPS and Portals message rates, the busiest nodes.",
                "The screen is redrawn every interval on a terminal, and printed one screen after another otherwise. It shows the "
                        + "machine, not the job's output (run the job with yod for that). top ends when the job ends, or after "
                        + "--iterations screens (--once: one), killing the job; its exit status is the job's.",
                "With --cluster and no program, top joins the running cluster as a client and shows its whole machine, every member's "
                        + "figures as they publish them, until Ctrl-C or --iterations screens."})
final class TopCommand implements Callable<Integer> {
    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "Seconds between screens, and between samplings of the nodes (default: ${DEFAULT-VALUE}).")
    double intervalSeconds;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "0",
            description = "Draw N screens, then stop (and kill the job if it still runs); 0: until the job ends (default).")
    int iterations;

    @Option(names = "--once", description = "Draw one screen: the same as --iterations 1.")
    boolean once;

    @Option(names = {"-sz", "--size"}, paramLabel = "N", defaultValue = "1", description = "Ranks of the job (default: ${DEFAULT-VALUE}).")
    int size;

    @Mixin
    JobOptions job;

    @Override
    public Integer call() {
        if (!(intervalSeconds >= 0.01 && intervalSeconds <= 3600)) {
            System.err.println("uniform: --interval must be from 0.01 to 3600 seconds, not " + intervalSeconds);
            return 2;
        }
        if (iterations < 0) {
            System.err.println("uniform: --iterations must be at least 0, not " + iterations);
            return 2;
        }
        Top.Settings settings = new Top.Settings(Duration.ofMillis(Math.round(intervalSeconds * 1000)), once ? 1 : iterations,
                System.console() != null);
        if (job.program == null && job.cluster.given()) {
            return watch(settings);
        }
        return YodCommand.launch(job, size, new JobSession(settings));
    }

    /** Shows the running cluster's machine until Ctrl-C or the screens are drawn: 0, or 1 if the cluster cannot be joined. */
    private int watch(Top.Settings settings) {
        String seed;
        try {
            seed = job.cluster.seed();
        } catch (IllegalArgumentException e) {
            System.err.println("uniform: top: " + e.getMessage());
            return 2;
        }
        try (MachineConnection connection = MachineConnection.cluster(seed)) {
            ActorSystem<?> system = connection.system();
            // Ctrl-C runs the client's coordinated shutdown (Pekko's JVM hook), which ends its system: top stops then.
            CompletableFuture<?> stop = system.getWhenTerminated().toCompletableFuture();
            MemberMetrics metrics = MemberMetrics.listening(system, ClusterMember.machineName(system), system.settings().config());
            try {
                Top.show(system, metrics.view(), settings, System.out, stop);
            } finally {
                metrics.close();
            }
            return 0;
        } catch (ClusterMember.Unavailable e) {
            System.err.println("uniform: top: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
