package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.Location;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.interconnect.ProcessId;
import io.uniform.portals.Fragment;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.PutRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The receiving transport joins only the parts of one message (no actors): the first parts of a
 * message that will never be complete, because its sender was lost or its later parts were
 * dropped, are discarded, never joined onto the next message, and the kernel never takes a
 * message of the wrong length.
 */
class PortalsTransportFragmentTest {
    private static final int JOB = 3;
    private static final ProcessId SENDER = new ProcessId(1, 0);
    private static final ProcessId RECEIVER = new ProcessId(2, 1);
    private static final ChannelId CHANNEL = new ChannelId(SENDER, RECEIVER);
    private static final int PART = 100;

    private final PortalsTransport receiving = new PortalsTransport(2, (nid, command) -> {}, PART, PortalsTransportRoutingTest.STAY_BOUND_INTERVALS,
            PortalsTransportRoutingTest.KEPT_PER_KIND);
    private final List<PortalsMessage> taken = new ArrayList<>();
    private long sequence;

    PortalsTransportFragmentTest() {
        receiving.host(JOB, RECEIVER, List.of(1, 2), NodeActor.Channels.NONE);
    }

    private static PutRequest put(long bits, int length) {
        byte[] data = new byte[length];
        new Random(bits).nextBytes(data);
        return new PutRequest(new io.uniform.portals.ProcessId(1, 0), 0, 1, new io.uniform.portals.ProcessId(2, 1), 4, 0, bits, 0, 0,
                false, 0, Payload.copyOf(data));
    }

    /** The channel messages {@code message} travels as, named as the sending transport names it (the number of its first part). */
    private List<PortalsMessage> parts(PortalsMessage message) {
        return Fragment.split(message, PART, sequence);
    }

    /** {@code parts} arrive on the channel's next numbers; the kernel takes what they make whole. */
    private void arrive(List<PortalsMessage> parts) {
        for (PortalsMessage part : parts) {
            for (Envelope<PortalsMessage> ready : receiving.receive(new NodeActor.Packet(JOB, new Location(2, 0),
                    new Envelope<>(CHANNEL, sequence++, part)))) {
                Envelope<PortalsMessage> whole = receiving.assemble(ready);
                if (whole != null) {
                    taken.add(whole.payload());
                }
                receiving.consumed(ready);
            }
        }
    }

    private int setAside() {
        return receiving.leave(LocationUpdate.at(RECEIVER, 2, new Location(5, 2))).receiving().get(0).setAside().size();
    }

    @Test
    void aMessageWholeInPartsIsTakenOnceWhole() {
        PutRequest large = put(1, 3 * PART + 1);
        arrive(parts(large));
        assertEquals(List.of(large), taken);
        assertEquals(0, receiving.traffic().dropped());
    }

    @Test
    void theFirstPartsOfAMessageWhoseLastPartsWereDroppedAreNotJoinedOntoTheNextMessage() {
        PutRequest cutShort = put(1, 4 * PART);
        PutRequest small = put(2, 10);
        PutRequest next = put(3, 2 * PART + 5);
        arrive(parts(cutShort).subList(0, 2));
        arrive(parts(small));
        arrive(parts(cutShort).subList(0, 3)); // a newer message in parts begins while parts of one are still set aside
        arrive(parts(next));
        assertEquals(List.of(small, next), taken, "each whole, none with another's parts");
        assertEquals(5, receiving.traffic().dropped(), "the 2 + 3 parts of the messages cut short");
    }

    @Test
    void theFirstPartsFromASenderLostAreDiscardedAndItsLastPartsNeverMakeAShortMessage() {
        List<PortalsMessage> parts = parts(put(1, 3 * PART));
        arrive(parts.subList(0, 2));
        receiving.nodeLost(1, job -> false);
        assertEquals(2, receiving.traffic().dropped(), "the parts set aside are given up with their sender");
        arrive(parts.subList(2, 3)); // its last part, forwarded late
        assertEquals(List.of(), taken, "no message of the wrong length");
        assertEquals(3, receiving.traffic().dropped());
        assertEquals(0, setAside(), "nothing is left to join onto a message");
    }

    @Test
    void partsAsideWaitForTheRestOfTheirMessageAndMoveWithTheChannel() {
        arrive(parts(put(1, 5 * PART)).subList(0, 4));
        assertTrue(taken.isEmpty());
        assertEquals(4, setAside());
    }
}
