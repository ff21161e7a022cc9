package io.uniform.node;

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
import io.uniform.portals.PortalsMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * now is forwarded there. A packet of a job not launched here yet is kept until it is (credit
 * bounds those: at most a window per channel). Anything else has no receiver: it is dropped and
 * its channel's sender is given unlimited credit, so that it is not frozen waiting for a grant
 * that would never come.
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

    private final int nid;
    private final Links links;
    private final Map<Integer, LocationDirectory> locations = new HashMap<>();
    // Senders outlive their job while they hold messages: what a process sent before it ended still goes out.
    private final Map<JobChannel, ChannelSender<PortalsMessage>> outgoing = new HashMap<>();
    // The hosted process's receiving channels, and who it is: job 0 when the node hosts none.
    private final Map<ChannelId, ChannelReceiver<PortalsMessage>> incoming = new HashMap<>();
    private int hostedJob;
    private ProcessId hosted;
    // Packets for processes not here yet: of jobs whose launch has not reached this node (a fast
    // peer's first message can overtake yod's Launch), or moving here.
    private final Map<Integer, List<NodeActor.Packet>> early = new HashMap<>();
    private int lastLaunchedJob;
    private final Set<JobProcess> arriving = new HashSet<>();
    // Jobs a process left this node from: their directories stay, to forward what still comes for it.
    private final Set<Integer> forwarding = new HashSet<>();
    private long sent;
    private long delivered;
    private long forwarded;
    private long dropped;
    private long markersSent;
    private long markersClosed;

    PortalsTransport(int nid, Links links) {
        this.nid = nid;
        this.links = Objects.requireNonNull(links, "links");
    }

    /**
     * The node now hosts {@code self} of job {@code jobId}, whose rank r started on node
     * {@code nids.get(r)} (empty: a job of one, reaching nobody), with the {@code channels} it
     * brings along ({@link NodeActor.Channels#NONE} at launch). Returns the messages that came for it
     * before it did, now in order, for its kernel.
     */
    List<Envelope<PortalsMessage>> host(int jobId, ProcessId self, List<Integer> nids, NodeActor.Channels channels) {
        hostedJob = jobId;
        hosted = Objects.requireNonNull(self, "self");
        arriving.remove(new JobProcess(jobId, self));
        channels.receiving().forEach(state -> incoming.put(state.id(), ChannelReceiver.restore(state)));
        channels.sending().forEach(state -> outgoing.put(new JobChannel(jobId, state.id()), ChannelSender.restore(state)));
        LocationDirectory directory = directory(jobId);
        for (int rank = 0; rank < nids.size(); rank++) {
            int launchNid = nids.get(rank);
            // Version 1 is the launch placement, the same on every node; a move already heard of is newer and stays.
            directory.apply(LocationUpdate.at(new ProcessId(launchNid, rank), 1, new Location(launchNid, 0)));
        }
        lastLaunchedJob = Math.max(lastLaunchedJob, jobId);
        List<NodeActor.Packet> mine = early.remove(jobId);
        // Their jobs never came here, or came and went.
        early.keySet().removeIf(job -> job < jobId && arriving.stream().noneMatch(process -> process.jobId() == job));
        List<Envelope<PortalsMessage>> ready = new ArrayList<>();
        if (mine != null) {
            mine.forEach(packet -> ready.addAll(receive(packet)));
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
     * the move, says: returns its channels, to go with it; what still comes here for it (packets
     * and credit) is forwarded there.
     */
    NodeActor.Channels leave(LocationUpdate movedTo) {
        if (!movedTo.process().equals(hosted) || movedTo.isEnd() || movedTo.location().nid() == nid) {
            throw new IllegalArgumentException("node " + nid + " hosts " + hosted + ", which cannot leave for " + movedTo);
        }
        relocate(hostedJob, List.of(movedTo));
        List<ChannelSender.State<PortalsMessage>> sending = new ArrayList<>();
        outgoing.entrySet().removeIf(entry -> {
            boolean mine = entry.getKey().jobId() == hostedJob;
            if (mine) {
                sending.add(entry.getValue().state());
            }
            return mine;
        });
        NodeActor.Channels channels = new NodeActor.Channels(incoming.values().stream().map(ChannelReceiver::state).toList(), sending);
        forwarding.add(hostedJob);
        hostEnded();
        return channels;
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

    /** The hosted process has ended: its receiving channels close, its sending ones stay while they hold messages. */
    void hostEnded() {
        incoming.clear();
        hostedJob = 0;
        hosted = null;
        outgoing.values().removeIf(channel -> channel.held() == 0);
        forgetIdleJobs();
    }

    /** A message of the hosted process, sent on its channel now or held there until credit comes. */
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
        sent++;
        ChannelSender<PortalsMessage> open = channel;
        open.send(message).ifPresent(envelope -> transmit(hostedJob, open, envelope));
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
        ChannelId id = packet.envelope().channel();
        if (packet.jobId() == hostedJob && id.receiver().equals(hosted)) {
            return incoming.computeIfAbsent(id, channel -> new ChannelReceiver<>(channel, FlowControl.DEFAULT))
                    .accept(packet.envelope()).delivered();
        }
        Location now = locationOf(packet.jobId(), id.receiver());
        if (now != null && now.nid() != nid) {
            forwarded++;
            links.send(now.nid(), packet);
        } else if (packet.jobId() > lastLaunchedJob || arriving.contains(new JobProcess(packet.jobId(), id.receiver()))) {
            early.computeIfAbsent(packet.jobId(), job -> new ArrayList<>()).add(packet);
        } else {
            dropped++;
            LOG.debug("node {}: a Portals message for {} of job {} finds no process here and is dropped", nid, id.receiver(),
                    packet.jobId());
            credit(packet.jobId(), new CreditGrant(id, Long.MAX_VALUE));
        }
        return List.of();
    }

    /** The hosted process's kernel has taken {@code envelope}: its sender gets credit back, in batches. */
    void consumed(Envelope<PortalsMessage> envelope) {
        delivered++;
        incoming.get(envelope.channel()).consumed(1).ifPresent(grant -> credit(hostedJob, grant));
    }

    /** Credit for a channel of this node: the held messages it releases go out. */
    void credit(NodeActor.Credit credit) {
        JobChannel key = new JobChannel(credit.jobId(), credit.grant().channel());
        ChannelSender<PortalsMessage> channel = outgoing.get(key);
        if (channel == null) {
            Location sender = locationOf(credit.jobId(), credit.grant().channel().sender());
            if (sender != null && sender.nid() != nid) {
                links.send(sender.nid(), credit); // its sender moved on: the grant follows it
            }
            return; // otherwise a job that has ended here with nothing left to send
        }
        channel.grant(credit.grant()).forEach(envelope -> transmit(credit.jobId(), channel, envelope));
        if (credit.jobId() != hostedJob && channel.held() == 0) {
            outgoing.remove(key); // an ended job's last held messages have gone out
            forgetIdleJobs();
        }
    }

    /**
     * A marker closed a channel here: every message its sender sent to this node before
     * re-pointing the channel has come in front of it, on the same link, and has been delivered
     * or forwarded.
     */
    void marker(NodeActor.Marker marker) {
        markersClosed++;
        LOG.debug("node {}: channel {} of job {} closed by its marker at sequence {}", nid, marker.marker().channel(), marker.jobId(),
                marker.marker().endSequence());
    }

    /**
     * The mover of some of job {@code jobId}'s processes published where they run now: channels
     * to them are re-pointed (their markers go to the locations they leave), and the hosted
     * process's channels from them send their current credit to the new location, since grants
     * on their way to the old one may be lost.
     */
    void relocate(int jobId, List<LocationUpdate> updates) {
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
            if (move.to().nid() == nid && !(jobId == hostedJob && move.process().equals(hosted))) {
                arriving.add(new JobProcess(jobId, move.process()));
            }
            outgoing.forEach((key, channel) -> {
                if (key.jobId() == jobId && key.channel().receiver().equals(move.process())) {
                    channel.repoint(move.to(), move.version()).ifPresent(marker -> {
                        markersSent++;
                        links.send(marker.closed().nid(), new NodeActor.Marker(jobId, marker));
                    });
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

    NodeActor.PortalsTraffic traffic() {
        return new NodeActor.PortalsTraffic(sent, delivered, forwarded, dropped, markersSent, markersClosed);
    }

    private void transmit(int jobId, ChannelSender<PortalsMessage> channel, Envelope<PortalsMessage> envelope) {
        links.send(channel.target().nid(), new NodeActor.Packet(jobId, envelope));
    }

    private void credit(int jobId, CreditGrant grant) {
        Location sender = locationOf(jobId, grant.channel().sender());
        links.send(sender != null ? sender.nid() : grant.channel().sender().nid(), new NodeActor.Credit(jobId, grant));
    }

    /** Where {@code process} of job {@code jobId} runs now, as this node knows; null when it does not know. */
    private Location locationOf(int jobId, ProcessId process) {
        LocationDirectory directory = locations.get(jobId);
        return directory == null ? null : directory.lookup(process).orElse(null);
    }

    private LocationDirectory directory(int jobId) {
        return locations.computeIfAbsent(jobId, job -> new LocationDirectory());
    }

    /** Drops the directories of jobs this node neither hosts nor still sends for. */
    private void forgetIdleJobs() {
        locations.keySet().removeIf(job -> job != hostedJob && !forwarding.contains(job)
                && outgoing.keySet().stream().noneMatch(key -> key.jobId() == job));
    }

    private static ProcessId name(io.uniform.portals.ProcessId process) {
        return new ProcessId(process.nid(), process.pid());
    }
}
