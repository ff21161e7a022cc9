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
 * <p>The transport may lose a message, and then a location may wait for a number that was lost
 * on its way there (the sender resends it to where it sends now) or for a marker that was lost.
 * So a marker also says what the receiver had delivered when it was made ({@code delivered},
 * the sender's acknowledgement), and once the sender's acknowledgement passes the end, it sends
 * the marker again with that figure ({@link ChannelSender#drainNotices()}): a location need not
 * pass on numbers the process already has, so such a <em>notice</em> ({@link #settles()})
 * closes the channel there whatever was lost.
 *
 * @param channel the channel
 * @param closed the location the sender stopped sending to
 * @param next the location it sends to from now on; null when the sender has ended
 * @param endSequence the first sequence number not sent to {@code closed}
 * @param delivered every number below this had been delivered to the receiving process when the
 *     marker was made, as far as its sender knew
 */
public record ChannelMarker(ChannelId channel, Location closed, Location next, long endSequence, long delivered) {
    public ChannelMarker {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(closed, "closed");
        if (endSequence < 0 || delivered < 0) {
            throw new IllegalArgumentException("a marker's end and delivered sequences are not negative: " + endSequence
                    + ", " + delivered);
        }
        if (closed.equals(next)) {
            throw new IllegalArgumentException("a marker closes a location for another one, not for itself: " + closed);
        }
    }

    /** True when the sender has ended: the channel carries nothing at or past {@link #endSequence()}, anywhere. */
    public boolean isFinal() {
        return next == null;
    }

    /** True when the receiver had everything sent before the switch: no location waits for any of it. */
    public boolean settles() {
        return delivered >= endSequence;
    }

    /** This marker again, with what the receiver is now known to have delivered. */
    public ChannelMarker withDelivered(long nowDelivered) {
        return new ChannelMarker(channel, closed, next, endSequence, Math.max(delivered, nowDelivered));
    }
}
