package io.uniform.portals;

/**
 * The answer to a get (spec table 4.5), from its target back to its initiator: the target's
 * identity, the portal index and match bits of the get, the initiator's memory descriptor and
 * offset to deposit into, the length the get requested, and the data the target's memory
 * descriptor gave (possibly truncated).
 */
public record Reply(ProcessId target, int uid, int jid, ProcessId initiator, int ptIndex, long matchBits,
                    int initiatorMd, long initiatorOffset, long rlength, Payload data) implements Answer {
    @Override
    public int dataLength() {
        return data.length();
    }
}
