package io.uniform.node;

import com.typesafe.config.Config;

/**
 * The bounds of the messages that carry bulk data between members (a Portals fragment, a move's
 * handoff part, a snapshot's batch of channel messages), checked against Artery's frame once,
 * when a member or a machine starts: a message larger than the frame is dropped by Artery on
 * every send, so a bound that does not fit would lose data over and over instead of failing.
 */
public final class MessageBounds {
    /** Artery's frame setting: no message between members may be larger. */
    public static final String FRAME = "pekko.remote.artery.advanced.maximum-frame-size";
    /**
     * What a message adds beside its bounded data as it travels, at most: Artery's envelope
     * (recipient and sender paths, manifest) and the message's own fields (ids, sequence numbers).
     */
    static final int ENVELOPE_BYTES = 4 * 1024;

    private MessageBounds() {}

    /** Throws an {@link IllegalArgumentException} naming the setting and the frame if a bound in {@code config} does not fit. */
    public static void check(Config config) {
        long frame = config.getBytes(FRAME);
        fits(config, "uniform.portals.fragment-bytes", 1, frame);
        fits(config, "uniform.migration.handoff-part-bytes", 1, frame);
        // A batch carries its own fields and at least one piece's beside the piece's data.
        fits(config, "uniform.snapshots.channel-batch-bytes", SnapshotRecording.BATCH_BYTES + SnapshotRecording.PIECE_BYTES + 1, frame);
    }

    private static void fits(Config config, String setting, long least, long frame) {
        long bytes = config.getBytes(setting);
        if (bytes < least) {
            throw new IllegalArgumentException(setting + " is " + bytes + " bytes: it must be at least " + least);
        }
        if (bytes + ENVELOPE_BYTES > frame) {
            throw new IllegalArgumentException(setting + " is " + bytes + " bytes: with a message's envelope (up to " + ENVELOPE_BYTES
                    + " bytes) it does not fit Artery's frame (" + FRAME + " = " + frame + " bytes), which would drop every such message "
                    + "between members: make it at most " + (frame - ENVELOPE_BYTES) + ", or the frame larger");
        }
    }
}
