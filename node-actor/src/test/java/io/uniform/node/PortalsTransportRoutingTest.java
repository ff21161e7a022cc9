package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.FlowControl;
import io.uniform.interconnect.Location;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.interconnect.ProcessId;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.PutRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The transport of node actors without actors: every link is a queue the test drains in the
 * order it chooses, so a directory update can land at any point of a stream and the
 * interleavings that migration will meet are played exactly.
 */
class PortalsTransportRoutingTest {
    private static final int JOB = 7;
    private static final List<Integer> LAUNCH_NIDS = List.of(1, 2);
    private static final ProcessId SENDER = new ProcessId(1, 0);
    private static final ProcessId RECEIVER = new ProcessId(2, 1);

    /** Nodes joined by FIFO links; each node's "kernel" consumes what its transport hands it and records its match bits. */
    private static final class Network {
        private final Map<Integer, PortalsTransport> nodes = new HashMap<>();
        private final Map<Integer, Queue<NodeActor.Command>> links = new HashMap<>();
        private final Map<Integer, List<Long>> consumed = new HashMap<>();

        PortalsTransport node(int nid) {
            return nodes.computeIfAbsent(nid, id -> new PortalsTransport(id, (to, command) -> link(to).add(command)));
        }

        Queue<NodeActor.Command> link(int nid) {
            return links.computeIfAbsent(nid, id -> new ArrayDeque<>());
        }

        /** Delivers what waits for node {@code nid}, at most {@code max} messages, in order. */
        void deliver(int nid, int max) {
            Queue<NodeActor.Command> queue = link(nid);
            for (int i = 0; i < max && !queue.isEmpty(); i++) {
                NodeActor.Command command = queue.remove();
                PortalsTransport node = node(nid);
                if (command instanceof NodeActor.Packet packet) {
                    consume(nid, node.receive(packet));
                } else if (command instanceof NodeActor.Credit credit) {
                    node.credit(credit);
                } else {
                    node.marker((NodeActor.Marker) command);
                }
            }
        }

        void consume(int nid, List<Envelope<PortalsMessage>> ready) {
            for (Envelope<PortalsMessage> envelope : ready) {
                consumed.computeIfAbsent(nid, id -> new ArrayList<>()).add(((PutRequest) envelope.payload()).matchBits());
                node(nid).consumed(envelope);
            }
        }

        /** Delivers everything on every link until all are quiet. */
        void settle() {
            while (links.values().stream().anyMatch(queue -> !queue.isEmpty())) {
                List.copyOf(links.keySet()).forEach(nid -> deliver(nid, Integer.MAX_VALUE));
            }
        }

        List<Long> consumedAt(int nid) {
            return consumed.getOrDefault(nid, List.of());
        }
    }

    private static PutRequest put(long bits) {
        return new PutRequest(portals(SENDER), 0, 1, portals(RECEIVER), 4, 0, bits, 0, 0, false, 0, Payload.EMPTY);
    }

    private static io.uniform.portals.ProcessId portals(ProcessId id) {
        return new io.uniform.portals.ProcessId(id.nid(), id.pid());
    }

    private static List<Long> upTo(long count) {
        return LongStream.range(0, count).boxed().toList();
    }

    private static Network launched() {
        Network network = new Network();
        network.node(1).host(JOB, SENDER, LAUNCH_NIDS, NodeActor.Channels.NONE);
        network.node(2).host(JOB, RECEIVER, LAUNCH_NIDS, NodeActor.Channels.NONE);
        return network;
    }

    @Test
    void messagesGoToTheReceiversLaunchNodeAndCreditComesBack() {
        Network network = launched();
        int count = 3 * FlowControl.DEFAULT.window();
        for (long i = 0; i < count; i++) {
            network.node(1).send(put(i));
        }
        assertEquals(FlowControl.DEFAULT.window(), network.link(2).size(), "a window goes out, the rest waits for credit");
        assertTrue(network.node(1).heldForCredit());
        network.settle();
        assertEquals(upTo(count), network.consumedAt(2));
        assertTrue(!network.node(1).heldForCredit());
    }

    @Test
    void aMoveToANewIncarnationWhileTrafficFlowsLosesNothingAndClosesTheOldOneWithAMarker() {
        Network network = launched();
        for (long i = 0; i < 40; i++) {
            network.node(1).send(put(i));
        }
        network.deliver(2, 10);
        // The receiver is re-placed on its own node (a new stay there) while 30 messages are on their way to the old one.
        List<LocationUpdate> update = List.of(LocationUpdate.at(RECEIVER, 2, new Location(2, 1)));
        network.node(1).relocate(JOB, update);
        network.node(2).relocate(JOB, update);
        for (long i = 40; i < 100; i++) {
            network.node(1).send(put(i));
        }
        network.settle();
        assertEquals(upTo(100), network.consumedAt(2));
        assertEquals(1, network.node(1).traffic().markersSent());
        assertEquals(1, network.node(2).traffic().markersReceived());
    }

    @Test
    void aReceiverThatMovesMidStreamGetsEveryMessageOnceInOrderWhereverItWas() {
        Network network = launched();
        for (long i = 0; i < 50; i++) {
            network.node(1).send(put(i));
        }
        network.deliver(2, 20); // 20 consumed at the old node, 30 still on the link to it
        LocationUpdate moved = LocationUpdate.at(RECEIVER, 2, new Location(3, 0));
        NodeActor.Channels channels = network.node(2).leave(moved);
        network.node(3).relocate(JOB, List.of(moved));
        // The sender learns of the move late: 30 more go to the old node before its marker, the rest straight to the new one.
        for (long i = 50; i < 60; i++) {
            network.node(1).send(put(i));
        }
        network.node(1).relocate(JOB, List.of(moved));
        for (long i = 60; i < 120; i++) {
            network.node(1).send(put(i));
        }
        network.deliver(3, Integer.MAX_VALUE); // direct messages overtake the forwarded ones, before the process is there
        network.deliver(2, Integer.MAX_VALUE); // the old node forwards what came before the marker, then closes the channel
        network.consume(3, network.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, channels));
        network.settle();

        assertEquals(upTo(20), network.consumedAt(2));
        assertEquals(LongStream.range(20, 120).boxed().toList(), network.consumedAt(3), "once each, in the order sent");
        assertEquals(40, network.node(2).traffic().forwarded());
        assertEquals(1, network.node(2).traffic().markersReceived());
        assertTrue(!network.node(1).heldForCredit(), "credit came back from the new node");
    }

    @Test
    void aSenderThatMovesWithMessagesWaitingForCreditGoesOnWithItsSequenceFromItsNewNode() {
        Network network = launched();
        for (long i = 0; i < 100; i++) {
            network.node(1).send(put(i));
        }
        assertTrue(network.node(1).heldForCredit());
        LocationUpdate moved = LocationUpdate.at(SENDER, 2, new Location(3, 0));
        NodeActor.Channels channels = network.node(1).leave(moved);
        network.node(2).relocate(JOB, List.of(moved));
        network.consume(3, network.node(3).host(JOB, SENDER, LAUNCH_NIDS, channels));
        assertTrue(network.node(3).heldForCredit(), "its held messages came along");
        for (long i = 100; i < 150; i++) {
            network.node(3).send(put(i));
        }
        network.settle();
        assertEquals(upTo(150), network.consumedAt(2));
        assertTrue(!network.node(3).heldForCredit());
    }

    @Test
    void creditFollowsASenderThatMoved() {
        Network network = launched();
        int window = FlowControl.DEFAULT.window();
        for (long i = 0; i < window; i++) {
            network.node(1).send(put(i));
        }
        network.deliver(2, window / 2);
        int grantsToLaunchNode = network.link(1).size();
        assertTrue(grantsToLaunchNode > 0);
        network.node(2).relocate(JOB, List.of(LocationUpdate.at(SENDER, 2, new Location(4, 0))));
        network.deliver(2, Integer.MAX_VALUE);

        assertEquals(upTo(window), network.consumedAt(2));
        assertEquals(grantsToLaunchNode, network.link(1).size(), "no grant went to the node the sender left");
        List<Long> limits = network.link(4).stream().map(command -> ((NodeActor.Credit) command).grant().limit()).toList();
        assertEquals(1 + window / FlowControl.DEFAULT.batch() - grantsToLaunchNode, limits.size(),
                "its current grant, re-sent on the move, and the grants made since: " + limits);
        assertEquals(2L * window, limits.get(limits.size() - 1));
    }

    @Test
    void messagesThatComeBeforeTheLaunchWaitForItWhateverTheirNumber() {
        Network network = new Network();
        network.node(1).host(JOB, SENDER, LAUNCH_NIDS, NodeActor.Channels.NONE);
        int count = 5 * FlowControl.DEFAULT.window();
        for (long i = 0; i < count; i++) {
            network.node(1).send(put(i));
        }
        network.deliver(2, Integer.MAX_VALUE);
        assertEquals(List.of(), network.consumedAt(2));
        network.consume(2, network.node(2).host(JOB, RECEIVER, LAUNCH_NIDS, NodeActor.Channels.NONE));
        network.settle();
        assertEquals(upTo(count), network.consumedAt(2));
    }

    @Test
    void aPacketForAnEndedProcessIsDroppedAndItsSenderGetsUnlimitedCredit() {
        Network network = launched();
        network.node(2).hostEnded();
        int count = 2 * FlowControl.DEFAULT.window();
        for (long i = 0; i < count; i++) {
            network.node(1).send(put(i));
        }
        network.settle();
        assertEquals(List.of(), network.consumedAt(2));
        assertEquals(count, network.node(2).traffic().dropped());
        assertTrue(!network.node(1).heldForCredit());
    }

    @Test
    void aMessageToAProcessOutsideTheJobIsDroppedAtItsSender() {
        Network network = launched();
        network.node(1).send(new PutRequest(portals(SENDER), 0, 1, new io.uniform.portals.ProcessId(9, 5), 4, 0, 0, 0, 0, false, 0,
                Payload.EMPTY));
        assertEquals(1, network.node(1).traffic().dropped());
        assertTrue(network.links.values().stream().allMatch(Queue::isEmpty));
    }

    @Test
    void onlyTheHostedProcessCanLeaveAndOnlyForAnotherNode() {
        Network network = launched();
        assertThrows(IllegalArgumentException.class,
                () -> network.node(2).leave(LocationUpdate.at(SENDER, 2, new Location(3, 0))));
        assertThrows(IllegalArgumentException.class,
                () -> network.node(2).leave(LocationUpdate.at(RECEIVER, 2, new Location(2, 1))));
    }
}
