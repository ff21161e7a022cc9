package io.uniform.portals;

/**
 * A put or a get, from its initiator to its target: the header fields both carry (spec tables
 * 4.1 and 4.4). The initiator's identity comes from its kernel.
 */
public sealed interface Request extends PortalsMessage permits PutRequest, GetRequest {
    ProcessId initiator();

    int uid();

    int jid();

    ProcessId target();

    int ptIndex();

    int acIndex();

    long matchBits();

    long remoteOffset();

    /** The length the request asks to move. */
    long rlength();

    @Override
    default ProcessId source() {
        return initiator();
    }

    @Override
    default ProcessId destination() {
        return target();
    }
}
