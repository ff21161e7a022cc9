package io.uniform.linux;

import io.uniform.cpu.Hart;

/**
 * The clocks a process reads (clock_gettime and the {@code time} CSR) and the seed of its
 * AT_RANDOM bytes. The host clock by default; tests can pin it.
 */
public interface LinuxClock {
    int CLOCK_REALTIME = 0;
    int CLOCK_MONOTONIC = 1;
    int CLOCK_PROCESS_CPUTIME_ID = 2;
    int CLOCK_THREAD_CPUTIME_ID = 3;
    int CLOCK_MONOTONIC_RAW = 4;
    int CLOCK_REALTIME_COARSE = 5;
    int CLOCK_MONOTONIC_COARSE = 6;
    int CLOCK_BOOTTIME = 7;
    int CLOCK_TAI = 11;

    long realtimeNanos();

    long monotonicNanos();

    long seed();

    /** The {@code time} CSR: monotonic time in ticks of {@link Hart#TIMEBASE_HZ}. */
    default long timerTicks() {
        return monotonicNanos() / (1_000_000_000L / Hart.TIMEBASE_HZ);
    }

    static LinuxClock host() {
        long origin = System.nanoTime();
        return new LinuxClock() {
            @Override
            public long realtimeNanos() {
                java.time.Instant now = java.time.Instant.now();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public long monotonicNanos() {
                return System.nanoTime() - origin;
            }

            @Override
            public long seed() {
                return origin;
            }
        };
    }
}
