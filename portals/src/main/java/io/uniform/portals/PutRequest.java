package io.uniform.portals;

/**
 * A put (spec table 4.1): the initiator's identity (from its kernel), the target, the portal and
 * access control indices, match bits, the requested remote offset, the header data, whether an
 * acknowledgment was requested and the initiator's memory descriptor it should go to, and the data.
 */
public record PutRequest(ProcessId initiator, int uid, int jid, ProcessId target, int ptIndex, int acIndex,
                         long matchBits, long remoteOffset, long hdrData, boolean ackRequested, int initiatorMd,
                         Payload payload) implements Request {
    @Override
    public long rlength() {
        return payload.length();
    }

    @Override
    public int dataLength() {
        return payload.length();
    }
}
