package io.uniform.interconnect;

import java.util.Objects;

/**
 * A channel: the one-way, FIFO stream of messages from one process to another, named by the
 * two processes' logical ids, so it keeps its name (and its sequence numbers and credits) when
 * either process migrates. A process may have a channel to itself.
 */
public record ChannelId(ProcessId sender, ProcessId receiver) {
    public ChannelId {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(receiver, "receiver");
    }

    @Override
    public String toString() {
        return sender + "->" + receiver;
    }
}
