package io.uniform.portals;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.portals.Layout.AcEntry;
import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.Field;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MdT;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import io.uniform.portals.Layout.PtEntry;

/**
 * A process's network interface block, checked to be live, and everything the engine does to the
 * records that hang off it: telling a record of the right kind from anything else, the match
 * lists, matching, unlinking, counters. Everything it reads comes from the process's memory, so
 * nothing read is trusted: a record is live only if it is 8-byte aligned, writable, carries the
 * magic of its kind, and names this interface and its current epoch; list neighbors must point
 * back; a walk is bounded. What fails is thrown as {@link Refused} (or a {@link MemoryFault}
 * escapes from an access), before the operation has written anything.
 */
final class OpenInterface {
    private final AddressSpace space;
    private final int ni;
    private final int epoch;

    private OpenInterface(AddressSpace space, int ni) {
        this.space = space;
        this.ni = ni;
        this.epoch = space.load32(Ni.EPOCH.at(ni));
    }

    /** The live interface at {@code ni} (the kernel's), or {@link Ptl#PTL_NO_INIT} / {@link Ptl#PTL_NI_INVALID}. */
    static OpenInterface open(AddressSpace space, int ni) {
        if (ni == 0) {
            throw new Refused(Ptl.PTL_NO_INIT, "the process has no network interface");
        }
        if (!isLive(space, ni)) {
            throw new Refused(Ptl.PTL_NI_INVALID, String.format("no live interface block at 0x%08x", ni));
        }
        return new OpenInterface(space, ni);
    }

    /** As {@link #open}, for a call that names the interface by a handle, which must be the kernel's. */
    static OpenInterface open(AddressSpace space, int ni, int niHandle) {
        OpenInterface opened = open(space, ni);
        if (niHandle != ni) {
            throw new Refused(Ptl.PTL_NI_INVALID, String.format("0x%08x is not the interface handle", niHandle));
        }
        return opened;
    }

    /** The live interface at {@code ni} for a delivery, or null when there is none. */
    static OpenInterface receiving(AddressSpace space, int ni) {
        return isLive(space, ni) ? new OpenInterface(space, ni) : null;
    }

    static boolean isLive(AddressSpace space, int ni) {
        if (ni == 0 || (ni & 7) != 0) {
            return false;
        }
        try {
            space.validate(ni, Ni.SIZE, Access.WRITE);
            return space.load32(Ni.MAGIC.at(ni)) == Ptl.UK_PTL_MAGIC_NI
                    && space.load32(Ni.VERSION.at(ni)) == Ptl.UK_PTL_NI_VERSION;
        } catch (MemoryFault fault) {
            return false;
        }
    }

    int address() {
        return ni;
    }

    int epoch() {
        return epoch;
    }

    ProcessId id() {
        return ProcessId.read(space, Ni.ID.at(ni));
    }

    int load(Field field) {
        return space.load32(field.at(ni));
    }

    // ---- records --------------------------------------------------------------------------

    private boolean isRecord(int record, int magic, int size, Field epochField) {
        if (record == 0 || (record & 7) != 0) {
            return false;
        }
        try {
            space.validate(record, size, Access.WRITE);
        } catch (MemoryFault fault) {
            return false;
        }
        return space.load32(record) == magic && space.load32(record + 4) == ni
                && space.load32(epochField.at(record)) == epoch;
    }

    boolean isMe(int me) {
        return isRecord(me, Ptl.UK_PTL_MAGIC_ME, MeRec.SIZE, MeRec.NI_EPOCH);
    }

    boolean isMd(int md) {
        return isRecord(md, Ptl.UK_PTL_MAGIC_MD, MdRec.SIZE, MdRec.NI_EPOCH);
    }

    boolean isEq(int eq) {
        return isRecord(eq, Ptl.UK_PTL_MAGIC_EQ, EqRec.SIZE, EqRec.NI_EPOCH);
    }

    /** An event queue this interface made and freed since. */
    boolean isFreedEq(int eq) {
        return isRecord(eq, Ptl.UK_PTL_MAGIC_FREED, EqRec.SIZE, EqRec.NI_EPOCH);
    }

    int requireMe(int me) {
        if (!isMe(me)) {
            throw new Refused(Ptl.PTL_ME_INVALID, String.format("0x%08x is not a live match entry", me));
        }
        return me;
    }

    int requireMd(int md) {
        if (!isMd(md)) {
            throw new Refused(Ptl.PTL_MD_INVALID, String.format("0x%08x is not a live memory descriptor", md));
        }
        return md;
    }

    int requireEq(int eq) {
        if (!isEq(eq)) {
            throw new Refused(Ptl.PTL_EQ_INVALID, String.format("0x%08x is not a live event queue", eq));
        }
        return eq;
    }

    /**
     * Begins a new record in storage the library offers: checks that the interface has room for
     * one more ({@link Ptl#PTL_NO_SPACE}), that the storage is non-null, 8-aligned and writable
     * and so is the handle pointer ({@link Ptl#PTL_SEGV}), and that the storage holds no live
     * record and does not overlap the interface block ({@code inUse}); then zeroes it and stamps
     * it with this interface and its epoch. The record is not live until {@link #finishRecord}.
     */
    void startRecord(int record, int size, Field epochField, Field counter, Field limit, int handlePtr, int inUse) {
        if (Integer.compareUnsigned(load(counter), space.load32(limit.at(Ni.LIMITS.at(ni)))) >= 0) {
            throw new Refused(Ptl.PTL_NO_SPACE, counter.cName() + " at its limit");
        }
        if (record == 0 || (record & 7) != 0) {
            throw new Refused(Ptl.PTL_SEGV, String.format("record storage at 0x%08x", record));
        }
        space.validate(record, size, Access.WRITE);
        space.validate(handlePtr, 4, Access.WRITE);
        if (holdsLiveRecord(record, size)) {
            throw new Refused(inUse, String.format("0x%08x holds a live record", record));
        }
        space.zero(record, size);
        space.store32(record + 4, ni); // every record names its interface at offset 4
        space.store32(epochField.at(record), epoch);
    }

    /** Whether storage offered for a new record holds a live one or overlaps the interface block. */
    private boolean holdsLiveRecord(int record, int size) {
        long start = Integer.toUnsignedLong(record);
        long block = Integer.toUnsignedLong(ni);
        return isMe(record) || isMd(record) || isEq(record) || start < block + Ni.SIZE && block < start + size;
    }

    /** Makes a record begun by {@link #startRecord} live, counts it, and stores its handle. */
    void finishRecord(int record, int magic, Field counter, int handlePtr) {
        space.store32(record, magic);
        addToCounter(counter, 1);
        space.store32(handlePtr, record);
    }

    void addToCounter(Field counter, int delta) {
        int value = load(counter);
        space.store32(counter.at(ni), delta < 0 && value == 0 ? 0 : value + delta);
    }

    /** Marks a record dead: its handle is refused from now on. */
    void kill(int record) {
        space.store32(record, Ptl.UK_PTL_MAGIC_FREED);
    }

    /** Adds to a status register. */
    void count(int register, long delta) {
        int address = Ni.status(ni, register);
        Words.store64(space, address, Words.load64(space, address) + delta);
    }

    static Refused corrupt(String what) {
        return new Refused(Ptl.PTL_FAIL, what);
    }

    // ---- access control -------------------------------------------------------------------

    /** Whether access control entry {@code ac} admits this initiator to portal {@code pt}. */
    boolean admits(int ac, ProcessId initiator, int uid, int jid, int pt) {
        int entry = Ni.acEntry(ni, ac);
        int entryUid = space.load32(AcEntry.UID.at(entry));
        int entryJid = space.load32(AcEntry.JID.at(entry));
        int entryPt = space.load32(AcEntry.PT_INDEX.at(entry));
        return space.load32(AcEntry.ENABLED.at(entry)) != 0
                && ProcessId.read(space, AcEntry.MATCH_ID.at(entry)).admits(initiator)
                && (entryUid == Ptl.PTL_UID_ANY || entryUid == uid)
                && (entryJid == Ptl.PTL_JID_ANY || entryJid == jid)
                && (entryPt == Ptl.PTL_PT_INDEX_ANY || entryPt == pt);
    }

    // ---- match lists ----------------------------------------------------------------------

    private int head(int pt) {
        return space.load32(PtEntry.HEAD.at(Ni.ptEntry(ni, pt)));
    }

    private int tail(int pt) {
        return space.load32(PtEntry.TAIL.at(Ni.ptEntry(ni, pt)));
    }

    boolean isEmpty(int pt) {
        return head(pt) == 0;
    }

    private void requireListed(int me, int pt) {
        if (!isMe(me) || space.load32(MeRec.PT_INDEX.at(me)) != pt) {
            throw corrupt(String.format("match list %d holds 0x%08x, not one of its entries", pt, me));
        }
    }

    /** Checks that {@code prev} and {@code next} are neighbors in list {@code pt} (0: its ends). */
    private void requireAdjacent(int pt, int prev, int next) {
        if (prev == 0 ? head(pt) != next : !isNeighbor(prev, pt, MeRec.NEXT, next)) {
            throw corrupt(String.format("match list %d is broken before 0x%08x", pt, next));
        }
        if (next == 0 ? tail(pt) != prev : !isNeighbor(next, pt, MeRec.PREV, prev)) {
            throw corrupt(String.format("match list %d is broken after 0x%08x", pt, prev));
        }
    }

    private boolean isNeighbor(int me, int pt, Field link, int expected) {
        requireListed(me, pt);
        return space.load32(link.at(me)) == expected;
    }

    /**
     * Links the written record {@code me} into list {@code pt}: at its head or tail when
     * {@code base} is 0, else just before or after {@code base}.
     */
    void link(int me, int pt, int base, int position) {
        int prev;
        int next;
        if (base == 0) {
            prev = position == Ptl.PTL_INS_BEFORE ? 0 : tail(pt);
            next = position == Ptl.PTL_INS_BEFORE ? head(pt) : 0;
        } else {
            prev = position == Ptl.PTL_INS_BEFORE ? space.load32(MeRec.PREV.at(base)) : base;
            next = position == Ptl.PTL_INS_BEFORE ? base : space.load32(MeRec.NEXT.at(base));
        }
        requireAdjacent(pt, prev, next);
        space.store32(MeRec.PREV.at(me), prev);
        space.store32(MeRec.NEXT.at(me), next);
        setLink(pt, prev, MeRec.NEXT, PtEntry.HEAD, me);
        setLink(pt, next, MeRec.PREV, PtEntry.TAIL, me);
    }

    private void setLink(int pt, int neighbor, Field link, Field end, int me) {
        space.store32(neighbor == 0 ? end.at(Ni.ptEntry(ni, pt)) : link.at(neighbor), me);
    }

    /** Checks that the live match entry {@code me} can be taken out of its list; returns its list. */
    int checkUnlinkable(int me) {
        int pt = space.load32(MeRec.PT_INDEX.at(me));
        if (Integer.compareUnsigned(pt, Ptl.UK_PTL_PT_ENTRIES) >= 0) {
            throw corrupt(String.format("match entry 0x%08x names portal %d", me, pt));
        }
        int prev = space.load32(MeRec.PREV.at(me));
        int next = space.load32(MeRec.NEXT.at(me));
        if (prev == 0 ? head(pt) != me : !isNeighbor(prev, pt, MeRec.NEXT, me)) {
            throw corrupt(String.format("match list %d does not lead to 0x%08x", pt, me));
        }
        if (next == 0 ? tail(pt) != me : !isNeighbor(next, pt, MeRec.PREV, me)) {
            throw corrupt(String.format("match list %d does not lead back to 0x%08x", pt, me));
        }
        return pt;
    }

    /** Takes the live match entry {@code me} out of its list and kills it (not its memory descriptor). */
    void unlinkMe(int me) {
        int pt = checkUnlinkable(me);
        int prev = space.load32(MeRec.PREV.at(me));
        int next = space.load32(MeRec.NEXT.at(me));
        setLink(pt, prev, MeRec.NEXT, PtEntry.HEAD, next);
        setLink(pt, next, MeRec.PREV, PtEntry.TAIL, prev);
        kill(me);
        addToCounter(Ni.ME_COUNT, -1);
    }

    /** The live match entry the live memory descriptor {@code md} is attached to, else 0. */
    private int attachedMe(int md) {
        int me = space.load32(MdRec.ME.at(md));
        return me != 0 && isMe(me) && space.load32(MeRec.MD.at(me)) == md ? me : 0;
    }

    private boolean goesWith(int me) {
        return me != 0 && space.load32(MeRec.UNLINK_OP.at(me)) == Ptl.PTL_UNLINK;
    }

    /** Checks that unlinking the live memory descriptor {@code md} (and its match entry if it goes too) will not fault. */
    void checkMdUnlinkable(int md) {
        int me = attachedMe(md);
        if (goesWith(me)) {
            checkUnlinkable(me);
        }
    }

    /**
     * Unlinks the live memory descriptor {@code md}: it leaves its match entry, which is
     * unlinked too when it was attached with {@link Ptl#PTL_UNLINK}.
     */
    void unlinkMd(int md) {
        int me = attachedMe(md);
        if (me != 0) {
            space.store32(MeRec.MD.at(me), 0);
            if (goesWith(me)) {
                unlinkMe(me);
            }
        }
        kill(md);
        addToCounter(Ni.MD_COUNT, -1);
    }

    // ---- matching -------------------------------------------------------------------------

    /** Where a request matched: the entry, its descriptor as it was, and what the descriptor accepts. */
    record Match(int me, int md, MemoryDescriptor descriptor, long localOffset, long offset, long mlength) {
    }

    /**
     * Walks match list {@code pt} in order (spec 3.9, figure 2.5): the first entry whose source
     * and match bits (less its ignore bits) admit the request and whose memory descriptor
     * accepts it; a descriptor that rejects it lets the walk go on. At most {@code bound}
     * entries: a longer list is a broken one (a cycle).
     */
    Match match(int pt, int op, ProcessId initiator, long matchBits, long rlength, long roffset, int bound) {
        int prev = 0;
        int me = head(pt);
        for (int steps = 0; me != 0; steps++) {
            if (steps == bound) {
                throw corrupt(String.format("match list %d is longer than %d entries (a cycle?)", pt, bound));
            }
            requireListed(me, pt);
            if (space.load32(MeRec.PREV.at(me)) != prev) {
                throw corrupt(String.format("match list %d: 0x%08x does not point back to 0x%08x", pt, me, prev));
            }
            long bits = Words.load64(space, MeRec.MATCH_BITS.at(me));
            long ignore = Words.load64(space, MeRec.IGNORE_BITS.at(me));
            int md = space.load32(MeRec.MD.at(me));
            if (md != 0 && ((bits ^ matchBits) & ~ignore) == 0
                    && ProcessId.read(space, MeRec.MATCH_ID.at(me)).admits(initiator)) {
                if (!isMd(md) || space.load32(MdRec.ME.at(md)) != me) {
                    throw corrupt(String.format("match entry 0x%08x holds 0x%08x, not its memory descriptor", me, md));
                }
                Match match = accept(me, md, op, rlength, roffset);
                if (match != null) {
                    return match;
                }
            }
            prev = me;
            me = space.load32(MeRec.NEXT.at(me));
        }
        return null;
    }

    /**
     * Whether the memory descriptor takes the operation (spec 3.10.1): active, the operation
     * allowed, and the request fits at the offset (its own, or the request's with
     * {@link Ptl#PTL_MD_MANAGE_REMOTE}), or is truncated to fit with {@link Ptl#PTL_MD_TRUNCATE}.
     */
    private Match accept(int me, int md, int op, long rlength, long roffset) {
        MemoryDescriptor descriptor = MemoryDescriptor.read(space, MdRec.MD.at(md));
        if (descriptor.has(Ptl.PTL_MD_IOVEC)) {
            throw corrupt(String.format("memory descriptor 0x%08x has PTL_MD_IOVEC", md));
        }
        long local = Words.load64(space, MdRec.LOCAL_OFFSET.at(md));
        if (!isActive(descriptor, local) || !descriptor.has(op)) {
            return null;
        }
        long length = descriptor.length();
        long offset = descriptor.has(Ptl.PTL_MD_MANAGE_REMOTE) ? roffset : local;
        if (Long.compareUnsigned(offset, length) > 0) {
            return null;
        }
        long room = length - offset;
        if (Long.compareUnsigned(rlength, room) <= 0) {
            return new Match(me, md, descriptor, local, offset, rlength);
        }
        return descriptor.has(Ptl.PTL_MD_TRUNCATE) ? new Match(me, md, descriptor, local, offset, room) : null;
    }

    /**
     * An active descriptor still takes operations: its threshold is not exhausted, and with
     * {@link Ptl#PTL_MD_MAX_SIZE} and a locally managed offset, at least {@code max_size} bytes
     * are left after the local offset.
     */
    static boolean isActive(MemoryDescriptor descriptor, long localOffset) {
        if (descriptor.threshold() <= 0 && descriptor.threshold() != Ptl.PTL_MD_THRESH_INF) {
            return false;
        }
        if (descriptor.has(Ptl.PTL_MD_MAX_SIZE) && !descriptor.has(Ptl.PTL_MD_MANAGE_REMOTE)) {
            return Long.compareUnsigned(localOffset, descriptor.length()) <= 0
                    && Long.compareUnsigned(descriptor.length() - localOffset, descriptor.maxSize()) >= 0;
        }
        return true;
    }

    /** The threshold after one more operation. */
    static int consume(int threshold) {
        return threshold == Ptl.PTL_MD_THRESH_INF ? threshold : threshold - 1;
    }

    /** Stores the threshold of the memory descriptor record {@code md}. */
    void storeThreshold(int md, int threshold) {
        space.store32(MdRec.md(md, MdT.THRESHOLD), threshold);
    }

    /**
     * The event queue of a memory descriptor, opened for {@code events} posts: null for
     * {@link Ptl#PTL_EQ_NONE} or a queue freed since (its events are not logged), else checked.
     */
    EventSink events(int eq, int events, int maxEvents) {
        if (eq == Ptl.PTL_EQ_NONE || isFreedEq(eq)) {
            return null;
        }
        return EventSink.open(space, requireEq(eq), events, maxEvents);
    }
}
