package io.uniform.interconnect;

import java.util.Objects;

/**
 * Credit from a channel's receiver to its sender: the sender may transmit every message whose
 * sequence number is below {@code limit}. A grant is cumulative, an absolute limit rather than
 * a number of credits to add, so a grant that arrives twice, late or out of order does no harm
 * (the sender keeps the highest limit it has seen), and a lost grant is repaired by sending the
 * current one again ({@link ChannelReceiver#currentGrant()}).
 *
 * <p>A grant is also the channel's acknowledgement: {@code delivered} is how many messages the
 * receiver has delivered (every number below it), so the sender can let go of its copies of
 * them ({@link ChannelSender}); cumulative like the limit, it is as idempotent.
 *
 * @param delivered every sequence number below this has been delivered; at most {@code limit}
 */
public record CreditGrant(ChannelId channel, long limit, long delivered) {
    public CreditGrant {
        Objects.requireNonNull(channel, "channel");
        if (delivered < 0 || delivered > limit) {
            throw new IllegalArgumentException("a grant delivers 0 to its limit (" + limit + ") messages: " + delivered);
        }
    }

    /** The receiver is gone: the sender may send anything and needs no copy of what it sent. */
    public static CreditGrant unlimited(ChannelId channel) {
        return new CreditGrant(channel, Long.MAX_VALUE, Long.MAX_VALUE);
    }
}
