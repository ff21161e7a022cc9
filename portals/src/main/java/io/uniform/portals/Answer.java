package io.uniform.portals;

/**
 * A reply or an acknowledgment, from a request's target back to its initiator: the target's
 * identity, the request's portal index and match bits, and the initiator's memory descriptor it
 * goes to (spec tables 4.3 and 4.5).
 */
public sealed interface Answer extends PortalsMessage permits Reply, Ack {
    ProcessId target();

    int uid();

    int jid();

    ProcessId initiator();

    int ptIndex();

    long matchBits();

    int initiatorMd();

    @Override
    default ProcessId source() {
        return target();
    }

    @Override
    default ProcessId destination() {
        return initiator();
    }
}
