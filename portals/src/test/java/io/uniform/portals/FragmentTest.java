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
        return parts.size() == 1 ? parts.get(0) : Fragment.join(parts.stream().map(Fragment.class::cast).toList());
    }

    private static List<Fragment> fragments(PortalsMessage message, int maxBytes, long id) {
        return Fragment.split(message, maxBytes, id).stream().map(Fragment.class::cast).toList();
    }

    @Test
    void aPutSplitIntoPartsOfAtMostTheSizeJoinsToItselfForEveryLength() {
        for (int length : new int[] {0, 1, 99, 100, 101, 199, 200, 201, 1_000, 1_050}) {
            PutRequest put = put(data(length));
            List<PortalsMessage> parts = Fragment.split(put, 100, 7);
            assertEquals(Math.max(1, (length + 99) / 100), parts.size(), "parts of " + length + " bytes");
            assertTrue(parts.stream().allMatch(part -> part.dataLength() <= 100 && part.dataLength() > 0 || length == 0));
            assertTrue(parts.size() == 1 ? parts.get(0) == put : parts.stream().allMatch(part -> part instanceof Fragment fragment
                    && fragment.message() == 7 && fragment.length() == length && fragment.head().source().equals(A)));
            assertEquals(put, joined(parts));
        }
    }

    @Test
    void aReplyIsSplitLikewiseAndMessagesWithoutDataAreTheirOnlyPart() {
        Reply reply = new Reply(B, 0, 1, A, 4, 77, 3, 16, 250, data(250));
        List<PortalsMessage> parts = Fragment.split(reply, 100, 0);
        assertEquals(List.of(100, 100, 50), parts.stream().map(PortalsMessage::dataLength).toList());
        assertEquals(reply, joined(parts));
        GetRequest get = new GetRequest(A, 0, 1, B, 4, 0, 77, 0, 1_000_000, 3, 0);
        assertEquals(List.of(get), Fragment.split(get, 100, 0));
    }

    @Test
    void onlyEveryPartOfOneMessageInOrderJoins() {
        List<Fragment> one = fragments(put(data(300)), 100, 1);
        List<Fragment> next = fragments(put(data(300)), 100, 4);
        assertTrue(one.get(0).precedes(one.get(1)) && !one.get(0).precedes(next.get(1)) && !one.get(1).precedes(one.get(1)));
        assertThrows(IllegalArgumentException.class, () -> Fragment.join(List.of(one.get(0), one.get(1))), "the last part missing");
        assertThrows(IllegalArgumentException.class, () -> Fragment.join(List.of(one.get(0), one.get(2))), "a middle part missing");
        assertThrows(IllegalArgumentException.class, () -> Fragment.join(List.of(one.get(1), one.get(2))), "the first part missing");
        assertThrows(IllegalArgumentException.class, () -> Fragment.join(List.of(one.get(0), next.get(1), next.get(2))),
                "the start of one message and the rest of another");
        Fragment short1 = new Fragment(one.get(1).head(), 1, 1, 3, 300, data(50));
        assertThrows(IllegalArgumentException.class, () -> Fragment.join(List.of(one.get(0), short1, one.get(2))),
                "parts whose data is not the message's length");
    }

    @Test
    void aFragmentIsNeverSplitOrDeliveredAndNamesAHeadWithoutData() {
        Fragment fragment = fragments(put(data(10)), 5, 0).get(0);
        assertThrows(IllegalArgumentException.class, () -> Fragment.split(fragment, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> Fragment.split(put(data(5)), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Fragment(put(data(5)), 0, 0, 2, 10, data(5)), "a head with data");
        assertThrows(IllegalArgumentException.class, () -> new Fragment(put(Payload.EMPTY), 0, 0, 1, 10, data(5)), "a message of one part");
        assertThrows(IllegalArgumentException.class, () -> new PortalsEngine(PortalsEngine.Config.DEFAULT).receive(null, 0, fragment));
    }
}
