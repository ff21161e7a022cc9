package io.uniform.portals;

import java.util.ArrayList;
import java.util.List;

/**
 * A part of a put's or a reply's data that travels ahead of its message when the message is
 * larger than the network's packet: the message is sent as fragments of its data, in order, and
 * then itself with the last part ({@link #split}). The receiving side sets the fragments aside
 * and hands its engine the message whole again ({@link #join}); the engine never sees a fragment.
 */
public record Fragment(ProcessId source, ProcessId destination, Payload data) implements PortalsMessage {
    @Override
    public int dataLength() {
        return data.length();
    }

    /**
     * {@code message} as parts of at most {@code maxBytes} of data each, in the order they are to
     * travel: fragments of its data, then the message carrying the last part. A message that fits
     * is its only part.
     *
     * @throws IllegalArgumentException for a part size that is not positive
     */
    public static List<PortalsMessage> split(PortalsMessage message, int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a fragment holds at least one byte: " + maxBytes);
        }
        Payload data = dataOf(message);
        if (data.length() <= maxBytes) {
            return List.of(message);
        }
        List<PortalsMessage> parts = new ArrayList<>();
        int from = 0;
        for (; data.length() - from > maxBytes; from += maxBytes) {
            parts.add(new Fragment(message.source(), message.destination(), data.slice(from, from + maxBytes)));
        }
        parts.add(withData(message, data.slice(from, data.length())));
        return parts;
    }

    /**
     * The message {@code last} was split from, whole again: the data of {@code fragments} (its
     * first parts, in order) before its own.
     *
     * @throws IllegalArgumentException when a fragment is not of {@code last}'s sender and receiver
     */
    public static PortalsMessage join(List<Fragment> fragments, PortalsMessage last) {
        if (fragments.isEmpty()) {
            return last;
        }
        List<Payload> parts = new ArrayList<>();
        for (Fragment fragment : fragments) {
            if (!fragment.source().equals(last.source()) || !fragment.destination().equals(last.destination())) {
                throw new IllegalArgumentException("a fragment from " + fragment.source() + " to " + fragment.destination()
                        + " cannot join a message from " + last.source() + " to " + last.destination());
            }
            parts.add(fragment.data());
        }
        parts.add(dataOf(last));
        return withData(last, Payload.concat(parts));
    }

    private static Payload dataOf(PortalsMessage message) {
        if (message instanceof PutRequest put) {
            return put.payload();
        }
        if (message instanceof Reply reply) {
            return reply.data();
        }
        if (message instanceof Fragment) {
            throw new IllegalArgumentException("a fragment is not split again, nor ends a message");
        }
        return Payload.EMPTY; // gets and acks carry no data
    }

    private static PortalsMessage withData(PortalsMessage message, Payload data) {
        if (message instanceof PutRequest p) {
            return new PutRequest(p.initiator(), p.uid(), p.jid(), p.target(), p.ptIndex(), p.acIndex(), p.matchBits(),
                    p.remoteOffset(), p.hdrData(), p.ackRequested(), p.initiatorMd(), data);
        }
        if (message instanceof Reply r) {
            return new Reply(r.target(), r.uid(), r.jid(), r.initiator(), r.ptIndex(), r.matchBits(), r.initiatorMd(),
                    r.initiatorOffset(), r.rlength(), data);
        }
        throw new IllegalArgumentException(message + " carries no data to join fragments to");
    }
}
