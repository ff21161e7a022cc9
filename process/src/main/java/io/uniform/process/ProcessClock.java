package io.uniform.process;

import io.uniform.cpu.Hart;
import java.util.OptionalLong;

/**
 * The clocks a process reads (clock_gettime and the {@code time} CSR) and the seed of its
 * AT_RANDOM bytes, the same under every kernel. The host clock by default; tests can pin it.
 */
public interface ProcessClock {
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

    /**
     * clock_gettime: the time of a Linux clock id in nanoseconds, or empty for an id Linux
     * would refuse with EINVAL. CLOCK_TAI is realtime plus the TAI offset, which stays 0
     * unless adjtimex sets it.
     */
    default OptionalLong read(int clockId) {
        return switch (clockId) {
            case CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_TAI -> OptionalLong.of(realtimeNanos());
            case CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
                    CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME -> OptionalLong.of(monotonicNanos());
            default -> OptionalLong.empty();
        };
    }

    /** The {@code time} CSR: monotonic time in ticks of {@link Hart#TIMEBASE_HZ}. */
    default long timerTicks() {
        return monotonicNanos() / (1_000_000_000L / Hart.TIMEBASE_HZ);
    }

    static ProcessClock host() {
        long origin = System.nanoTime();
        return new ProcessClock() {
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
