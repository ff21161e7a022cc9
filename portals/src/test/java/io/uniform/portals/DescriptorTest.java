package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Proc.md;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MdT;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a memory descriptor accepts (spec 3.10): offsets, truncation, max size, thresholds and unlinking. */
class DescriptorTest {
    private final Proc[] pair = Node.pair();
    private final Proc a = pair[0];
    private final Proc b = pair[1];

    private Outcome put(byte[] data, long remoteOffset) {
        int md = a.source(data, 1, PTL_EQ_NONE);
        return b.receive(a.engine.put(a.space, a.ni, a.self, md, PTL_NO_ACK_REQ, b.id(), 3, 0, 0x5, remoteOffset, 0));
    }

    /** A buffer of {@code length} bytes with a guard of 8 bytes after it, behind an entry on portal 3. */
    private int[] receiver(int length, int threshold, int options, long maxSize, int unlinkOp, int meUnlink, int eq) {
        int me = b.meAttach(3, ProcessId.ANY, 0x5, 0, meUnlink, PTL_INS_AFTER);
        int buffer = b.alloc(length + 8);
        int md = b.mdAttach(me, new MemoryDescriptor(buffer, length, threshold, maxSize, PTL_MD_OP_PUT | options, 0, eq),
                unlinkOp);
        return new int[] {me, md, buffer};
    }

    @Test
    void truncationDepositsWhatFitsAndReportsBothLengths() {
        int eq = b.eqAlloc(8);
        int buffer = receiver(8, 1, PTL_MD_TRUNCATE, 0, PTL_UNLINK, PTL_UNLINK, eq)[2];
        assertNull(put(bytes(16, 1), 0).drop());
        assertArrayEquals(Arrays.copyOf(bytes(16, 1), 8), b.read(buffer, 8));
        assertArrayEquals(new byte[8], b.read(buffer + 8, 8), "nothing past the descriptor");
        Event end = b.events(eq).get(1);
        assertEquals(16, end.rlength());
        assertEquals(8, end.mlength());
    }

    @Test
    void withoutTruncationAMessageTooLongIsNotAccepted() {
        int buffer = receiver(8, 1, 0, 0, PTL_UNLINK, PTL_UNLINK, PTL_EQ_NONE)[2];
        assertEquals(Drop.NO_MATCH, put(bytes(9, 1), 0).drop());
        assertArrayEquals(new byte[16], b.read(buffer, 16));
    }

    @Test
    void aLocallyManagedOffsetAdvancesByEachMessage() {
        int[] r = receiver(32, PTL_MD_THRESH_INF, 0, 0, PTL_UNLINK, PTL_UNLINK, PTL_EQ_NONE);
        put(bytes(10, 1), 99); // the remote offset is ignored
        put(bytes(10, 2), 0);
        put(bytes(10, 3), 0);
        assertEquals(30, Words.load64(b.space, MdRec.LOCAL_OFFSET.at(r[1])));
        assertEquals(Drop.NO_MATCH, put(bytes(10, 4), 0).drop(), "2 bytes left");
        byte[] expected = new byte[40];
        System.arraycopy(bytes(10, 1), 0, expected, 0, 10);
        System.arraycopy(bytes(10, 2), 0, expected, 10, 10);
        System.arraycopy(bytes(10, 3), 0, expected, 20, 10);
        assertArrayEquals(expected, b.read(r[2], 40));
    }

    @Test
    void aLocallyManagedOffsetWithTruncationFillsTheRest() {
        int[] r = receiver(12, PTL_MD_THRESH_INF, PTL_MD_TRUNCATE, 0, PTL_UNLINK, PTL_UNLINK, PTL_EQ_NONE);
        put(bytes(10, 1), 0);
        put(bytes(10, 2), 0);
        assertArrayEquals(Arrays.copyOf(bytes(10, 2), 2), b.read(r[2] + 10, 2));
        assertEquals(12, Words.load64(b.space, MdRec.LOCAL_OFFSET.at(r[1])));
        assertNull(put(bytes(10, 3), 0).drop(), "a zero-length deposit is still accepted at the end");
    }

    @Test
    void aRemotelyManagedOffsetIsTheSendersEachTime() {
        int eq = b.eqAlloc(16);
        int[] r = receiver(32, PTL_MD_THRESH_INF, PTL_MD_MANAGE_REMOTE, 0, PTL_UNLINK, PTL_UNLINK, eq);
        put(bytes(4, 1), 12);
        put(bytes(4, 2), 0);
        put(bytes(4, 3), 12);
        assertEquals(Drop.NO_MATCH, put(bytes(4, 4), 30).drop(), "30 + 4 > 32");
        assertEquals(Drop.NO_MATCH, put(bytes(4, 4), 33).drop(), "beyond the end");
        assertArrayEquals(bytes(4, 2), b.read(r[2], 4));
        assertArrayEquals(bytes(4, 3), b.read(r[2] + 12, 4));
        assertEquals(0, Words.load64(b.space, MdRec.LOCAL_OFFSET.at(r[1])));
        assertEquals(List.of(12L, 0L, 12L), b.events(eq).stream().filter(e -> e.type() == PTL_EVENT_PUT_END)
                .map(Event::offset).toList());
    }

    @Test
    void maxSizeMakesTheDescriptorInactiveWhenLessThanItIsLeft() {
        int eq = b.eqAlloc(16);
        int[] r = receiver(100, PTL_MD_THRESH_INF, PTL_MD_MAX_SIZE, 30, PTL_UNLINK, PTL_UNLINK, eq);
        put(bytes(30, 1), 0);
        put(bytes(30, 2), 0);
        assertEquals(List.of("PUT_START", "PUT_END", "PUT_START", "PUT_END"), b.eventTypes(eq));
        put(bytes(30, 3), 0); // 10 left < 30: inactive, and unlinked
        assertEquals(List.of("PUT_START", "PUT_END", "UNLINK"), b.eventTypes(eq));
        assertEquals(Drop.NO_MATCH, put(bytes(5, 4), 0).drop());
        assertEquals(List.of(), EngineCallsTest.list(b, 3));
        assertEquals(PTL_MD_INVALID, b.engine.mdUnlink(b.space, b.ni, r[1]));
    }

    @Test
    void maxSizeRetainedLeavesAnInactiveDescriptorInPlace() {
        int[] r = receiver(100, PTL_MD_THRESH_INF, PTL_MD_MAX_SIZE, 60, PTL_RETAIN, PTL_UNLINK, PTL_EQ_NONE);
        put(bytes(50, 1), 0);
        assertEquals(Drop.NO_MATCH, put(bytes(5, 2), 0).drop(), "50 left < 60");
        assertEquals(List.of(r[0]), EngineCallsTest.list(b, 3));
    }

    @Test
    void exhaustingTheThresholdUnlinksTheDescriptorAndItsEntryWithAnUnlinkEvent() {
        int eq = b.eqAlloc(16);
        int[] r = receiver(64, 2, 0, 0, PTL_UNLINK, PTL_UNLINK, eq);
        put(bytes(8, 1), 0);
        assertEquals(1, b.space.load32(MdRec.md(r[1], MdT.THRESHOLD)));
        put(bytes(8, 2), 0);
        List<Event> events = b.events(eq);
        assertEquals(List.of("PUT_START", "PUT_END", "PUT_START", "PUT_END", "UNLINK"),
                events.stream().map(e -> Proc.eventName(e.type())).toList());
        Event unlink = events.get(4);
        assertEquals(r[1], unlink.mdHandle());
        assertEquals(0, unlink.md().threshold());
        assertEquals(events.get(2).sequence(), unlink.link());
        assertEquals(Drop.NO_MATCH, put(bytes(8, 3), 0).drop());
        assertEquals(List.of(), EngineCallsTest.list(b, 3));
        assertEquals(0, b.count(Ni.ME_COUNT));
        assertEquals(0, b.count(Ni.MD_COUNT));
        assertEquals(PTL_ME_INVALID, b.engine.meUnlink(b.space, b.ni, r[0]));
    }

    @Test
    void aRetainedDescriptorStaysInactiveWithoutAnUnlinkEvent() {
        int eq = b.eqAlloc(16);
        int[] r = receiver(64, 1, 0, 0, PTL_RETAIN, PTL_UNLINK, eq);
        put(bytes(8, 1), 0);
        assertEquals(List.of("PUT_START", "PUT_END"), b.eventTypes(eq));
        assertEquals(Drop.NO_MATCH, put(bytes(8, 2), 0).drop());
        assertEquals(List.of(r[0]), EngineCallsTest.list(b, 3));
        assertEquals(PTL_OK, b.engine.mdUnlink(b.space, b.ni, r[1]));
        assertEquals(List.of(), EngineCallsTest.list(b, 3), "the entry goes with its descriptor");
    }

    @Test
    void aRetainedEntryOutlivesItsDescriptorAndTakesANewOne() {
        int[] r = receiver(8, 1, 0, 0, PTL_UNLINK, PTL_RETAIN, PTL_EQ_NONE);
        put(bytes(8, 1), 0);
        assertEquals(List.of(r[0]), EngineCallsTest.list(b, 3));
        assertEquals(0, b.space.load32(MeRec.MD.at(r[0])));
        assertEquals(Drop.NO_MATCH, put(bytes(8, 2), 0).drop());
        int again = b.alloc(8);
        b.mdAttach(r[0], md(again, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_UNLINK);
        assertNull(put(bytes(8, 3), 0).drop());
        assertArrayEquals(bytes(8, 3), b.read(again, 8));
    }

    @Test
    void anInfiniteThresholdNeverRunsOut() {
        int[] r = receiver(8, PTL_MD_THRESH_INF, PTL_MD_MANAGE_REMOTE, 0, PTL_UNLINK, PTL_UNLINK, PTL_EQ_NONE);
        for (int i = 0; i < 200; i++) {
            assertNull(put(bytes(8, i), 0).drop());
        }
        assertEquals(PTL_MD_THRESH_INF, b.space.load32(MdRec.md(r[1], MdT.THRESHOLD)));
        assertArrayEquals(bytes(8, 199), b.read(r[2], 8));
    }

    @Test
    void aNegativeThresholdIsAnInactiveDescriptor() {
        int[] r = receiver(8, -5, 0, 0, PTL_UNLINK, PTL_UNLINK, PTL_EQ_NONE);
        assertEquals(0, b.space.load32(MdRec.md(r[1], MdT.THRESHOLD)));
        assertEquals(Drop.NO_MATCH, put(bytes(8, 1), 0).drop());
    }
}
