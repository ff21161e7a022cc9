package io.uniform.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A move's handoff as it travels: its serialized bytes cut into parts of a bounded size, so that
 * no message of a move is larger than the transport's frame however many messages the process
 * had not read, and put together again in order at the destination. Plain Java.
 */
final class HandoffParts {
    private final int parts;
    private final int maxPartBytes;
    private byte[] bytes = new byte[0];
    private int length;
    private int received;

    /** The destination's side: expects {@code parts} parts of at most {@code maxPartBytes} bytes each. */
    HandoffParts(int parts, int maxPartBytes) {
        if (parts <= 0) {
            throw new IllegalArgumentException("a handoff of " + parts + " parts");
        }
        this.parts = parts;
        this.maxPartBytes = maxPartBytes;
    }

    /** {@code bytes} cut into parts of at most {@code partBytes} bytes, in order; at least one part, even for no bytes. */
    static List<byte[]> cut(byte[] bytes, int partBytes) {
        List<byte[]> cut = new ArrayList<>(bytes.length / partBytes + 1);
        int from = 0;
        do {
            int to = Math.min(bytes.length, from + partBytes);
            cut.add(Arrays.copyOfRange(bytes, from, to));
            from = to;
        } while (from < bytes.length);
        return cut;
    }

    /**
     * Takes part {@code index} of {@code claimedParts}; returns the whole handoff's bytes once
     * this was the last part, null before. A part that is not the next one is ignored: a copy of
     * one taken, or one after a part the transport lost, which the source sends again with it.
     *
     * @throws IllegalArgumentException when the part claims another count of parts, or is larger
     *     than a part may be
     */
    byte[] add(int index, int claimedParts, byte[] part) {
        if (claimedParts != parts) {
            throw new IllegalArgumentException("part " + index + " of " + claimedParts + " came where part " + received + " of "
                    + parts + " was due");
        }
        if (index != received) {
            return null;
        }
        if (part.length > maxPartBytes) {
            throw new IllegalArgumentException("a part of " + part.length + " bytes, more than " + maxPartBytes);
        }
        if (length + part.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + part.length, (int) Math.min(2L * bytes.length, (long) parts * maxPartBytes)));
        }
        System.arraycopy(part, 0, bytes, length, part.length);
        length += part.length;
        received++;
        return received == parts ? (length == bytes.length ? bytes : Arrays.copyOf(bytes, length)) : null;
    }
}
