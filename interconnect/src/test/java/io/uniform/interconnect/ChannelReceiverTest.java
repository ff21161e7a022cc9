package io.uniform.interconnect;

import static io.uniform.interconnect.ChannelReceiver.Outcome.BUFFERED;
import static io.uniform.interconnect.ChannelReceiver.Outcome.DELIVERED;
import static io.uniform.interconnect.ChannelReceiver.Outcome.DUPLICATE;
import static io.uniform.interconnect.ChannelReceiver.Outcome.REFUSED;
import static io.uniform.interconnect.ChannelSenderTest.A;
import static io.uniform.interconnect.ChannelSenderTest.AB;
import static io.uniform.interconnect.ChannelSenderTest.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.interconnect.ChannelReceiver.Arrival;
import io.uniform.interconnect.ChannelReceiver.Outcome;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChannelReceiverTest {
    private static Envelope<String> env(long sequence) {
        return new Envelope<>(AB, sequence, "m" + sequence);
    }

    private static List<Long> delivered(Arrival<String> arrival) {
        return arrival.delivered().stream().map(Envelope::sequence).toList();
    }

    private static void assertOutcome(Outcome expected, Arrival<String> arrival) {
        assertEquals(expected, arrival.outcome());
    }

    private static void assertOutcome(Outcome expected, Arrival<String> arrival, String what) {
        assertEquals(expected, arrival.outcome(), what);
    }

    @Test
    void inOrderEnvelopesAreDeliveredOneByOne() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(4, 2));
        for (long i = 0; i < 4; i++) {
            Arrival<String> arrival = receiver.accept(env(i));
            assertOutcome(DELIVERED, arrival);
            assertEquals(List.of(env(i)), arrival.delivered());
        }
        assertEquals(4, receiver.expected());
        assertEquals(4, receiver.unconsumed());
        assertEquals(0, receiver.buffered());
    }

    @Test
    void aGapIsHeldUntilItCloses() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(8, 2));
        assertOutcome(BUFFERED, receiver.accept(env(3)));
        assertOutcome(BUFFERED, receiver.accept(env(1)));
        assertOutcome(BUFFERED, receiver.accept(env(7)));
        assertEquals(3, receiver.buffered());
        Arrival<String> arrival = receiver.accept(env(0));
        assertOutcome(DELIVERED, arrival);
        assertEquals(List.of(0L, 1L), delivered(arrival));
        assertEquals(List.of(2L, 3L), delivered(receiver.accept(env(2))));
        assertEquals(List.of(4L), delivered(receiver.accept(env(4))));
        assertOutcome(BUFFERED, receiver.accept(env(6)));
        assertEquals(List.of(5L, 6L, 7L), delivered(receiver.accept(env(5))));
        assertEquals(0, receiver.buffered());
        assertEquals(3, receiver.stats().peakBuffered());
    }

    @Test
    void duplicatesAreDroppedAndCounted() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(8, 2));
        receiver.accept(env(0));
        receiver.accept(env(2));
        assertOutcome(DUPLICATE, receiver.accept(env(0)), "delivered before");
        assertOutcome(DUPLICATE, receiver.accept(env(2)), "buffered already");
        assertEquals(1, receiver.buffered());
        assertEquals(2, receiver.stats().duplicates());
        assertEquals(List.of(1L, 2L), delivered(receiver.accept(env(1))));
        assertOutcome(DUPLICATE, receiver.accept(env(2)));
    }

    @Test
    void envelopesPastTheGrantedLimitAreRefused() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(4, 4));
        assertOutcome(REFUSED, receiver.accept(env(4)), "the initial window is 0..3");
        assertOutcome(BUFFERED, receiver.accept(env(3)), "the window's last number");
        assertOutcome(REFUSED, receiver.accept(env(Long.MAX_VALUE)));
        assertEquals(2, receiver.stats().refused());
        assertEquals(1, receiver.buffered(), "a refusal changes nothing");
        for (long i = 0; i < 3; i++) {
            receiver.accept(env(i));
        }
        assertOutcome(REFUSED, receiver.accept(env(4)), "delivered, but not consumed: no new credit");
        assertEquals(Optional.of(new CreditGrant(AB, 8, 4)), receiver.consumed(4));
        assertEquals(List.of(4L), delivered(receiver.accept(env(4))));
        assertOutcome(BUFFERED, receiver.accept(env(7)));
        assertOutcome(REFUSED, receiver.accept(env(8)));
    }

    @Test
    void creditIsGrantedInBatchesOfConsumption() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(8, 3));
        assertEquals(new CreditGrant(AB, 8, 0), receiver.currentGrant());
        for (long i = 0; i < 8; i++) {
            receiver.accept(env(i));
        }
        assertEquals(Optional.empty(), receiver.consumed(1));
        assertEquals(Optional.empty(), receiver.consumed(1));
        assertEquals(Optional.of(new CreditGrant(AB, 11, 8)), receiver.consumed(1), "three consumed: a batch");
        assertEquals(Optional.empty(), receiver.consumed(0));
        assertEquals(Optional.empty(), receiver.consumed(2));
        assertEquals(Optional.of(new CreditGrant(AB, 13, 8)), receiver.flush(), "a flush grants what is consumed now");
        assertEquals(Optional.empty(), receiver.flush(), "and only once");
        assertEquals(Optional.of(new CreditGrant(AB, 16, 8)), receiver.consumed(3));
        assertEquals(new CreditGrant(AB, 16, 8), receiver.currentGrant());
        assertEquals(3, receiver.stats().grants());
        assertEquals(new ChannelReceiver.Stats(8, 8, 0, 0, 3, 0), receiver.stats());
    }

    @Test
    void aConsumptionBeyondDeliveryIsABug() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(8, 3));
        receiver.accept(env(0));
        receiver.accept(env(2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> receiver.consumed(2));
        assertTrue(e.getMessage().contains("only 1 delivered"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> receiver.consumed(-1));
        assertEquals(0, receiver.consumedCount());
        assertEquals(Optional.empty(), receiver.flush(), "nothing consumed, nothing to grant");
    }

    @Test
    void anotherChannelsEnvelopeIsRefused() {
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, FlowControl.DEFAULT);
        assertThrows(IllegalArgumentException.class,
                () -> receiver.accept(new Envelope<>(new ChannelId(A, A), 0, "x")));
        assertThrows(IllegalArgumentException.class,
                () -> receiver.accept(new Envelope<>(new ChannelId(B, A), 0, "x")));
        assertEquals(0, receiver.expected());
    }

    @Test
    void theReorderBufferWrapsAroundItsSlots() {
        // A window of 3: sequence numbers 0..50 in reversed pairs, so every slot is reused many times.
        ChannelReceiver<String> receiver = new ChannelReceiver<>(AB, new FlowControl(3, 1));
        long next = 0;
        for (long i = 0; i + 1 < 50; i += 2) {
            assertOutcome(BUFFERED, receiver.accept(env(i + 1)));
            assertEquals(List.of(i, i + 1), delivered(receiver.accept(env(i))));
            receiver.consumed(2);
            next = i + 2;
        }
        assertEquals(next, receiver.expected());
    }

    @Test
    void aRestoredReceiverGoesOnWhereTheOriginalStopped() {
        FlowControl flow = new FlowControl(6, 2);
        ChannelReceiver<String> original = new ChannelReceiver<>(AB, flow);
        original.accept(env(0));
        original.accept(env(1));
        original.consumed(2);
        original.accept(env(4));
        original.accept(env(6));
        original.accept(env(0));
        ChannelReceiver.State<String> state = original.state();
        assertEquals(List.of(env(4), env(6)), state.buffered());
        assertEquals(2, state.expected());
        assertEquals(8, state.granted());
        ChannelReceiver<String> moved = ChannelReceiver.restore(state);
        assertEquals(state, moved.state());
        assertEquals(original.stats(), moved.stats());
        assertOutcome(DUPLICATE, moved.accept(env(6)));
        assertOutcome(REFUSED, moved.accept(env(8)));
        assertEquals(List.of(2L), delivered(moved.accept(env(2))));
        assertEquals(List.of(3L, 4L), delivered(moved.accept(env(3))));
        assertEquals(List.of(5L, 6L), delivered(moved.accept(env(5))));
        assertEquals(Optional.of(new CreditGrant(AB, 12, 7)), moved.consumed(4));
    }

    @Test
    void envelopesSetAsideMoveWithTheChannelUntilTaken() {
        ChannelReceiver<String> original = new ChannelReceiver<>(AB, new FlowControl(6, 2));
        original.accept(env(0));
        original.accept(env(1));
        original.setAside(env(0));
        assertThrows(IllegalArgumentException.class, () -> original.setAside(env(2)), "not delivered yet");
        ChannelReceiver<String> moved = ChannelReceiver.restore(original.state());
        assertEquals(List.of(env(0)), moved.state().setAside());
        assertEquals(List.of(env(0)), moved.takeSetAside());
        assertEquals(List.of(), moved.takeSetAside(), "taken once");
        assertThrows(IllegalArgumentException.class, () -> new ChannelReceiver.State<>(AB, new FlowControl(6, 2), 1, 0, 6, List.of(),
                new ChannelReceiver.Stats(0, 0, 0, 0, 0, 0), ChannelReceiver.OPEN, List.of(env(1))), "set aside past what was delivered");
    }

    @Test
    void inconsistentStatesAreRefused() {
        FlowControl flow = new FlowControl(4, 2);
        ChannelReceiver.Stats none = new ChannelReceiver.Stats(0, 0, 0, 0, 0, 0);
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelReceiver.State<>(AB, flow, 2, 3, 4, List.of(), none, ChannelReceiver.OPEN), "consumed past delivered");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelReceiver.State<>(AB, flow, 2, 1, 6, List.of(), none, ChannelReceiver.OPEN), "granted past consumed + window");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelReceiver.State<>(AB, flow, 0, 0, 3, List.of(), none, ChannelReceiver.OPEN), "granted below the window");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelReceiver.State<>(AB, flow, 1, 0, 4, List.of(env(1)), none, ChannelReceiver.OPEN), "buffered the expected one");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelReceiver.State<>(AB, flow, 1, 0, 4, List.of(env(4)), none, ChannelReceiver.OPEN), "buffered past the limit");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelReceiver.State<>(AB, flow, 0, 0, 4, List.of(env(3), env(2)), none, ChannelReceiver.OPEN), "out of order");
        assertThrows(IllegalArgumentException.class, () -> new ChannelReceiver.State<>(AB, flow, 0, 0, 4,
                List.of(new Envelope<>(new ChannelId(B, A), 2, "x")), none, ChannelReceiver.OPEN), "another channel's");
        new ChannelReceiver.State<>(AB, flow, 1, 0, 4, List.of(env(2), env(3)), none, ChannelReceiver.OPEN);
    }

    @Test
    void arrivalsAreConsistent() {
        assertThrows(IllegalArgumentException.class, () -> new Arrival<String>(DELIVERED, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Arrival<>(BUFFERED, List.of(env(0))));
    }

    @Test
    void flowControlIsValidated() {
        assertEquals(new FlowControl(64, 16), FlowControl.DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> new FlowControl(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FlowControl(FlowControl.MAX_WINDOW + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FlowControl(4, 0));
        assertThrows(IllegalArgumentException.class, () -> new FlowControl(4, 5));
        new FlowControl(1, 1);
        new FlowControl(FlowControl.MAX_WINDOW, FlowControl.MAX_WINDOW);
    }

    @Test
    void valuesRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Envelope<>(AB, -1, "x"));
        assertThrows(NullPointerException.class, () -> new Envelope<>(AB, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new CreditGrant(AB, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CreditGrant(AB, 4, 5), "delivered past the limit");
        Location here = new Location(1, 0);
        assertThrows(IllegalArgumentException.class, () -> new ChannelMarker(AB, here, here, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ChannelMarker(AB, here, new Location(1, 1), -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ChannelMarker(AB, here, new Location(1, 1), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new ProcessId(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ProcessId(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Location(0, -1));
        assertThrows(NullPointerException.class, () -> new ChannelId(A, null));
        assertEquals("1:7->9:3", AB.toString());
        assertEquals("nid 1#0", here.toString());
    }
}
