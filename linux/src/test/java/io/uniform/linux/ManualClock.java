package io.uniform.linux;

import io.uniform.process.ProcessClock;

/** A clock that stands still until the test moves it: the host's wait without waiting. */
final class ManualClock implements ProcessClock {
    private long monotonic;

    void advance(long nanos) {
        monotonic += nanos;
    }

    @Override
    public long realtimeNanos() {
        return 1_700_000_000_000_000_000L + monotonic;
    }

    @Override
    public long monotonicNanos() {
        return monotonic;
    }

    @Override
    public long seed() {
        return 1;
    }
}
