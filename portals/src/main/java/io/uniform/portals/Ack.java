package io.uniform.portals;

/**
 * The acknowledgment of a put (spec table 4.3), from its target back to its initiator: the
 * target's identity, the portal index and match bits, the initiator's memory descriptor, the
 * length requested and the length the target's memory descriptor took, and the offset there.
 */
public record Ack(ProcessId target, int uid, int jid, ProcessId initiator, int ptIndex, long matchBits,
                  int initiatorMd, long rlength, long mlength, long offset) implements Answer {
}
