package io.uniform.node;

import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
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

    /** The recorded messages of the channels, in batches of at most {@code batch}. */
    List<List<Envelope<PortalsMessage>>> channelBatches(int batch) {
        List<List<Envelope<PortalsMessage>>> batches = new ArrayList<>();
        for (int from = 0; from < channelState.size(); from += batch) {
            batches.add(List.copyOf(channelState.subList(from, Math.min(channelState.size(), from + batch))));
        }
        return batches;
    }

    /** Every part has gone to yod: the process, its pages, its channels. */
    boolean sent() {
        return recorded && channelsSent && chunksSent == chunks.size();
    }
}
