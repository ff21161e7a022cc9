package io.uniform.interconnect;

import java.util.Objects;

/**
 * The Chandy-Lamport marker a channel's sender sends to the receiver's old location when it
 * re-points the channel to a new one ({@link ChannelSender#repoint}): every message of the
 * channel with a sequence number below {@code endSequence} was transmitted before the switch
 * (to {@code closed} or to a location before it, whose forwarding leads to {@code closed}); every
 * later one goes to {@code next} or beyond. The old location forwards to the process's new home
 * what arrives for the channel until it holds every sequence number below the marker's end,
 * and then the channel is closed there ({@link ChannelForwarder}).
 *
 * <p>A sender that ends closes its channel for good with a marker of no {@code next}
 * ({@link ChannelSender#close()}): nothing at or past {@code endSequence} will ever be sent, so
 * no location of the receiver waits for this sender after it.
 *
 * @param channel the channel
 * @param closed the location the sender stopped sending to
 * @param next the location it sends to from now on; null when the sender has ended
 * @param endSequence the first sequence number not sent to {@code closed}
 */
public record ChannelMarker(ChannelId channel, Location closed, Location next, long endSequence) {
    public ChannelMarker {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(closed, "closed");
        if (endSequence < 0) {
            throw new IllegalArgumentException("a marker's end sequence is not negative: " + endSequence);
        }
        if (closed.equals(next)) {
            throw new IllegalArgumentException("a marker closes a location for another one, not for itself: " + closed);
        }
    }

    /** True when the sender has ended: the channel carries nothing at or past {@link #endSequence()}, anywhere. */
    public boolean isFinal() {
        return next == null;
    }
}
