package io.uniform.portals;

import static io.uniform.portals.Ptl.*;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.portals.Layout.AcEntry;
import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import io.uniform.portals.Layout.NiLimitsT;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The Portals 3.3 engine: the kernel side of the calls a process makes and of the messages it
 * receives, one instance per node, shared by both kernels. As in Puma, a process's Portals
 * state lives in its own memory (see {@code portals.h} and {@link Layout}): the engine keeps
 * nothing per process, and the kernel keeps only the address of the process's interface block
 * ({@code ni} below, 0 before {@code PtlNIInit}), so the state travels with the memory image.
 *
 * <p>Every call takes the process's address space and that address, then the C API's arguments:
 * by-value structures as Java values ({@link ProcessId}, {@link MemoryDescriptor}), pointer
 * arguments as user addresses that the engine validates ({@link Ptl#PTL_SEGV} when bad), and,
 * for calls that make a record, the storage the library allocated for it (8-byte aligned; the
 * record's address becomes its handle). Calls return Portals return codes; those that move
 * data return an {@link Outcome} with the messages for the network. Nothing a process puts in
 * its memory makes the engine throw, hang or touch another process: a bad handle or pointer is
 * a return code, a broken structure met while receiving is a counted drop, and every check is
 * made before anything is written. Plain, single-threaded, deterministic Java.
 */
public final class PortalsEngine {
    /**
     * What the kernel allows one interface, whatever its process asks: records of each kind,
     * and events per event queue. A match list walk stops after {@code maxMes} entries.
     */
    public record Config(int maxMes, int maxMds, int maxEqs, int maxEvents) {
        public static final Config DEFAULT = new Config(4096, 4096, 256, 1 << 16);

        public Config {
            if (maxMes <= 0 || maxMds <= 0 || maxEqs <= 0 || maxEvents <= 0
                    || (long) maxEvents * EventT.SIZE + EqRec.SIZE > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("engine limits must be positive and a queue must fit in memory");
            }
        }
    }

    /** The result of {@link #niInit}: its return code and the process's interface block from now on. */
    public record NiInit(int status, int ni) {
    }

    private final Config config;

    public PortalsEngine() {
        this(Config.DEFAULT);
    }

    public PortalsEngine(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    // ---- network interfaces (spec 3.5 - 3.8) ----------------------------------------------

    /**
     * PtlNIInit: makes {@code niBlock} ({@link Ni#SIZE} bytes) the process's interface block,
     * unless the process has a live one already ({@code currentNi}), whose handle and limits it
     * then returns. The identity comes from the kernel; {@code pid} must be it or
     * {@link Ptl#PTL_PID_ANY}. {@code desiredPtr} and {@code actualPtr} may be 0. The kernel
     * keeps {@link NiInit#ni()}.
     */
    public NiInit niInit(AddressSpace space, int currentNi, int niBlock, int iface, int pid, Identity self,
                         int desiredPtr, int actualPtr, int handlePtr) {
        if (iface != PTL_IFACE_DEFAULT) {
            return new NiInit(PTL_IFACE_INVALID, currentNi);
        }
        if (pid != PTL_PID_ANY && pid != self.id().pid()) {
            return new NiInit(PTL_PID_INVALID, currentNi);
        }
        try {
            space.validate(handlePtr, 4, Access.WRITE);
            if (actualPtr != 0) {
                space.validate(actualPtr, NiLimitsT.SIZE, Access.WRITE);
            }
            Limits desired = desiredPtr == 0 ? null : Limits.read(space, desiredPtr);
            if (currentNi != 0 && OpenInterface.isLive(space, currentNi)) {
                if (actualPtr != 0) {
                    Limits.read(space, Ni.LIMITS.at(currentNi)).write(space, actualPtr);
                }
                space.store32(handlePtr, currentNi);
                return new NiInit(PTL_OK, currentNi);
            }
            if (niBlock == 0 || (niBlock & 7) != 0) {
                return new NiInit(PTL_SEGV, currentNi);
            }
            space.validate(niBlock, Ni.SIZE, Access.WRITE);
            int epoch = space.load32(Ni.EPOCH.at(niBlock)) + 1;
            Limits actual = grant(desired);
            space.zero(niBlock, Ni.SIZE);
            space.store32(Ni.MAGIC.at(niBlock), UK_PTL_MAGIC_NI);
            space.store32(Ni.VERSION.at(niBlock), UK_PTL_NI_VERSION);
            self.id().write(space, Ni.ID.at(niBlock));
            space.store32(Ni.UID.at(niBlock), self.uid());
            space.store32(Ni.JID.at(niBlock), self.jid());
            actual.write(space, Ni.LIMITS.at(niBlock));
            space.store32(Ni.EPOCH.at(niBlock), epoch);
            writeAcEntry(space, niBlock, 0, ProcessId.ANY, PTL_UID_ANY, self.jid(), PTL_PT_INDEX_ANY);
            if (actualPtr != 0) {
                actual.write(space, actualPtr);
            }
            space.store32(handlePtr, niBlock);
            return new NiInit(PTL_OK, niBlock);
        } catch (MemoryFault fault) {
            return new NiInit(PTL_SEGV, currentNi);
        }
    }

    private Limits grant(Limits desired) {
        int mes = grant(desired == null ? 0 : desired.maxMes(), config.maxMes());
        return new Limits(mes, grant(desired == null ? 0 : desired.maxMds(), config.maxMds()),
                grant(desired == null ? 0 : desired.maxEqs(), config.maxEqs()),
                UK_PTL_AC_ENTRIES - 1, UK_PTL_PT_ENTRIES - 1, 0, mes, 0);
    }

    private static int grant(int desired, int most) {
        return desired > 0 ? Math.min(desired, most) : most;
    }

    /** PtlNIFini: the interface block dies, and with it every record made under it. The kernel forgets {@code ni}. */
    public int niFini(AddressSpace space, int ni, int niHandle) {
        return call(() -> {
            OpenInterface.open(space, ni, niHandle).kill(ni);
            return PTL_OK;
        });
    }

    /** PtlNIStatus: reads a status register into the 64-bit word at {@code statusPtr}. */
    public int niStatus(AddressSpace space, int ni, int niHandle, int register, int statusPtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni, niHandle);
            if (Integer.compareUnsigned(register, UK_PTL_SR_COUNT) >= 0) {
                return PTL_SR_INDEX_INVALID;
            }
            Words.store64(space, statusPtr, Words.load64(space, Ni.status(nif.address(), register)));
            return PTL_OK;
        });
    }

    /** PtlGetId: the interface's process id into the {@code ptl_process_id_t} at {@code idPtr}. */
    public int getId(AddressSpace space, int ni, int niHandle, int idPtr) {
        return call(() -> {
            OpenInterface.open(space, ni, niHandle).id().write(space, idPtr);
            return PTL_OK;
        });
    }

    /** PtlGetUid: the interface's user id into the word at {@code uidPtr}. */
    public int getUid(AddressSpace space, int ni, int niHandle, int uidPtr) {
        return call(() -> {
            space.store32(uidPtr, OpenInterface.open(space, ni, niHandle).load(Ni.UID));
            return PTL_OK;
        });
    }

    /** PtlGetJid: the interface's job id into the word at {@code jidPtr}. */
    public int getJid(AddressSpace space, int ni, int niHandle, int jidPtr) {
        return call(() -> {
            space.store32(jidPtr, OpenInterface.open(space, ni, niHandle).load(Ni.JID));
            return PTL_OK;
        });
    }

    /**
     * PtlACEntry: access control entry {@code acIndex} admits requests from {@code matchId},
     * {@code uid} and {@code jid} (each may be a wildcard) to portal {@code ptIndex} (or
     * {@link Ptl#PTL_PT_INDEX_ANY}).
     */
    public int acEntry(AddressSpace space, int ni, int niHandle, int acIndex, ProcessId matchId, int uid, int jid,
                       int ptIndex) {
        return call(() -> {
            OpenInterface.open(space, ni, niHandle);
            if (Integer.compareUnsigned(acIndex, UK_PTL_AC_ENTRIES) >= 0) {
                return PTL_AC_INDEX_INVALID;
            }
            if (ptIndex != PTL_PT_INDEX_ANY && Integer.compareUnsigned(ptIndex, UK_PTL_PT_ENTRIES) >= 0) {
                return PTL_PT_INDEX_INVALID;
            }
            writeAcEntry(space, ni, acIndex, matchId, uid, jid, ptIndex);
            return PTL_OK;
        });
    }

    private static void writeAcEntry(AddressSpace space, int ni, int acIndex, ProcessId matchId, int uid, int jid,
                                     int ptIndex) {
        int entry = Ni.acEntry(ni, acIndex);
        matchId.write(space, AcEntry.MATCH_ID.at(entry));
        space.store32(AcEntry.UID.at(entry), uid);
        space.store32(AcEntry.JID.at(entry), jid);
        space.store32(AcEntry.PT_INDEX.at(entry), ptIndex);
        space.store32(AcEntry.ENABLED.at(entry), 1);
    }

    // ---- match entries (spec 3.9) ---------------------------------------------------------

    /** PtlMEAttach: a new match entry in {@code meRecord}, first or last in portal {@code ptIndex}'s list. */
    public int meAttach(AddressSpace space, int ni, int niHandle, int ptIndex, ProcessId matchId, long matchBits,
                        long ignoreBits, int unlinkOp, int position, int meRecord, int handlePtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni, niHandle);
            if (Integer.compareUnsigned(ptIndex, UK_PTL_PT_ENTRIES) >= 0) {
                return PTL_PT_INDEX_INVALID;
            }
            return insertMe(space, nif, ptIndex, 0, matchId, matchBits, ignoreBits, unlinkOp, position, meRecord,
                    handlePtr);
        });
    }

    /** PtlMEAttachAny: as {@link #meAttach} on the first portal whose list is empty, stored at {@code ptIndexPtr}. */
    public int meAttachAny(AddressSpace space, int ni, int niHandle, int ptIndexPtr, ProcessId matchId, long matchBits,
                           long ignoreBits, int unlinkOp, int meRecord, int handlePtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni, niHandle);
            space.validate(ptIndexPtr, 4, Access.WRITE);
            for (int pt = 0; pt < UK_PTL_PT_ENTRIES; pt++) {
                if (nif.isEmpty(pt)) {
                    int status = insertMe(space, nif, pt, 0, matchId, matchBits, ignoreBits, unlinkOp,
                            PTL_INS_AFTER, meRecord, handlePtr);
                    if (status == PTL_OK) {
                        space.store32(ptIndexPtr, pt);
                    }
                    return status;
                }
            }
            return PTL_PT_FULL;
        });
    }

    /** PtlMEInsert: a new match entry just before or after the live entry {@code base}, in its list. */
    public int meInsert(AddressSpace space, int ni, int base, ProcessId matchId, long matchBits, long ignoreBits,
                        int unlinkOp, int position, int meRecord, int handlePtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni);
            nif.requireMe(base);
            int ptIndex = nif.checkUnlinkable(base);
            return insertMe(space, nif, ptIndex, base, matchId, matchBits, ignoreBits, unlinkOp, position, meRecord,
                    handlePtr);
        });
    }

    private int insertMe(AddressSpace space, OpenInterface nif, int ptIndex, int base, ProcessId matchId,
                         long matchBits, long ignoreBits, int unlinkOp, int position, int meRecord, int handlePtr) {
        if (!isUnlinkOp(unlinkOp) || position != PTL_INS_BEFORE && position != PTL_INS_AFTER) {
            return PTL_FAIL;
        }
        nif.startRecord(meRecord, MeRec.SIZE, MeRec.NI_EPOCH, Ni.ME_COUNT, NiLimitsT.MAX_MES, handlePtr, PTL_ME_IN_USE);
        space.store32(MeRec.PT_INDEX.at(meRecord), ptIndex);
        space.store32(MeRec.UNLINK_OP.at(meRecord), unlinkOp);
        matchId.write(space, MeRec.MATCH_ID.at(meRecord));
        Words.store64(space, MeRec.MATCH_BITS.at(meRecord), matchBits);
        Words.store64(space, MeRec.IGNORE_BITS.at(meRecord), ignoreBits);
        nif.link(meRecord, ptIndex, base, position);
        nif.finishRecord(meRecord, UK_PTL_MAGIC_ME, Ni.ME_COUNT, handlePtr);
        return PTL_OK;
    }

    private static boolean isUnlinkOp(int unlinkOp) {
        return unlinkOp == PTL_RETAIN || unlinkOp == PTL_UNLINK;
    }

    /** PtlMEUnlink: the match entry leaves its list, and its memory descriptor, if any, is unlinked with it. No events. */
    public int meUnlink(AddressSpace space, int ni, int me) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni);
            nif.requireMe(me);
            nif.checkUnlinkable(me);
            int md = space.load32(MeRec.MD.at(me));
            if (md != 0 && nif.isMd(md) && space.load32(MdRec.ME.at(md)) == me) {
                nif.kill(md);
                nif.addToCounter(Ni.MD_COUNT, -1);
            }
            nif.unlinkMe(me);
            return PTL_OK;
        });
    }

    // ---- memory descriptors (spec 3.10) ---------------------------------------------------

    /** PtlMDAttach: a new memory descriptor in {@code mdRecord}, attached to the live match entry {@code me}. */
    public int mdAttach(AddressSpace space, int ni, int me, MemoryDescriptor md, int unlinkOp, int mdRecord,
                        int handlePtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni);
            nif.requireMe(me);
            if (space.load32(MeRec.MD.at(me)) != 0) {
                return PTL_ME_IN_USE;
            }
            int status = makeMd(space, nif, me, md, unlinkOp, mdRecord, handlePtr);
            if (status == PTL_OK) {
                space.store32(MeRec.MD.at(me), mdRecord);
            }
            return status;
        });
    }

    /** PtlMDBind: a new memory descriptor in {@code mdRecord} attached to nothing, for puts and gets. */
    public int mdBind(AddressSpace space, int ni, int niHandle, MemoryDescriptor md, int unlinkOp, int mdRecord,
                      int handlePtr) {
        return call(() -> makeMd(space, OpenInterface.open(space, ni, niHandle), 0, md, unlinkOp, mdRecord, handlePtr));
    }

    /**
     * Checks a memory descriptor (spec 3.10.1) and writes its record: no iovecs, a region that
     * lies in the address space (writable if it takes puts, readable otherwise), an event queue
     * of this interface or none. A threshold below zero other than
     * {@link Ptl#PTL_MD_THRESH_INF} is an inactive descriptor (threshold 0).
     */
    private int makeMd(AddressSpace space, OpenInterface nif, int me, MemoryDescriptor md, int unlinkOp, int mdRecord,
                       int handlePtr) {
        if (!isUnlinkOp(unlinkOp)) {
            return PTL_FAIL;
        }
        if (md.has(PTL_MD_IOVEC) || !inAddressSpace(md.start(), 0, md.length())) {
            return PTL_MD_ILLEGAL;
        }
        try {
            boolean takesPuts = me != 0 && md.has(PTL_MD_OP_PUT);
            space.validate(md.start(), (int) md.length(), takesPuts ? Access.WRITE : Access.READ);
        } catch (MemoryFault fault) {
            return PTL_MD_ILLEGAL;
        }
        if (md.eqHandle() != PTL_EQ_NONE && !nif.isEq(md.eqHandle())) {
            return PTL_EQ_INVALID;
        }
        nif.startRecord(mdRecord, MdRec.SIZE, MdRec.NI_EPOCH, Ni.MD_COUNT, NiLimitsT.MAX_MDS, handlePtr, PTL_MD_IN_USE);
        int threshold = md.threshold() < 0 && md.threshold() != PTL_MD_THRESH_INF ? 0 : md.threshold();
        space.store32(MdRec.ME.at(mdRecord), me);
        space.store32(MdRec.UNLINK_OP.at(mdRecord), unlinkOp);
        md.withThreshold(threshold).write(space, MdRec.MD.at(mdRecord));
        nif.finishRecord(mdRecord, UK_PTL_MAGIC_MD, Ni.MD_COUNT, handlePtr);
        return PTL_OK;
    }

    /** Whether {@code [start + offset, start + offset + length)} lies in the 32-bit space and below 2 GiB long. */
    private static boolean inAddressSpace(int start, long offset, long length) {
        return Long.compareUnsigned(length, Integer.MAX_VALUE) <= 0 && Long.compareUnsigned(offset, 1L << 32) < 0
                && Integer.toUnsignedLong(start) + offset + length <= 1L << 32;
    }

    /** PtlMDUnlink: the descriptor dies; its match entry goes with it if attached with {@link Ptl#PTL_UNLINK}. No events. */
    public int mdUnlink(AddressSpace space, int ni, int md) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni);
            nif.requireMd(md);
            nif.checkMdUnlinkable(md);
            nif.unlinkMd(md);
            return PTL_OK;
        });
    }

    // ---- event queues (spec 3.11) ---------------------------------------------------------

    /**
     * PtlEQAlloc: a queue of {@code count} events in {@code eqRecord}
     * ({@link EqRec#SIZE} + count &times; {@link EventT#SIZE} bytes). The handler is kept for
     * the library; the kernel never calls it.
     */
    public int eqAlloc(AddressSpace space, int ni, int niHandle, long count, int handler, int eqRecord, int handlePtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni, niHandle);
            if (count <= 0 || count > config.maxEvents()) {
                return PTL_NO_SPACE;
            }
            int size = EqRec.SIZE + (int) count * EventT.SIZE;
            nif.startRecord(eqRecord, size, EqRec.NI_EPOCH, Ni.EQ_COUNT, NiLimitsT.MAX_EQS, handlePtr, PTL_NO_SPACE);
            space.store32(EqRec.COUNT.at(eqRecord), (int) count);
            space.store32(EqRec.HANDLER.at(eqRecord), handler);
            space.store32(EqRec.WRITE_SEQ.at(eqRecord), 1);
            space.store32(EqRec.READ_SEQ.at(eqRecord), 1);
            nif.finishRecord(eqRecord, UK_PTL_MAGIC_EQ, Ni.EQ_COUNT, handlePtr);
            return PTL_OK;
        });
    }

    /** PtlEQFree: the queue dies; descriptors that still name it log no more events. */
    public int eqFree(AddressSpace space, int ni, int eq) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni);
            nif.kill(nif.requireEq(eq));
            nif.addToCounter(Ni.EQ_COUNT, -1);
            return PTL_OK;
        });
    }

    /**
     * PtlEQGet, the kernel's own reading of the ring the library reads too: copies the next
     * event to {@code eventPtr} and returns {@link Ptl#PTL_OK}, {@link Ptl#PTL_EQ_EMPTY}, or
     * {@link Ptl#PTL_EQ_DROPPED} with the oldest event left when the ring overflowed since the
     * last get.
     */
    public int eqGet(AddressSpace space, int ni, int eq, int eventPtr) {
        return call(() -> {
            OpenInterface nif = OpenInterface.open(space, ni);
            nif.requireEq(eq);
            space.validate(eventPtr, EventT.SIZE, Access.WRITE);
            int count = space.load32(EqRec.COUNT.at(eq));
            int writeSeq = space.load32(EqRec.WRITE_SEQ.at(eq));
            int readSeq = space.load32(EqRec.READ_SEQ.at(eq));
            int readSlot = space.load32(EqRec.READ_SLOT.at(eq));
            int writeSlot = space.load32(EqRec.WRITE_SLOT.at(eq));
            if (count <= 0 || count > config.maxEvents() || Integer.compareUnsigned(readSlot, count) >= 0
                    || Integer.compareUnsigned(writeSlot, count) >= 0) {
                return PTL_EQ_INVALID;
            }
            int pending = writeSeq - readSeq;
            if (pending == 0) {
                return PTL_EQ_EMPTY;
            }
            int status = PTL_OK;
            if (Integer.compareUnsigned(pending, count) > 0) {
                status = PTL_EQ_DROPPED;
                readSeq = writeSeq - count;
                readSlot = writeSlot;
            }
            space.write(eventPtr, space.read(EqRec.slot(eq, readSlot), EventT.SIZE), 0, EventT.SIZE);
            space.store32(EqRec.READ_SEQ.at(eq), readSeq + 1);
            space.store32(EqRec.READ_SLOT.at(eq), (readSlot + 1) % count);
            return status;
        });
    }

    /** Whether {@code PtlEQWait} on {@code eq} can return now: {@link Ptl#PTL_OK} when an event waits, else {@link Ptl#PTL_EQ_EMPTY} (or an error). */
    public int eqPending(AddressSpace space, int ni, int eq) {
        return call(() -> {
            OpenInterface.open(space, ni).requireEq(eq);
            return space.load32(EqRec.WRITE_SEQ.at(eq)) == space.load32(EqRec.READ_SEQ.at(eq)) ? PTL_EQ_EMPTY : PTL_OK;
        });
    }

    // ---- data movement, initiator side (spec 3.13) ----------------------------------------

    /** PtlPut: sends the whole of memory descriptor {@code md}. */
    public Outcome put(AddressSpace space, int ni, Identity self, int md, int ackReq, ProcessId target, int ptIndex,
                       int acIndex, long matchBits, long remoteOffset, long hdrData) {
        return issuePut(space, ni, self, md, false, 0, 0, ackReq, target, ptIndex, acIndex, matchBits, remoteOffset,
                hdrData);
    }

    /** PtlPutRegion: sends {@code length} bytes of memory descriptor {@code md} from {@code localOffset}. */
    public Outcome putRegion(AddressSpace space, int ni, Identity self, int md, long localOffset, long length,
                             int ackReq, ProcessId target, int ptIndex, int acIndex, long matchBits, long remoteOffset,
                             long hdrData) {
        return issuePut(space, ni, self, md, true, localOffset, length, ackReq, target, ptIndex, acIndex, matchBits,
                remoteOffset, hdrData);
    }

    /** PtlGet: asks the target for as many bytes as memory descriptor {@code md} holds. */
    public Outcome get(AddressSpace space, int ni, Identity self, int md, ProcessId target, int ptIndex, int acIndex,
                       long matchBits, long remoteOffset) {
        return issueGet(space, ni, self, md, false, 0, 0, target, ptIndex, acIndex, matchBits, remoteOffset);
    }

    /** PtlGetRegion: asks for {@code length} bytes, to go to memory descriptor {@code md} at {@code localOffset}. */
    public Outcome getRegion(AddressSpace space, int ni, Identity self, int md, long localOffset, long length,
                             ProcessId target, int ptIndex, int acIndex, long matchBits, long remoteOffset) {
        return issueGet(space, ni, self, md, true, localOffset, length, target, ptIndex, acIndex, matchBits,
                remoteOffset);
    }

    /** The checks common to puts and gets; returns the descriptor, or throws the call's return code. */
    private MemoryDescriptor checkIssue(AddressSpace space, OpenInterface nif, int md, ProcessId target, int ptIndex,
                                        int acIndex) {
        nif.requireMd(md);
        MemoryDescriptor descriptor = MemoryDescriptor.read(space, MdRec.MD.at(md));
        if (!OpenInterface.isActive(descriptor, Words.load64(space, MdRec.LOCAL_OFFSET.at(md)))) {
            throw new Refused(PTL_MD_INVALID, String.format("memory descriptor 0x%08x is inactive", md));
        }
        if (target.hasWildcard()) {
            throw new Refused(PTL_PROCESS_INVALID, "a target has no wildcard: " + target);
        }
        if (Integer.compareUnsigned(ptIndex, UK_PTL_PT_ENTRIES) >= 0) {
            throw new Refused(PTL_PT_INDEX_INVALID, "portal index " + Integer.toUnsignedString(ptIndex));
        }
        if (Integer.compareUnsigned(acIndex, UK_PTL_AC_ENTRIES) >= 0) {
            throw new Refused(PTL_AC_INDEX_INVALID, "access control index " + Integer.toUnsignedString(acIndex));
        }
        return descriptor;
    }

    /** The region a put or get uses: all of the descriptor, or the given part of it ({@link Ptl#PTL_MD_ILLEGAL} if outside). */
    private static long[] region(MemoryDescriptor descriptor, boolean region, long localOffset, long length) {
        if (!region) {
            localOffset = 0;
            length = descriptor.length();
        } else if (Long.compareUnsigned(localOffset, descriptor.length()) > 0
                || Long.compareUnsigned(length, descriptor.length() - localOffset) > 0) {
            throw new Refused(PTL_MD_ILLEGAL, "region outside the memory descriptor");
        }
        if (!inAddressSpace(descriptor.start(), localOffset, length)) {
            throw new Refused(PTL_MD_ILLEGAL, "memory descriptor outside the address space");
        }
        return new long[] {localOffset, length};
    }

    private Outcome issuePut(AddressSpace space, int ni, Identity self, int md, boolean region, long localOffset,
                             long length, int ackReq, ProcessId target, int ptIndex, int acIndex, long matchBits,
                             long remoteOffset, long hdrData) {
        try {
            OpenInterface nif = OpenInterface.open(space, ni);
            MemoryDescriptor descriptor = checkIssue(space, nif, md, target, ptIndex, acIndex);
            if (ackReq != PTL_ACK_REQ && ackReq != PTL_NO_ACK_REQ) {
                return Outcome.failed(PTL_FAIL);
            }
            long[] part = region(descriptor, region, localOffset, length);
            Payload payload;
            try {
                payload = Payload.read(space, descriptor.start() + (int) part[0], (int) part[1]);
            } catch (MemoryFault fault) {
                return Outcome.failed(PTL_MD_ILLEGAL);
            }
            Operation operation = Operation.prepare(nif, md, space.load32(MdRec.UNLINK_OP.at(md)), descriptor,
                    Words.load64(space, MdRec.LOCAL_OFFSET.at(md)), true, config.maxEvents());
            List<Integer> woken = Operation.woken();
            operation.commit(new Event(PTL_EVENT_SEND_START, self.id(), self.uid(), self.jid(), ptIndex, matchBits,
                    part[1], part[1], part[0], md, operation.after(), hdrData, 0, PTL_NI_OK, 0),
                    PTL_EVENT_SEND_START, PTL_EVENT_SEND_END, woken);
            nif.count(PTL_SR_SEND_COUNT, 1);
            nif.count(PTL_SR_SEND_LENGTH, part[1]);
            PutRequest request = new PutRequest(self.id(), self.uid(), self.jid(), target, ptIndex, acIndex, matchBits,
                    remoteOffset, hdrData, ackReq == PTL_ACK_REQ, md, payload);
            return new Outcome(PTL_OK, null, List.of(request), woken);
        } catch (Refused refused) {
            return Outcome.failed(refused.code());
        } catch (MemoryFault fault) {
            return Outcome.failed(PTL_SEGV);
        }
    }

    private Outcome issueGet(AddressSpace space, int ni, Identity self, int md, boolean region, long localOffset,
                             long length, ProcessId target, int ptIndex, int acIndex, long matchBits,
                             long remoteOffset) {
        try {
            OpenInterface nif = OpenInterface.open(space, ni);
            MemoryDescriptor descriptor = checkIssue(space, nif, md, target, ptIndex, acIndex);
            long[] part = region(descriptor, region, localOffset, length);
            nif.count(PTL_SR_SEND_COUNT, 1);
            GetRequest request = new GetRequest(self.id(), self.uid(), self.jid(), target, ptIndex, acIndex, matchBits,
                    remoteOffset, part[1], md, part[0]);
            return new Outcome(PTL_OK, null, List.of(request), List.of());
        } catch (Refused refused) {
            return Outcome.failed(refused.code());
        } catch (MemoryFault fault) {
            return Outcome.failed(PTL_SEGV);
        }
    }

    // ---- data movement, receiving side (spec 4) -------------------------------------------

    /** Hands any incoming message to its handler: {@link #deliver} for requests, else {@link #deliverReply} / {@link #deliverAck}. */
    public Outcome receive(AddressSpace space, int ni, PortalsMessage message) {
        if (message instanceof Request request) {
            return deliver(space, ni, request);
        }
        if (message instanceof Fragment) {
            throw new IllegalArgumentException("a fragment is the network's: its message is handed over whole (Fragment.join)");
        }
        return message instanceof Reply reply ? deliverReply(space, ni, reply) : deliverAck(space, ni, (Ack) message);
    }

    /**
     * A put or get arrives at its target: access control, then matching along the portal's
     * list, then the data deposited straight into the accepting descriptor's buffer (put) or
     * read from it for the reply (get), the descriptor consumed (unlinked with its entry when
     * exhausted), and its events. Returns the acknowledgment or reply to send, or the drop.
     */
    public Outcome deliver(AddressSpace space, int ni, Request request) {
        long rlength = request.rlength();
        OpenInterface nif = OpenInterface.receiving(space, ni);
        if (nif == null) {
            return Outcome.dropped(Drop.NO_INTERFACE);
        }
        try {
            Drop refusal = admission(nif, request);
            if (refusal != null) {
                return drop(nif, refusal, rlength);
            }
            PutRequest put = request instanceof PutRequest p ? p : null;
            OpenInterface.Match match = nif.match(request.ptIndex(), put != null ? PTL_MD_OP_PUT : PTL_MD_OP_GET,
                    request.initiator(), request.matchBits(), rlength, request.remoteOffset(), config.maxMes());
            if (match == null) {
                return drop(nif, Drop.NO_MATCH, rlength);
            }
            MemoryDescriptor descriptor = match.descriptor();
            if (!inAddressSpace(descriptor.start(), match.offset(), match.mlength())) {
                throw OpenInterface.corrupt("memory descriptor outside the address space");
            }
            int address = descriptor.start() + (int) match.offset();
            int mlength = (int) match.mlength();
            space.validate(address, mlength, put != null ? Access.WRITE : Access.READ);
            boolean remote = descriptor.has(PTL_MD_MANAGE_REMOTE);
            long localAfter = remote ? match.localOffset() : match.localOffset() + mlength;
            Operation operation = Operation.prepare(nif, match.md(), space.load32(MdRec.UNLINK_OP.at(match.md())),
                    descriptor, localAfter, true, config.maxEvents());
            Payload data = put != null ? null : Payload.read(space, address, mlength);
            // Everything checked: from here on nothing faults.
            if (put != null) {
                put.payload().deposit(space, address, mlength);
            }
            if (!remote) {
                Words.store64(space, MdRec.LOCAL_OFFSET.at(match.md()), localAfter);
            }
            List<Integer> woken = Operation.woken();
            operation.commit(new Event(0, request.initiator(), request.uid(), request.jid(), request.ptIndex(),
                    request.matchBits(), rlength, mlength, match.offset(), match.md(), operation.after(),
                    put != null ? put.hdrData() : 0, 0, PTL_NI_OK, 0),
                    put != null ? PTL_EVENT_PUT_START : PTL_EVENT_GET_START,
                    put != null ? PTL_EVENT_PUT_END : PTL_EVENT_GET_END, woken);
            nif.count(PTL_SR_RECV_COUNT, 1);
            nif.count(PTL_SR_RECV_LENGTH, mlength);
            return new Outcome(PTL_OK, null, answerTo(nif, request, descriptor, match, data), woken);
        } catch (Refused | MemoryFault broken) {
            nif.count(UK_PTL_SR_CORRUPT_COUNT, 1);
            return drop(nif, Drop.CORRUPT, rlength);
        }
    }

    /**
     * The reply to a get, or the acknowledgment of a put that asked for one from a descriptor
     * that does not disable them. They carry the responder's uid and jid as its block says: those
     * are informational, no access control applies to answers.
     */
    private static List<PortalsMessage> answerTo(OpenInterface nif, Request request, MemoryDescriptor descriptor,
                                                 OpenInterface.Match match, Payload data) {
        ProcessId self = request.target();
        int uid = nif.load(Ni.UID);
        int jid = nif.load(Ni.JID);
        if (request instanceof GetRequest get) {
            nif.count(PTL_SR_SEND_COUNT, 1);
            nif.count(PTL_SR_SEND_LENGTH, data.length());
            return List.of(new Reply(self, uid, jid, get.initiator(), get.ptIndex(), get.matchBits(),
                    get.initiatorMd(), get.initiatorOffset(), get.rlength(), data));
        }
        PutRequest put = (PutRequest) request;
        if (!put.ackRequested() || descriptor.has(PTL_MD_ACK_DISABLE)) {
            return List.of();
        }
        return List.of(new Ack(self, uid, jid, put.initiator(), put.ptIndex(), put.matchBits(), put.initiatorMd(),
                put.rlength(), match.mlength(), match.offset()));
    }

    /** The checks before matching: the target, the indices, the access control entry. */
    private static Drop admission(OpenInterface nif, Request request) {
        if (!request.target().equals(nif.id())) {
            return Drop.WRONG_TARGET;
        }
        if (Integer.compareUnsigned(request.ptIndex(), UK_PTL_PT_ENTRIES) >= 0) {
            return Drop.PT_INDEX_INVALID;
        }
        if (Integer.compareUnsigned(request.acIndex(), UK_PTL_AC_ENTRIES) >= 0) {
            return Drop.AC_INDEX_INVALID;
        }
        return nif.admits(request.acIndex(), request.initiator(), request.uid(), request.jid(), request.ptIndex())
                ? null : Drop.ACCESS_DENIED;
    }

    /** Counts a drop in the interface's registers. */
    private static Outcome drop(OpenInterface nif, Drop why, long length) {
        nif.count(PTL_SR_DROP_COUNT, 1);
        nif.count(PTL_SR_DROP_LENGTH, length);
        return Outcome.dropped(why);
    }

    /**
     * A reply arrives at the get's initiator: its data goes into the initiator's descriptor at
     * the offset the get named (truncated if the descriptor allows), with REPLY events.
     */
    public Outcome deliverReply(AddressSpace space, int ni, Reply reply) {
        return answer(space, ni, reply, reply.data().length());
    }

    /** An acknowledgment arrives at the put's initiator: an ACK event on the initiator's descriptor. */
    public Outcome deliverAck(AddressSpace space, int ni, Ack ack) {
        return answer(space, ni, ack, 0);
    }

    private Outcome answer(AddressSpace space, int ni, Answer answer, long length) {
        OpenInterface nif = OpenInterface.receiving(space, ni);
        if (nif == null) {
            return Outcome.dropped(Drop.NO_INTERFACE);
        }
        int md = answer.initiatorMd();
        try {
            if (!answer.initiator().equals(nif.id())) {
                return drop(nif, Drop.WRONG_TARGET, length);
            }
            if (!nif.isMd(md)) {
                return drop(nif, Drop.MD_INVALID, length);
            }
            MemoryDescriptor descriptor = MemoryDescriptor.read(space, MdRec.MD.at(md));
            long local = Words.load64(space, MdRec.LOCAL_OFFSET.at(md));
            if (!OpenInterface.isActive(descriptor, local)) {
                return drop(nif, Drop.MD_INACTIVE, length);
            }
            Reply reply = answer instanceof Reply r ? r : null;
            long offset = 0;
            int mlength = 0;
            if (reply != null) {
                offset = reply.initiatorOffset();
                long room = descriptor.length() - offset;
                if (Long.compareUnsigned(offset, descriptor.length()) > 0
                        || Long.compareUnsigned(length, room) > 0 && !descriptor.has(PTL_MD_TRUNCATE)) {
                    return drop(nif, Drop.REPLY_TOO_LONG, length);
                }
                mlength = (int) (Long.compareUnsigned(length, room) <= 0 ? length : room); // the smaller, unsigned
                if (!inAddressSpace(descriptor.start(), offset, mlength)) {
                    throw OpenInterface.corrupt("memory descriptor outside the address space");
                }
                space.validate(descriptor.start() + (int) offset, mlength, Access.WRITE);
            }
            Operation operation = Operation.prepare(nif, md, space.load32(MdRec.UNLINK_OP.at(md)), descriptor, local,
                    reply != null, config.maxEvents());
            List<Integer> woken = Operation.woken();
            if (reply != null) {
                reply.data().deposit(space, descriptor.start() + (int) offset, mlength);
                operation.commit(new Event(0, reply.target(), reply.uid(), reply.jid(), reply.ptIndex(),
                        reply.matchBits(), reply.rlength(), mlength, offset, md, operation.after(), 0, 0, PTL_NI_OK,
                        0), PTL_EVENT_REPLY_START, PTL_EVENT_REPLY_END, woken);
            } else {
                Ack ack = (Ack) answer;
                operation.commit(new Event(0, ack.target(), ack.uid(), ack.jid(), ack.ptIndex(), ack.matchBits(),
                        ack.rlength(), ack.mlength(), ack.offset(), md, operation.after(), 0, 0, PTL_NI_OK, 0),
                        -1, PTL_EVENT_ACK, woken);
            }
            nif.count(PTL_SR_RECV_COUNT, 1);
            nif.count(PTL_SR_RECV_LENGTH, mlength);
            return new Outcome(PTL_OK, null, List.of(), woken);
        } catch (Refused | MemoryFault broken) {
            nif.count(UK_PTL_SR_CORRUPT_COUNT, 1);
            return drop(nif, Drop.CORRUPT, length);
        }
    }

    /** Runs a call: a refusal is its return code, a fault on a pointer argument {@link Ptl#PTL_SEGV}. */
    private static int call(IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (Refused refused) {
            return refused.code();
        } catch (MemoryFault fault) {
            return PTL_SEGV;
        }
    }
}
