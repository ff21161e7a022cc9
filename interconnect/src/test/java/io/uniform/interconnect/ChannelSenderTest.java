package io.uniform.interconnect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChannelSenderTest {
    static final ProcessId A = new ProcessId(1, 7);
    static final ProcessId B = new ProcessId(9, 3);
    static final ChannelId AB = new ChannelId(A, B);
    static final Location HOME = new Location(9, 0);
    static final Location AWAY = new Location(12, 1);

    private static ChannelSender<String> sender(int window, int batch) {
        return new ChannelSender<>(AB, new FlowControl(window, batch), HOME, 1);
    }

    private static List<Long> sequences(List<Envelope<String>> envelopes) {
        return envelopes.stream().map(Envelope::sequence).toList();
    }

    @Test
    void aNewChannelSendsAWindowAtOnceThenHolds() {
        ChannelSender<String> sender = sender(3, 1);
        assertEquals(3, sender.credits());
        for (int i = 0; i < 3; i++) {
            Envelope<String> envelope = sender.send("m" + i).orElseThrow();
            assertEquals(new Envelope<>(AB, i, "m" + i), envelope);
        }
        assertEquals(0, sender.credits());
        assertEquals(Optional.empty(), sender.send("m3"));
        assertEquals(Optional.empty(), sender.send("m4"));
        assertEquals(2, sender.held());
        assertEquals(3, sender.nextSequence(), "held messages have no number yet");
    }

    @Test
    void aGrantReleasesHeldMessagesInOrderAndNoMore() {
        ChannelSender<String> sender = sender(2, 1);
        for (int i = 0; i < 6; i++) {
            sender.send("m" + i);
        }
        assertEquals(4, sender.held());
        List<Envelope<String>> released = sender.grant(new CreditGrant(AB, 3, 0));
        assertEquals(List.of(new Envelope<>(AB, 2, "m2")), released);
        assertEquals(3, sender.held());
        // A later send queues behind the held ones even when a grant left credit over.
        released = sender.grant(new CreditGrant(AB, 10, 0));
        assertEquals(List.of(3L, 4L, 5L), sequences(released));
        assertEquals(List.of("m3", "m4", "m5"), released.stream().map(Envelope::payload).toList());
        assertEquals(4, sender.credits());
        assertEquals(6, sender.send("m6").orElseThrow().sequence());
        assertEquals(4, sender.peakHeld());
    }

    @Test
    void heldMessagesKeepTheirPlaceBehindEarlierOnes() {
        ChannelSender<String> sender = sender(1, 1);
        sender.send("first");
        sender.send("second");
        sender.send("third");
        assertEquals(List.of("second"), sender.grant(new CreditGrant(AB, 2, 0)).stream().map(Envelope::payload).toList());
        assertEquals(Optional.empty(), sender.send("fourth"), "no credit left: the fourth waits behind the third");
        assertEquals(List.of("third", "fourth"),
                sender.grant(new CreditGrant(AB, 5, 0)).stream().map(Envelope::payload).toList());
        assertEquals(1, sender.credits());
    }

    @Test
    void staleAndRepeatedGrantsChangeNothing() {
        ChannelSender<String> sender = sender(2, 1);
        for (int i = 0; i < 5; i++) {
            sender.send("m" + i);
        }
        assertEquals(List.of(2L, 3L), sequences(sender.grant(new CreditGrant(AB, 4, 0))));
        assertEquals(List.of(), sender.grant(new CreditGrant(AB, 4, 0)), "the same grant twice");
        assertEquals(List.of(), sender.grant(new CreditGrant(AB, 3, 0)), "an older grant arriving late");
        assertEquals(List.of(), sender.grant(new CreditGrant(AB, 0, 0)));
        assertEquals(3, sender.staleGrants());
        assertEquals(4, sender.limit());
        assertEquals(1, sender.held());
    }

    @Test
    void anotherChannelsGrantIsRefused() {
        ChannelSender<String> sender = sender(2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sender.grant(new CreditGrant(new ChannelId(B, A), 100, 0)));
        assertTrue(e.getMessage().contains("9:3->1:7"), e.getMessage());
        assertEquals(2, sender.limit());
        assertThrows(NullPointerException.class, () -> sender.send(null));
    }

    @Test
    void repointingYieldsAMarkerForTheOldLocation() {
        ChannelSender<String> sender = sender(4, 1);
        sender.send("a");
        sender.send("b");
        ChannelMarker marker = sender.repoint(AWAY, 2).orElseThrow();
        assertEquals(new ChannelMarker(AB, HOME, AWAY, 2, 0), marker);
        assertEquals(AWAY, sender.target());
        assertEquals(2, sender.targetVersion());
        assertEquals(2, sender.send("c").orElseThrow().sequence(), "numbers and credit carry on across a move");
        assertEquals(1, sender.markers());
    }

    @Test
    void staleLocationsAreIgnored() {
        ChannelSender<String> sender = new ChannelSender<>(AB, FlowControl.DEFAULT, AWAY, 5);
        assertEquals(Optional.empty(), sender.repoint(HOME, 5), "the same version");
        assertEquals(Optional.empty(), sender.repoint(HOME, 4), "an older version");
        assertEquals(AWAY, sender.target());
        assertEquals(Optional.empty(), sender.repoint(AWAY, 6), "a newer version naming the same place");
        assertEquals(6, sender.targetVersion());
        assertEquals(0, sender.markers());
        assertEquals(Optional.empty(), sender.repoint(HOME, 6));
        assertTrue(sender.repoint(HOME, 7).isPresent());
        assertThrows(IllegalArgumentException.class, () -> new ChannelSender<>(AB, FlowControl.DEFAULT, HOME, -1));
    }

    @Test
    void heldMessagesLeaveForTheNewLocationPastTheMarker() {
        ChannelSender<String> sender = sender(1, 1);
        sender.send("a");
        sender.send("b");
        ChannelMarker marker = sender.repoint(AWAY, 2).orElseThrow();
        assertEquals(1, marker.endSequence(), "the held message was not sent to the old location");
        Envelope<String> released = sender.grant(new CreditGrant(AB, 2, 0)).get(0);
        assertEquals(1, released.sequence());
        assertEquals(AWAY, sender.target());
    }

    @Test
    void hopsAreCountedPerChannel() {
        ChannelSender<String> sender = sender(1, 1);
        assertEquals(HopCount.NONE, sender.hopCount());
        sender.recordHops(3);
        sender.recordHops(0);
        sender.recordHops(5);
        assertEquals(new HopCount(3, 8, 5), sender.hopCount());
        assertEquals(8 / 3.0, sender.hopCount().mean(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> sender.recordHops(-1));
        assertEquals(0.0, HopCount.NONE.mean());
        assertThrows(IllegalArgumentException.class, () -> new HopCount(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HopCount(-1, 0, 0));
    }

    @Test
    void aRestoredSenderCarriesOnExactlyAsTheOriginal() {
        ChannelSender<String> original = sender(3, 1);
        for (int i = 0; i < 7; i++) {
            original.send("m" + i);
        }
        original.recordHops(2);
        original.repoint(AWAY, 4);
        ChannelSender.State<String> state = original.state();
        assertEquals(List.of("m3", "m4", "m5", "m6"), state.held());
        ChannelSender<String> copy = ChannelSender.restore(state);
        assertEquals(state, copy.state());
        List<Object> a = new ArrayList<>();
        List<Object> b = new ArrayList<>();
        for (ChannelSender<String> sender : List.of(original, copy)) {
            List<Object> out = sender == original ? a : b;
            out.addAll(sender.grant(new CreditGrant(AB, 5, 0)));
            out.add(sender.send("m7"));
            out.addAll(sender.grant(new CreditGrant(AB, 20, 0)));
            out.add(sender.send("m8"));
            out.add(sender.repoint(HOME, 9));
            out.add(sender.hopCount());
        }
        assertEquals(a, b);
    }

    @Test
    void aStateIsACopy() {
        ChannelSender<String> sender = sender(1, 1);
        sender.send("a");
        sender.send("b");
        ChannelSender.State<String> state = sender.state();
        sender.send("c");
        assertEquals(List.of("b"), state.held());
        assertThrows(UnsupportedOperationException.class, () -> state.held().add("x"));
    }

    @Test
    void aGrantAcknowledgesWhatItsReceiverDeliveredAndOnlyTheRestIsResentWhenStalled() {
        ChannelSender<String> sender = sender(4, 1);
        for (int i = 0; i < 4; i++) {
            sender.send("m" + i);
        }
        assertEquals(List.of(), sender.overdue(), "the first interval: sent just now");
        sender.grant(new CreditGrant(AB, 4, 2));
        assertEquals(2, sender.unacknowledged());
        assertEquals(List.of(), sender.overdue(), "an acknowledgement came during the interval");
        assertEquals(List.of(2L), sequences(sender.overdue()), "a whole interval without one: the oldest probes");
        assertEquals(List.of(2L, 3L), sequences(sender.overdue()), "a second one: all of them again");
        assertEquals(List.of(), sender.overdue(), "while nothing comes, resends back off: one interval passes");
        assertEquals(List.of(2L, 3L), sequences(sender.overdue()), "and all again");
        assertEquals(List.of(), sender.overdue(), "then two intervals pass");
        assertEquals(List.of(), sender.overdue());
        assertEquals(List.of(2L, 3L), sequences(sender.overdue()), "and all again");
        sender.grant(new CreditGrant(AB, 6, 3));
        assertEquals(List.of(), sender.overdue(), "progress");
        assertEquals(List.of(3L), sequences(sender.overdue()), "a probe first again");
        sender.grant(new CreditGrant(AB, 6, 4));
        assertEquals(0, sender.unacknowledged());
        assertEquals(List.of(), sender.overdue());
        assertEquals(List.of(), sender.overdue(), "nothing outstanding: nothing to resend");
        assertEquals(5, sender.resends());
    }

    @Test
    void aSenderOutOfCreditWithEverythingAcknowledgedProbesWithItsLastEnvelope() {
        ChannelSender<String> sender = sender(2, 1);
        sender.send("a");
        sender.send("b");
        sender.send("c");
        sender.grant(new CreditGrant(AB, 2, 2)); // delivered, not consumed: no more credit
        assertEquals(0, sender.unacknowledged());
        sender.overdue();
        List<Envelope<String>> probe = sender.overdue();
        assertEquals(List.of(new Envelope<>(AB, 1, "b")), probe, "the grant that would release c may be lost: ask again");
        assertEquals(List.of(new Envelope<>(AB, 2, "c")), sender.grant(new CreditGrant(AB, 4, 2)));
        assertEquals(List.of(), sender.overdue(), "progress: no probe");
        assertEquals(List.of(2L), sequences(sender.overdue()), "c is unacknowledged now");
    }

    @Test
    void aMarkerSentBeforeItsEndWasDeliveredIsSentAgainAsANoticeOnceItIs() {
        ChannelSender<String> sender = sender(8, 1);
        sender.send("a");
        sender.send("b");
        sender.grant(new CreditGrant(AB, 8, 1));
        ChannelMarker marker = sender.repoint(AWAY, 2).orElseThrow();
        assertEquals(new ChannelMarker(AB, HOME, AWAY, 2, 1), marker);
        assertTrue(!marker.settles());
        sender.send("c");
        sender.grant(new CreditGrant(AB, 8, 2));
        assertEquals(List.of(new ChannelMarker(AB, HOME, AWAY, 2, 2)), sender.drainNotices());
        assertEquals(List.of(), sender.drainNotices(), "taken once");
        assertTrue(sender.repoint(HOME, 3).orElseThrow().settles() == false, "c is not delivered yet");
        ChannelSender<String> moved = ChannelSender.restore(sender.state());
        moved.grant(new CreditGrant(AB, 8, 3));
        assertEquals(List.of(new ChannelMarker(AB, AWAY, HOME, 3, 3)), moved.drainNotices(), "unsettled markers move with the sender");
        assertEquals(new ChannelMarker(AB, HOME, null, 3, 3), moved.close());
    }

    @Test
    void aClosedChannelStillResendsWhatIsUnacknowledgedAndSendsItsFinalNoticeOnceDelivered() {
        ChannelSender<String> sender = sender(1, 1);
        sender.send("a");
        sender.send("b");
        assertThrows(IllegalStateException.class, sender::close, "b waits for credit");
        sender.grant(new CreditGrant(AB, 2, 1));
        ChannelMarker last = sender.close();
        assertEquals(new ChannelMarker(AB, HOME, null, 2, 1), last);
        assertTrue(sender.closed());
        assertThrows(IllegalStateException.class, sender::close, "once");
        sender.overdue();
        assertEquals(List.of(1L), sequences(sender.overdue()), "b is probed for after the end");
        sender.grant(new CreditGrant(AB, 2, 2));
        assertEquals(List.of(new ChannelMarker(AB, HOME, null, 2, 2)), sender.drainNotices());
        assertTrue(!sender.outstanding());
    }

    @Test
    void aReceiverThatIsGoneAcknowledgesEverything() {
        ChannelSender<String> sender = sender(4, 1);
        sender.send("a");
        sender.grant(CreditGrant.unlimited(AB));
        assertEquals(0, sender.unacknowledged());
        assertEquals(1, sender.send("b").orElseThrow().sequence(), "b leaves at once");
        assertEquals(0, sender.unacknowledged(), "and needs no copy");
        assertTrue(!sender.outstanding());
    }

    @Test
    void inconsistentStatesAreRefused() {
        FlowControl flow = new FlowControl(4, 2);
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 5, 4, List.of(), 0, List.of(), null, List.of(), HopCount.NONE), "past the limit");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 0, 3, List.of(), 0, List.of(), null, List.of(), HopCount.NONE), "below the window");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 2, 4, List.of("x"), 0, List.of(), null, List.of(), HopCount.NONE),
                "holding with credit left");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, -1, 0, 4, List.of(), 0, List.of(), null, List.of(), HopCount.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 2, 4, List.of(), 0, List.of(), null, List.of(), HopCount.NONE),
                "sent numbers neither acknowledged nor kept");
        assertThrows(IllegalArgumentException.class, () -> new ChannelSender.State<>(AB, flow, HOME, 0, 2, 4, List.of(), 0,
                List.of(new Envelope<>(AB, 1, "y")), null, List.of(), HopCount.NONE), "a gap in what is kept");
        new ChannelSender.State<>(AB, flow, HOME, 0, 4, 4, List.of("x"), 4, List.of(), null, List.of(), HopCount.NONE);
        new ChannelSender.State<>(AB, flow, HOME, 0, 2, 4, List.of(), 1, List.of(new Envelope<>(AB, 1, "y")), null, List.of(),
                HopCount.NONE);
    }
}
