package io.uniform.portals;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;

/**
 * One operation's events on one event queue ring in user memory. {@link #open} checks everything
 * the operation will write (the header and as many slots as it will post) before anything is
 * written, so posting cannot fault halfway; {@link #post} writes an event at the write slot,
 * overwriting the oldest one when the ring is full (the reader sees {@code PTL_EQ_DROPPED}), and
 * {@link #close} stores the header. The ring protocol is described in {@code portals.h}.
 */
final class EventSink {
    private final AddressSpace space;
    private final int eq;
    private final int count;
    private int writeSeq;
    private int writeSlot;
    private int dropped;
    private int posted;

    private EventSink(AddressSpace space, int eq, int count, int writeSeq, int writeSlot, int dropped) {
        this.space = space;
        this.eq = eq;
        this.count = count;
        this.writeSeq = writeSeq;
        this.writeSlot = writeSlot;
        this.dropped = dropped;
    }

    /**
     * Opens the live event queue record at {@code eq} (already checked to be one) for
     * {@code events} posts; a broken ring is refused with {@link Ptl#PTL_EQ_INVALID}.
     */
    static EventSink open(AddressSpace space, int eq, int events, int maxEvents) {
        int count = space.load32(EqRec.COUNT.at(eq));
        int writeSlot = space.load32(EqRec.WRITE_SLOT.at(eq));
        if (count <= 0 || count > maxEvents || Integer.compareUnsigned(writeSlot, count) >= 0) {
            throw new Refused(Ptl.PTL_EQ_INVALID, String.format(
                    "event queue 0x%08x: %d slots, write slot %d", eq, count, writeSlot));
        }
        for (int i = 0; i < Math.min(events, count); i++) {
            space.validate(EqRec.slot(eq, (writeSlot + i) % count), EventT.SIZE, Access.WRITE);
        }
        return new EventSink(space, eq, count, space.load32(EqRec.WRITE_SEQ.at(eq)), writeSlot,
                space.load32(EqRec.DROPPED.at(eq)));
    }

    /** Posts {@code event} with {@code link} ({@code -1}: its own sequence); returns its sequence. */
    int post(Event event, int link) {
        int sequence = writeSeq;
        int readSeq = space.load32(EqRec.READ_SEQ.at(eq));
        if (Integer.compareUnsigned(sequence - readSeq, count) >= 0) {
            dropped++; // the slot holds an event the reader has not taken yet
        }
        event.sequenced(link == -1 ? sequence : link, sequence).write(space, EqRec.slot(eq, writeSlot));
        writeSeq++;
        writeSlot = (writeSlot + 1) % count;
        posted++;
        return sequence;
    }

    /** Stores the ring's new write position; whether anything was posted. */
    boolean close() {
        if (posted > 0) {
            space.store32(EqRec.WRITE_SEQ.at(eq), writeSeq);
            space.store32(EqRec.WRITE_SLOT.at(eq), writeSlot);
            space.store32(EqRec.DROPPED.at(eq), dropped);
        }
        return posted > 0;
    }

    int handle() {
        return eq;
    }
}
