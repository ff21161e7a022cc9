package io.uniform.interconnect;

/**
 * When to send again what the other side has not answered, called once per resend interval:
 * at the first interval without progress, then with 1, 2, 4 and from then on 8 intervals let
 * pass between resends while the stall lasts, so that a loaded link is not flooded with copies;
 * progress starts it afresh. Plain, single-threaded Java; shared by a channel's sender
 * ({@link ChannelSender#overdue()}) and the node actors' move and stay protocols.
 */
public final class ResendBackoff {
    private static final int MAX_INTERVALS = 8;
    // Intervals to let pass before the next resend, and that number for the one after it.
    private int intervalsToWait;
    private int nextWait = 1;
    private long progressAtLastInterval = -1;

    /** A resend interval has passed; {@code stalled}: without progress since the last one. Whether to send again now. */
    public boolean due(boolean stalled) {
        if (!stalled) {
            intervalsToWait = 0;
            nextWait = 1;
            return false;
        }
        if (intervalsToWait > 0) {
            intervalsToWait--;
            return false;
        }
        intervalsToWait = nextWait;
        nextWait = Math.min(2 * nextWait, MAX_INTERVALS);
        return true;
    }

    /** {@link #due(boolean)}, stalled when {@code progress} (a count of answers) has not changed since the last interval. */
    public boolean dueAt(long progress) {
        boolean stalled = progress == progressAtLastInterval;
        progressAtLastInterval = progress;
        return due(stalled);
    }
}
