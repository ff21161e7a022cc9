package io.uniform.node;

import io.uniform.interconnect.ChannelForwarder;
import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.ChannelMarker;
import io.uniform.interconnect.ChannelReceiver;
import io.uniform.interconnect.ChannelSender;
import io.uniform.interconnect.CreditGrant;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.FlowControl;
import io.uniform.interconnect.Location;
import io.uniform.interconnect.LocationChange;
import io.uniform.interconnect.LocationDirectory;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.interconnect.ProcessId;
import io.uniform.interconnect.ResendBackoff;
import io.uniform.portals.Fragment;
import io.uniform.portals.PortalsMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Portals side of one node: the channels of the process it hosts, and where the processes
 * of each job it knows of run now. Plain, single-threaded Java that the {@link NodeActor} feeds
 * with the node's messages and that answers through {@link Links}; it never sees an actor.
 *
 * <h2>Routing by logical id</h2>
 * A Portals message names its processes by the ids guest code holds: (nid at launch, rank).
 * Those never change; where a process runs now is a per-job {@link LocationDirectory} replica,
 * seeded at launch with every rank at its launch node and kept current by the
 * {@link NodeActor.Locations} updates the process's mover publishes. A channel is pointed at its
 * receiver's current location; when the replica learns that the receiver moved, the channel is
 * re-pointed and its {@link ChannelMarker} goes to the location it leaves, on the same link as
 * the messages sent there before it. Credit goes back to the sender's current location.
 *
 * <h2>What a packet meets</h2>
 * A packet for the hosted process is taken off its channel, in sequence order whatever the
 * order of arrival, so messages a former location forwards and those sent straight here after
 * the switch are delivered as the sender sent them. A packet for a process that runs elsewhere
 * now is forwarded there. A packet of a job not launched here yet, or for a process moving here,
 * is kept until it comes (credit bounds those: at most a window per channel), and so is credit
 * for a sender moving here. Anything else has no receiver: it is dropped and its channel's sender
 * is given unlimited credit, so that it is not frozen waiting for a grant that would never come.
 *
 * <h2>Exactly once over a transport that loses messages</h2>
 * Artery drops what overflows a connection's send queue, so a channel's sender keeps what it
 * sent until a grant acknowledges it, and the host calls {@link #resendOverdue()} once per resend
 * interval, which sends again what a stalled channel has outstanding ({@link ChannelSender}); the
 * receiving end drops duplicates and answers a resent copy of its last delivered number with its
 * grant, which also repairs a lost grant. Markers settle once the receiver has delivered their end
 * (notices), so a stay closes even if a message to it, or its marker, was lost.
 *
 * <h2>A stay left behind</h2>
 * Packets and markers are addressed to a stay of their receiver ({@link Location}, incarnation
 * included). When the hosted process leaves, its stay here becomes a {@link Departure}: a
 * {@link ChannelForwarder} per channel to it passes on to the next stay what still comes, and the
 * stay is released when every channel is closed there by its marker (its sender's, relayed from
 * the stay before, or its sender's final one), or by the loss of its sender's node. What remains
 * of a released stay is its forwarding address (job, process, stay, next stay, the channels closed
 * there): a late or resent packet of a closed channel, or its notice, is passed on to the next stay;
 * should a packet of a channel the process never heard of before it left still come (a peer's first
 * message, sent from a stale directory), the stay is opened again for that channel and closed by
 * its marker.
 * Once the node hosts no process of a job and forwards for none, it forgets the job's directory.
 *
 * <h2>Messages larger than a packet</h2>
 * A put or reply with more data than {@code fragmentBytes} travels as several channel messages
 * ({@link Fragment#split}): the fragments of its data, each naming its message, numbered,
 * credited, resent, forwarded and marked like any other. As the kernel takes them
 * ({@link #assemble}), the fragments are set aside on their receiving channel, whose state
 * moves with the process and is part of a snapshot's cut, and the message is handed to the
 * kernel whole, once, with its last part; the leftover of a message that will never be
 * complete is discarded, never joined onto another.
 */
final class PortalsTransport {
    private static final Logger LOG = LoggerFactory.getLogger(PortalsTransport.class);

    /** How the transport reaches nodes: in order per node, whatever the node. */
    interface Links {
        void send(int nid, NodeActor.Command command);
    }

    /** A channel of a job: the same two processes talk on a new channel in each job. */
    private record JobChannel(int jobId, ChannelId channel) {}

    private record JobProcess(int jobId, ProcessId process) {}

    /** A stay of a process of a job: where its packets and markers are addressed. */
    private record Stay(int jobId, ProcessId process, Location at) {}

    /** What remains of a released stay: where its process went, and the channels closed there. */
    private record Address(Location next, Set<ChannelId> closed) {}

    /**
     * What an open stay has heard (packets and markers): when a resend interval passes without
     * any, it asks the senders of its open channels for their markers ({@link NodeActor.MarkerWanted}),
     * with {@link ResendBackoff}, as a marker and its notice may both have been lost; and how many
     * intervals in a row it has heard nothing, which a bound ends.
     */
    private static final class Waiting {
        long heard;
        final ResendBackoff backoff = new ResendBackoff();
        private long heardAtLastInterval;
        private int quietIntervals;

        /** A resend interval has passed: how many in a row the stay has now heard nothing. */
        int quietIntervals() {
            quietIntervals = heard == heardAtLastInterval ? quietIntervals + 1 : 0;
            heardAtLastInterval = heard;
            return quietIntervals;
        }
    }

    /**
     * A stay of a process that has left this node for {@code next}, with a forwarder per channel to
     * it until all are closed, and how long it has waited for them ({@link Waiting}); {@code reopened}
     * when it was released once and a straggler of a channel new to it opened it again.
     */
    private record Departure(Stay stay, Location next, Map<ChannelId, ChannelForwarder> channels, Set<ChannelId> closedBefore,
                             boolean reopened, Waiting waiting) {
        /** A stay just left: no channel closed yet. */
        Departure(Stay stay, Location next) {
            this(stay, next, new HashMap<>(), Set.of(), false, new Waiting());
        }

        /** The released stay {@code stay}, opened again. */
        Departure(Stay stay, Address address) {
            this(stay, address.next(), new HashMap<>(), address.closed(), true, new Waiting());
        }

        Address address() {
            Set<ChannelId> closed = new HashSet<>(closedBefore);
            closed.addAll(channels.keySet());
            return new Address(next, Set.copyOf(closed));
        }

        ChannelForwarder channel(ChannelId id) {
            return channels.computeIfAbsent(id, channel -> ChannelForwarder.unheardOf(channel, stay.at(), next));
        }

        boolean closed() {
            return channels.values().stream().allMatch(ChannelForwarder::closed);
        }
    }

    private final int nid;
    private Links links;
    private final int fragmentBytes;
    private final int quietIntervalsToGiveUp;
    private final Map<Integer, LocationDirectory> locations = new HashMap<>();
    // Senders outlive their job while they hold messages: what a process sent before it ended still goes out.
    private final Map<JobChannel, ChannelSender<PortalsMessage>> outgoing = new HashMap<>();
    // The end of each channel whose process ended here once all it sent was acknowledged: a stay that asks for the
    // channel's final marker (lost on its way) is told it, until the job ends.
    private final Map<JobChannel, Long> endedChannels;
    // The hosted process's receiving channels, who it is and its stay here: job 0 when the node hosts none.
    private final Map<ChannelId, ChannelReceiver<PortalsMessage>> incoming = new HashMap<>();
    private int hostedJob;
    private ProcessId hosted;
    private Location hostedAt;
    // What came for processes not here yet, in order (packets, markers, credit): of jobs whose launch has not
    // reached this node (a fast peer's first message can overtake yod's Launch), or moving here.
    private final Map<Integer, List<NodeActor.Command>> early = new HashMap<>();
    private int lastLaunchedJob;
    private final Set<JobProcess> arriving = new HashSet<>();
    // Stays left here whose channels are not all closed yet, and the forwarding addresses of those released.
    private final Map<Stay, Departure> departures = new HashMap<>();
    private final Map<Stay, Address> addresses;
    // The newest version of each process's entry passed on to those stays' next ones.
    private final Map<JobProcess, Long> passedOn;
    private long sent;
    private long delivered;
    private long forwarded;
    private long dropped;
    private long resent;
    private long markersSent;
    private long markersReceived;
    private long staysReleased;
    private long closedByFailure;

    /**
     * The transport of node {@code nid}, whose messages carry at most {@code fragmentBytes} of data
     * each, and whose stays left behind stop asking for their markers, and are released, after
     * {@code quietIntervalsToGiveUp} resend intervals in a row without hearing anything. What it
     * keeps for jobs until they end (forwarding addresses, ended channels' ends, news passed on)
     * is kept for at most {@code keptPerKind} of each kind, the oldest forgotten first: a job whose
     * end never reaches the node would otherwise hold them for the node's life.
     */
    PortalsTransport(int nid, Links links, int fragmentBytes, int quietIntervalsToGiveUp, int keptPerKind) {
        if (fragmentBytes <= 0) {
            throw new IllegalArgumentException("a fragment holds at least one byte: " + fragmentBytes);
        }
        if (quietIntervalsToGiveUp <= 0) {
            throw new IllegalArgumentException("a stay waits at least one resend interval for its markers: " + quietIntervalsToGiveUp);
        }
        if (keptPerKind <= 0) {
            throw new IllegalArgumentException("a node keeps at least one forwarding address: " + keptPerKind);
        }
        this.nid = nid;
        this.links = Objects.requireNonNull(links, "links");
        this.fragmentBytes = fragmentBytes;
        this.quietIntervalsToGiveUp = quietIntervalsToGiveUp;
        this.addresses = keepingAtMost(keptPerKind, "forwarding addresses");
        this.endedChannels = keepingAtMost(keptPerKind, "ended channels' ends");
        this.passedOn = keepingAtMost(keptPerKind, "versions of news passed on");
    }

    /** A map of at most {@code bound} entries, which forgets the one put in first when it would hold more (logged, naming {@code what}). */
    private <K, V> Map<K, V> keepingAtMost(int bound, String what) {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                if (size() <= bound) {
                    return false;
                }
                LOG.warn("node {}: {} {} kept for jobs whose end has not come here; the oldest, {}, is forgotten", nid, bound, what,
                        eldest.getKey());
                return true;
            }
        };
    }

    /** From now on the transport reaches nodes through {@code links}: its node's actor restarted, and this transport outlives it. */
    void relink(Links links) {
        this.links = Objects.requireNonNull(links, "links");
    }

    /**
     * The node now hosts {@code self} of job {@code jobId}, whose rank r started on node
     * {@code nids.get(r)} (empty: a job of one, reaching nobody), with the {@code channels} it
     * brings along ({@link NodeActor.Channels#NONE} at launch); its stay is where the directory
     * names it (the launch placement, or the entry its move published). Channels it brings are
     * re-pointed to where this node's directory has their receivers, if that is newer. Returns
     * the messages that came for it before it did, now in order, for its kernel.
     */
    List<Envelope<PortalsMessage>> host(int jobId, ProcessId self, List<Integer> nids, NodeActor.Channels channels) {
        return host(jobId, self, nids, nids, channels);
    }

    /**
     * As {@link #host(int, ProcessId, List, NodeActor.Channels)}, for a job whose rank r, launched
     * on node {@code nids.get(r)} (its logical id), starts on node {@code placed.get(r)}: a job
     * restarted from a snapshot keeps its ranks' ids on new nodes.
     */
    List<Envelope<PortalsMessage>> host(int jobId, ProcessId self, List<Integer> nids, List<Integer> placed, NodeActor.Channels channels) {
        hostedJob = jobId;
        hosted = Objects.requireNonNull(self, "self");
        arriving.remove(new JobProcess(jobId, self));
        channels.receiving().forEach(state -> incoming.put(state.id(), ChannelReceiver.restore(state)));
        LocationDirectory directory = directory(jobId);
        for (int rank = 0; rank < nids.size(); rank++) {
            int launchNid = nids.get(rank);
            // Version 1 is the launch placement, the same on every node; a move already heard of is newer and stays.
            directory.apply(LocationUpdate.at(new ProcessId(launchNid, rank), 1, new Location(placed.get(rank), 0)));
        }
        hostedAt = directory.lookup(self).orElse(new Location(nid, 0));
        for (ChannelSender.State<PortalsMessage> state : channels.sending()) {
            ChannelSender<PortalsMessage> channel = ChannelSender.restore(state);
            outgoing.put(new JobChannel(jobId, state.id()), channel);
            // Its receiver may have moved while it travelled, and this node may have heard of it already.
            directory.entry(state.id().receiver()).filter(entry -> !entry.isEnd())
                    .ifPresent(entry -> repoint(jobId, channel, entry.location(), entry.version()));
        }
        lastLaunchedJob = Math.max(lastLaunchedJob, jobId);
        List<NodeActor.Command> mine = early.remove(jobId);
        // Their jobs never came here, or came and went.
        early.keySet().removeIf(job -> job < jobId && arriving.stream().noneMatch(process -> process.jobId() == job));
        List<Envelope<PortalsMessage>> ready = new ArrayList<>();
        if (mine != null) {
            for (NodeActor.Command command : mine) {
                if (command instanceof NodeActor.Packet packet) {
                    ready.addAll(receive(packet));
                } else if (command instanceof NodeActor.Marker marker) {
                    marker(marker);
                } else {
                    credit((NodeActor.Credit) command);
                }
            }
        }
        return ready;
    }

    /** Process {@code process} of job {@code jobId} is moving here: what comes for it before it does is kept for it. */
    void expect(int jobId, ProcessId process) {
        arriving.add(new JobProcess(jobId, process));
    }

    /** Process {@code process} of job {@code jobId} is not coming after all: what was kept for it is dropped when its job's turn is over. */
    void unexpect(int jobId, ProcessId process) {
        arriving.remove(new JobProcess(jobId, process));
    }

    /** The hosted process's entry in its job's directory here (what a move of it raises). */
    LocationUpdate hostedEntry() {
        return directory(hostedJob).entry(hosted).orElseThrow();
    }

    /**
     * The hosted process leaves this node for where {@code movedTo}, its directory entry after
     * the move, says: returns its channels, to go with it. Its stay here forwards what still
     * comes for it there, until every channel to it is closed.
     */
    NodeActor.Channels leave(LocationUpdate movedTo) {
        if (!movedTo.process().equals(hosted) || movedTo.isEnd() || movedTo.location().nid() == nid) {
            throw new IllegalArgumentException("node " + nid + " hosts " + hosted + ", which cannot leave for " + movedTo);
        }
        int job = hostedJob;
        Departure departure = new Departure(new Stay(job, hosted, hostedAt), movedTo.location());
        relocate(job, List.of(movedTo));
        List<ChannelSender.State<PortalsMessage>> sending = new ArrayList<>();
        outgoing.entrySet().removeIf(entry -> {
            boolean mine = entry.getKey().jobId() == job;
            if (mine) {
                sending.add(entry.getValue().state());
            }
            return mine;
        });
        List<ChannelReceiver.State<PortalsMessage>> receiving = incoming.values().stream().map(ChannelReceiver::state).toList();
        receiving.forEach(state -> departure.channels().put(state.id(),
                ChannelForwarder.left(departure.stay().at(), departure.next(), state)));
        departures.put(departure.stay(), departure);
        clearHosted();
        releaseIfClosed(departure);
        return new NodeActor.Channels(receiving, sending);
    }

    /**
     * Where a snapshot's cut leaves the channel from the hosted process to {@code receiver}: the
     * node its messages go to now, and the sequence number the first message the process sends
     * after the cut will have (0: it sent none before). Messages held for credit at the cut were
     * sent before it: they get the sequences just below, once credit releases them.
     */
    record Cut(ProcessId receiver, int nid, long sequence) {}

    /** The cut of every channel from the hosted process to a running process of its job, itself and those it never sent to included. */
    List<Cut> cuts() {
        List<Cut> cuts = new ArrayList<>();
        for (LocationUpdate entry : directory(hostedJob).snapshot()) {
            if (entry.isEnd()) {
                continue;
            }
            ChannelSender<PortalsMessage> channel = outgoing.get(new JobChannel(hostedJob, new ChannelId(hosted, entry.process())));
            cuts.add(channel == null ? new Cut(entry.process(), entry.location().nid(), 0)
                    : new Cut(entry.process(), channel.target().nid(), channel.nextSequence() + channel.held()));
        }
        return cuts;
    }

    /** How many messages the hosted process's kernel has taken off each of its receiving channels. */
    Map<ChannelId, Long> consumedCounts() {
        Map<ChannelId, Long> counts = new HashMap<>();
        incoming.forEach((id, channel) -> counts.put(id, channel.consumedCount()));
        return counts;
    }

    /** Every entry of job {@code jobId}'s directory here: where this node knows its processes to be. */
    List<LocationUpdate> directoryOf(int jobId) {
        LocationDirectory directory = locations.get(jobId);
        return directory == null ? List.of() : directory.snapshot();
    }

    /** The nodes where job {@code jobId}'s processes run now, as this node knows. */
    Set<Integer> nodesOf(int jobId) {
        Set<Integer> nids = new HashSet<>();
        LocationDirectory directory = locations.get(jobId);
        if (directory != null) {
            directory.snapshot().stream().filter(entry -> !entry.isEnd()).forEach(entry -> nids.add(entry.location().nid()));
        }
        return nids;
    }

    /**
     * The hosted process has ended: its receiving channels close; its sending ones send their
     * final markers, at once or, while they hold messages, once those have gone out.
     */
    void hostEnded() {
        outgoing.entrySet().removeIf(entry -> entry.getKey().jobId() == hostedJob && closeIfEmpty(entry.getKey(), entry.getValue()));
        clearHosted();
        forgetIdleJobs();
    }

    /** A message of the hosted process, sent on its channel (in parts, if large) now or held there until credit comes. */
    void send(PortalsMessage message) {
        ChannelId id = new ChannelId(name(message.source()), name(message.destination()));
        JobChannel key = new JobChannel(hostedJob, id);
        ChannelSender<PortalsMessage> channel = outgoing.get(key);
        if (channel == null) {
            LocationUpdate receiver = directory(hostedJob).entry(id.receiver()).orElse(null);
            if (receiver == null || receiver.isEnd()) {
                dropped++;
                LOG.debug("node {}: a Portals message for {}, outside job {}, is dropped", nid, id.receiver(), hostedJob);
                return;
            }
            channel = new ChannelSender<>(id, FlowControl.DEFAULT, receiver.location(), receiver.version());
            outgoing.put(key, channel);
        }
        ChannelSender<PortalsMessage> open = channel;
        // The message's identity on its channel: the number its first part gets (those held for credit come before it).
        for (PortalsMessage part : Fragment.split(message, fragmentBytes, open.nextSequence() + open.held())) {
            sent++;
            open.send(part).ifPresent(envelope -> transmit(hostedJob, open, envelope));
        }
    }

    /** Whether a message of the hosted process waits for credit. */
    boolean heldForCredit() {
        return outgoing.entrySet().stream().anyMatch(entry -> entry.getKey().jobId() == hostedJob && entry.getValue().held() > 0);
    }

    /**
     * A packet reached this node: the envelopes now in order for the hosted process (empty when
     * the packet fills no gap, or was forwarded, kept or dropped).
     */
    List<Envelope<PortalsMessage>> receive(NodeActor.Packet packet) {
        int job = packet.jobId();
        Envelope<PortalsMessage> envelope = packet.envelope();
        ChannelId id = envelope.channel();
        Stay stay = new Stay(job, id.receiver(), packet.to());
        Address released = addresses.get(stay);
        if (released != null && released.closed().contains(id)) {
            forwarded++; // a late or resent copy: the process has it or will get it again; the stay stays released
            links.send(released.next().nid(), new NodeActor.Packet(job, released.next(), envelope));
            return List.of();
        }
        Departure departure = departure(stay);
        if (departure != null) {
            // Passed on along the process's own path, so that each stay it left sees what it waits for.
            forwarded++;
            departure.waiting().heard++;
            links.send(departure.next().nid(), new NodeActor.Packet(job, departure.next(), envelope));
            ChannelForwarder channel = departure.channel(id);
            boolean wasClosed = channel.closed();
            channel.passed(envelope.sequence());
            closed(departure, channel, wasClosed);
            return List.of();
        }
        if (job == hostedJob && id.receiver().equals(hosted)) {
            ChannelReceiver.Arrival<PortalsMessage> arrival = incoming.computeIfAbsent(id,
                    channel -> new ChannelReceiver<>(channel, FlowControl.DEFAULT)).accept(envelope);
            if (arrival.answer() != null) {
                credit(job, arrival.answer()); // its sender resent it: its acknowledgement or credit was lost
            }
            return arrival.delivered();
        }
        Location now = locationOf(job, id.receiver());
        if (isEarly(job, id.receiver())) {
            early.computeIfAbsent(job, ignored -> new ArrayList<>()).add(packet);
        } else if (now != null && now.nid() != nid) {
            forwarded++;
            links.send(now.nid(), new NodeActor.Packet(job, now, envelope));
        } else {
            dropped++;
            LOG.debug("node {}: a Portals message for {} of job {} finds no process here and is dropped", nid, id.receiver(), job);
            credit(job, CreditGrant.unlimited(id));
        }
        return List.of();
    }

    /**
     * What the hosted process's kernel gets for {@code envelope}, which it takes now (then
     * {@link #consumed}): for a part of a message sent in several, nothing until its last part,
     * the parts before set aside on their channel, then the message whole, numbered as its last
     * part; else the envelope itself. Parts set aside join only the parts that follow them in
     * their message, on the channel's next numbers: when anything else comes, they are the
     * leftover of a message that will never be complete and are discarded, as is a part whose
     * message's first parts were (the kernel never sees a message of the wrong length).
     */
    Envelope<PortalsMessage> assemble(Envelope<PortalsMessage> envelope) {
        ChannelReceiver<PortalsMessage> channel = incoming.get(envelope.channel());
        List<Envelope<PortalsMessage>> aside = channel.partsSetAside();
        Envelope<PortalsMessage> previous = aside.isEmpty() ? null : aside.get(aside.size() - 1);
        if (!(envelope.payload() instanceof Fragment part)) {
            discardSetAside(channel, "a whole message, #" + envelope.sequence() + ", came after them");
            return envelope;
        }
        if (previous != null && (previous.sequence() + 1 != envelope.sequence() || !((Fragment) previous.payload()).precedes(part))) {
            discardSetAside(channel, "part " + part.index() + " of message " + part.message() + ", #" + envelope.sequence()
                    + ", came after them");
            previous = null;
        }
        if (previous == null && part.index() != 0) {
            dropped++;
            LOG.warn("node {}: part {} of message {} on {} comes without the parts before it and is discarded", nid, part.index(),
                    part.message(), envelope.channel());
            return null;
        }
        if (!part.isLast()) {
            channel.setAside(envelope);
            return null;
        }
        List<Fragment> parts = new ArrayList<>();
        channel.takeSetAside().forEach(taken -> parts.add((Fragment) taken.payload()));
        parts.add(part);
        return new Envelope<>(envelope.channel(), envelope.sequence(), Fragment.join(parts));
    }

    /** The parts set aside on {@code channel}, of a message that will never be complete, are discarded, for {@code reason}. */
    private void discardSetAside(ChannelReceiver<PortalsMessage> channel, String reason) {
        List<Envelope<PortalsMessage>> leftover = channel.takeSetAside();
        if (!leftover.isEmpty()) {
            dropped += leftover.size();
            LOG.warn("node {}: the first {} parts of message {} on {} are discarded: {}", nid, leftover.size(),
                    ((Fragment) leftover.get(0).payload()).message(), channel.id(), reason);
        }
    }

    /** The hosted process's kernel has taken {@code envelope}: its sender gets credit back, in batches. */
    void consumed(Envelope<PortalsMessage> envelope) {
        delivered++;
        incoming.get(envelope.channel()).consumed(1).ifPresent(grant -> credit(hostedJob, grant));
    }

    /** Credit for a channel of this node: the held messages it releases go out. */
    void credit(NodeActor.Credit credit) {
        int job = credit.jobId();
        ProcessId sender = credit.grant().channel().sender();
        JobChannel key = new JobChannel(job, credit.grant().channel());
        ChannelSender<PortalsMessage> channel = outgoing.get(key);
        if (channel == null) {
            Location nextStay = nextStayOf(job, sender);
            // The newer of the directory's entry and the stay the sender left here: a directory begun anew when
            // the node took in another process of the job knows only launch nodes, which would send the grant back.
            Location towards = newer(locationOf(job, sender), nextStay);
            if (arriving.contains(new JobProcess(job, sender))) {
                early.computeIfAbsent(job, ignored -> new ArrayList<>()).add(credit); // its sender is on its way here
            } else if (towards != null && towards.nid() != nid) {
                links.send(towards.nid(), credit); // its sender moved on: the grant follows it
            } else if (nextStay != null) {
                links.send(nextStay.nid(), credit); // the job is forgotten here, not where its sender went
            }
            return; // otherwise a job that has ended here with nothing left to send
        }
        channel.grant(credit.grant()).forEach(envelope -> transmit(job, channel, envelope));
        // Notices are markers sent again, not counted as markers.
        channel.drainNotices().forEach(notice -> links.send(notice.closed().nid(), new NodeActor.Marker(job, notice.closed(), notice)));
        if (job != hostedJob && closeIfEmpty(key, channel)) {
            outgoing.remove(key); // an ended job's last held messages have gone out, and been acknowledged
            forgetIdleJobs();
        }
    }

    /**
     * A marker reached this node: at a stay left here it may close its channel there (then
     * relayed on, and the stay released once all are closed); a sender's final marker at the
     * hosted process is kept with its channel; one for a process on its way here waits for it.
     */
    void marker(NodeActor.Marker marker) {
        markersReceived++;
        ChannelMarker closing = marker.marker();
        ProcessId receiver = closing.channel().receiver();
        Stay stay = new Stay(marker.jobId(), receiver, marker.to());
        Address released = addresses.get(stay);
        if (released != null && released.closed().contains(closing.channel())) {
            // Closed here already: a notice goes on for a stay after this one that may wait for it; anything else is spent.
            if (closing.settles() && ChannelForwarder.closes(closing, marker.to())) {
                links.send(released.next().nid(), new NodeActor.Marker(marker.jobId(), released.next(), closing));
            }
            return;
        }
        // A released stay opens again only for a channel new to it.
        Departure departure = departures.containsKey(stay) || ChannelForwarder.closes(closing, marker.to()) ? departure(stay) : null;
        if (departure != null) {
            departure.waiting().heard++;
            ChannelForwarder channel = departure.channel(closing.channel());
            boolean wasClosed = channel.closed();
            channel.marker(closing);
            closed(departure, channel, wasClosed);
        } else if (marker.jobId() == hostedJob && receiver.equals(hosted)) {
            if (closing.isFinal()) {
                incoming.computeIfAbsent(closing.channel(), channel -> new ChannelReceiver<>(channel, FlowControl.DEFAULT))
                        .senderEnded(closing.endSequence());
            }
        } else if (isEarly(marker.jobId(), receiver)) {
            early.computeIfAbsent(marker.jobId(), ignored -> new ArrayList<>()).add(marker);
        } else {
            LOG.debug("node {}: a marker of {} for {} of job {} finds nothing open there", nid, closing.channel(), marker.to(),
                    marker.jobId());
        }
    }

    /**
     * The mover of some of job {@code jobId}'s processes published where they run now: channels
     * to them are re-pointed (their markers go to the locations they leave), and the hosted
     * process's channels from them send their current credit to the new location, since grants
     * on their way to the old one may be lost. A stay left here passes the news on to the stay
     * after it, as it passes on packets: a process's new node learns what its mover's (perhaps
     * stale) view did not tell it, as when two processes that talk move at once. News of a job
     * this node has no other part in is not kept.
     */
    void relocate(int jobId, List<LocationUpdate> updates) {
        passOn(jobId, updates);
        if (!locations.containsKey(jobId) && !involvedIn(jobId)) {
            return;
        }
        LocationDirectory directory = directory(jobId);
        List<LocationChange> moves = new ArrayList<>();
        try (LocationDirectory.Subscription ignored = directory.subscribe(change -> {
            if (change.isMove()) {
                moves.add(change);
            }
        })) {
            updates.forEach(directory::apply);
        }
        for (LocationChange move : moves) {
            boolean isHosted = jobId == hostedJob && move.process().equals(hosted);
            if (move.to().nid() == nid && !isHosted) {
                arriving.add(new JobProcess(jobId, move.process()));
            }
            outgoing.forEach((key, channel) -> {
                if (key.jobId() == jobId && key.channel().receiver().equals(move.process())) {
                    repoint(jobId, channel, move.to(), move.version());
                }
            });
            if (jobId == hostedJob) {
                incoming.forEach((id, channel) -> {
                    if (id.sender().equals(move.process())) {
                        links.send(move.to().nid(), new NodeActor.Credit(jobId, channel.currentGrant()));
                    }
                });
            }
        }
    }

    /**
     * Node {@code lost} has failed: channels to processes there give up the messages waiting for
     * credit (counted as dropped) and never wait for credit again; stays left here stop waiting
     * for markers from senders there, and a stay whose process was there now is released. The
     * jobs {@code onItsSuccessor} names run on a newer actor of the nid: theirs are kept.
     */
    void nodeLost(int lost, java.util.function.IntPredicate onItsSuccessor) {
        outgoing.entrySet().removeIf(entry -> {
            ChannelSender<PortalsMessage> channel = entry.getValue();
            if (channel.target().nid() != lost || onItsSuccessor.test(entry.getKey().jobId())) {
                return false;
            }
            dropped += channel.abandon().size();
            closedByFailure++;
            return entry.getKey().jobId() != hostedJob;
        });
        if (!onItsSuccessor.test(hostedJob)) {
            incoming.values().forEach(channel -> {
                Location sender = locationOf(hostedJob, channel.id().sender());
                if (sender != null && sender.nid() == lost) {
                    discardSetAside(channel, "their sender's node " + lost + " was lost");
                }
            });
        }
        for (Departure departure : List.copyOf(departures.values())) {
            Stay stay = departure.stay();
            if (onItsSuccessor.test(stay.jobId())) {
                continue;
            }
            Location now = locationOf(stay.jobId(), stay.process());
            boolean processLost = departure.next().nid() == lost || now != null && now.nid() == lost;
            for (ChannelForwarder channel : List.copyOf(departure.channels().values())) {
                Location sender = locationOf(stay.jobId(), channel.id().sender());
                if (!channel.closed() && (processLost || sender != null && sender.nid() == lost)) {
                    closedByFailure++;
                    channel.senderLost();
                    closed(departure, channel, false);
                }
            }
        }
        forgetIdleJobs();
    }

    NodeActor.PortalsTraffic traffic() {
        return new NodeActor.PortalsTraffic(sent, delivered, forwarded, dropped, markersSent, markersReceived, departures.size(),
                staysReleased, locations.size(), closedByFailure, resent, addresses.size());
    }

    /**
     * Every rank of job {@code jobId} has ended (its yod says so): no packet, marker or straggler
     * of it needs passing on any more, so its stays, open or released, the ends of its channels
     * whose senders ended here and the news passed on for it go, and with them its directory
     * unless the node still sends for it.
     */
    void jobEnded(int jobId) {
        departures.keySet().removeIf(stay -> stay.jobId() == jobId);
        addresses.keySet().removeIf(stay -> stay.jobId() == jobId);
        passedOn.keySet().removeIf(process -> process.jobId() == jobId);
        endedChannels.keySet().removeIf(channel -> channel.jobId() == jobId);
        forgetIdleJobs();
    }

    private void transmit(int jobId, ChannelSender<PortalsMessage> channel, Envelope<PortalsMessage> envelope) {
        links.send(channel.target().nid(), new NodeActor.Packet(jobId, channel.target(), envelope));
    }

    private void repoint(int jobId, ChannelSender<PortalsMessage> channel, Location to, long version) {
        channel.repoint(to, version).ifPresent(marker -> sendMarker(jobId, marker));
    }

    /**
     * A sender whose process has ended: once it holds nothing, its final marker tells its
     * receiver's stays. Returns whether it is done, its messages all acknowledged too; then its
     * end is kept ({@link #endedChannels}).
     */
    private boolean closeIfEmpty(JobChannel key, ChannelSender<PortalsMessage> channel) {
        if (channel.held() == 0 && !channel.closed()) {
            sendMarker(key.jobId(), channel.close());
        }
        boolean done = channel.closed() && !channel.outstanding();
        if (done) {
            endedChannels.put(key, channel.nextSequence());
        }
        return done;
    }

    private void sendMarker(int jobId, ChannelMarker marker) {
        markersSent++;
        links.send(marker.closed().nid(), new NodeActor.Marker(jobId, marker.closed(), marker));
    }

    /**
     * The resend interval has passed: what stalled channels have outstanding goes out again
     * ({@link ChannelSender#overdue()}), and stays that heard nothing ask for their markers.
     * Returns whether any channel still waits for its receiver, or a stay for its markers, so
     * that the host knows whether to call again after the next interval.
     */
    boolean resendOverdue() {
        boolean waiting = false;
        for (Map.Entry<JobChannel, ChannelSender<PortalsMessage>> entry : outgoing.entrySet()) {
            ChannelSender<PortalsMessage> channel = entry.getValue();
            for (Envelope<PortalsMessage> envelope : channel.overdue()) {
                resent++;
                transmit(entry.getKey().jobId(), channel, envelope);
            }
            waiting |= channel.outstanding();
        }
        List.copyOf(departures.values()).forEach(this::askForMarkersIfStalled);
        return waiting || !departures.isEmpty();
    }

    /**
     * A stay that heard nothing for a resend interval asks the sender of each channel still open
     * there for its marker, at the node where this node knows it to be (the question follows it
     * from there, as credit does). One that has heard nothing for its bound is released instead:
     * its questions went unanswered (its job may have ended without the word reaching this node),
     * and asking on would be traffic for as long as the node lives.
     */
    private void askForMarkersIfStalled(Departure departure) {
        if (departure.waiting().quietIntervals() >= quietIntervalsToGiveUp) {
            giveUp(departure);
            return;
        }
        if (!departure.waiting().backoff.dueAt(departure.waiting().heard)) {
            return;
        }
        int job = departure.stay().jobId();
        for (ChannelForwarder channel : departure.channels().values()) {
            if (!channel.closed()) {
                ProcessId sender = channel.id().sender();
                Location at = newer(locationOf(job, sender), nextStayOf(job, sender));
                links.send(at != null ? at.nid() : sender.nid(),
                        new NodeActor.MarkerWanted(job, channel.id(), departure.stay().at(), departure.next()));
            }
        }
    }

    /**
     * A stay of a channel's receiver asks for the channel's marker. The sender here answers with
     * a notice once every marker it made has settled ({@link ChannelSender#noticeFor}); one that
     * still sends to that stay, or to an older one, hears where the receiver went (it re-points,
     * and its marker goes to the stay). A sender that moved on gets the question where it went. One
     * that ended here, its channel gone once all it sent was acknowledged, answers with its final
     * marker as a notice: the receiver has everything, so the stay closes the channel and relays
     * that end to the stays after it.
     */
    void markerWanted(NodeActor.MarkerWanted wanted) {
        int job = wanted.jobId();
        ProcessId sender = wanted.channel().sender();
        JobChannel key = new JobChannel(job, wanted.channel());
        ChannelSender<PortalsMessage> channel = outgoing.get(key);
        Long end = endedChannels.get(key);
        if (channel == null && end != null) {
            ChannelMarker notice = new ChannelMarker(wanted.channel(), wanted.stay(), null, end, end);
            links.send(wanted.stay().nid(), new NodeActor.Marker(job, wanted.stay(), notice));
            return;
        }
        if (channel == null) {
            Location towards = newer(locationOf(job, sender), nextStayOf(job, sender));
            if (towards == null || towards.nid() == nid || arriving.contains(new JobProcess(job, sender))) {
                return;
            }
            if (wanted.forwards() >= NodeActor.MarkerWanted.MAX_FORWARDS) {
                dropped++;
                LOG.warn("node {}: the question for the marker of {} to {} of job {} was passed on {} times and is dropped here: "
                        + "the nodes' views of its sender lead round", nid, wanted.channel(), wanted.stay(), job, wanted.forwards());
                return;
            }
            links.send(towards.nid(), wanted.forwarded());
            return;
        }
        if (channel.target().incarnation() <= wanted.stay().incarnation()) {
            ProcessId receiver = wanted.channel().receiver();
            relocate(job, List.of(LocationUpdate.at(receiver, wanted.next().incarnation(), wanted.next())));
            return;
        }
        channel.noticeFor(wanted.stay()).ifPresent(notice ->
                links.send(notice.closed().nid(), new NodeActor.Marker(job, notice.closed(), notice)));
    }

    private void credit(int jobId, CreditGrant grant) {
        Location sender = locationOf(jobId, grant.channel().sender());
        links.send(sender != null ? sender.nid() : grant.channel().sender().nid(), new NodeActor.Credit(jobId, grant));
    }

    /** The open stay {@code stay}, or one released whose forwarding address a straggler of a channel new to it opens again. */
    private Departure departure(Stay stay) {
        Departure open = departures.get(stay);
        if (open != null) {
            return open;
        }
        Address address = addresses.remove(stay);
        if (address == null) {
            return null;
        }
        Departure reopened = new Departure(stay, address);
        departures.put(stay, reopened);
        return reopened;
    }

    /**
     * Passes news of job {@code jobId} on to the stays after those left here. Each update is
     * passed on once per node (its version above the last one passed on for its process), so
     * news never circles between nodes whose stays lead to each other.
     */
    private void passOn(int jobId, List<LocationUpdate> updates) {
        List<LocationUpdate> news = updates.stream().filter(update -> {
            JobProcess process = new JobProcess(jobId, update.process());
            return update.version() > passedOn.getOrDefault(process, 0L);
        }).toList();
        Set<Integer> nextNodes = new HashSet<>();
        departures.values().stream().filter(departure -> departure.stay().jobId() == jobId)
                .forEach(departure -> nextNodes.add(departure.next().nid()));
        addresses.forEach((stay, address) -> {
            if (stay.jobId() == jobId) {
                nextNodes.add(address.next().nid());
            }
        });
        nextNodes.remove(nid);
        if (news.isEmpty() || nextNodes.isEmpty()) {
            return;
        }
        news.forEach(update -> passedOn.merge(new JobProcess(jobId, update.process()), update.version(), Math::max));
        nextNodes.forEach(next -> links.send(next, new NodeActor.Locations(jobId, news)));
    }

    /** The later of two locations of one process (a stay's incarnation is its entry's version), either may be null. */
    private static Location newer(Location one, Location other) {
        return one == null || other != null && other.incarnation() > one.incarnation() ? other : one;
    }

    /** The stay {@code process} of job {@code jobId} went to from its latest stay left here; null when it left none here. */
    private Location nextStayOf(int jobId, ProcessId process) {
        Map<Stay, Location> left = new HashMap<>();
        addresses.forEach((stay, address) -> left.put(stay, address.next()));
        departures.forEach((stay, departure) -> left.put(stay, departure.next()));
        return left.entrySet().stream().filter(entry -> entry.getKey().jobId() == jobId && entry.getKey().process().equals(process))
                .max(java.util.Comparator.comparingLong(entry -> entry.getKey().at().incarnation())).map(Map.Entry::getValue).orElse(null);
    }

    /** After something reached {@code channel} at {@code departure}: a channel now closed relays its marker, a stay with all closed is released. */
    private void closed(Departure departure, ChannelForwarder channel, boolean wasClosed) {
        if (!wasClosed && channel.closed()) {
            ChannelMarker relay = channel.relay();
            if (relay != null) {
                links.send(departure.next().nid(), new NodeActor.Marker(departure.stay().jobId(), departure.next(), relay));
            }
            releaseIfClosed(departure);
        }
    }

    private void releaseIfClosed(Departure departure) {
        if (departure.closed()) {
            LOG.debug("node {}: every channel to {} of job {} is closed at {}: released", nid, departure.stay().process(),
                    departure.stay().jobId(), departure.stay().at());
            release(departure);
        }
    }

    /**
     * A stay that heard nothing for its bound is released with its channels still open: its
     * forwarding address passes on what still comes on them, as for channels closed there, and
     * a stay after it that waits for a marker relayed from here asks the sender itself.
     */
    private void giveUp(Departure departure) {
        List<ChannelId> open = departure.channels().values().stream().filter(channel -> !channel.closed()).map(ChannelForwarder::id).toList();
        LOG.warn("node {}: the stay of {} of job {} at {} heard nothing for {} resend intervals, its markers asked for in vain: "
                + "released with {} still open (what still comes on them goes on to {})", nid, departure.stay().process(),
                departure.stay().jobId(), departure.stay().at(), quietIntervalsToGiveUp, open, departure.next());
        release(departure);
    }

    /** The stay lets its process go: only its forwarding address remains, until its job ends. Counted once, however often reopened. */
    private void release(Departure departure) {
        departures.remove(departure.stay());
        addresses.put(departure.stay(), departure.address());
        if (!departure.reopened()) {
            staysReleased++;
        }
        forgetIdleJobs();
    }

    /** Whether what comes for {@code process} of job {@code jobId} waits here for it: its job's launch, or the process, is on its way. */
    private boolean isEarly(int jobId, ProcessId process) {
        return jobId > lastLaunchedJob || arriving.contains(new JobProcess(jobId, process));
    }

    private void clearHosted() {
        incoming.clear();
        hostedJob = 0;
        hosted = null;
        hostedAt = null;
    }

    /** Where {@code process} of job {@code jobId} runs now, as this node knows; null when it does not know. */
    private Location locationOf(int jobId, ProcessId process) {
        LocationDirectory directory = locations.get(jobId);
        return directory == null ? null : directory.lookup(process).orElse(null);
    }

    private LocationDirectory directory(int jobId) {
        return locations.computeIfAbsent(jobId, job -> new LocationDirectory());
    }

    /** Whether this node hosts, expects, forwards or still sends for a process of job {@code jobId}, or has yet to launch it. */
    private boolean involvedIn(int jobId) {
        return jobId == hostedJob || jobId > lastLaunchedJob || early.containsKey(jobId)
                || arriving.stream().anyMatch(process -> process.jobId() == jobId)
                || departures.keySet().stream().anyMatch(stay -> stay.jobId() == jobId)
                || outgoing.keySet().stream().anyMatch(key -> key.jobId() == jobId);
    }

    /** Drops the directories of jobs this node is no part of any more. */
    private void forgetIdleJobs() {
        locations.keySet().removeIf(job -> !involvedIn(job));
    }

    private static ProcessId name(io.uniform.portals.ProcessId process) {
        return new ProcessId(process.nid(), process.pid());
    }
}
