package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A handoff's bytes cut into bounded parts and put together again; parts out of order or too large are refused. */
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
    void aPartOutOfOrderOrClaimingAnotherCountOrTooLargeIsRefused() {
        List<byte[]> cut = HandoffParts.cut(bytes(3 * PART), PART);
        HandoffParts skipped = new HandoffParts(3, PART);
        assertThrows(IllegalArgumentException.class, () -> skipped.add(1, 3, cut.get(1)));
        HandoffParts again = new HandoffParts(3, PART);
        again.add(0, 3, cut.get(0));
        assertThrows(IllegalArgumentException.class, () -> again.add(0, 3, cut.get(0)));
        HandoffParts recounted = new HandoffParts(3, PART);
        assertThrows(IllegalArgumentException.class, () -> recounted.add(0, 4, cut.get(0)));
        HandoffParts bounded = new HandoffParts(3, PART);
        assertThrows(IllegalArgumentException.class, () -> bounded.add(0, 3, new byte[PART + 1]));
        assertThrows(IllegalArgumentException.class, () -> new HandoffParts(0, PART));
    }
}
