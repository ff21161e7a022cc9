package io.uniform.node.yod;

import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;
import org.apache.pekko.actor.typed.ActorRef;
import io.uniform.process.ExitStatus;
import io.uniform.process.io.IoRequest;

/** What a node tells the yod of a job about one rank: its output, its end, or a refused launch. */
public sealed interface JobEvent extends Yod.Command, CborSerializable {
    int jobId();

    int rank();

    /** Bytes the rank wrote to {@code fd} (1 = stdout, 2 = stderr), in the order written. */
    record Output(int jobId, int rank, int fd, byte[] bytes) implements JobEvent, JobReport {
        public Output {
            bytes = bytes == null ? new byte[0] : bytes.clone();
        }

        /** A copy of the bytes written. */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** An I/O call of the rank's process (a Puma process has no file system: yod serves it). */
    record IoCall(int jobId, int rank, int nid, long sequence, IoRequest request) implements JobEvent {}

    /**
     * The rank's process ended on node {@code nid}; {@code report} says why it was killed (null
     * if it exited); {@code pctReloads} counts the PCT faults the node contained while it ran.
     */
    record Exited(int jobId, int rank, int nid, ExitStatus status, String report, int pctReloads) implements JobEvent {}

    /**
     * The rank's process migrated and runs on node {@code nid} now; {@code filesTaken} when it
     * came from Puma to Linux, whose kernel serves the files yod served it until now.
     */
    record Moved(int jobId, int rank, int nid, ActorRef<NodeActor.Command> node, boolean filesTaken) implements JobEvent, JobReport {}

    /** A move of the rank's process from node {@code from} to node {@code to} did not happen, for {@code reason}: it runs on at {@code from}. */
    record MoveFailed(int jobId, int rank, int from, int to, String reason) implements JobEvent, JobReport {}

    /**
     * The rank's process was lost on its way between nodes (its move's source or destination
     * failed after the source had let it go): the job goes on as when a node is lost, from its
     * snapshot if it has one, else it ends with the rank killed and {@code report} saying why.
     */
    record Lost(int jobId, int rank, int nid, String report) implements JobEvent {}

    /** The node could not start the rank (busy, booting, unloadable image); nothing ran. */
    record LaunchRefused(int jobId, int rank, int nid, String reason) implements JobEvent {}
}
