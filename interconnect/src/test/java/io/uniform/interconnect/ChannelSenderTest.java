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
        List<Envelope<String>> released = sender.grant(new CreditGrant(AB, 3));
        assertEquals(List.of(new Envelope<>(AB, 2, "m2")), released);
        assertEquals(3, sender.held());
        // A later send queues behind the held ones even when a grant left credit over.
        released = sender.grant(new CreditGrant(AB, 10));
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
        assertEquals(List.of("second"), sender.grant(new CreditGrant(AB, 2)).stream().map(Envelope::payload).toList());
        assertEquals(Optional.empty(), sender.send("fourth"), "no credit left: the fourth waits behind the third");
        assertEquals(List.of("third", "fourth"),
                sender.grant(new CreditGrant(AB, 5)).stream().map(Envelope::payload).toList());
        assertEquals(1, sender.credits());
    }

    @Test
    void staleAndRepeatedGrantsChangeNothing() {
        ChannelSender<String> sender = sender(2, 1);
        for (int i = 0; i < 5; i++) {
            sender.send("m" + i);
        }
        assertEquals(List.of(2L, 3L), sequences(sender.grant(new CreditGrant(AB, 4))));
        assertEquals(List.of(), sender.grant(new CreditGrant(AB, 4)), "the same grant twice");
        assertEquals(List.of(), sender.grant(new CreditGrant(AB, 3)), "an older grant arriving late");
        assertEquals(List.of(), sender.grant(new CreditGrant(AB, 0)));
        assertEquals(3, sender.staleGrants());
        assertEquals(4, sender.limit());
        assertEquals(1, sender.held());
    }

    @Test
    void anotherChannelsGrantIsRefused() {
        ChannelSender<String> sender = sender(2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sender.grant(new CreditGrant(new ChannelId(B, A), 100)));
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
        assertEquals(new ChannelMarker(AB, HOME, AWAY, 2), marker);
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
        Envelope<String> released = sender.grant(new CreditGrant(AB, 2)).get(0);
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
            out.addAll(sender.grant(new CreditGrant(AB, 5)));
            out.add(sender.send("m7"));
            out.addAll(sender.grant(new CreditGrant(AB, 20)));
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
    void inconsistentStatesAreRefused() {
        FlowControl flow = new FlowControl(4, 2);
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 5, 4, List.of(), HopCount.NONE), "past the limit");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 0, 3, List.of(), HopCount.NONE), "below the window");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, 0, 2, 4, List.of("x"), HopCount.NONE),
                "holding with credit left");
        assertThrows(IllegalArgumentException.class,
                () -> new ChannelSender.State<>(AB, flow, HOME, -1, 0, 4, List.of(), HopCount.NONE));
        new ChannelSender.State<>(AB, flow, HOME, 0, 4, 4, List.of("x"), HopCount.NONE);
    }
}
