package io.uniform.interconnect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.config.MachineDescriptions;
import io.uniform.interconnect.ChannelReceiver.Arrival;
import io.uniform.interconnect.ChannelReceiver.Outcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The location directory updated while a channel carries traffic: a discrete-event simulation
 * of the 4 x 4 default machine in which a sender streams numbered messages to a receiver that
 * migrates again and again (and, in one variant, the sender migrates too), and every message
 * must still be consumed once and in order.
 *
 * <p>What the test harness models, standing in for the node actors and the migration issue:
 * <ul>
 *   <li>Links between nodes are FIFO per ordered pair of nids (what Pekko guarantees between
 *       two actors); which link moves next is random, so links race each other.</li>
 *   <li>Each node has a replica of the location directory. The authority's updates reach each
 *       replica in random order and late, and stale copies are replayed, so a replica may skip
 *       a location altogether.</li>
 *   <li>A node routes each envelope to the receiver's location as its sender last learned it
 *       from the node's replica ({@link ChannelSender#repoint} from a listener).</li>
 *   <li>A migration freezes the process, ships its channel state and unconsumed inbox to the
 *       new node, and leaves a forwarder at the old location that sends on everything that
 *       still arrives there. The new location publishes itself once the process runs there.</li>
 *   <li>Each old location keeps a {@link ChannelForwarder}, the nodes' own, which says when the
 *       channel is closed there; on closing it relays the marker onward. What still comes to a
 *       closed one (a late or resent copy, a notice) is passed on without opening it again.</li>
 *   <li>Where asked, links lose envelopes, grants and markers (not notices): the sender resends
 *       what is not acknowledged at each resend interval, and sends a notice for each marker once
 *       its end is delivered; every old location must still close.</li>
 * </ul>
 */
class TrafficWhileProcessesMoveTest {
    private static final Mesh MESH = Mesh.of(MachineDescriptions.preset("default"));
    private static final int NODES = MESH.positionCount();
    private static final ProcessId SENDER = new ProcessId(5, 1);
    private static final ProcessId RECEIVER = new ProcessId(10, 1);
    private static final ChannelId CHANNEL = new ChannelId(SENDER, RECEIVER);

    /** A message between nodes, addressed to a location (nid and incarnation). */
    private sealed interface Message permits Data, Mark, Grant, ReceiverArrives, SenderArrives {
        Location to();
    }

    private record Data(Location to, Envelope<Integer> envelope) implements Message {
    }

    private record Mark(Location to, ChannelMarker marker) implements Message {
    }

    private record Grant(Location to, CreditGrant grant) implements Message {
    }

    private record ReceiverArrives(Location to, ChannelReceiver.State<Integer> state, List<Envelope<Integer>> inbox)
            implements Message {
    }

    private record SenderArrives(Location to, ChannelSender.State<Integer> state) implements Message {
    }

    /** What a run did, for the assertions about coverage. */
    record Report(int receiverMoves, int senderMoves, long forwarded, long markers, long relayedClosings,
                  int mostOpenForwarders, long grantsLost, long staleUpdates, long hops, long dropped, long resends) {
    }

    private static final class Simulation {
        final Random random;
        final FlowControl flow;
        final int messages;
        final int receiverMovesWanted;
        final int senderMovesWanted;
        final double moveChance;
        // Each envelope, grant and marker a link carries is lost at this chance; the sender's resend interval is this many steps (0: never).
        double lossChance;
        int resendEvery;
        long dropped;
        long resends;
        final Map<Long, ArrayDeque<Message>> links = new LinkedHashMap<>();
        // Counted as they change, so that a step need not scan every link and bag to find them.
        int busyLinks;
        int unheardUpdates;
        final LocationDirectory authority = new LocationDirectory();
        final List<LocationUpdate> published = new ArrayList<>();
        final List<LocationDirectory> replicas = new ArrayList<>();
        final List<List<LocationUpdate>> unheard = new ArrayList<>();
        final Map<Location, ChannelForwarder> forwarders = new HashMap<>();
        final Set<Location> closedForwarders = new HashSet<>();
        final Set<Location> closingMarkers = new HashSet<>();
        long incarnations;

        Location receiverAt;
        ChannelReceiver<Integer> receiver;
        final ArrayDeque<Envelope<Integer>> inbox = new ArrayDeque<>();
        Location senderAt;
        ChannelSender<Integer> sender;
        ChannelSender.State<Integer> senderInTransit;

        int offered;
        int consumed;
        int receiverMoves;
        int senderMoves;
        long forwarded;
        long relayedClosings;
        int mostOpenForwarders;
        long grantsLost;
        long staleUpdates;
        long hops;

        /**
         * @param moveChance how eager the processes are to move, 0 to 1: at 1 they move again
         *     long before their peers learn of the last move, lower spaces the moves out
         */
        Simulation(long seed, FlowControl flow, int messages, int receiverMoves, int senderMoves, double moveChance) {
            this.random = new Random(seed);
            this.moveChance = moveChance;
            this.flow = flow;
            this.messages = messages;
            this.receiverMovesWanted = receiverMoves;
            this.senderMovesWanted = senderMoves;
            for (int nid = 0; nid < NODES; nid++) {
                LocationDirectory replica = new LocationDirectory();
                int here = nid;
                replica.subscribe(change -> heard(here, change));
                replicas.add(replica);
                unheard.add(new ArrayList<>());
            }
            senderAt = new Location(SENDER.nid(), incarnations++);
            receiverAt = new Location(RECEIVER.nid(), incarnations++);
            LocationUpdate senderPlaced = authority.place(SENDER, senderAt);
            LocationUpdate receiverPlaced = authority.place(RECEIVER, receiverAt);
            for (LocationDirectory replica : replicas) {
                replica.apply(senderPlaced);
                replica.apply(receiverPlaced);
            }
            published.add(senderPlaced);
            published.add(receiverPlaced);
            sender = new ChannelSender<>(CHANNEL, flow, receiverAt, receiverPlaced.version());
            receiver = new ChannelReceiver<>(CHANNEL, flow);
        }

        // ---- the network ----

        void send(int fromNid, Message message) {
            ArrayDeque<Message> link = links.computeIfAbsent((long) fromNid * NODES + message.to().nid(), key -> new ArrayDeque<>());
            if (link.isEmpty()) {
                busyLinks++;
            }
            link.addLast(message);
        }

        /** The first message of the {@code index}th busy link, in the links' order. */
        Message takeFromBusyLink(int index) {
            int busy = 0;
            for (ArrayDeque<Message> link : links.values()) {
                if (!link.isEmpty() && busy++ == index) {
                    Message message = link.removeFirst();
                    if (link.isEmpty()) {
                        busyLinks--;
                    }
                    return message;
                }
            }
            throw new IllegalStateException("no busy link " + index + " of " + busyLinks);
        }

        void publish(LocationUpdate update) {
            published.add(update);
            for (List<LocationUpdate> bag : unheard) {
                bag.add(update);
            }
            unheardUpdates += unheard.size();
        }

        // ---- a node's replica heard of a change ----

        void heard(int nid, LocationChange change) {
            if (change.process().equals(RECEIVER) && sender != null && senderAt.nid() == nid) {
                sender.repoint(change.to(), change.version()).ifPresent(marker -> send(nid, new Mark(marker.closed(), marker)));
            }
            if (change.process().equals(SENDER) && receiver != null && receiverAt.nid() == nid) {
                send(nid, new Grant(change.to(), receiver.currentGrant()));
            }
        }

        // ---- the processes ----

        /** The sender's resend interval passed: what it resends goes where it sends now; so do its notices. */
        void resendInterval() {
            if (sender == null) {
                return;
            }
            List<Envelope<Integer>> again = sender.overdue();
            resends += again.size();
            again.forEach(envelope -> send(senderAt.nid(), new Data(sender.target(), envelope)));
        }

        void grantArrived(CreditGrant grant) {
            sender.grant(grant).forEach(this::route);
            sender.drainNotices().forEach(notice -> send(senderAt.nid(), new Mark(notice.closed(), notice)));
        }

        void route(Envelope<Integer> envelope) {
            Location target = sender.target();
            LocationDirectory replica = replicas.get(senderAt.nid());
            if (senderMovesWanted == 0) {
                assertEquals(replica.lookup(RECEIVER).orElseThrow(), target,
                        "routed to where the sender's node's directory names the receiver");
            } else {
                assertTrue(sender.targetVersion() >= replica.version(RECEIVER),
                        "routed to the newest location the sender knows");
            }
            int routeHops = MESH.hops(senderAt.nid(), target.nid());
            sender.recordHops(routeHops);
            hops += routeHops;
            send(senderAt.nid(), new Data(target, envelope));
        }

        void offer() {
            sender.send(offered++).ifPresent(this::route);
        }

        void consume() {
            int take = 1 + random.nextInt(inbox.size());
            for (int i = 0; i < take; i++) {
                Envelope<Integer> envelope = inbox.removeFirst();
                assertEquals(consumed, envelope.payload(), "consumed once each and in order");
                assertEquals(consumed, envelope.sequence());
                consumed++;
            }
            receiver.consumed(take).ifPresent(grant -> send(receiverAt.nid(),
                    new Grant(replicas.get(receiverAt.nid()).lookup(SENDER).orElseThrow(), grant)));
        }

        void moveReceiver() {
            Location from = receiverAt;
            Location to = new Location(random.nextInt(NODES), incarnations++);
            ChannelReceiver.State<Integer> state = receiver.state();
            forwarders.put(from, ChannelForwarder.left(from, to, state));
            send(from.nid(), new ReceiverArrives(to, state, List.copyOf(inbox)));
            inbox.clear();
            receiver = null;
            receiverMoves++;
            long open = forwarders.size() - closedForwarders.size();
            mostOpenForwarders = (int) Math.max(mostOpenForwarders, open);
        }

        void moveSender() {
            Location to = new Location(random.nextInt(NODES), incarnations++);
            senderInTransit = sender.state();
            send(senderAt.nid(), new SenderArrives(to, senderInTransit));
            sender = null;
            senderMoves++;
        }

        // ---- arrivals ----

        void arrive(Message message) {
            Location to = message.to();
            if (message instanceof Data data) {
                arriveData(to, data.envelope());
            } else if (message instanceof Mark mark) {
                arriveMarker(to, mark.marker());
            } else if (message instanceof Grant grant) {
                if (sender != null && senderAt.equals(to)) {
                    grantArrived(grant.grant());
                } else {
                    grantsLost++; // the sender has left (or not yet arrived): a later re-send repairs it
                }
            } else if (message instanceof ReceiverArrives arrives) {
                assertNull(receiver, "one receiver at a time");
                receiver = ChannelReceiver.restore(arrives.state());
                receiverAt = to;
                inbox.addAll(arrives.inbox());
                publish(authority.place(RECEIVER, to));
                LocationDirectory replica = replicas.get(to.nid());
                replica.lookup(SENDER).ifPresent(senderLocation ->
                        send(to.nid(), new Grant(senderLocation, receiver.currentGrant())));
            } else if (message instanceof SenderArrives arrives) {
                assertNull(sender, "one sender at a time");
                sender = ChannelSender.restore(arrives.state());
                senderAt = to;
                senderInTransit = null;
                publish(authority.place(SENDER, to));
                LocationDirectory replica = replicas.get(to.nid());
                replica.entry(RECEIVER).ifPresent(known -> sender.repoint(known.location(), known.version())
                        .ifPresent(marker -> send(to.nid(), new Mark(marker.closed(), marker))));
            }
        }

        void arriveData(Location to, Envelope<Integer> envelope) {
            if (receiver != null && receiverAt.equals(to)) {
                Arrival<Integer> arrival = receiver.accept(envelope);
                assertTrue(arrival.outcome() == Outcome.DELIVERED || arrival.outcome() == Outcome.BUFFERED
                                || lossChance > 0 && arrival.outcome() == Outcome.DUPLICATE,
                        () -> "envelope " + envelope.sequence() + " at " + to + ": " + arrival.outcome());
                inbox.addAll(arrival.delivered());
                if (arrival.answer() != null) {
                    send(to.nid(), new Grant(replicas.get(to.nid()).lookup(SENDER).orElseThrow(), arrival.answer()));
                }
                return;
            }
            ChannelForwarder forwarder = forwarders.get(to);
            assertNotNull(forwarder, () -> "envelope " + envelope.sequence() + " for " + to + " found no one there");
            assertTrue(lossChance > 0 || !closedForwarders.contains(to),
                    () -> "envelope " + envelope.sequence() + " after " + forwarder + " closed");
            forwarder.passed(envelope.sequence());
            send(to.nid(), new Data(forwarder.next(), envelope));
            forwarded++;
            tryClose(forwarder);
        }

        void arriveMarker(Location to, ChannelMarker marker) {
            if (receiver != null && receiverAt.equals(to)) {
                assertEquals(to, marker.next(), "only a marker relayed to where the sender now sends reaches the process");
                return;
            }
            ChannelForwarder forwarder = forwarders.get(to);
            assertNotNull(forwarder, () -> "marker " + marker + " found no one at " + to);
            if (closedForwarders.contains(to)) {
                boolean closes = ChannelForwarder.closes(marker, to);
                assertTrue(marker.settles() || !closes, () -> "only a notice closes again at " + to + ": " + marker);
                if (closes) {
                    send(to.nid(), new Mark(forwarder.next(), marker)); // a notice: passed on, for a stay after this one
                }
                return;
            }
            boolean closing = forwarder.marker(marker);
            boolean first = ChannelForwarder.closes(marker, to) && !closingMarkers.contains(to);
            assertEquals(first, closing, () -> "the one closing marker of " + forwarder + ": " + marker);
            if (closing) {
                closingMarkers.add(to);
            }
            if (closing && !marker.closed().equals(to)) {
                relayedClosings++;
            }
            tryClose(forwarder);
        }

        void tryClose(ChannelForwarder forwarder) {
            if (forwarder.closed() && closedForwarders.add(forwarder.self())) {
                send(forwarder.self().nid(), new Mark(forwarder.next(), forwarder.relay()));
            }
        }

        // ---- the run ----

        boolean done() {
            return consumed == messages && receiverMoves == receiverMovesWanted && senderMoves == senderMovesWanted
                    && receiver != null && sender != null
                    && (resendEvery > 0 ? !sender.outstanding() : sender.held() == 0) // without resends a tail stays unacknowledged
                    && busyLinks == 0
                    && unheardUpdates == 0
                    && closedForwarders.size() == forwarders.size();
        }

        Report run() {
            long limit = 400L * messages + 200_000;
            for (long step = 0; !done(); step++) {
                if (step > limit) {
                    fail("no progress after " + step + " steps: consumed " + consumed + " of " + messages + "; " + sender
                            + "; " + receiver + "; " + forwarders.values());
                }
                checkWindow();
                if (resendEvery > 0 && step % resendEvery == 0) {
                    resendInterval();
                }
                int dice = random.nextInt(100);
                if (dice < 45) {
                    if (busyLinks > 0) {
                        Message message = takeFromBusyLink(random.nextInt(busyLinks));
                        // A notice is not lost: a stay whose marker and notice are both lost stays open (see ARCHITECTURE).
                        boolean losable = message instanceof Data || message instanceof Grant
                                || message instanceof Mark mark && !mark.marker().settles();
                        if (losable && random.nextDouble() < lossChance) {
                            dropped++;
                        } else {
                            arrive(message);
                        }
                    }
                } else if (dice < 60) {
                    int nid = random.nextInt(NODES);
                    List<LocationUpdate> bag = unheard.get(nid);
                    if (!bag.isEmpty()) {
                        LocationUpdate update = bag.remove(random.nextInt(bag.size()));
                        unheardUpdates--;
                        if (replicas.get(nid).apply(update) == LocationDirectory.Outcome.STALE) {
                            staleUpdates++;
                        }
                    }
                } else if (dice < 62) {
                    if (receiverMoves + senderMoves < receiverMovesWanted + senderMovesWanted) {
                        // An old update heard again, late.
                        unheard.get(random.nextInt(NODES)).add(published.get(random.nextInt(published.size())));
                        unheardUpdates++;
                    }
                } else if (dice < 78) {
                    if (sender != null && offered < messages) {
                        offer();
                    }
                } else if (dice < 95) {
                    if (receiver != null && !inbox.isEmpty()) {
                        consume();
                    }
                } else if (random.nextDouble() >= moveChance) {
                    continue;
                } else if (dice < 98) {
                    if (receiver != null && receiverMoves < receiverMovesWanted && offered > 0) {
                        moveReceiver();
                    }
                } else {
                    if (sender != null && senderMoves < senderMovesWanted && offered > 0) {
                        moveSender();
                    }
                }
            }
            assertEquals(messages, consumed);
            assertEquals(0, receiver.buffered());
            if (lossChance == 0) {
                assertEquals(0, receiver.stats().duplicates());
            }
            assertEquals(0, receiver.stats().refused());
            assertEquals(new HopCount(messages, hops, sender.hopCount().maxHops()), sender.hopCount(),
                    "the channel counted the hops of every message it routed");
            assertEquals(authority.snapshot(), replicas.get(0).snapshot(), "the replicas caught up");
            assertEquals(receiverAt, authority.lookup(RECEIVER).orElseThrow());
            return new Report(receiverMoves, senderMoves, forwarded, sender.markers(), relayedClosings,
                    mostOpenForwarders, grantsLost, staleUpdates, hops, dropped, resends);
        }

        /** A window bounds what is on the way to the receiver or waiting there, moves included. */
        void checkWindow() {
            long sent = sender != null ? sender.nextSequence() : senderInTransit.nextSequence();
            assertTrue(sent - consumed <= flow.window(), () -> (sent - consumed) + " unconsumed past a window of "
                    + flow.window());
            if (receiver != null) {
                assertTrue(receiver.buffered() + inbox.size() <= flow.window());
                assertEquals(receiver.unconsumed(), inbox.size());
            }
        }
    }

    @Test
    void aMovingReceiverGetsEveryMessageOnceAndInOrder() {
        int moves = 0;
        long forwarded = 0;
        long relayed = 0;
        long stale = 0;
        int mostOpen = 0;
        for (long seed = 0; seed < 120; seed++) {
            FlowControl flow = new FlowControl(1 + (int) (seed % 12), 1 + (int) (seed % 12) / 2);
            Report report = new Simulation(seed, flow, 400, 12, 0, 1).run();
            moves += report.receiverMoves();
            forwarded += report.forwarded();
            relayed += report.relayedClosings();
            stale += report.staleUpdates();
            mostOpen = Math.max(mostOpen, report.mostOpenForwarders());
            assertEquals(report.receiverMoves(), report.markers() + report.relayedClosings(),
                    "every old location was closed by its own marker or, if its sender skipped it, a relayed one");
        }
        assertEquals(120 * 12, moves);
        assertTrue(forwarded > 1_000, "messages were in flight to old locations: " + forwarded);
        assertTrue(relayed > 0, "some senders skipped a location their directory never showed them: " + relayed);
        assertTrue(stale > 0, "replicas saw stale updates: " + stale);
        assertTrue(mostOpen >= 3, "processes moved again before earlier markers arrived: " + mostOpen);
    }

    @Test
    void aReceiverMovingTwoHundredTimesUnderALongStream() {
        Report report = new Simulation(42, FlowControl.DEFAULT, 30_000, 200, 0, 0.02).run();
        assertEquals(200, report.receiverMoves());
        assertTrue(report.forwarded() > 200, report.toString());
        assertTrue(report.markers() > 150, "spaced out, most moves are closed by their sender's own marker: " + report);
    }

    /** A run whose links lose {@code lossChance} of the envelopes, grants and markers they carry. */
    private static Report lossy(long seed, FlowControl flow, int messages, int receiverMoves, int senderMoves, double moveChance,
                                double lossChance) {
        Simulation simulation = new Simulation(seed, flow, messages, receiverMoves, senderMoves, moveChance);
        simulation.lossChance = lossChance;
        simulation.resendEvery = 40 * flow.window() + 400;
        return simulation.run();
    }

    @Test
    void lostEnvelopesGrantsAndMarkersAreRepairedWhileBothEndsMove() {
        long dropped = 0;
        long resends = 0;
        int moves = 0;
        for (long seed = 0; seed < 60; seed++) {
            FlowControl flow = new FlowControl(1 + (int) (seed % 9), 1 + (int) (seed % 9) / 3);
            Report report = lossy(7_000 + seed, flow, 300, 6, seed % 3 == 0 ? 4 : 0, seed % 2 == 0 ? 1 : 0.1, 0.03);
            dropped += report.dropped();
            resends += report.resends();
            moves += report.receiverMoves() + report.senderMoves();
        }
        assertTrue(dropped > 500, "the links lost messages: " + dropped);
        assertTrue(resends > 100, "and the sender resent: " + resends);
        assertEquals(60 * 6 + 20 * 4, moves);
    }

    @Test
    void aReceiverMovingTwoHundredTimesUnderALongLossyStream() {
        Report report = lossy(43, FlowControl.DEFAULT, 20_000, 200, 0, 0.02, 0.01);
        assertEquals(200, report.receiverMoves());
        assertTrue(report.dropped() > 200, report.toString());
    }

    @Test
    void bothEndsMovingStillDeliverEveryMessageOnceAndInOrder() {
        long lost = 0;
        for (long seed = 0; seed < 80; seed++) {
            FlowControl flow = new FlowControl(1 + (int) (seed % 9), 1 + (int) (seed % 9) / 3);
            Report report = new Simulation(1_000 + seed, flow, 400, 8, 8, seed % 2 == 0 ? 1 : 0.1).run();
            assertEquals(8, report.senderMoves());
            lost += report.grantsLost();
        }
        assertTrue(lost > 0, "grants sent to a sender that had left were lost and repaired: " + lost);
    }
}
