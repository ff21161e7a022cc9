package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Proc.md;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Matching (spec 3.9, figure 2.5): list order, source wildcards, match and ignore bits, descriptors that decline. */
class MatchingTest {
    private final Proc[] pair = Node.pair();
    private final Proc a = pair[0]; // (1, 10)
    private final Proc b = pair[1]; // (2, 20)

    /** Puts 8 bytes of {@code seed} from a to b's portal {@code pt} with {@code bits}. */
    private Outcome put(int pt, long bits, int seed) {
        return b.receive(a.put(a.source(bytes(8, seed), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), pt, bits));
    }

    /** A receive buffer on portal 3 behind a match entry made by {@code attach}. */
    private int buffer(int me) {
        int buffer = b.alloc(8);
        b.mdAttach(me, md(buffer, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_UNLINK);
        return buffer;
    }

    private byte[] at(int buffer) {
        return b.read(buffer, 8);
    }

    @Test
    void theFirstMatchingEntryInListOrderTakesEachMessage() {
        int first = buffer(b.meAttach(3, 0x42));
        int second = buffer(b.meAttach(3, 0x42));
        int third = buffer(b.meAttach(3, 0x42));
        assertNull(put(3, 0x42, 1).drop());
        assertNull(put(3, 0x42, 2).drop());
        assertNull(put(3, 0x42, 3).drop());
        assertArrayEquals(bytes(8, 1), at(first));
        assertArrayEquals(bytes(8, 2), at(second));
        assertArrayEquals(bytes(8, 3), at(third));
        assertEquals(Drop.NO_MATCH, put(3, 0x42, 4).drop(), "every entry was used once and unlinked");
    }

    @Test
    void anEntryInsertedBeforeTheOthersMatchesFirst() {
        int later = buffer(b.meAttach(3, 0x42));
        int before = buffer(b.meAttach(3, ProcessId.ANY, 0x42, 0, PTL_UNLINK, PTL_INS_BEFORE));
        put(3, 0x42, 1);
        assertArrayEquals(bytes(8, 1), at(before));
        assertArrayEquals(new byte[8], at(later));
    }

    @Test
    void theSourceMatchesWithNidAndPidWildcards() {
        int wrongNid = buffer(b.meAttach(3, new ProcessId(9, PTL_PID_ANY), 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        int wrongPid = buffer(b.meAttach(3, new ProcessId(1, 11), 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        int anyPid = buffer(b.meAttach(3, new ProcessId(1, PTL_PID_ANY), 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        int anyNid = buffer(b.meAttach(3, new ProcessId(PTL_NID_ANY, 10), 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        int exact = buffer(b.meAttach(3, new ProcessId(1, 10), 0, 0, PTL_UNLINK, PTL_INS_AFTER));
        put(3, 0, 1);
        put(3, 0, 2);
        put(3, 0, 3);
        assertArrayEquals(bytes(8, 1), at(anyPid));
        assertArrayEquals(bytes(8, 2), at(anyNid));
        assertArrayEquals(bytes(8, 3), at(exact));
        assertArrayEquals(new byte[8], at(wrongNid));
        assertArrayEquals(new byte[8], at(wrongPid));
        assertEquals(Drop.NO_MATCH, put(3, 0, 4).drop());
    }

    @Test
    void ignoreBitsAreLeftOutOfTheComparisonOfAll64Bits() {
        long high = 0x8000_0000_0000_AB00L;
        int entry = buffer(b.meAttach(3, ProcessId.ANY, high, 0xFF, PTL_UNLINK, PTL_INS_AFTER));
        assertEquals(Drop.NO_MATCH, put(3, 0xAB42, 1).drop(), "bit 63 differs");
        assertEquals(Drop.NO_MATCH, put(3, 0x8000_0000_0000_AC42L, 1).drop(), "bit 8 differs and is not ignored");
        assertNull(put(3, 0x8000_0000_0000_AB42L, 2).drop());
        assertArrayEquals(bytes(8, 2), at(entry));
        assertEquals(2, b.status(PTL_SR_DROP_COUNT));
        assertEquals(16, b.status(PTL_SR_DROP_LENGTH));
    }

    @Test
    void aDescriptorThatDeclinesLetsMatchingGoOnToTheNextEntry() {
        int getOnly = b.alloc(8);
        b.mdAttach(b.meAttach(3, 7), md(getOnly, 8, 1, PTL_MD_OP_GET, PTL_EQ_NONE), PTL_UNLINK);
        int tooSmall = b.alloc(4);
        b.mdAttach(b.meAttach(3, 7), md(tooSmall, 4, 1, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_UNLINK);
        int exhausted = b.alloc(8);
        b.mdAttach(b.meAttach(3, 7), md(exhausted, 8, 0, PTL_MD_OP_PUT, PTL_EQ_NONE), PTL_RETAIN);
        b.meAttach(3, 7); // no descriptor at all
        int taker = buffer(b.meAttach(3, 7));
        assertNull(put(3, 7, 5).drop());
        assertArrayEquals(bytes(8, 5), at(taker));
        assertArrayEquals(new byte[8], at(getOnly));
        assertArrayEquals(new byte[4], b.read(tooSmall, 4));
        assertArrayEquals(new byte[8], at(exhausted));
        assertEquals(4, EngineCallsTest.list(b, 3).size(), "the declining entries stay");
    }

    @Test
    void portalsAreSeparateLists() {
        int three = buffer(b.meAttach(3, 1));
        int four = buffer(b.meAttach(4, 1));
        put(4, 1, 9);
        assertArrayEquals(new byte[8], at(three));
        assertArrayEquals(bytes(8, 9), at(four));
        assertEquals(List.of(), EngineCallsTest.list(b, 4));
    }
}
