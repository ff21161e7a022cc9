package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.FlowControl;
import io.uniform.interconnect.Location;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.interconnect.ProcessId;
import io.uniform.portals.Fragment;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.PutRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
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
    private static final int LARGE_FRAGMENT = 1_000;
    /** How long a stay waits for its markers by default: a move's timeout and handoff-timeout (30 s + 10 s) in 1 s resend intervals. */
    static final int STAY_BOUND_INTERVALS = 40;
    /** What a node keeps of each kind for jobs that have not ended there, by default. */
    static final int KEPT_PER_KIND = 4096;

    /** Nodes joined by FIFO links; each node's "kernel" consumes what its transport hands it and records its match bits. */
    private static final class Network {
        private final Map<Integer, PortalsTransport> nodes = new HashMap<>();
        private final Map<Integer, Queue<NodeActor.Command>> links = new HashMap<>();
        private final Map<Integer, List<Long>> consumed = new HashMap<>();
        private final Map<Integer, List<Payload>> payloads = new HashMap<>();
        private final int fragmentBytes;
        // Where asked, the links lose and duplicate what they carry (never a notice: see ARCHITECTURE).
        private Random faults;
        private double lossChance;
        private double duplicateChance;
        private long lost;
        private long duplicated;

        Network() {
            this(64 * 1024);
        }

        /** Nodes whose messages carry at most {@code fragmentBytes} of data each. */
        Network(int fragmentBytes) {
            this.fragmentBytes = fragmentBytes;
        }

        /** From now on each packet, grant and marker is lost at {@code loss} and delivered twice (the copy late) at {@code duplicate}. */
        Network faulty(long seed, double loss, double duplicate) {
            faults = new Random(seed);
            lossChance = loss;
            duplicateChance = duplicate;
            return this;
        }

        PortalsTransport node(int nid) {
            return nodes.computeIfAbsent(nid, id -> new PortalsTransport(id, (to, command) -> link(to).add(command), fragmentBytes, STAY_BOUND_INTERVALS,
                    KEPT_PER_KIND));
        }

        Queue<NodeActor.Command> link(int nid) {
            return links.computeIfAbsent(nid, id -> new ArrayDeque<>());
        }

        /** Delivers what waits for node {@code nid}, at most {@code max} messages, in order. */
        void deliver(int nid, int max) {
            Queue<NodeActor.Command> queue = link(nid);
            for (int i = 0; i < max && !queue.isEmpty(); i++) {
                NodeActor.Command command = queue.remove();
                boolean faultable = command instanceof NodeActor.Packet || command instanceof NodeActor.Credit
                        || command instanceof NodeActor.Marker marker && !marker.marker().settles();
                if (faults != null && faultable) {
                    if (faults.nextDouble() < lossChance) {
                        lost++;
                        continue;
                    }
                    if (faults.nextDouble() < duplicateChance) {
                        duplicated++;
                        queue.add(command);
                    }
                }
                PortalsTransport node = node(nid);
                if (command instanceof NodeActor.Packet packet) {
                    consume(nid, node.receive(packet));
                } else if (command instanceof NodeActor.Credit credit) {
                    node.credit(credit);
                } else if (command instanceof NodeActor.Locations news) {
                    node.relocate(news.jobId(), news.updates()); // passed on by a stay left there
                } else if (command instanceof NodeActor.MarkerWanted wanted) {
                    node.markerWanted(wanted);
                } else {
                    node.marker((NodeActor.Marker) command);
                }
            }
        }

        void consume(int nid, List<Envelope<PortalsMessage>> ready) {
            for (Envelope<PortalsMessage> envelope : ready) {
                Envelope<PortalsMessage> whole = node(nid).assemble(envelope);
                if (whole != null) {
                    PutRequest put = (PutRequest) whole.payload();
                    consumed.computeIfAbsent(nid, id -> new ArrayList<>()).add(put.matchBits());
                    payloads.computeIfAbsent(nid, id -> new ArrayList<>()).add(put.payload());
                }
                node(nid).consumed(envelope);
            }
        }

        /** Delivers everything on every link until all are quiet. */
        void settle() {
            for (int round = 0; links.values().stream().anyMatch(queue -> !queue.isEmpty()); round++) {
                if (round == 100_000) {
                    fail("the links are still busy after 100,000 rounds: something circles between nodes");
                }
                List.copyOf(links.keySet()).forEach(nid -> deliver(nid, Integer.MAX_VALUE));
            }
        }

        /**
         * Resend intervals pass, each after the links went quiet, until no channel waits for an
         * acknowledgement: what a tail of messages (fewer than a grant's batch) needs, and what
         * repairs each loss of a faulty network (a stalled window at a time).
         */
        void settleWithResends() {
            settle();
            for (int interval = 0; interval < 1_000; interval++) {
                boolean waiting = false;
                for (PortalsTransport node : List.copyOf(nodes.values())) {
                    waiting |= node.resendOverdue();
                }
                settle();
                if (!waiting) {
                    return;
                }
            }
            fail("channels still wait for acknowledgements after 1,000 resend intervals");
        }

        List<Long> consumedAt(int nid) {
            return consumed.getOrDefault(nid, List.of());
        }

        /** The data of the puts node {@code nid}'s kernel took, in order. */
        List<Payload> payloadsAt(int nid) {
            return payloads.getOrDefault(nid, List.of());
        }

        /** What node {@code nid}'s kernel took leaves with its process: the node takes nothing more for it. */
        void leftFrom(int nid, List<Long> bits, List<Payload> data) {
            bits.addAll(consumedAt(nid));
            data.addAll(payloadsAt(nid));
            consumed.remove(nid);
            payloads.remove(nid);
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

    /** Put {@code bits} carrying data of a length and content that {@code bits} chooses: up to six fragments of 1,000 bytes. */
    private static PutRequest largePut(long bits) {
        Random random = new Random(bits);
        byte[] data = new byte[random.nextInt(6 * LARGE_FRAGMENT)];
        random.nextBytes(data);
        return new PutRequest(portals(SENDER), 0, 1, portals(RECEIVER), 4, 0, bits, 0, 0, false, 0, Payload.copyOf(data));
    }

    private static List<Payload> largePayloads(long count) {
        return LongStream.range(0, count).mapToObj(bits -> largePut(bits).payload()).toList();
    }

    private static Network launched() {
        return launched(new Network());
    }

    private static Network launched(Network network) {
        network.node(1).host(JOB, SENDER, LAUNCH_NIDS, NodeActor.Channels.NONE);
        network.node(2).host(JOB, RECEIVER, LAUNCH_NIDS, NodeActor.Channels.NONE);
        return network;
    }

    /** {@code process}'s entry at {@code version}: a stay on {@code nid} (the version is also the incarnation, as a move makes it). */
    private static LocationUpdate at(ProcessId process, long version, int nid) {
        return LocationUpdate.at(process, version, new Location(nid, version));
    }

    private static void send(Network network, int nid, long from, long to) {
        for (long i = from; i < to; i++) {
            network.node(nid).send(put(i));
        }
    }

    /** No node forwards for a stay any more, and the nodes in {@code idle} have forgotten the job. */
    private static void assertReleased(Network network, List<Integer> idle) {
        network.nodes.forEach((nid, node) -> assertEquals(0, node.traffic().openStays(), "stays still open at node " + nid));
        idle.forEach(nid -> assertEquals(0, network.node(nid).traffic().jobsKnown(), "node " + nid + " still keeps the job's directory"));
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
    void overLinksThatLoseAndDuplicateAReceiverMovingAgainAndAgainGetsEveryMessageOnceInOrderAndEveryStayCloses() {
        for (long seed = 0; seed < 8; seed++) {
            movingAgainAndAgainOverFaultyLinks(seed, new Network(), PortalsTransportRoutingTest::put);
        }
    }

    @Test
    void overLinksThatLoseDuplicateAndReorderPutsInFragmentsReachAReceiverMovingAgainAndAgainWholeOnceAndInOrder() {
        for (long seed = 0; seed < 8; seed++) {
            Network network = movingAgainAndAgainOverFaultyLinks(seed, new Network(LARGE_FRAGMENT), PortalsTransportRoutingTest::largePut);
            long parts = network.node(1).traffic().sent();
            assertTrue(parts > 2 * 12 * 150, "seed " + seed + ": " + parts + " channel messages for " + 12 * 150 + " puts");
        }
    }

    /** A receiver moves 12 times while 150 puts are sent before each move, over links that lose and duplicate (a copy comes late). */
    private static Network movingAgainAndAgainOverFaultyLinks(long seed, Network fresh, java.util.function.LongFunction<PutRequest> put) {
        Network network = launched(fresh).faulty(seed, 0.05, 0.03);
        java.util.Random random = new java.util.Random(seed);
        List<Long> consumed = new ArrayList<>();
        List<Payload> data = new ArrayList<>();
        int at = 2;
        long next = 0;
        for (int move = 0; move < 12; move++) {
            for (long i = next; i < next + 150; i++) {
                network.node(1).send(put.apply(i));
            }
            next += 150;
            network.deliver(at, random.nextInt(100));
            int to = 3 + random.nextInt(5);
            to = to == at ? 2 : to;
            LocationUpdate moved = at(RECEIVER, move + 2, to);
            network.node(to).expect(JOB, RECEIVER); // as Immigrate makes it, before the handoff
            NodeActor.Channels channels = network.node(at).leave(moved);
            network.node(to).relocate(JOB, List.of(moved));
            network.leftFrom(at, consumed, data);
            if (random.nextBoolean()) {
                network.deliver(1, random.nextInt(50)); // the sender hears of it late, or at once
            }
            network.node(1).relocate(JOB, List.of(moved));
            network.deliver(to, random.nextInt(50)); // some straight to the new node before the process
            network.consume(to, network.node(to).host(JOB, RECEIVER, LAUNCH_NIDS, channels));
            for (int i = 0; i < 3; i++) {
                network.deliver(random.nextInt(8), random.nextInt(200));
            }
            network.node(1).resendOverdue(); // a resend interval passes now and then, quiet or not
            at = to;
        }
        network.settleWithResends();
        network.leftFrom(at, consumed, data);
        assertEquals(upTo(next), consumed, "seed " + seed + ": every message consumed once, in order, wherever the receiver was");
        List<Payload> sent = LongStream.range(0, next).mapToObj(i -> put.apply(i).payload()).toList();
        assertTrue(sent.equals(data), "seed " + seed + ": every put's data arrived whole");
        long resent = network.nodes.values().stream().mapToLong(node -> node.traffic().resent()).sum();
        assertTrue(network.lost > 100 && network.duplicated > 50 && resent > 100,
                "lost " + network.lost + ", duplicated " + network.duplicated + ", resent " + resent);
        assertReleased(network, List.of());
        return network;
    }

    @Test
    void aReceiverThatMovesBetweenTheFragmentsOfAPutTakesItOnceAndWholeAtItsNewNode() {
        Network network = launched(new Network(LARGE_FRAGMENT));
        byte[] data = new byte[10 * LARGE_FRAGMENT - 1];
        new Random(3).nextBytes(data);
        PutRequest large = new PutRequest(portals(SENDER), 0, 1, portals(RECEIVER), 4, 0, 0, 0, 0, false, 0, Payload.copyOf(data));
        network.node(1).send(large);
        network.node(1).send(largePut(1));
        assertEquals(10 + Fragment.split(largePut(1), LARGE_FRAGMENT, 0).size(), network.link(2).size(), "the put went as 10 messages");
        network.deliver(2, 4); // 4 fragments taken at the old node, 6 still on the link to it
        assertEquals(List.of(), network.consumedAt(2), "nothing whole yet");
        LocationUpdate moved = LocationUpdate.at(RECEIVER, 2, new Location(3, 0));
        network.node(3).expect(JOB, RECEIVER);
        NodeActor.Channels channels = network.node(2).leave(moved);
        assertEquals(4, channels.receiving().get(0).setAside().size(), "the fragments taken go with the process");
        network.node(3).relocate(JOB, List.of(moved));
        network.node(1).relocate(JOB, List.of(moved));
        network.node(1).send(largePut(2)); // straight to the new node, overtaking those forwarded
        network.deliver(3, Integer.MAX_VALUE);
        network.deliver(2, Integer.MAX_VALUE);
        network.consume(3, network.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, channels));
        network.settleWithResends();

        assertEquals(List.of(), network.consumedAt(2));
        assertEquals(List.of(0L, 1L, 2L), network.consumedAt(3), "once each, in the order sent");
        assertEquals(List.of(Payload.copyOf(data), largePut(1).payload(), largePut(2).payload()), network.payloadsAt(3));
        assertReleased(network, List.of());
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
        assertEquals(2, network.node(2).traffic().markersReceived(), "the marker, and its notice once 40 were delivered");
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
        assertEquals(2, network.node(2).traffic().markersReceived(), "the marker, and its notice once 50 were delivered");
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

    /** The sender leaves node {@code from} as {@code move} says, as a node actor hands it over; the receiver's node hears of it. */
    private static void moveSender(Network network, int from, LocationUpdate move) {
        int to = move.location().nid();
        NodeActor.Channels channels = network.node(from).leave(move);
        network.node(to).relocate(JOB, List.of(move));
        network.consume(to, network.node(to).host(JOB, SENDER, LAUNCH_NIDS, channels));
        network.node(2).relocate(JOB, List.of(move));
        network.settleWithResends();
    }

    /**
     * The sender moves 1 -> 5 -> 3, and nodes 1 and 5 forget the job once its stays there close.
     * Then the receiver moves to node 5, whose directory, begun anew, has the sender at its launch
     * node: node 1 passes the grants back to the stay the sender left for node 5, which must follow
     * that stay's forwarding address (newer) rather than its directory, or the grants circle.
     */
    @Test
    void creditReachesASenderWhoseStayHereKnowsMoreThanTheDirectoryOfANodeNewToTheJob() {
        Network network = launched();
        moveSender(network, 1, at(SENDER, 2, 5));
        moveSender(network, 5, at(SENDER, 3, 3));
        assertEquals(0, network.node(5).traffic().jobsKnown(), "node 5 forgot the job");
        LocationUpdate receiverMove = at(RECEIVER, 2, 5);
        network.node(5).expect(JOB, RECEIVER);
        NodeActor.Channels channels = network.node(2).leave(receiverMove);
        network.node(3).relocate(JOB, List.of(receiverMove));
        network.node(5).relocate(JOB, List.of(receiverMove));
        network.consume(5, network.node(5).host(JOB, RECEIVER, LAUNCH_NIDS, channels));

        long messages = 3L * FlowControl.DEFAULT.window();
        send(network, 3, 0, messages);
        network.settleWithResends();
        assertEquals(upTo(messages), network.consumedAt(5));
        assertTrue(!network.node(3).heldForCredit());
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
    void aStayLeftIsReleasedOnceItsMarkersCameAndTheNodeForgetsTheJobYetCanHostItAgain() {
        Network network = launched();
        send(network, 1, 0, 50);
        network.deliver(2, 20);
        LocationUpdate toThree = at(RECEIVER, 2, 3);
        NodeActor.Channels channels = network.node(2).leave(toThree);
        network.node(3).relocate(JOB, List.of(toThree));
        network.consume(3, network.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, channels));
        network.deliver(2, Integer.MAX_VALUE); // forwarded; no marker yet: the sender has not heard
        assertEquals(1, network.node(2).traffic().openStays(), "the stay forwards until its channel's marker comes");
        assertEquals(1, network.node(2).traffic().jobsKnown());
        network.node(1).relocate(JOB, List.of(toThree));
        send(network, 1, 50, 80);
        network.settle();
        assertEquals(1, network.node(2).traffic().staysReleased());
        assertReleased(network, List.of(2));

        // Back to node 2, a new stay there: the node learns the job anew and the stream goes on.
        LocationUpdate backToTwo = at(RECEIVER, 3, 2);
        NodeActor.Channels back = network.node(3).leave(backToTwo);
        network.node(2).relocate(JOB, List.of(backToTwo));
        network.consume(2, network.node(2).host(JOB, RECEIVER, LAUNCH_NIDS, back));
        send(network, 1, 80, 100);
        network.node(1).relocate(JOB, List.of(backToTwo));
        send(network, 1, 100, 130);
        network.settle();
        List<Long> all = new ArrayList<>(network.consumedAt(2));
        all.addAll(network.consumedAt(3));
        all.sort(null);
        assertEquals(upTo(130), all, "once each");
        assertEquals(LongStream.range(0, 20).boxed().toList(), network.consumedAt(2).subList(0, 20));
        assertEquals(LongStream.range(80, 130).boxed().toList(), network.consumedAt(2).subList(20, 70), "in order at each stay");
        assertReleased(network, List.of(3));
    }

    @Test
    void aMarkerOvertakenByTheNextMoveStillClosesItsStay() {
        Network network = launched();
        send(network, 1, 0, 30); // all still on the link to node 2
        LocationUpdate toThree = at(RECEIVER, 2, 3);
        NodeActor.Channels first = network.node(2).leave(toThree);
        network.node(3).relocate(JOB, List.of(toThree));
        network.consume(3, network.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, first));
        network.node(1).relocate(JOB, List.of(toThree)); // the marker to node 2 queues behind the 30
        send(network, 1, 30, 45);
        network.deliver(3, 5);
        // It moves on before any of that reached node 2, and node 2 hears of the second move before its marker arrives.
        LocationUpdate toFour = at(RECEIVER, 3, 4);
        NodeActor.Channels second = network.node(3).leave(toFour);
        network.node(2).relocate(JOB, List.of(toFour));
        network.node(4).relocate(JOB, List.of(toFour));
        network.consume(4, network.node(4).host(JOB, RECEIVER, LAUNCH_NIDS, second));
        send(network, 1, 45, 60); // still to node 3
        network.deliver(4, Integer.MAX_VALUE);
        network.deliver(2, Integer.MAX_VALUE); // node 2 passes its 30 to node 3, the stay after it, whatever its directory says
        network.node(1).relocate(JOB, List.of(toFour));
        send(network, 1, 60, 90);
        network.settle();

        assertEquals(LongStream.range(0, 90).boxed().toList(), network.consumedAt(4), "once each, in the order sent");
        assertEquals(2, network.node(1).traffic().markersSent());
        assertReleased(network, List.of(2, 3));
    }

    @Test
    void aStaySkippedByTheSenderIsClosedByTheMarkerItsPredecessorRelays() {
        Network network = launched();
        send(network, 1, 0, 40);
        network.deliver(2, 5);
        LocationUpdate toThree = at(RECEIVER, 2, 3);
        NodeActor.Channels first = network.node(2).leave(toThree);
        network.node(3).relocate(JOB, List.of(toThree));
        network.consume(3, network.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, first));
        LocationUpdate toFour = at(RECEIVER, 3, 4);
        NodeActor.Channels second = network.node(3).leave(toFour);
        network.node(4).relocate(JOB, List.of(toFour));
        network.consume(4, network.node(4).host(JOB, RECEIVER, LAUNCH_NIDS, second));
        // The sender's node never hears of the stay at node 3 in time: it learns of node 4 first, then the stale update.
        network.node(1).relocate(JOB, List.of(toFour));
        network.node(1).relocate(JOB, List.of(toThree));
        send(network, 1, 40, 70);
        network.deliver(3, Integer.MAX_VALUE);
        assertEquals(1, network.node(3).traffic().openStays(), "node 3 waits: the marker relayed from node 2 has not come");
        network.settle();

        assertEquals(upTo(5), network.consumedAt(2));
        assertEquals(LongStream.range(5, 70).boxed().toList(), network.consumedAt(4));
        assertEquals(1, network.node(1).traffic().markersSent(), "the sender re-pointed once, from node 2 to node 4");
        assertReleased(network, List.of(2, 3));
    }

    @Test
    void bothEndsMovingAtOnceWithTheirNewsCrossingLoseNothing() {
        for (boolean heardBeforeArrival : new boolean[] {true, false}) {
            Network network = launched();
            send(network, 1, 0, 100); // a window out, the rest held for credit
            network.deliver(2, 30);
            LocationUpdate senderMoved = at(SENDER, 2, 3);
            LocationUpdate receiverMoved = at(RECEIVER, 2, 4);
            network.node(3).expect(JOB, SENDER);
            network.node(4).expect(JOB, RECEIVER);
            NodeActor.Channels sending = network.node(1).leave(senderMoved);
            NodeActor.Channels receiving = network.node(2).leave(receiverMoved);
            // Each side's mover tells the other's old node, and each new node learns of the other move at its own time.
            network.node(2).relocate(JOB, List.of(senderMoved));
            network.node(1).relocate(JOB, List.of(receiverMoved));
            network.node(4).relocate(JOB, List.of(receiverMoved));
            network.node(3).relocate(JOB, List.of(senderMoved));
            if (heardBeforeArrival) {
                network.node(3).relocate(JOB, List.of(receiverMoved));
            }
            network.consume(4, network.node(4).host(JOB, RECEIVER, LAUNCH_NIDS, receiving));
            network.consume(3, network.node(3).host(JOB, SENDER, LAUNCH_NIDS, sending));
            send(network, 3, 100, 150);
            network.deliver(4, Integer.MAX_VALUE);
            network.node(4).relocate(JOB, List.of(senderMoved));
            if (!heardBeforeArrival) {
                network.deliver(3, Integer.MAX_VALUE);
                network.node(3).relocate(JOB, List.of(receiverMoved));
            }
            send(network, 3, 150, 200);
            network.settle();

            assertEquals(upTo(30), network.consumedAt(2));
            assertEquals(LongStream.range(30, 200).boxed().toList(), network.consumedAt(4), "once each, in order");
            assertTrue(!network.node(3).heldForCredit());
            assertReleased(network, List.of(1, 2));
        }
    }

    @Test
    void creditForASenderOnItsWayIsKeptForIt() {
        Network network = launched();
        int window = FlowControl.DEFAULT.window();
        send(network, 1, 0, 2L * window); // a window out, a window held
        LocationUpdate moved = at(SENDER, 2, 3);
        network.node(3).expect(JOB, SENDER);
        NodeActor.Channels channels = network.node(1).leave(moved);
        network.node(2).relocate(JOB, List.of(moved));
        network.deliver(2, Integer.MAX_VALUE); // consumed: every grant goes to node 3 before the sender is there
        network.deliver(3, Integer.MAX_VALUE);
        network.consume(3, network.node(3).host(JOB, SENDER, LAUNCH_NIDS, channels));
        network.settle();

        assertEquals(upTo(2L * window), network.consumedAt(2));
        assertTrue(!network.node(3).heldForCredit(), "the grants waited for the sender");
    }

    @Test
    void aSenderThatEndedDoesNotKeepAStayOpen() {
        Network network = launched();
        send(network, 1, 0, 10);
        network.node(1).hostEnded(); // its final marker follows its messages
        network.settle();
        LocationUpdate moved = at(RECEIVER, 2, 3);
        NodeActor.Channels channels = network.node(2).leave(moved);
        assertEquals(1, network.node(2).traffic().staysReleased(), "released at once: nothing more can come");
        assertEquals(0, network.node(2).traffic().jobsKnown());

        // And a sender that ends after the receiver left, never having heard of it, closes the stay with its final marker.
        Network late = launched();
        send(late, 1, 0, 10);
        LocationUpdate away = at(RECEIVER, 2, 3);
        NodeActor.Channels moving = late.node(2).leave(away);
        late.node(3).relocate(JOB, List.of(away));
        late.consume(3, late.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, moving));
        late.node(1).hostEnded();
        late.settleWithResends(); // the ten, fewer than a batch, are acknowledged only when resent
        assertEquals(upTo(10), late.consumedAt(3));
        assertReleased(late, List.of(1, 2));
        assertEquals(0, channels.sending().size());
    }

    /**
     * The receiver leaves node 2 while its sender, on node 1, ends without having heard of it, and
     * the sender's final marker is lost: its channel, every message acknowledged, is gone from node
     * 1. The stay asks for the marker after a resend interval and node 1 answers with the channel's
     * end, so the stay is released at once, where before the question found nothing and the stay
     * stayed open for its bound.
     */
    @Test
    void aStayWaitingForTheFinalMarkerOfASenderThatEndedIsToldItsEndWhenItAsks() {
        Network network = launched();
        send(network, 1, 0, 10);
        network.settleWithResends(); // the ten acknowledged
        LocationUpdate moved = at(RECEIVER, 2, 3);
        NodeActor.Channels channels = network.node(2).leave(moved);
        network.node(3).relocate(JOB, List.of(moved));
        network.consume(3, network.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, channels));
        network.node(1).hostEnded();
        assertTrue(network.link(2).removeIf(NodeActor.Marker.class::isInstance), "the final marker, lost");
        network.settle();
        assertEquals(1, network.node(2).traffic().openStays(), "the stay waits for the lost marker");

        for (int interval = 0; interval < 2; interval++) {
            network.node(2).resendOverdue(); // the second interval is one without news: the stay asks
            network.settle();
        }
        assertEquals(0, network.node(2).traffic().openStays(), "released on the sender's answer");
        assertEquals(1, network.node(2).traffic().staysReleased());
        assertEquals(upTo(10), network.consumedAt(2));
        assertReleased(network, List.of(1, 2));
    }

    /**
     * A node that its receivers left in three jobs whose end never reaches it, and that keeps two
     * forwarding addresses, forgets the oldest job's, where before it kept every one for its life;
     * a job whose end does come still takes its own with it.
     */
    @Test
    void forwardingAddressesOfJobsWhoseEndNeverComesAreBounded() {
        PortalsTransport node = new PortalsTransport(2, (nid, command) -> {}, 64 * 1024, STAY_BOUND_INTERVALS, 2);
        for (int job = 1; job <= 3; job++) {
            node.host(job, RECEIVER, LAUNCH_NIDS, NodeActor.Channels.NONE);
            node.leave(at(RECEIVER, 2, 3)); // no channel to it: released at once
        }
        assertEquals(3, node.traffic().staysReleased());
        assertEquals(2, node.traffic().forwardingAddresses(), "job 1's is forgotten");
        node.jobEnded(3);
        assertEquals(1, node.traffic().forwardingAddresses(), "job 2's is left");
    }

    /**
     * Nodes whose views of a sender lead round (3 has it at 4, 4 at 5, 5 at 3: news that did not
     * reach them all) pass a stay's question for the sender's marker on a bounded number of times,
     * then drop it, where before it circled for ever.
     */
    @Test
    void aQuestionForAMarkerPassedRoundNodesWhoseViewsOfTheSenderLeadToEachOtherIsDropped() {
        Network network = new Network();
        network.node(3).relocate(JOB, List.of(at(SENDER, 2, 4)));
        network.node(4).relocate(JOB, List.of(at(SENDER, 3, 5)));
        network.node(5).relocate(JOB, List.of(at(SENDER, 4, 3)));
        network.link(3).add(new NodeActor.MarkerWanted(JOB, new ChannelId(SENDER, RECEIVER), new Location(2, 0), new Location(6, 2)));
        network.settle();
        long dropped = List.of(3, 4, 5).stream().mapToLong(nid -> network.node(nid).traffic().dropped()).sum();
        assertEquals(1, dropped, "the question, once it had been passed on " + NodeActor.MarkerWanted.MAX_FORWARDS + " times");
    }

    @Test
    void aFirstMessageFromAStaleNodeAfterTheStayWasReleasedIsForwardedByItsAddress() {
        ProcessId latecomer = new ProcessId(5, 2);
        List<Integer> nids = List.of(1, 2, 5);
        Network network = new Network();
        network.node(1).host(JOB, SENDER, nids, NodeActor.Channels.NONE);
        network.node(2).host(JOB, RECEIVER, nids, NodeActor.Channels.NONE);
        network.node(5).host(JOB, latecomer, nids, NodeActor.Channels.NONE);
        send(network, 1, 0, 10);
        network.settle();
        LocationUpdate moved = at(RECEIVER, 2, 3);
        NodeActor.Channels channels = network.node(2).leave(moved);
        network.node(3).relocate(JOB, List.of(moved));
        network.consume(3, network.node(3).host(JOB, RECEIVER, nids, channels));
        network.node(1).relocate(JOB, List.of(moved));
        network.settle();
        assertEquals(1, network.node(2).traffic().staysReleased());
        // Node 5 has not heard of the move: its process's first messages to the receiver go to the stay at node 2.
        for (long i = 100; i < 105; i++) {
            network.node(5).send(new PutRequest(portals(latecomer), 0, 1, portals(RECEIVER), 4, 0, i, 0, 0, false, 0, Payload.EMPTY));
        }
        network.deliver(2, Integer.MAX_VALUE);
        assertEquals(1, network.node(2).traffic().openStays(), "opened again for the new channel");
        network.node(5).relocate(JOB, List.of(moved));
        network.settle();

        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), network.consumedAt(2));
        assertEquals(List.of(100L, 101L, 102L, 103L, 104L), network.consumedAt(3));
        assertReleased(network, List.of(2));
        assertEquals(1, network.node(2).traffic().staysReleased(), "one stay, released again after the straggler opened it");
    }

    @Test
    void aLostNodeClosesTheChannelsToAndFromIt() {
        Network network = launched();
        send(network, 1, 0, 100);
        assertTrue(network.node(1).heldForCredit());
        network.node(1).nodeLost(2, job -> false);
        assertTrue(!network.node(1).heldForCredit(), "the sender is not frozen waiting for credit from a lost node");
        assertEquals(100 - FlowControl.DEFAULT.window(), network.node(1).traffic().dropped(), "its held messages are dropped and counted");

        // A stay whose sender's node is lost stops waiting for that sender's marker.
        Network moving = launched();
        send(moving, 1, 0, 10);
        moving.deliver(2, 4);
        LocationUpdate moved = at(RECEIVER, 2, 3);
        NodeActor.Channels channels = moving.node(2).leave(moved);
        moving.node(3).relocate(JOB, List.of(moved));
        moving.consume(3, moving.node(3).host(JOB, RECEIVER, LAUNCH_NIDS, channels));
        moving.deliver(2, 2);
        assertEquals(1, moving.node(2).traffic().openStays());
        moving.node(2).nodeLost(1, job -> false);
        assertEquals(0, moving.node(2).traffic().openStays());
        assertEquals(1, moving.node(2).traffic().closedByFailure());
        moving.settle();
        assertEquals(LongStream.range(4, 10).boxed().toList(), moving.consumedAt(3), "what it had passed on still arrives");
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
