package io.uniform.interconnect;

/**
 * Hop metrics of one channel: how many messages were routed, the router-to-router hops they
 * crossed in all, and the longest route.
 */
public record HopCount(long messages, long hops, int maxHops) {
    /** No message routed yet. */
    public static final HopCount NONE = new HopCount(0, 0, 0);

    public HopCount {
        if (messages < 0 || hops < 0 || maxHops < 0 || (messages == 0 && (hops != 0 || maxHops != 0))) {
            throw new IllegalArgumentException("inconsistent hop count: " + messages + " messages, " + hops
                    + " hops, longest " + maxHops);
        }
    }

    /** This count with one more message of {@code routeHops} hops. */
    public HopCount plus(int routeHops) {
        if (routeHops < 0) {
            throw new IllegalArgumentException("a route has no negative hops: " + routeHops);
        }
        return new HopCount(messages + 1, hops + routeHops, Math.max(maxHops, routeHops));
    }

    /** Hops a message on average; 0 before the first. */
    public double mean() {
        return messages == 0 ? 0 : (double) hops / messages;
    }
}
