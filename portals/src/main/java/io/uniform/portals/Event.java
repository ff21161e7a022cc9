package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.portals.Layout.EventT;

/**
 * {@code ptl_event_t} as a value: what the engine writes into an event queue's ring, and what
 * {@code PtlEQGet} copies out. {@code md} is the memory descriptor as it is after the operation;
 * {@code link} is the sequence number of the operation's START event (its own sequence when
 * START events are disabled); {@code sequence} is written last.
 */
public record Event(int type, ProcessId initiator, int uid, int jid, int ptIndex, long matchBits, long rlength,
                    long mlength, long offset, int mdHandle, MemoryDescriptor md, long hdrData, int link,
                    int niFailType, int sequence) {

    public Event withType(int newType) {
        return new Event(newType, initiator, uid, jid, ptIndex, matchBits, rlength, mlength, offset, mdHandle, md,
                hdrData, link, niFailType, sequence);
    }

    Event sequenced(int newLink, int newSequence) {
        return new Event(type, initiator, uid, jid, ptIndex, matchBits, rlength, mlength, offset, mdHandle, md,
                hdrData, newLink, niFailType, newSequence);
    }

    public static Event read(AddressSpace space, int address) {
        return new Event(space.load32(EventT.TYPE.at(address)), ProcessId.read(space, EventT.INITIATOR.at(address)),
                space.load32(EventT.UID.at(address)), space.load32(EventT.JID.at(address)),
                space.load32(EventT.PT_INDEX.at(address)), Words.load64(space, EventT.MATCH_BITS.at(address)),
                Words.load64(space, EventT.RLENGTH.at(address)),
                Words.load64(space, EventT.MLENGTH.at(address)),
                Words.load64(space, EventT.OFFSET.at(address)), space.load32(EventT.MD_HANDLE.at(address)),
                MemoryDescriptor.read(space, EventT.MD.at(address)),
                Words.load64(space, EventT.HDR_DATA.at(address)), space.load32(EventT.LINK.at(address)),
                space.load32(EventT.NI_FAIL_TYPE.at(address)), space.load32(EventT.SEQUENCE.at(address)));
    }

    /** Writes the whole event, {@code sequence} last, as a reader polling the slot expects. */
    public void write(AddressSpace space, int address) {
        space.zero(address, EventT.SIZE);
        space.store32(EventT.TYPE.at(address), type);
        initiator.write(space, EventT.INITIATOR.at(address));
        space.store32(EventT.UID.at(address), uid);
        space.store32(EventT.JID.at(address), jid);
        space.store32(EventT.PT_INDEX.at(address), ptIndex);
        Words.store64(space, EventT.MATCH_BITS.at(address), matchBits);
        Words.store64(space, EventT.RLENGTH.at(address), rlength);
        Words.store64(space, EventT.MLENGTH.at(address), mlength);
        Words.store64(space, EventT.OFFSET.at(address), offset);
        space.store32(EventT.MD_HANDLE.at(address), mdHandle);
        md.write(space, EventT.MD.at(address));
        Words.store64(space, EventT.HDR_DATA.at(address), hdrData);
        space.store32(EventT.LINK.at(address), link);
        space.store32(EventT.NI_FAIL_TYPE.at(address), niFailType);
        space.store32(EventT.SEQUENCE.at(address), sequence);
    }
}
