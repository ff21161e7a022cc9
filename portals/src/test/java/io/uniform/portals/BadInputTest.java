package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Proc.md;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MdT;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import io.uniform.portals.Layout.PtEntry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input never makes the engine throw, hang or touch another process: a bad call is a
 * Portals return code, a message the receiver's broken structures cannot take is a counted drop
 * with nothing written but the counters. Every test ends by checking that the bystander's memory
 * is as it was.
 */
class BadInputTest {
    private static final int OUTSIDE = 0x7000_0000;
    private static final int TEXT = Proc.BASE + 0x100; // in the read-only first page

    private final Node node = new Node(new PortalsEngine(new PortalsEngine.Config(8, 16, 4, 64)));
    private final Proc a = node.process(1, 10, 100, 7).init();
    private final Proc b = node.process(2, 20, 100, 7).init();
    private final Proc bystander = node.process(3, 30, 100, 7).init();
    private final byte[] bystanderBefore = bystander.image();

    @AfterEach
    void theBystanderIsUntouched() {
        assertArrayEquals(bystanderBefore, bystander.image());
    }

    private Outcome put(int pt, long bits) {
        return b.receive(a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), pt, bits));
    }

    /** Delivers a put that b's broken structures must drop as CORRUPT, and checks that nothing but the counters changed. */
    private void assertDroppedAsCorrupt(int pt, long bits) {
        long drops = b.status(PTL_SR_DROP_COUNT);
        long corrupt = b.status(UK_PTL_SR_CORRUPT_COUNT);
        Outcome sent = a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), pt, bits);
        byte[] before = b.image();
        Outcome got = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> b.receive(sent));
        byte[] after = b.image();
        assertEquals(Drop.CORRUPT, got.drop());
        assertEquals(List.of(), got.send());
        assertEquals(drops + 1, b.status(PTL_SR_DROP_COUNT));
        assertEquals(corrupt + 1, b.status(UK_PTL_SR_CORRUPT_COUNT));
        int status = Ni.STATUS.at(b.ni) - Proc.BASE;
        for (int i = 0; i < before.length; i++) {
            if (i < status || i >= status + Ni.STATUS.size()) {
                assertEquals(before[i], after[i], "byte at 0x" + Integer.toHexString(Proc.BASE + i) + " changed");
            }
        }
    }

    // ---- messages nobody can take ------------------------------------------------------------

    @Test
    void aPutToAnUnattachedPortalIsDroppedAndCounted() {
        assertEquals(Drop.NO_MATCH, put(9, 1).drop());
        assertEquals(1, b.status(PTL_SR_DROP_COUNT));
        assertEquals(PTL_PT_INDEX_INVALID, a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(),
                UK_PTL_PT_ENTRIES, 1).status());
        PutRequest forged = new PutRequest(a.id(), 100, 7, b.id(), 99, 0, 1, 0, 0, false, 0, Payload.copyOf(bytes(8, 1)));
        assertEquals(Drop.PT_INDEX_INVALID, b.engine.deliver(b.space, b.ni, forged).drop());
        assertEquals(2, b.status(PTL_SR_DROP_COUNT));
    }

    @Test
    void aPutToAProcessWithoutAnInterfaceOrToAnotherIdIsDropped() {
        Outcome sent = a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), 0, 1);
        Proc fresh = node.process(2, 20, 100, 7);
        byte[] before = fresh.image();
        assertEquals(Drop.NO_INTERFACE, fresh.engine.receive(fresh.space, 0, sent.send().get(0)).drop());
        assertEquals(Drop.NO_INTERFACE, fresh.engine.receive(fresh.space, Proc.BASE + 0x2000, sent.send().get(0)).drop());
        assertArrayEquals(before, fresh.image());
        Outcome misrouted = a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, new ProcessId(2, 21), 0, 1);
        assertEquals(Drop.WRONG_TARGET, b.receive(misrouted).drop());
        assertEquals(PTL_PROCESS_INVALID, a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ,
                new ProcessId(2, PTL_PID_ANY), 0, 1).status());
        assertEquals(PTL_OK, b.engine.niFini(b.space, b.ni, b.ni));
        assertEquals(Drop.NO_INTERFACE, b.receive(sent).drop(), "a finished interface");
    }

    // ---- malformed memory descriptors ----------------------------------------------------------

    @Test
    void aMalformedDescriptorIsIllegal() {
        int me = b.meAttach(0, 1);
        int buffer = b.alloc(64);
        int top = Proc.BASE + Proc.SIZE;
        for (MemoryDescriptor bad : List.of(
                md(OUTSIDE, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE),
                md(top - 8, 16, 1, PTL_MD_OP_PUT, PTL_EQ_NONE),
                md(buffer, 1L << 32, 1, PTL_MD_OP_PUT, PTL_EQ_NONE),
                md(buffer, -1L, 1, PTL_MD_OP_PUT, PTL_EQ_NONE),
                md(0xFFFF_FFF0, 32, 1, PTL_MD_OP_PUT, PTL_EQ_NONE),
                md(buffer, 8, 1, PTL_MD_OP_PUT | PTL_MD_IOVEC, PTL_EQ_NONE),
                md(TEXT, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE))) {
            assertEquals(PTL_MD_ILLEGAL, b.tryMdAttach(me, bad, PTL_UNLINK), bad.toString());
        }
        assertEquals(PTL_MD_ILLEGAL, b.tryMdBind(md(OUTSIDE, 8, 1, 0, PTL_EQ_NONE), PTL_UNLINK));
        assertEquals(PTL_MD_ILLEGAL, b.tryMdBind(md(buffer, 1L << 40, 1, 0, PTL_EQ_NONE), PTL_UNLINK));
        assertEquals(PTL_OK, b.tryMdBind(md(TEXT, 8, 1, 0, PTL_EQ_NONE), PTL_UNLINK), "text may be sent from");
        assertEquals(PTL_OK, b.tryMdAttach(me, md(TEXT, 8, 1, PTL_MD_OP_GET, PTL_EQ_NONE), PTL_UNLINK),
                "or read by a get");
        assertEquals(0, b.space.load32(MeRec.MD.at(b.meAttach(0, 2))));
    }

    @Test
    void aDescriptorTheProcessMovesOutOfItsMemoryAfterwardsDropsTheMessage() {
        Proc.Recv r = b.recv(0, 1, 8, 2, PTL_MD_OP_PUT, PTL_EQ_NONE);
        b.space.store32(MdRec.md(r.md(), MdT.START), OUTSIDE);
        assertDroppedAsCorrupt(0, 1);
        b.space.store32(MdRec.md(r.md(), MdT.START), TEXT);
        assertDroppedAsCorrupt(0, 1);
        b.space.store32(MdRec.md(r.md(), MdT.START), r.buffer());
        b.space.store32(MdRec.md(r.md(), MdT.OPTIONS), PTL_MD_OP_PUT | PTL_MD_IOVEC);
        assertDroppedAsCorrupt(0, 1);
    }

    @Test
    void aSenderWhoseDescriptorLeftItsMemoryGetsMdIllegal() {
        int md = a.source(bytes(8, 1), 2, PTL_EQ_NONE);
        a.space.store32(MdRec.md(md, MdT.START), OUTSIDE);
        assertEquals(PTL_MD_ILLEGAL, a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1).status());
        a.space.store32(MdRec.md(md, MdT.START), 0xFFFF_FFFC);
        assertEquals(PTL_MD_ILLEGAL, a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1).status());
        assertEquals(2, a.space.load32(MdRec.md(md, MdT.THRESHOLD)), "nothing consumed");
    }

    // ---- event queues where they cannot be written ---------------------------------------------

    @Test
    void anEventQueueInTheReadOnlyTextIsRefused() {
        assertEquals(PTL_SEGV, b.engine.eqAlloc(b.space, b.ni, b.ni, 4, 0, Proc.BASE + 0x800, b.outPtr()));
        int forged = Proc.BASE + 0x800; // an EQ record forged in the text, through a writable view
        b.flat.store32(EqRec.MAGIC.at(forged), UK_PTL_MAGIC_EQ);
        b.flat.store32(EqRec.NI.at(forged), b.ni);
        b.flat.store32(EqRec.NI_EPOCH.at(forged), 1);
        b.flat.store32(EqRec.COUNT.at(forged), 4);
        int me = b.meAttach(0, 1);
        assertEquals(PTL_EQ_INVALID, b.tryMdAttach(me, md(b.alloc(8), 8, 1, PTL_MD_OP_PUT, forged), PTL_UNLINK));
        assertEquals(PTL_EQ_INVALID, b.tryMdAttach(me, md(b.alloc(8), 8, 1, PTL_MD_OP_PUT, me), PTL_UNLINK),
                "an entry is not a queue");
        int md = b.mdAttach(me, md(b.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_UNLINK);
        b.space.store32(MdRec.md(md, MdT.EQ_HANDLE), forged); // the process points it there afterwards
        assertDroppedAsCorrupt(0, 1);
        int sender = a.source(bytes(8, 1), 1, PTL_EQ_NONE);
        a.space.store32(MdRec.md(sender, MdT.EQ_HANDLE), TEXT);
        assertEquals(PTL_EQ_INVALID, a.put(sender, PTL_NO_ACK_REQ, b.id(), 0, 1).status());
        assertEquals(1, a.space.load32(MdRec.md(sender, MdT.THRESHOLD)), "nothing consumed, nothing sent");
    }

    @Test
    void aBrokenEventQueueHeaderDropsTheMessageAndFailsTheGet() {
        int eq = b.eqAlloc(4);
        b.recv(0, 1, 8, 4, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE, eq);
        for (int[] broken : new int[][] {{EqRec.COUNT.offset(), 0}, {EqRec.COUNT.offset(), 1 << 20},
                {EqRec.WRITE_SLOT.offset(), 4}}) {
            int saved = b.space.load32(eq + broken[0]);
            b.space.store32(eq + broken[0], broken[1]);
            assertDroppedAsCorrupt(0, 1);
            assertEquals(PTL_EQ_INVALID, b.eqGet(eq).status());
            b.space.store32(eq + broken[0], saved);
        }
        assertEquals(PTL_EQ_EMPTY, b.eqGet(eq).status());
        assertEquals(PTL_OK, put(0, 1).status());
        assertEquals(2, b.events(eq).size());
    }

    // ---- forged handles --------------------------------------------------------------------------

    @Test
    void aForgedHandleIsRefusedByEveryCall() {
        int me = b.meAttach(0, 1);
        int md = b.mdAttach(me, md(b.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN);
        int eq = b.eqAlloc(4);
        int gone = b.mdBind(md(b.alloc(8), 8, 1, 0, PTL_EQ_NONE), PTL_RETAIN);
        assertEquals(PTL_OK, b.engine.mdUnlink(b.space, b.ni, gone));
        int garbage = b.buffer(bytes(MdRec.SIZE, 5));
        int otherInterface = b.alloc(MdRec.SIZE);
        b.space.write(otherInterface, b.read(md, MdRec.SIZE), 0, MdRec.SIZE);
        b.space.store32(MdRec.NI.at(otherInterface), b.ni + 8);
        for (int forged : new int[] {0, PTL_INVALID_HANDLE, md + 4, OUTSIDE, me, eq, gone, garbage, otherInterface,
                b.ni, TEXT}) {
            String what = "handle 0x" + Integer.toHexString(forged);
            assertEquals(PTL_MD_INVALID, b.engine.mdUnlink(b.space, b.ni, forged), what);
            assertEquals(PTL_MD_INVALID, b.put(forged, PTL_NO_ACK_REQ, a.id(), 0, 1).status(), what);
            assertEquals(PTL_MD_INVALID, b.get(forged, a.id(), 0, 1, 0).status(), what);
            if (forged != me) {
                assertEquals(PTL_ME_INVALID, b.engine.meUnlink(b.space, b.ni, forged), what);
                assertEquals(PTL_ME_INVALID, b.tryMdAttach(forged, md(b.alloc(8), 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE),
                        PTL_UNLINK), what);
            }
            if (forged != eq) {
                assertEquals(PTL_EQ_INVALID, b.engine.eqFree(b.space, b.ni, forged), what);
                assertEquals(PTL_EQ_INVALID, b.eqGet(forged).status(), what);
            }
        }
        assertEquals(1, b.count(Ni.ME_COUNT));
        assertEquals(1, b.count(Ni.MD_COUNT));
        assertEquals(1, b.count(Ni.EQ_COUNT));
    }

    @Test
    void repliesAndAcknowledgmentsNamingNoDescriptorAreDropped() {
        Reply reply = new Reply(b.id(), 100, 7, a.id(), 0, 1, Proc.BASE + 0x3000, 0, 8, Payload.copyOf(bytes(8, 1)));
        byte[] before = a.image();
        assertEquals(Drop.MD_INVALID, a.engine.receive(a.space, a.ni, reply).drop());
        Ack ack = new Ack(b.id(), 100, 7, a.id(), 0, 1, OUTSIDE, 8, 8, 0);
        assertEquals(Drop.MD_INVALID, a.engine.receive(a.space, a.ni, ack).drop());
        int md = a.mdBind(md(a.alloc(8), 8, 1, 0, PTL_EQ_NONE), PTL_RETAIN);
        Reply farOff = new Reply(b.id(), 100, 7, a.id(), 0, 1, md, 9, 8, Payload.copyOf(bytes(8, 1)));
        assertEquals(Drop.REPLY_TOO_LONG, a.engine.receive(a.space, a.ni, farOff).drop());
        Reply misrouted = new Reply(b.id(), 100, 7, b.id(), 0, 1, md, 0, 8, Payload.copyOf(bytes(8, 1)));
        assertEquals(Drop.WRONG_TARGET, a.engine.receive(a.space, a.ni, misrouted).drop());
        assertEquals(4, a.status(PTL_SR_DROP_COUNT));
        assertEquals(1, a.space.load32(MdRec.md(md, MdT.THRESHOLD)));
        assertEquals(before.length, a.image().length);
    }

    // ---- broken match lists ----------------------------------------------------------------------

    @Test
    void aMatchListThatLoopsIsDroppedAsCorruptWithoutHanging() {
        int first = b.meAttach(0, 99);
        int second = b.meAttach(0, 99);
        b.space.store32(MeRec.NEXT.at(second), second); // a loop onto itself
        assertDroppedAsCorrupt(0, 1);
        b.space.store32(MeRec.NEXT.at(second), first); // a loop back to the head
        assertDroppedAsCorrupt(0, 1);
        b.space.store32(MeRec.PREV.at(first), second); // the loop made consistent both ways
        assertDroppedAsCorrupt(0, 1);
        assertEquals(PTL_FAIL, b.tryMeAttach(0, ProcessId.ANY, 1, 0, PTL_UNLINK, PTL_INS_BEFORE),
                "linking into a broken list fails");
        // Unlinking checks only the entry's neighbors, which agree here: the list stays a loop.
        assertEquals(PTL_OK, b.engine.meUnlink(b.space, b.ni, second));
        assertDroppedAsCorrupt(0, 1);
    }

    @Test
    void aMatchListLongerThanTheInterfaceMayHoldIsABrokenOne() {
        int last = 0;
        for (int i = 0; i < 8; i++) {
            last = b.meAttach(0, 99); // the engine allows 8 entries
        }
        int extra = b.alloc(MeRec.SIZE); // a 9th, forged by copying a real one
        b.space.write(extra, b.read(last, MeRec.SIZE), 0, MeRec.SIZE);
        b.space.store32(MeRec.PREV.at(extra), last);
        b.space.store32(MeRec.NEXT.at(last), extra);
        b.space.store32(PtEntry.TAIL.at(Ni.ptEntry(b.ni, 0)), extra);
        assertDroppedAsCorrupt(0, 1);
    }

    @Test
    void aMatchListLinkToSomethingElseIsDroppedAsCorrupt() {
        int me = b.meAttach(0, 99);
        int other = b.meAttach(1, 99);
        int[] bad = {OUTSIDE, TEXT, me + 4, b.buffer(bytes(MeRec.SIZE, 3)), other, b.eqAlloc(2)};
        for (int link : bad) {
            b.space.store32(MeRec.NEXT.at(me), link);
            assertDroppedAsCorrupt(0, 1);
        }
        b.space.store32(MeRec.NEXT.at(me), 0);
        b.space.store32(PtEntry.HEAD.at(Ni.ptEntry(b.ni, 0)), OUTSIDE);
        assertDroppedAsCorrupt(0, 1);
    }

    @Test
    void anEntryNamingAnythingButItsOwnDescriptorIsDroppedAsCorrupt() {
        Proc.Recv one = b.recv(0, 1, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE);
        Proc.Recv two = b.recv(1, 1, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE);
        b.space.store32(MeRec.MD.at(one.me()), two.md()); // another entry's descriptor
        assertDroppedAsCorrupt(0, 1);
        b.space.store32(MeRec.MD.at(one.me()), OUTSIDE);
        assertDroppedAsCorrupt(0, 1);
        b.space.store32(MeRec.MD.at(one.me()), one.md());
        assertEquals(PTL_OK, put(0, 1).status());
        assertArrayEquals(bytes(8, 1), b.read(one.buffer(), 8));
    }

    // ---- bad pointers and a broken interface block -----------------------------------------------

    @Test
    void aBadPointerArgumentIsSegv() {
        for (int pointer : new int[] {0, OUTSIDE, TEXT, 0xFFFF_FFFE}) {
            String what = "pointer 0x" + Integer.toHexString(pointer);
            assertEquals(PTL_SEGV, b.engine.getId(b.space, b.ni, b.ni, pointer), what);
            assertEquals(PTL_SEGV, b.engine.niStatus(b.space, b.ni, b.ni, 0, pointer), what);
            assertEquals(PTL_SEGV, b.engine.meAttach(b.space, b.ni, b.ni, 0, ProcessId.ANY, 0, 0, PTL_UNLINK,
                    PTL_INS_AFTER, b.alloc(MeRec.SIZE), pointer), what);
            assertEquals(PTL_SEGV, b.engine.meAttach(b.space, b.ni, b.ni, 0, ProcessId.ANY, 0, 0, PTL_UNLINK,
                    PTL_INS_AFTER, pointer, b.outPtr()), what + " as storage");
            assertEquals(PTL_SEGV, b.engine.mdBind(b.space, b.ni, b.ni, md(b.alloc(8), 8, 1, 0, PTL_EQ_NONE),
                    PTL_UNLINK, pointer, b.outPtr()), what + " as storage");
            assertEquals(PTL_SEGV, b.engine.eqAlloc(b.space, b.ni, b.ni, 2, 0, b.alloc(EqRec.SIZE + 2 * EventT.SIZE),
                    pointer), what);
        }
        int eq = b.eqAlloc(4);
        b.recv(0, 1, 8, 1, PTL_MD_OP_PUT, eq);
        put(0, 1);
        assertEquals(PTL_SEGV, b.engine.eqGet(b.space, b.ni, eq, TEXT));
        assertEquals(3, b.events(eq).size(), "the failed get took nothing");
        assertEquals(0, b.count(Ni.ME_COUNT));
        assertEquals(0, b.count(Ni.MD_COUNT));
        assertEquals(1, b.count(Ni.EQ_COUNT));
    }

    @Test
    void aBrokenInterfaceBlockMakesCallsInvalidAndDeliveriesDrop() {
        Outcome sent = a.put(a.source(bytes(8, 1), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), 0, 1);
        b.recv(0, 1, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE);
        b.space.store32(Ni.MAGIC.at(b.ni), 0x12345678);
        byte[] before = b.image();
        assertEquals(Drop.NO_INTERFACE, b.receive(sent).drop());
        assertEquals(PTL_NI_INVALID, b.tryMeAttach(0, ProcessId.ANY, 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        assertEquals(PTL_NI_INVALID, b.engine.getId(b.space, b.ni, b.ni, b.outPtr()));
        assertArrayEquals(before, b.image(), "nothing written, not even a counter");
        b.space.store32(Ni.MAGIC.at(b.ni), UK_PTL_MAGIC_NI);
        b.space.store32(Ni.VERSION.at(b.ni), 2);
        assertEquals(Drop.NO_INTERFACE, b.receive(sent).drop());
    }
}
