package io.uniform.puma.qk;

/** The node's clocks, as the clock_gettime trap reads them. */
public interface PumaClock {
    long realtimeNanos();

    long monotonicNanos();

    /** The host's clocks. */
    static PumaClock host() {
        long origin = System.nanoTime();
        return new PumaClock() {
            @Override
            public long realtimeNanos() {
                java.time.Instant now = java.time.Instant.now();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public long monotonicNanos() {
                return System.nanoTime() - origin;
            }
        };
    }
}
