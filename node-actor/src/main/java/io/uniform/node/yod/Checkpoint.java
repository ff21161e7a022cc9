package io.uniform.node.yod;

import io.uniform.interconnect.Envelope;
import io.uniform.node.CborSerializable;
import io.uniform.node.KryoSerializable;
import io.uniform.portals.Fragment;
import io.uniform.portals.PortalsMessage;
import io.uniform.process.image.ProcessState;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * yod's side of a job's snapshots and restarts (docs/ARCHITECTURE.md, "Snapshots"): what a
 * rank's node sends yod of its part of a snapshot, and its answers while yod restores it.
 */
public sealed interface Checkpoint extends Yod.Command {
    /** Take a snapshot of the job now; how it went goes to {@code replyTo} (null: the job's client). */
    record Take(ActorRef<Taken> replyTo) implements Checkpoint, CborSerializable {}

    /**
     * How a snapshot went: written to {@code file} ({@code bytes} long, {@code nanos} from the
     * request to the file's rename, {@code channelMessages} messages recorded in flight on the
     * job's channels), or not, and why ({@code reason}; the job runs on either way).
     */
    record Taken(int jobId, boolean written, String file, String reason, long bytes, long nanos, long channelMessages) implements JobReport {
        /** Snapshot {@code file} (null: none begun) of job {@code jobId} was not written, for {@code reason}. */
        public static Taken refused(int jobId, String file, String reason, long nanos) {
            return new Taken(jobId, false, file, reason, 0, nanos, 0);
        }
    }

    /** A part of one rank's recording of snapshot {@code snapshot}. */
    sealed interface Part extends Checkpoint {
        String snapshot();

        int rank();
    }

    /**
     * The rank's process at the cut: its state (its own files included), its Portals interface
     * block and the OS it ran on; {@code chunks} chunks of its non-empty pages follow.
     */
    record RankState(String snapshot, int rank, int nid, ProcessState state, int portalsInterface, int chunks)
            implements Part, KryoSerializable {}

    /** Chunk {@code index} of the rank's pages, as migration streams them (deflated, zero pages left out). */
    record RankPages(String snapshot, int rank, int index, byte[] chunk) implements Part, KryoSerializable {}

    /**
     * Messages that were on the rank's incoming channels at the cut (sent before their sender's
     * cut, taken after its own), in order per channel: a large one as consecutive pieces
     * ({@link Fragment}s), possibly over several batches, so that no batch outgrows the frame.
     */
    record RankChannels(String snapshot, int rank, List<Envelope<PortalsMessage>> messages) implements Part, KryoSerializable {
        public RankChannels {
            messages = List.copyOf(messages);
        }

        /** How many messages the batch holds or ends: a message in pieces counts once, with its last piece. */
        long wholeMessages() {
            return messages.stream().filter(message -> !(message.payload() instanceof Fragment piece) || piece.isLast()).count();
        }
    }

    /**
     * Every part of the rank has been sent, its channel messages in {@code channelBatches}
     * batches: yod, which gets them in order before this, knows a batch the transport dropped.
     */
    record RankRecorded(String snapshot, int rank, int channelBatches) implements Part, CborSerializable {}

    /** The rank cannot be recorded, for {@code reason}: the snapshot is abandoned. */
    record RankRefused(String snapshot, int rank, String reason) implements Part, CborSerializable {}

    /** A rank's node restoring it has stored its first {@code chunks} chunks of pages. */
    record Restored(int jobId, int rank, int chunks) implements Checkpoint, CborSerializable {}
}
