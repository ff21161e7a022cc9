package io.uniform.interconnect;

/**
 * Hears every change a {@link LocationDirectory} applies (not the stale, duplicate or
 * conflicting updates it ignores), after the directory has changed, on the thread that changed
 * it. A node's host uses it to re-point the channels to a process that moved
 * ({@link ChannelSender#repoint}) and to send its current credit to a sender that moved
 * ({@link ChannelReceiver#currentGrant()}).
 */
@FunctionalInterface
public interface LocationListener {
    void changed(LocationChange change);
}
