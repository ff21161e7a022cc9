package io.uniform.interconnect;

import java.util.Objects;

/**
 * One message of a channel as it travels: the channel, its sequence number (0 for the first
 * message, then one more for each) and the payload. Immutable as long as the payload is.
 *
 * @param <T> the payload type (a Portals operation, say)
 */
public record Envelope<T>(ChannelId channel, long sequence, T payload) {
    public Envelope {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence numbers start at 0: " + sequence);
        }
    }
}
