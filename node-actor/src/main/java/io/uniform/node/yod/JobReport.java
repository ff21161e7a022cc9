package io.uniform.node.yod;

import io.uniform.node.CborSerializable;
import io.uniform.process.ExitStatus;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What the requester of a job (the CLI, a test) hears: the job started, its output, its end. */
public sealed interface JobReport extends CborSerializable permits JobEvent.Output, JobEvent.Moved, JobEvent.MoveFailed, JobReport.JobStarted, JobReport.InputWanted, JobReport.JobFinished,
        JobReport.Restarting, Checkpoint.Taken {
    int jobId();

    /**
     * The job's ranks were sent to these nodes (rank i on {@code nids.get(i)}); {@code yod}
     * takes the client's {@link Yod.Input} and {@link Yod.KillJob}.
     */
    record JobStarted(int jobId, List<Integer> nids, ActorRef<Yod.Command> yod) implements JobReport {
        public JobStarted {
            nids = nids == null ? List.of() : List.copyOf(nids);
        }
    }

    /**
     * The job lost a rank and restarts from {@code snapshot} as a new job (its {@link JobStarted}
     * follows, from another yod); the yod that sends this stops.
     */
    record Restarting(int jobId, String snapshot) implements JobReport {}

    /** Rank 0 waits to read standard input: answer with {@link Yod.Input} (empty bytes: end of input). */
    record InputWanted(int jobId) implements JobReport {}

    /**
     * Every rank has ended (or the job could not start: {@code error} says why, and
     * {@code statuses} may be empty).
     */
    record JobFinished(int jobId, List<RankStatus> statuses, String error) implements JobReport {
        public JobFinished {
            statuses = statuses == null ? List.of() : List.copyOf(statuses);
        }

        /** The shell status of the job: the first failing rank's, 0 when all succeeded. */
        public int shellStatus() {
            if (error != null) {
                return 1;
            }
            for (RankStatus status : statuses) {
                if (status.shellStatus() != 0) {
                    return status.shellStatus();
                }
            }
            return 0;
        }
    }

    /**
     * How one rank ended: {@code status} null when the node refused to start it ({@code report}
     * then says why: 126 as a shell reports a program it cannot execute).
     */
    record RankStatus(int rank, int nid, ExitStatus status, String report, int pctReloads) {
        public RankStatus(int rank, int nid, ExitStatus status, String report) {
            this(rank, nid, status, report, 0);
        }

        public int shellStatus() {
            return status == null ? 126 : status.shellStatus();
        }
    }
}
