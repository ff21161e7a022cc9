package io.uniform.portals;

/**
 * A get (spec table 4.4): the initiator's identity, the target, the portal and access control
 * indices, match bits, the remote offset, the length requested, and where the reply goes: the
 * initiator's memory descriptor and the offset in it.
 */
public record GetRequest(ProcessId initiator, int uid, int jid, ProcessId target, int ptIndex, int acIndex,
                         long matchBits, long remoteOffset, long length, int initiatorMd, long initiatorOffset)
        implements Request {
    @Override
    public long rlength() {
        return length;
    }
}
