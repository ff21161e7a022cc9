package io.uniform.portals;

import static io.uniform.portals.Proc.md;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.NiLimitsT;
import io.uniform.portals.Layout.Ni;
import io.uniform.portals.Layout.PtEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The calls a process makes: interface, identity, limits, records and their lists. */
class EngineCallsTest {
    private final Node node = new Node();

    @Test
    void niInitWritesTheBlockAndTheIdentityCallsReadIt() {
        Proc p = node.process(3, 30, 500, 9).init();
        assertEquals(PTL_OK, p.engine.getId(p.space, p.ni, p.ni, p.outPtr()));
        assertEquals(new ProcessId(3, 30), ProcessId.read(p.space, p.outPtr()));
        assertEquals(PTL_OK, p.engine.getUid(p.space, p.ni, p.ni, p.outPtr()));
        assertEquals(500, p.handleOut());
        assertEquals(PTL_OK, p.engine.getJid(p.space, p.ni, p.ni, p.outPtr()));
        assertEquals(9, p.handleOut());
        assertEquals(new Limits(4096, 4096, 256, 31, 63, 0, 4096, 0), Limits.read(p.space, Ni.LIMITS.at(p.ni)));
        assertEquals(UK_PTL_MAGIC_NI, p.space.load32(p.ni));
    }

    @Test
    void desiredLimitsAreGrantedUpToTheEnginesAndReportedAsActual() {
        Proc p = node.process(1, 1, 1, 1);
        int desired = p.alloc(NiLimitsT.SIZE);
        new Limits(10, 1 << 30, 0, 99, 99, 4, 99, 99).write(p.space, desired);
        int actual = p.alloc(NiLimitsT.SIZE);
        PortalsEngine.NiInit result = p.engine.niInit(p.space, 0, p.alloc(Ni.SIZE), PTL_IFACE_DEFAULT, 1, p.self,
                desired, actual, p.outPtr());
        assertEquals(PTL_OK, result.status());
        assertEquals(new Limits(10, 4096, 256, 31, 63, 0, 10, 0), Limits.read(p.space, actual));
    }

    @Test
    void aSecondInitReturnsTheLiveInterface() {
        Proc p = node.process(1, 1, 1, 1).init();
        int first = p.ni;
        PortalsEngine.NiInit again = p.engine.niInit(p.space, p.ni, p.alloc(Ni.SIZE), PTL_IFACE_DEFAULT, PTL_PID_ANY,
                p.self, 0, 0, p.outPtr());
        assertEquals(new PortalsEngine.NiInit(PTL_OK, first), again);
        assertEquals(first, p.handleOut());
    }

    @Test
    void niInitChecksInterfacePidAndPointers() {
        Proc p = node.process(1, 1, 1, 1);
        int block = p.alloc(Ni.SIZE);
        assertEquals(PTL_IFACE_INVALID, p.engine.niInit(p.space, 0, block, 1, PTL_PID_ANY, p.self, 0, 0, p.outPtr()).status());
        assertEquals(PTL_PID_INVALID, p.engine.niInit(p.space, 0, block, 0, 2, p.self, 0, 0, p.outPtr()).status());
        assertEquals(PTL_SEGV, p.engine.niInit(p.space, 0, block, 0, 1, p.self, 0, 0, 0).status());
        assertEquals(PTL_SEGV, p.engine.niInit(p.space, 0, block, 0, 1, p.self, 0x7000_0000, 0, p.outPtr()).status());
        assertEquals(PTL_SEGV, p.engine.niInit(p.space, 0, block + 4, 0, 1, p.self, 0, 0, p.outPtr()).status());
        assertEquals(PTL_SEGV, p.engine.niInit(p.space, 0, Proc.BASE, 0, 1, p.self, 0, 0, p.outPtr()).status(),
                "a block in the read-only text");
        assertEquals(0, p.space.load32(block), "nothing written");
    }

    @Test
    void callsWithoutAnInterfaceAreNoInitAndHandlesMustBeTheInterface() {
        Proc p = node.process(1, 1, 1, 1);
        assertEquals(PTL_NO_INIT, p.tryMeAttach(0, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        assertEquals(PTL_NO_INIT, p.engine.mdUnlink(p.space, 0, Proc.BASE + 0x2000));
        p.init();
        assertEquals(PTL_NI_INVALID, p.engine.meAttach(p.space, p.ni, p.ni + 8, 0, ProcessId.ANY, 0, 0, PTL_UNLINK,
                PTL_INS_AFTER, p.alloc(MeRec.SIZE), p.outPtr()));
        assertEquals(PTL_NI_INVALID, p.engine.getId(p.space, p.ni, PTL_INVALID_HANDLE, p.outPtr()));
    }

    @Test
    void finiKillsTheInterfaceAndAReinitAtTheSameAddressDisownsItsOldRecords() {
        Proc p = node.process(1, 1, 1, 1).init();
        int block = p.ni;
        int md = p.mdBind(md(p.alloc(16), 16, PTL_MD_THRESH_INF, 0, PTL_EQ_NONE), PTL_RETAIN);
        assertEquals(PTL_OK, p.engine.niFini(p.space, p.ni, p.ni));
        assertEquals(PTL_NI_INVALID, p.engine.mdUnlink(p.space, p.ni, md), "the kernel still names a dead block");
        PortalsEngine.NiInit again = p.engine.niInit(p.space, 0, block, PTL_IFACE_DEFAULT, PTL_PID_ANY, p.self, 0, 0,
                p.outPtr());
        assertEquals(new PortalsEngine.NiInit(PTL_OK, block), again);
        assertEquals(2, p.space.load32(Ni.EPOCH.at(block)));
        assertEquals(PTL_MD_INVALID, p.engine.mdUnlink(p.space, block, md), "a record of the block's previous life");
        assertEquals(PTL_MD_INVALID, p.put(md, PTL_NO_ACK_REQ, new ProcessId(2, 2), 0, 0).status());
    }

    @Test
    void recordsAreCountedAgainstTheInterfacesLimits() {
        Proc p = node.process(1, 1, 1, 1);
        int desired = p.alloc(NiLimitsT.SIZE);
        new Limits(2, 1, 1, 0, 0, 0, 0, 0).write(p.space, desired);
        p.init(desired);
        int first = p.meAttach(0, 1);
        p.meAttach(0, 2);
        assertEquals(PTL_NO_SPACE, p.tryMeAttach(0, ProcessId.ANY, 3, 0, PTL_UNLINK, PTL_INS_AFTER));
        assertEquals(2, p.count(Ni.ME_COUNT));
        assertEquals(PTL_OK, p.engine.meUnlink(p.space, p.ni, first));
        assertEquals(1, p.count(Ni.ME_COUNT));
        p.meAttach(0, 3);

        p.mdBind(md(p.alloc(8), 8, 1, 0, PTL_EQ_NONE), PTL_RETAIN);
        assertEquals(PTL_NO_SPACE, p.tryMdBind(md(p.alloc(8), 8, 1, 0, PTL_EQ_NONE), PTL_RETAIN));
        p.eqAlloc(4);
        assertEquals(PTL_NO_SPACE, p.engine.eqAlloc(p.space, p.ni, p.ni, 4, 0, p.alloc(EqRec.SIZE + 4 * EventT.SIZE),
                p.outPtr()));
    }

    @Test
    void statusRegistersAreReadByIndex() {
        Proc p = node.process(1, 1, 1, 1).init();
        assertEquals(0, p.status(PTL_SR_DROP_COUNT));
        assertEquals(PTL_SR_INDEX_INVALID, p.engine.niStatus(p.space, p.ni, p.ni, UK_PTL_SR_COUNT, p.outPtr()));
        assertEquals(PTL_SEGV, p.engine.niStatus(p.space, p.ni, p.ni, 0, Proc.BASE), "into the read-only text");
    }

    /** The list of portal {@code pt}, following next pointers and checking the prev pointers back. */
    static List<Integer> list(Proc p, int pt) {
        List<Integer> entries = new ArrayList<>();
        int entry = Ni.ptEntry(p.ni, pt);
        int prev = 0;
        for (int me = p.space.load32(PtEntry.HEAD.at(entry)); me != 0; me = p.space.load32(MeRec.NEXT.at(me))) {
            assertEquals(prev, p.space.load32(MeRec.PREV.at(me)), "prev of " + Integer.toHexString(me));
            entries.add(me);
            prev = me;
        }
        assertEquals(prev, p.space.load32(PtEntry.TAIL.at(entry)), "tail");
        return entries;
    }

    @Test
    void entriesGoFirstOrLastOrNextToAnother() {
        Proc p = node.process(1, 1, 1, 1).init();
        int b = p.meAttach(5, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_AFTER);
        int a = p.meAttach(5, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_BEFORE);
        int d = p.meAttach(5, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_AFTER);
        int c = p.meInsert(d, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_BEFORE);
        int e = p.meInsert(d, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_AFTER);
        assertEquals(List.of(a, b, c, d, e), list(p, 5));
        assertEquals(5, p.space.load32(MeRec.PT_INDEX.at(e)));
        for (int me : List.of(a, c, e)) {
            assertEquals(PTL_OK, p.engine.meUnlink(p.space, p.ni, me));
        }
        assertEquals(List.of(b, d), list(p, 5));
        assertEquals(PTL_ME_INVALID, p.engine.meUnlink(p.space, p.ni, a), "already unlinked");
        assertEquals(PTL_ME_INVALID, p.engine.meInsert(p.space, p.ni, c, ProcessId.ANY, 0, 0, PTL_UNLINK,
                PTL_INS_AFTER, p.alloc(MeRec.SIZE), p.outPtr()));
        assertEquals(PTL_PT_INDEX_INVALID, p.tryMeAttach(64, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        assertEquals(PTL_FAIL, p.tryMeAttach(1, ProcessId.ANY, 0, 0, 7, PTL_INS_AFTER), "no such unlink op");
    }

    @Test
    void unlinkingAnEntryUnlinksItsDescriptor() {
        Proc p = node.process(1, 1, 1, 1).init();
        int me = p.meAttach(0, 1);
        int md = p.mdAttach(me, md(p.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN);
        assertEquals(PTL_ME_IN_USE, p.tryMdAttach(me, md(p.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN));
        assertEquals(PTL_OK, p.engine.meUnlink(p.space, p.ni, me));
        assertEquals(PTL_MD_INVALID, p.engine.mdUnlink(p.space, p.ni, md));
        assertEquals(0, p.count(Ni.MD_COUNT));
        assertEquals(0, p.count(Ni.ME_COUNT));
        assertEquals(UK_PTL_MAGIC_FREED, p.space.load32(md));
    }

    @Test
    void unlinkingADescriptorTakesAlongAnEntryAttachedWithUnlinkOnly() {
        Proc p = node.process(1, 1, 1, 1).init();
        int going = p.meAttach(0, ProcessId.ANY, 1, 0, PTL_UNLINK, PTL_INS_AFTER);
        int staying = p.meAttach(0, ProcessId.ANY, 2, 0, PTL_RETAIN, PTL_INS_AFTER);
        int md1 = p.mdAttach(going, md(p.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN);
        int md2 = p.mdAttach(staying, md(p.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN);
        assertEquals(PTL_OK, p.engine.mdUnlink(p.space, p.ni, md1));
        assertEquals(PTL_OK, p.engine.mdUnlink(p.space, p.ni, md2));
        assertEquals(List.of(staying), list(p, 0));
        assertEquals(0, p.space.load32(MeRec.MD.at(staying)));
        p.mdAttach(staying, md(p.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN);
    }

    @Test
    void attachAnyTakesTheFirstEmptyPortal() {
        Proc p = node.process(1, 1, 1, 1).init();
        p.meAttach(0, 1);
        p.meAttach(2, 1);
        int ptOut = p.alloc(4);
        assertEquals(PTL_OK, p.engine.meAttachAny(p.space, p.ni, p.ni, ptOut, ProcessId.ANY, 0, 0, PTL_UNLINK,
                p.alloc(MeRec.SIZE), p.outPtr()));
        assertEquals(1, p.space.load32(ptOut));
        for (int pt = 3; pt < UK_PTL_PT_ENTRIES; pt++) {
            p.meAttach(pt, 1);
        }
        assertEquals(PTL_PT_FULL, p.engine.meAttachAny(p.space, p.ni, p.ni, ptOut, ProcessId.ANY, 0, 0, PTL_UNLINK,
                p.alloc(MeRec.SIZE), p.outPtr()));
    }

    @Test
    void storageThatHoldsALiveRecordOrTheBlockIsRefused() {
        Proc p = node.process(1, 1, 1, 1).init();
        int md = p.mdBind(md(p.alloc(8), 8, 1, 0, PTL_EQ_NONE), PTL_RETAIN);
        assertEquals(PTL_ME_IN_USE, p.engine.meAttach(p.space, p.ni, p.ni, 0, ProcessId.ANY, 0, 0, PTL_UNLINK,
                PTL_INS_AFTER, md, p.outPtr()));
        assertEquals(PTL_MD_IN_USE, p.engine.mdBind(p.space, p.ni, p.ni, md(p.alloc(8), 8, 1, 0, PTL_EQ_NONE),
                PTL_RETAIN, p.ni + 64, p.outPtr()));
        assertEquals(UK_PTL_MAGIC_MD, p.space.load32(md), "untouched");
    }

    @Test
    void eqFreeKillsTheQueueAndItsDescriptorsLogNoMore() {
        Proc[] pair = Node.pair();
        Proc a = pair[0];
        Proc b = pair[1];
        int eq = b.eqAlloc(8);
        Proc.Recv r = b.recv(0, 1, 16, PTL_MD_THRESH_INF, PTL_MD_OP_PUT, eq);
        assertEquals(PTL_OK, b.engine.eqFree(b.space, b.ni, eq));
        assertEquals(PTL_EQ_INVALID, b.engine.eqFree(b.space, b.ni, eq));
        assertEquals(PTL_EQ_INVALID, b.eqGet(eq).status());
        Outcome got = b.receive(a.put(a.source(Proc.bytes(16, 3), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), 0, 1));
        assertNull(got.drop());
        assertEquals(List.of(), got.eventQueues());
        assertEquals(Proc.bytes(16, 3)[5], b.read(r.buffer(), 16)[5]);
        assertEquals(0, b.count(Ni.EQ_COUNT));
        assertEquals(r.md(), b.space.load32(MeRec.MD.at(r.me())));
        assertEquals(UK_PTL_MAGIC_MD, b.space.load32(MdRec.MAGIC.at(r.md())));
    }
}
