package io.uniform.interconnect;

import java.util.Objects;

/**
 * Credit from a channel's receiver to its sender: the sender may transmit every message whose
 * sequence number is below {@code limit}. A grant is cumulative, an absolute limit rather than
 * a number of credits to add, so a grant that arrives twice, late or out of order does no harm
 * (the sender keeps the highest limit it has seen), and a lost grant is repaired by sending the
 * current one again ({@link ChannelReceiver#currentGrant()}).
 */
public record CreditGrant(ChannelId channel, long limit) {
    public CreditGrant {
        Objects.requireNonNull(channel, "channel");
        if (limit < 0) {
            throw new IllegalArgumentException("a credit limit is not negative: " + limit);
        }
    }
}
