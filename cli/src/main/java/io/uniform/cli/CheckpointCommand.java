package io.uniform.cli;

import io.uniform.node.Machine;
import io.uniform.node.yod.Checkpoint;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code uniform checkpoint JOB --cluster [HOST:PORT]}: a consistent snapshot of a running job, written where its yod writes them. */
@Command(name = "checkpoint",
        description = {"Take a consistent snapshot of job JOB on a running cluster: every rank's process and the messages in flight "
                + "between them, written to a file by the job's yod (see yod --snapshots); the job runs on.",
                "Prints the snapshot's path, size and time; exit status 0 if it was written, 1 if not (and why), 2 on bad input."})
final class CheckpointCommand implements Callable<Integer> {
    /** Above uniform.snapshots.timeout, after which yod gives a snapshot up and says so. */
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Parameters(index = "0", paramLabel = "JOB", description = "The job's id (as uniform yod --cluster prints it).")
    int job;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() {
        return ClusterRequest.<Checkpoint.Taken>ask("checkpoint", cluster, replyTo -> new Machine.Checkpoint(job, replyTo), TIMEOUT, taken -> {
            if (taken.written()) {
                System.out.println(describe(taken));
                return 0;
            }
            System.err.println("uniform: checkpoint: " + describe(taken));
            return 1;
        });
    }

    /** How a snapshot went, for people. */
    static String describe(Checkpoint.Taken taken) {
        if (!taken.written()) {
            return "no snapshot of job " + taken.jobId() + " was written: " + taken.reason();
        }
        return String.format("snapshot of job %d: %s, %,d bytes, %.1f ms, %d message(s) in flight", taken.jobId(), taken.file(),
                taken.bytes(), taken.nanos() / 1e6, taken.channelMessages());
    }
}
