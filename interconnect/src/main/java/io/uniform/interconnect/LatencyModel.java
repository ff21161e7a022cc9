package io.uniform.interconnect;

import io.uniform.config.MachineDescription;
import java.math.BigInteger;

/**
 * A virtual-time model of one message's transfer over the mesh, for reports and virtual clocks;
 * nothing waits for it. The Paragon's and ASCI Red's mesh routers are wormhole routed: the
 * head of a message sets up the path one router at a time and the body streams behind it, so
 * the time is a fixed cost per hop plus the body's serialization at the link rate, paid once
 * and not once per hop (which store-and-forward routing would cost):
 * <pre>
 *   nanos = hops * perHopNanos + ceil(bytes * 10^9 / linkBandwidthBytesPerSecond)
 * </pre>
 * Contention between messages that share a link is not modelled. The result saturates at
 * {@link Long#MAX_VALUE}.
 *
 * @param perHopNanos what one router-to-router hop adds, in nanoseconds (not negative); the
 *     machine descriptions do not give it, so whoever builds the model chooses it
 * @param linkBandwidthBytesPerSecond the link rate (positive)
 */
public record LatencyModel(long perHopNanos, long linkBandwidthBytesPerSecond) {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public LatencyModel {
        if (perHopNanos < 0) {
            throw new IllegalArgumentException("the per-hop latency is not negative: " + perHopNanos + " ns");
        }
        if (linkBandwidthBytesPerSecond <= 0) {
            throw new IllegalArgumentException("link bandwidth must be positive: " + linkBandwidthBytesPerSecond);
        }
    }

    /** The model of {@code machine}'s links (its link-bandwidth-bytes-per-second) with {@code perHopNanos} a hop. */
    public static LatencyModel of(MachineDescription machine, long perHopNanos) {
        return new LatencyModel(perHopNanos, machine.linkBandwidthBytesPerSecond());
    }

    /** Virtual nanoseconds to move {@code bytes} over {@code hops} router-to-router links. */
    public long transferNanos(int hops, long bytes) {
        if (hops < 0) {
            throw new IllegalArgumentException("hops are not negative: " + hops);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("a message has no negative size: " + bytes);
        }
        long head;
        try {
            head = Math.multiplyExact(hops, perHopNanos);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
        long body = serializationNanos(bytes);
        return body > Long.MAX_VALUE - head ? Long.MAX_VALUE : head + body;
    }

    /** Nanoseconds to clock {@code bytes} onto a link: ceil(bytes * 10^9 / bandwidth), saturating. */
    private long serializationNanos(long bytes) {
        long bandwidth = linkBandwidthBytesPerSecond;
        try {
            long product = Math.multiplyExact(bytes, NANOS_PER_SECOND);
            return product / bandwidth + (product % bandwidth == 0 ? 0 : 1);
        } catch (ArithmeticException overflow) {
            BigInteger[] qr = BigInteger.valueOf(bytes).multiply(BigInteger.valueOf(NANOS_PER_SECOND))
                    .divideAndRemainder(BigInteger.valueOf(bandwidth));
            BigInteger nanos = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
            return nanos.bitLength() < Long.SIZE ? nanos.longValueExact() : Long.MAX_VALUE;
        }
    }
}
