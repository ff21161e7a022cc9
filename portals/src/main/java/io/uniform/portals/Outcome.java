package io.uniform.portals;

import java.util.List;

/**
 * What an engine operation that moves data produced: the Portals return code of the call
 * ({@link Ptl#PTL_OK} for a delivery, even a dropped one), why an incoming message was dropped
 * (null when it was not), the messages the kernel must send, and the event queues that got
 * events (handles, in order, without repeats), whose {@code PtlEQWait} waiters the kernel wakes.
 */
public record Outcome(int status, Drop drop, List<PortalsMessage> send, List<Integer> eventQueues) {
    public Outcome {
        send = List.copyOf(send);
        eventQueues = List.copyOf(eventQueues);
    }

    static Outcome failed(int status) {
        return new Outcome(status, null, List.of(), List.of());
    }

    static Outcome dropped(Drop drop) {
        return new Outcome(Ptl.PTL_OK, drop, List.of(), List.of());
    }

    public boolean ok() {
        return status == Ptl.PTL_OK && drop == null;
    }
}
