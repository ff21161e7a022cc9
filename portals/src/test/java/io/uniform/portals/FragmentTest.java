package io.uniform.portals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FragmentTest {
    private static final ProcessId A = new ProcessId(1, 0);
    private static final ProcessId B = new ProcessId(2, 1);

    private static Payload data(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return Payload.copyOf(bytes);
    }

    private static PutRequest put(Payload payload) {
        return new PutRequest(A, 0, 1, B, 4, 0, 77, 8, 9, true, 3, payload);
    }

    private static PortalsMessage joined(List<PortalsMessage> parts) {
        List<Fragment> fragments = parts.subList(0, parts.size() - 1).stream().map(Fragment.class::cast).toList();
        return Fragment.join(fragments, parts.get(parts.size() - 1));
    }

    @Test
    void aPutSplitIntoPartsOfAtMostTheSizeJoinsToItselfForEveryLength() {
        for (int length : new int[] {0, 1, 99, 100, 101, 199, 200, 201, 1_000, 1_050}) {
            PutRequest put = put(data(length));
            List<PortalsMessage> parts = Fragment.split(put, 100);
            assertEquals(Math.max(1, (length + 99) / 100), parts.size(), "parts of " + length + " bytes");
            assertTrue(parts.stream().allMatch(part -> part.dataLength() <= 100 && part.dataLength() > 0 || length == 0));
            assertTrue(parts.get(parts.size() - 1) instanceof PutRequest, "the put itself comes last");
            assertEquals(put, joined(parts));
        }
    }

    @Test
    void aReplyIsSplitLikewiseAndMessagesWithoutDataAreTheirOnlyPart() {
        Reply reply = new Reply(B, 0, 1, A, 4, 77, 3, 16, 250, data(250));
        List<PortalsMessage> parts = Fragment.split(reply, 100);
        assertEquals(List.of(100, 100, 50), parts.stream().map(PortalsMessage::dataLength).toList());
        assertEquals(reply, joined(parts));
        GetRequest get = new GetRequest(A, 0, 1, B, 4, 0, 77, 0, 1_000_000, 3, 0);
        assertEquals(List.of(get), Fragment.split(get, 100));
    }

    @Test
    void aFragmentJoinsOnlyAMessageOfItsChannelAndIsNeverSplitOrDelivered() {
        Fragment fragment = new Fragment(A, B, data(10));
        assertThrows(IllegalArgumentException.class, () -> Fragment.join(List.of(new Fragment(B, A, data(10))), put(data(5))));
        assertThrows(IllegalArgumentException.class, () -> Fragment.split(fragment, 5));
        assertThrows(IllegalArgumentException.class, () -> Fragment.split(put(data(5)), 0));
        assertThrows(IllegalArgumentException.class, () -> new PortalsEngine(PortalsEngine.Config.DEFAULT).receive(null, 0, fragment));
    }
}
