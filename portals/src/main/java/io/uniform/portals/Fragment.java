package io.uniform.portals;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A part of a put or a reply larger than the network's packet: the message travels as the
 * fragments of its data, in order ({@link #split}), and the receiving side hands its engine the
 * message whole again once it holds every part ({@link #join}); the engine never sees a fragment.
 *
 * <p>Each part names its message: the message without its data ({@code head}), an identity the
 * sender gives it ({@code message}, unique on its channel: the transport uses the channel sequence
 * of its first part), the part's place among its {@code parts}, and the message's data
 * {@code length}. So a receiver joins only the parts of one message, knows a message is complete
 * by its last part rather than by what comes after it, and tells a leftover of a message that
 * will never be complete (its sender lost, its later parts dropped) from the next message.
 *
 * @param head the message the part belongs to, without its data (a put or a reply)
 * @param message the message's identity on its channel
 * @param index the part's place, from 0
 * @param parts how many parts the message has: at least 2
 * @param length bytes of data of the whole message
 * @param data this part's bytes of it
 */
public record Fragment(PortalsMessage head, long message, int index, int parts, int length, Payload data)
        implements PortalsMessage {
    public Fragment {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(data, "data");
        if (!(head instanceof PutRequest || head instanceof Reply) || head.dataLength() != 0) {
            throw new IllegalArgumentException("a fragment's head is a put or a reply without its data: " + head);
        }
        if (parts < 2 || index < 0 || index >= parts || data.length() > length) {
            throw new IllegalArgumentException("part " + index + " of " + parts + ", " + data.length() + " of " + length
                    + " bytes, is no part of a message in several");
        }
    }

    @Override
    public ProcessId source() {
        return head.source();
    }

    @Override
    public ProcessId destination() {
        return head.destination();
    }

    @Override
    public int dataLength() {
        return data.length();
    }

    /** Whether this is its message's last part: with it, the message is complete. */
    public boolean isLast() {
        return index == parts - 1;
    }

    /** Whether {@code next} is the part that follows this one in the same message. */
    public boolean precedes(Fragment next) {
        return next.message == message && next.index == index + 1 && next.parts == parts && next.length == length
                && next.head.equals(head);
    }

    /**
     * {@code message} as parts of at most {@code maxBytes} of data each, in the order they are to
     * travel, named {@code messageId}: the message itself when it fits.
     *
     * @throws IllegalArgumentException for a part size that is not positive, or a fragment
     */
    public static List<PortalsMessage> split(PortalsMessage message, int maxBytes, long messageId) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a fragment holds at least one byte: " + maxBytes);
        }
        Payload data = dataOf(message);
        if (data.length() <= maxBytes) {
            return List.of(message);
        }
        PortalsMessage head = withData(message, Payload.EMPTY);
        int parts = (data.length() + maxBytes - 1) / maxBytes;
        List<PortalsMessage> split = new ArrayList<>(parts);
        for (int index = 0; index < parts; index++) {
            int from = index * maxBytes;
            split.add(new Fragment(head, messageId, index, parts, data.length(), data.slice(from, Math.min(data.length(), from + maxBytes))));
        }
        return split;
    }

    /**
     * The message {@code parts} (every part of it, in order) were split from, whole again.
     *
     * @throws IllegalArgumentException when they are not every part of one message in order, or
     *     their data is not the message's length
     */
    public static PortalsMessage join(List<Fragment> parts) {
        if (parts.isEmpty() || parts.get(0).index != 0 || !parts.get(parts.size() - 1).isLast()) {
            throw new IllegalArgumentException("a message is joined from its parts, first to last: " + parts.size() + " parts given");
        }
        List<Payload> data = new ArrayList<>(parts.size());
        long length = 0;
        for (int i = 0; i < parts.size(); i++) {
            Fragment part = parts.get(i);
            if (i > 0 && !parts.get(i - 1).precedes(part)) {
                throw new IllegalArgumentException("part " + part.index + " of message " + part.message + " does not follow part "
                        + parts.get(i - 1).index + " of message " + parts.get(i - 1).message);
            }
            data.add(part.data);
            length += part.data.length();
        }
        Fragment last = parts.get(parts.size() - 1);
        if (length != last.length) {
            throw new IllegalArgumentException("the parts of message " + last.message + " hold " + length + " bytes, not its "
                    + last.length);
        }
        return withData(last.head, Payload.concat(data));
    }

    private static Payload dataOf(PortalsMessage message) {
        if (message instanceof PutRequest put) {
            return put.payload();
        }
        if (message instanceof Reply reply) {
            return reply.data();
        }
        if (message instanceof Fragment) {
            throw new IllegalArgumentException("a fragment is not split again");
        }
        return Payload.EMPTY; // gets and acks carry no data
    }

    private static PortalsMessage withData(PortalsMessage message, Payload data) {
        if (message instanceof PutRequest p) {
            return new PutRequest(p.initiator(), p.uid(), p.jid(), p.target(), p.ptIndex(), p.acIndex(), p.matchBits(),
                    p.remoteOffset(), p.hdrData(), p.ackRequested(), p.initiatorMd(), data);
        }
        Reply r = (Reply) message; // split only ever heads a put or a reply
        return new Reply(r.target(), r.uid(), r.jid(), r.initiator(), r.ptIndex(), r.matchBits(), r.initiatorMd(),
                r.initiatorOffset(), r.rlength(), data);
    }
}
