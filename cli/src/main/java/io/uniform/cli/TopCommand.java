package io.uniform.cli;

import io.uniform.metrics.Top;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code uniform top PROG.elf [ARGS]}: launches a job as yod does and shows the whole machine
 * live while it runs, like top: members, nodes by state, jobs, rates, the busiest nodes.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"Launch a job on the embedded machine as yod does and show the machine live while it runs, like top: members "
                + "(heap, CPU, GC), nodes by partition and state, jobs and their runtimes, MIPS and Portals message rates, the busiest nodes.",
                "The screen is redrawn every interval on a terminal, and printed one screen after another otherwise. It shows the "
                        + "machine, not the job's output (run the job with yod for that). top ends when the job ends, or after "
                        + "--iterations screens (--once: one), killing the job; its exit status is the job's."})
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
        if (job.cluster.given()) {
            System.err.println("uniform: top shows a machine embedded in this JVM; it cannot show a cluster yet");
            return 2;
        }
        if (iterations < 0) {
            System.err.println("uniform: --iterations must be at least 0, not " + iterations);
            return 2;
        }
        Top.Settings settings = new Top.Settings(Duration.ofMillis(Math.round(intervalSeconds * 1000)), once ? 1 : iterations,
                System.console() != null);
        return YodCommand.launch(job, size, new JobSession(settings));
    }
}
