package io.uniform.portals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A kernel's side of the network: a message between two of its own processes is delivered at
 * once (loopback), every other waits here until the kernel's host carries it to its node.
 */
public final class Outbox {
    private final List<PortalsMessage> pending = new ArrayList<>();

    /** Sends {@code messages} in order: those {@code isHere} names go to {@code deliverHere}, the rest wait. */
    public void send(List<PortalsMessage> messages, Predicate<ProcessId> isHere, Consumer<PortalsMessage> deliverHere) {
        for (PortalsMessage message : messages) {
            if (isHere.test(message.destination())) {
                deliverHere.accept(message);
            } else {
                pending.add(message);
            }
        }
    }

    /** The messages for other nodes since the last call, in the order they were sent. */
    public List<PortalsMessage> drain() {
        List<PortalsMessage> drained = List.copyOf(pending);
        pending.clear();
        return drained;
    }
}
