package io.uniform.node;

import com.typesafe.config.Config;

/**
 * The bounds of the messages that carry bulk data between members (a Portals fragment, a move's
 * handoff part, a snapshot's batch of channel messages, a page chunk), checked against Artery's frame once,
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
        // A page chunk (of a move or a snapshot) is a count of pages, each with its address.
        String chunkPages = "uniform.migration.chunk-pages";
        int pages = config.getInt(chunkPages);
        if (pages < 1) {
            throw new IllegalArgumentException(chunkPages + " is " + pages + ": it must be at least 1");
        }
        requireFits(chunkPages + " is " + pages + ": a chunk of as many pages takes up to " + PageChunk.maxBytes(pages) + " bytes, which",
                PageChunk.maxBytes(pages), frame, "make it at most " + PageChunk.maxPages(frame - ENVELOPE_BYTES));
    }

    private static void fits(Config config, String setting, long least, long frame) {
        long bytes = config.getBytes(setting);
        if (bytes < least) {
            throw new IllegalArgumentException(setting + " is " + bytes + " bytes: it must be at least " + least);
        }
        requireFits(setting + " is " + bytes + " bytes: it", bytes, frame, "make it at most " + (frame - ENVELOPE_BYTES));
    }

    private static void requireFits(String what, long bytes, long frame, String remedy) {
        if (bytes + ENVELOPE_BYTES > frame) {
            throw new IllegalArgumentException(what + ", with a message's envelope (up to " + ENVELOPE_BYTES
                    + " bytes), does not fit Artery's frame (" + FRAME + " = " + frame + " bytes), which would drop every such message "
                    + "between members: " + remedy + ", or the frame larger");
        }
    }
}
