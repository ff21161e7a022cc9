package io.uniform.interconnect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The sending end of a channel: numbers the messages of one (sender process, receiver process)
 * pair, spends credit, holds messages back while it has none, and knows which
 * {@link Location} of the receiver it currently sends to. Plain, single-threaded Java: the node
 * actor hosting the sending process owns it; what it returns ({@link Envelope},
 * {@link ChannelMarker}) is immutable and travels.
 *
 * <h2>Credit</h2>
 * The sender may transmit the messages whose sequence numbers are below its limit, which
 * starts at the window ({@link FlowControl#window()}) and rises with each {@link CreditGrant}.
 * {@link #send} transmits at once while there is credit (it returns the envelope to route),
 * and otherwise holds the payload; a grant releases held messages in order. Held messages have
 * no sequence number yet: they are numbered when they leave. So at most a window of a channel's
 * messages is ever on the way to, or waiting in, the receiver, whatever the sender does. The
 * held queue is the sending process's own backlog, on its own node: the host stops scheduling a
 * process whose backlog it finds too long ({@link #held()}), as a blocking send would.
 *
 * <h2>Acknowledged resend</h2>
 * The transport between nodes may drop a message (Artery drops what overflows a connection's
 * send queue) and, forwarded by a stay the receiver left, deliver it twice or late. So the
 * sender keeps each envelope it sent until a grant acknowledges it ({@link CreditGrant#delivered()},
 * the receiver's cumulative delivered count), and the host calls {@link #overdue()} at a fixed
 * interval: when something was outstanding at the last call and no grant has brought progress
 * since, the oldest unacknowledged envelope goes out again as a probe, and after a second such
 * interval every unacknowledged one, to where the channel points now. The receiver drops what it
 * has already and answers a resent copy with its current grant
 * ({@link ChannelReceiver.Arrival#answer()}), which repairs a lost grant as well. A sender out of credit with everything acknowledged keeps its last envelope as a probe
 * to resend for that answer. What is kept is bounded by the window: a grant's limit is at most
 * {@code delivered + window}, so at most a window of envelopes is ever unacknowledged.
 *
 * <h2>Why credits, and not Pekko's reliable delivery</h2>
 * <ul>
 *   <li><b>Channels are per process pair, multiplexed over node actors.</b> Reliable delivery
 *       ({@code ProducerController} / {@code ConsumerController}) connects one producer actor
 *       with one consumer actor, through a controller actor at each end, each meant to be
 *       local to its actor. Our endpoints are processes inside a node actor: a 1,024-rank all-to-all job
 *       has a million channels, which would be a million controller pairs, or one pair per node
 *       pair with no per-process bound. Credits are two small objects per channel inside the
 *       node actors that already exist, and bound each process pair separately.</li>
 *   <li><b>Migration moves a channel's end.</b> A channel's state (next sequence number,
 *       credit limit, held and unacknowledged messages; the receiver's expected number and
 *       reorder buffer) is plain data that travels with the process's image ({@link #state()},
 *       {@link #restore}) and belongs in a checkpoint. Reliable delivery's state lives in
 *       controller actors pinned to where they were spawned, and re-registering a consumer
 *       resends from the producer, while the brief's protocol forwards from the old location
 *       and closes it with markers.</li>
 * </ul>
 * The same ideas as its {@code flow-control-window} (the consumer asks for more when part of
 * the window is used) and its resend of unconfirmed messages are kept, inside the channel.
 *
 * <h2>Migration hooks</h2>
 * <ul>
 *   <li><b>The receiver moves.</b> When the host learns a newer location of the receiver it
 *       calls {@link #repoint}: later envelopes go there, and the returned
 *       {@link ChannelMarker} goes to the old location, which forwards what it still gets for
 *       the channel and closes on the marker. Sequence numbers and credit are the channel's,
 *       not the location's, so they carry on unchanged: the messages being forwarded still
 *       count against the window, the grants the old location gave stay valid (limits are
 *       absolute), and the new location grants on from the consumption count it received with
 *       the process.</li>
 *   <li><b>The sender moves.</b> {@link #state()} travels with the process and
 *       {@link #restore} rebuilds the sender at its new node. Grants sent to the old node
 *       while it moves may be lost; the receiver's host re-sends its current grant when it
 *       learns the sender's new location, and since grants are absolute limits that repairs
 *       any loss.</li>
 * </ul>
 *
 * @param <T> the payload type
 */
public final class ChannelSender<T> {
    private final ChannelId id;
    private final FlowControl flow;
    private final ArrayDeque<T> held = new ArrayDeque<>();
    // Sent and not acknowledged yet, in sequence order: every number from acked to nextSequence.
    private final ArrayDeque<Envelope<T>> unacked = new ArrayDeque<>();
    // The last envelope sent, kept after its acknowledgement while the channel has no credit: resent, it asks for a lost grant.
    private Envelope<T> probe;
    // Markers whose end the receiver had not delivered when they left: sent again as notices once it has.
    private final List<ChannelMarker> unsettled = new ArrayList<>();
    private final List<ChannelMarker> notices = new ArrayList<>();
    private long acked;
    private boolean outstandingAtLastCheck;
    // Stalled for one interval already: its probe went, and a second interval without progress resends everything.
    private boolean probed;
    // After the probe, while still stalled: when to send everything again.
    private final ResendBackoff backoff = new ResendBackoff();
    private long ackedAtLastCheck;
    private long limitAtLastCheck;
    private long resends;
    private boolean closed;
    private Location target;
    private long targetVersion;
    private long nextSequence;
    private long limit;
    private int peakHeld;
    private long staleGrants;
    private long markers;
    private HopCount hops = HopCount.NONE;

    /**
     * A new channel from {@code id.sender()} to {@code id.receiver()}, sending to
     * {@code target}, which the location directory gave at {@code targetVersion}.
     */
    public ChannelSender(ChannelId id, FlowControl flow, Location target, long targetVersion) {
        this.id = Objects.requireNonNull(id, "id");
        this.flow = Objects.requireNonNull(flow, "flow");
        this.target = Objects.requireNonNull(target, "target");
        if (targetVersion < 0) {
            throw new IllegalArgumentException("a directory version is not negative: " + targetVersion);
        }
        this.targetVersion = targetVersion;
        this.limit = flow.window();
    }

    /** The sender as {@code state} left it, at the process's new node. */
    public static <T> ChannelSender<T> restore(State<T> state) {
        ChannelSender<T> sender = new ChannelSender<>(state.id(), state.flow(), state.target(), state.targetVersion());
        sender.nextSequence = state.nextSequence();
        sender.limit = state.limit();
        sender.acked = state.acked();
        sender.held.addAll(state.held());
        sender.unacked.addAll(state.unacked());
        sender.probe = state.probe();
        sender.unsettled.addAll(state.unsettled());
        sender.peakHeld = state.held().size();
        sender.hops = state.hops();
        return sender;
    }

    /** What moves with the sending process: an immutable copy of this sender's state. */
    public State<T> state() {
        return new State<>(id, flow, target, targetVersion, nextSequence, limit, List.copyOf(held), acked, List.copyOf(unacked),
                probe, List.copyOf(unsettled), hops);
    }

    /**
     * Offers {@code payload}: the envelope to route to {@link #target()} now, or empty when the
     * channel is out of credit and the payload is held until a grant releases it.
     */
    public Optional<Envelope<T>> send(T payload) {
        Objects.requireNonNull(payload, "payload");
        if (held.isEmpty() && nextSequence < limit) {
            return Optional.of(sent(payload));
        }
        held.addLast(payload);
        peakHeld = Math.max(peakHeld, held.size());
        return Optional.empty();
    }

    private Envelope<T> sent(T payload) {
        Envelope<T> envelope = new Envelope<>(id, nextSequence++, payload);
        if (envelope.sequence() >= acked) {
            unacked.addLast(envelope);
        }
        probe = null;
        return envelope;
    }

    /**
     * Applies a grant: the envelopes it acknowledges are let go, and the held messages it
     * releases are returned, in order, as envelopes to route to {@link #target()}. A grant that
     * neither raises the limit nor acknowledges more is stale and changes nothing.
     *
     * @throws IllegalArgumentException for another channel's grant
     */
    public List<Envelope<T>> grant(CreditGrant grant) {
        if (!grant.channel().equals(id)) {
            throw new IllegalArgumentException("a grant for " + grant.channel() + " given to channel " + id);
        }
        boolean acknowledges = grant.delivered() > acked;
        if (acknowledges) {
            acknowledge(grant.delivered());
        }
        if (grant.limit() <= limit) {
            if (!acknowledges) {
                staleGrants++;
            }
            keepProbeWhileOutOfCredit();
            return List.of();
        }
        limit = grant.limit();
        List<Envelope<T>> released = new ArrayList<>();
        while (!held.isEmpty() && nextSequence < limit) {
            released.add(sent(held.removeFirst()));
        }
        keepProbeWhileOutOfCredit();
        return released;
    }

    private void acknowledge(long delivered) {
        acked = delivered;
        Envelope<T> last = null;
        while (!unacked.isEmpty() && unacked.peekFirst().sequence() < acked) {
            last = unacked.removeFirst();
        }
        if (last != null) {
            probe = last;
        }
        unsettled.removeIf(marker -> {
            boolean settled = acked >= marker.endSequence();
            if (settled) {
                notices.add(marker.withDelivered(acked));
            }
            return settled;
        });
    }

    private void keepProbeWhileOutOfCredit() {
        if (!unacked.isEmpty() || nextSequence < limit) {
            probe = null;
        }
    }

    /**
     * Called by the host once per resend interval: the envelopes to send again to
     * {@link #target()}, in order, when something was outstanding at the last call and no grant
     * has acknowledged more or raised the limit since. The first such interval sends one probe,
     * the oldest unacknowledged envelope (or the kept one, when the channel waits for credit
     * with everything acknowledged), whose answer acknowledges what arrived: a receiver that is
     * only slow to grant costs one envelope and one grant. A second interval without progress
     * sends every unacknowledged envelope; while nothing comes, later resends back off (1, 2, 4,
     * then 8 intervals between them) until progress. Otherwise none.
     */
    public List<Envelope<T>> overdue() {
        boolean stalled = outstandingAtLastCheck && acked == ackedAtLastCheck && limit == limitAtLastCheck;
        outstandingAtLastCheck = outstanding();
        ackedAtLastCheck = acked;
        limitAtLastCheck = limit;
        if (!stalled || !outstandingAtLastCheck) {
            probed = false;
            backoff.due(false);
            return List.of();
        }
        if (probed && !backoff.due(true)) {
            return List.of();
        }
        resends++;
        boolean everything = probed;
        probed = true;
        if (unacked.isEmpty()) {
            return probe == null ? List.of() : List.of(probe);
        }
        return everything ? List.copyOf(unacked) : List.of(unacked.peekFirst());
    }

    /** Whether anything waits for the receiver: an unacknowledged envelope or a message held for credit. */
    public boolean outstanding() {
        return !unacked.isEmpty() || !held.isEmpty();
    }

    /**
     * Markers to send again, now that the receiver has delivered everything before them: each
     * {@link ChannelMarker#settles()} and closes its location even if the first one, or a message
     * before it, was lost. Taken once: the list is empty afterwards.
     */
    public List<ChannelMarker> drainNotices() {
        List<ChannelMarker> taken = List.copyOf(notices);
        notices.clear();
        return taken;
    }

    /**
     * Points the channel at {@code to}, the receiver's location as of directory version
     * {@code version}. From now on envelopes go to {@code to}; the returned marker goes to the
     * location the channel pointed at until now. A version no newer than the one the channel
     * already follows is stale and changes nothing (a node's directory replica may be behind
     * the state a migrated sender brought along); a newer version naming the same location
     * only records the version.
     */
    public Optional<ChannelMarker> repoint(Location to, long version) {
        Objects.requireNonNull(to, "to");
        if (version <= targetVersion) {
            return Optional.empty();
        }
        targetVersion = version;
        if (to.equals(target)) {
            return Optional.empty();
        }
        ChannelMarker marker = new ChannelMarker(id, target, to, nextSequence, Math.min(acked, nextSequence));
        if (!marker.settles()) {
            unsettled.add(marker);
        }
        target = to;
        markers++;
        return Optional.of(marker);
    }

    /**
     * A notice for {@code stay}, an earlier location of the receiver than {@link #target()},
     * which asks because it still waits for the channel's marker there (the marker and its
     * notice may both have been lost): once every marker the channel made has settled, all it
     * sent before leaving any earlier location has been delivered, so a notice ending at the
     * acknowledgement closes the channel there. Empty while a marker waits to settle (its
     * notice follows) or when the channel has not left {@code stay}.
     */
    public Optional<ChannelMarker> noticeFor(Location stay) {
        if (!unsettled.isEmpty() || target.incarnation() <= stay.incarnation()) {
            return Optional.empty();
        }
        return Optional.of(new ChannelMarker(id, stay, target, acked, acked));
    }

    /**
     * The sending process has ended and this channel holds nothing more: the final marker, for
     * {@link #target()}, which tells every location of the receiver that nothing at or past
     * {@link #nextSequence()} will come. What is unacknowledged is still resent, and a notice
     * follows once it is delivered.
     *
     * @throws IllegalStateException while messages wait for credit, or when closed already
     */
    public ChannelMarker close() {
        if (!held.isEmpty() || closed) {
            throw new IllegalStateException("channel " + id + (closed ? " is closed already" : " still holds " + held.size() + " messages"));
        }
        closed = true;
        ChannelMarker last = new ChannelMarker(id, target, null, nextSequence, Math.min(acked, nextSequence));
        if (!last.settles()) {
            unsettled.add(last);
        }
        return last;
    }

    /** Whether {@link #close()} has given the final marker. */
    public boolean closed() {
        return closed;
    }

    /**
     * The receiver is lost (its node failed): the messages waiting for credit are given up and
     * returned, and the channel gets unlimited credit, so its sender is never frozen waiting for
     * a grant that cannot come.
     */
    public List<T> abandon() {
        List<T> given = List.copyOf(held);
        held.clear();
        unacked.clear();
        unsettled.clear();
        probe = null;
        acked = Long.MAX_VALUE;
        limit = Long.MAX_VALUE;
        return given;
    }

    /** Counts one routed message of {@code routeHops} router-to-router hops ({@link Mesh#hops}). */
    public void recordHops(int routeHops) {
        hops = hops.plus(routeHops);
    }

    /** The channel. */
    public ChannelId id() {
        return id;
    }

    /** The channel's credit parameters. */
    public FlowControl flow() {
        return flow;
    }

    /** Where envelopes go now. */
    public Location target() {
        return target;
    }

    /** The directory version {@link #target()} came from. */
    public long targetVersion() {
        return targetVersion;
    }

    /** The sequence number of the next message to leave; also how many have left. */
    public long nextSequence() {
        return nextSequence;
    }

    /** Sequence numbers below this may leave. */
    public long limit() {
        return limit;
    }

    /** Messages that may leave before the next grant: 0 while any are held. */
    public long credits() {
        return limit - nextSequence;
    }

    /** Messages waiting for credit. */
    public int held() {
        return held.size();
    }

    /** Envelopes sent and not acknowledged yet. */
    public int unacknowledged() {
        return unacked.size();
    }

    /** Every sequence number below this has been delivered to the receiver, as its grants said. */
    public long acknowledged() {
        return acked;
    }

    /** How many times {@link #overdue()} found the channel stalled and sent again (since the last restore). */
    public long resends() {
        return resends;
    }

    /** The most messages ever waiting for credit at once (since the last restore). */
    public int peakHeld() {
        return peakHeld;
    }

    /** Grants that arrived no higher than the limit already known. */
    public long staleGrants() {
        return staleGrants;
    }

    /** Markers this sender produced (re-points to a new location). */
    public long markers() {
        return markers;
    }

    /** Hop metrics of the messages routed so far. */
    public HopCount hopCount() {
        return hops;
    }

    @Override
    public String toString() {
        return "sender " + id + " -> " + target + ": next " + nextSequence + ", limit " + limit + ", acked " + acked + ", held "
                + held.size();
    }

    /**
     * A sender's state, to move with the sending process (and to checkpoint).
     *
     * @param held the payloads waiting for credit, oldest first
     * @param acked every number below this has been acknowledged
     * @param unacked the envelopes sent and not acknowledged, in order: every number from {@code acked} on
     * @param probe the last envelope, acknowledged, kept while the channel waits for credit; or null
     * @param unsettled the markers sent before the receiver had delivered their end
     */
    public record State<T>(ChannelId id, FlowControl flow, Location target, long targetVersion, long nextSequence,
                           long limit, List<T> held, long acked, List<Envelope<T>> unacked, Envelope<T> probe,
                           List<ChannelMarker> unsettled, HopCount hops) {
        public State {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(flow, "flow");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(hops, "hops");
            held = List.copyOf(held);
            unacked = List.copyOf(unacked);
            unsettled = List.copyOf(unsettled);
            long expected = acked;
            for (Envelope<T> envelope : unacked) {
                if (!envelope.channel().equals(id) || envelope.sequence() != expected++) {
                    throw new IllegalArgumentException("unacknowledged envelopes run from " + acked + " in order: #"
                            + envelope.sequence() + " of " + envelope.channel());
                }
            }
            if (acked != Long.MAX_VALUE && expected != nextSequence) {
                throw new IllegalArgumentException("the unacknowledged envelopes kept end at " + expected + ", not at " + nextSequence);
            }
            if (targetVersion < 0 || nextSequence < 0 || limit < flow.window() || nextSequence > limit) {
                throw new IllegalArgumentException("inconsistent sender state: next " + nextSequence + ", limit " + limit
                        + ", window " + flow.window() + ", version " + targetVersion);
            }
            if (!held.isEmpty() && nextSequence < limit) {
                throw new IllegalArgumentException("a sender with credit left holds no message: next " + nextSequence
                        + ", limit " + limit + ", " + held.size() + " held");
            }
        }
    }
}
