package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A handoff's bytes cut into bounded parts and put together again; copies and parts after a gap are ignored, parts of another count or too large refused. */
class HandoffPartsTest {
    private static final int PART = 1_000;

    private static byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    /** Feeds every part of {@code cut} in order; the whole comes back at the last one only. */
    private static byte[] assemble(List<byte[]> cut) {
        HandoffParts parts = new HandoffParts(cut.size(), PART);
        for (int i = 0; i < cut.size() - 1; i++) {
            assertNull(parts.add(i, cut.size(), cut.get(i)), "whole before its last part");
        }
        return parts.add(cut.size() - 1, cut.size(), cut.get(cut.size() - 1));
    }

    @Test
    void bytesCutIntoBoundedPartsComeBackWhole() {
        for (int length : new int[] {0, 1, PART - 1, PART, PART + 1, 10 * PART + 7}) {
            byte[] original = bytes(length);
            List<byte[]> cut = HandoffParts.cut(original, PART);
            assertEquals(Math.max(1, (length + PART - 1) / PART), cut.size(), "parts of " + length + " bytes");
            assertTrue(cut.stream().allMatch(part -> part.length <= PART));
            assertArrayEquals(original, assemble(cut));
        }
    }

    @Test
    void aPartClaimingAnotherCountOrTooLargeIsRefused() {
        List<byte[]> cut = HandoffParts.cut(bytes(3 * PART), PART);
        HandoffParts recounted = new HandoffParts(3, PART);
        assertThrows(IllegalArgumentException.class, () -> recounted.add(0, 4, cut.get(0)));
        HandoffParts bounded = new HandoffParts(3, PART);
        assertThrows(IllegalArgumentException.class, () -> bounded.add(0, 3, new byte[PART + 1]));
        assertThrows(IllegalArgumentException.class, () -> new HandoffParts(0, PART));
    }

    /** The transport lost part 1: part 2 is ignored, and the source's resend of all three puts it together. */
    @Test
    void copiesAndPartsAfterALostOneAreIgnoredUntilTheResendFillsTheGap() {
        byte[] original = bytes(3 * PART);
        List<byte[]> cut = HandoffParts.cut(original, PART);
        HandoffParts parts = new HandoffParts(3, PART);
        assertNull(parts.add(0, 3, cut.get(0)));
        assertNull(parts.add(2, 3, cut.get(2)), "a part after a lost one");
        assertNull(parts.add(0, 3, cut.get(0)), "a copy");
        assertNull(parts.add(1, 3, cut.get(1)));
        assertArrayEquals(original, parts.add(2, 3, cut.get(2)));
    }
}
