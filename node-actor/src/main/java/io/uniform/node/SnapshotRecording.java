package io.uniform.node;

import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.portals.Fragment;
import io.uniform.portals.PortalsMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's part of a snapshot of its process's job, Chandy and Lamport's algorithm over the
 * job's sequenced channels (docs/ARCHITECTURE.md, "Snapshots"). The node records its process
 * at its cut; a channel's state is the messages its kernel takes after the cut whose sequence
 * lies below the sender's cut, which the channel's marker names. Because the marker carries that
 * sequence, messages the sender held for credit at its cut (sent after the marker) still count,
 * and the channel is complete once the marker has come and everything below it has been taken.
 */
final class SnapshotRecording {
    /** What a piece of a recorded message adds to a batch beside its data, at most: its channel, sequence and header. */
    static final int PIECE_BYTES = 256;
    /** What a batch adds beside its pieces, at most: the snapshot's name, the rank, the list. */
    static final int BATCH_BYTES = 1024;
    final String snapshot;
    final int jobId;
    /** The processes of the job whose markers the recording waits for: itself included, as its messages to itself travel a channel too. */
    final int peers;
    /** The cut has been taken (the process recorded); until then arriving messages wait for it. */
    boolean recorded;
    /** The page chunks of the process at the cut, the next one to send, and those yod has stored. */
    List<byte[]> chunks = List.of();
    int chunksSent;
    int chunksStored;
    /** Per incoming channel: the next sequence the kernel takes (from the cut on), and the sender's cut once its marker came. */
    private final Map<ChannelId, Long> nextTaken = new HashMap<>();
    private final Map<ChannelId, Long> senderCut = new HashMap<>();
    private final List<Envelope<PortalsMessage>> channelState = new ArrayList<>();
    boolean channelsSent;
    int channelBatchesSent;

    SnapshotRecording(String snapshot, int jobId, int peers) {
        this.snapshot = snapshot;
        this.jobId = jobId;
        this.peers = peers;
    }

    /** The process is recorded now; its kernel had taken {@code taken} messages off each channel that had brought any. */
    void cut(Map<ChannelId, Long> taken, List<byte[]> pageChunks) {
        recorded = true;
        nextTaken.putAll(taken);
        chunks = List.copyOf(pageChunks);
    }

    /** The marker of {@code channel}: its sender's cut is at {@code sequence}. */
    void marker(ChannelId channel, long sequence) {
        senderCut.putIfAbsent(channel, sequence);
    }

    /** The kernel has taken {@code envelope}, after the cut: kept if it was sent before its sender's cut. */
    void taken(Envelope<PortalsMessage> envelope) {
        ChannelId channel = envelope.channel();
        Long cut = senderCut.get(channel);
        if (cut == null || envelope.sequence() < cut) {
            channelState.add(envelope);
        }
        nextTaken.merge(channel, envelope.sequence() + 1, Math::max);
    }

    /** Every other process's marker has come and every message below its cut has been taken. */
    boolean channelsComplete() {
        return senderCut.size() >= peers && senderCut.entrySet().stream()
                .allMatch(entry -> nextTaken.getOrDefault(entry.getKey(), 0L) >= entry.getValue());
    }

    /** The recorded messages of the channels as {@link #batches} make them. */
    List<List<Envelope<PortalsMessage>>> channelBatches(int maxMessages, int maxBytes, int pieceBytes) {
        return batches(channelState, maxMessages, maxBytes, pieceBytes);
    }

    /**
     * {@code messages} (whole, as the kernel took them) as they go to yod and into the snapshot
     * file: each cut into pieces of at most {@code pieceBytes} of data ({@link Fragment#split},
     * named by its sequence), in batches of at most {@code maxMessages} pieces whose data and
     * {@link #PIECE_BYTES} each, with {@link #BATCH_BYTES} for the batch, come to at most
     * {@code maxBytes}: so no message to yod or back is larger than the transport's frame,
     * however large the messages in flight at the cut were.
     *
     * @throws IllegalArgumentException when a piece and a batch's own bytes do not fit {@code maxBytes}
     */
    static List<List<Envelope<PortalsMessage>>> batches(List<Envelope<PortalsMessage>> messages, int maxMessages, int maxBytes,
                                                        int pieceBytes) {
        if (maxMessages <= 0 || pieceBytes <= 0 || BATCH_BYTES + PIECE_BYTES + pieceBytes > maxBytes) {
            throw new IllegalArgumentException("batches of " + maxMessages + " messages and " + maxBytes + " bytes cannot carry pieces of "
                    + pieceBytes + " bytes");
        }
        List<List<Envelope<PortalsMessage>>> batches = new ArrayList<>();
        List<Envelope<PortalsMessage>> batch = new ArrayList<>();
        long bytes = BATCH_BYTES;
        for (Envelope<PortalsMessage> message : messages) {
            for (PortalsMessage piece : Fragment.split(message.payload(), pieceBytes, message.sequence())) {
                int pieceSize = PIECE_BYTES + piece.dataLength();
                if (batch.size() == maxMessages || bytes + pieceSize > maxBytes) {
                    batches.add(List.copyOf(batch));
                    batch.clear();
                    bytes = BATCH_BYTES;
                }
                batch.add(new Envelope<>(message.channel(), message.sequence(), piece));
                bytes += pieceSize;
            }
        }
        if (!batch.isEmpty()) {
            batches.add(List.copyOf(batch));
        }
        return batches;
    }

    /**
     * The messages a restored process takes off its snapshot, whole again: the pieces
     * {@link #batches} cut them into joined, in the order recorded.
     *
     * @throws IllegalArgumentException when pieces do not make whole messages (a piece without
     *     the ones before it, or a message's last piece missing)
     */
    static List<PortalsMessage> wholeMessages(List<Envelope<PortalsMessage>> pieces) {
        List<PortalsMessage> whole = new ArrayList<>();
        List<Fragment> parts = new ArrayList<>();
        for (Envelope<PortalsMessage> piece : pieces) {
            if (!(piece.payload() instanceof Fragment part)) {
                if (!parts.isEmpty()) {
                    throw new IllegalArgumentException("message " + parts.get(0).message() + " on " + piece.channel() + " ends after "
                            + parts.size() + " of its " + parts.get(0).parts() + " pieces");
                }
                whole.add(piece.payload());
                continue;
            }
            parts.add(part);
            if (part.isLast()) {
                whole.add(Fragment.join(parts));
                parts.clear();
            }
        }
        if (!parts.isEmpty()) {
            throw new IllegalArgumentException("the recorded messages end after " + parts.size() + " of the " + parts.get(0).parts()
                    + " pieces of message " + parts.get(0).message());
        }
        return whole;
    }

    /** Every part has gone to yod: the process, its pages, its channels. */
    boolean sent() {
        return recorded && channelsSent && chunksSent == chunks.size();
    }
}
