package io.uniform.interconnect;

import java.util.Objects;
import java.util.TreeSet;

/**
 * What a location the receiving process has left does for one channel to it: it passes on to
 * the process's next location everything of the channel that still arrives, and knows when the
 * channel is closed there, so that the location can let go of the process. Plain,
 * single-threaded Java, kept by the node the process left.
 *
 * <h2>When the channel is closed here</h2>
 * When the location has a closing marker and has passed on every sequence number below the
 * marker's end that its process had not received before it left. The closing marker is:
 * <ul>
 *   <li>the one the sender sent here when it re-pointed the channel away ({@code closed} is this
 *       location);</li>
 *   <li>or, when the sender learned of a later location first and never sent here, the one the
 *       location before this relayed when it closed ({@code closed} is that location, {@code next}
 *       is not this one). A relayed marker whose {@code next} is this location is not closing: the
 *       sender came here, and its own marker will close it;</li>
 *   <li>or a sender's final marker ({@link ChannelMarker#isFinal()}), sent or relayed here, or
 *       already known to the receiving process when it left ({@link ChannelReceiver#senderEnd()}):
 *       the sender has ended and nothing past its end will come.</li>
 * </ul>
 * A closed channel's marker is relayed to the next location ({@link #relay()}): there it closes
 * the channel if the sender skipped that location too, and is ignored otherwise. Sequence numbers
 * are passed in any order (a sender that moved races its old node's messages with its new
 * node's); what has been passed is kept as a low-water mark and the few numbers above it.
 *
 * <p>A number lost on its way here is resent by its sender to where it sends now, never here,
 * and a marker may be lost too: a marker's {@link ChannelMarker#delivered()} (the sender's
 * acknowledgement when it made it, or its notice once the receiver had everything below the end)
 * counts as passed, since the process has those numbers already. A notice closes the channel here
 * whatever was lost before it; it is relayed like the closing marker, carrying what it knows.
 */
public final class ChannelForwarder {
    private final ChannelId id;
    private final Location self;
    private final Location next;
    // Every number below this has been received by the process before it left, or passed on since.
    private long passedBelow;
    private final TreeSet<Long> passedAbove = new TreeSet<>();
    private ChannelMarker closing;
    private long deliveredKnown;
    private boolean knownAtDeparture;

    private ChannelForwarder(ChannelId id, Location self, Location next, long passedBelow) {
        this.id = Objects.requireNonNull(id, "id");
        this.self = Objects.requireNonNull(self, "self");
        this.next = Objects.requireNonNull(next, "next");
        if (self.equals(next)) {
            throw new IllegalArgumentException("a process does not leave " + self + " for itself");
        }
        this.passedBelow = passedBelow;
    }

    /**
     * The channel as its receiving process left it at {@code self} for {@code next}: what it had
     * received (in order and in its reorder buffer) needs no passing on, and a sender that had
     * ended already closes it as soon as the rest is passed.
     */
    public static ChannelForwarder left(Location self, Location next, ChannelReceiver.State<?> frozen) {
        ChannelForwarder forwarder = new ChannelForwarder(frozen.id(), self, next, frozen.expected());
        frozen.buffered().forEach(envelope -> forwarder.passed(envelope.sequence()));
        if (frozen.senderEnd() != ChannelReceiver.OPEN) {
            forwarder.closing = new ChannelMarker(frozen.id(), self, null, frozen.senderEnd(), frozen.expected());
            forwarder.knownAtDeparture = true;
        }
        return forwarder;
    }

    /** A channel the process had received nothing on when it left {@code self} for {@code next}, first heard of since. */
    public static ChannelForwarder unheardOf(ChannelId id, Location self, Location next) {
        return new ChannelForwarder(id, self, next, 0);
    }

    /** Sequence number {@code sequence} of the channel has been passed on to {@link #next()} (or reached the process here). */
    public void passed(long sequence) {
        if (sequence < passedBelow) {
            return;
        }
        passedAbove.add(sequence);
        advance();
    }

    private void advance() {
        while (!passedAbove.isEmpty() && passedAbove.first() <= passedBelow) {
            passedBelow = Math.max(passedBelow, passedAbove.pollFirst() + 1);
        }
    }

    /**
     * A marker of the channel reached this location: true when it is the channel's closing
     * marker here (see the class comment), false when it is ignored (relayed to where the sender
     * came next, or a second one, which a sender's final marker after its re-pointing, or a
     * notice, may be). Either way what it says was delivered needs no passing on.
     *
     * @throws IllegalArgumentException for another channel's marker
     */
    public boolean marker(ChannelMarker marker) {
        if (!marker.channel().equals(id)) {
            throw new IllegalArgumentException("a marker of " + marker.channel() + " given to the forwarder of " + id);
        }
        deliveredKnown = Math.max(deliveredKnown, marker.delivered());
        if (deliveredKnown > passedBelow) {
            passedBelow = deliveredKnown;
            advance();
        }
        if (closing != null || !closes(marker, self)) {
            return false;
        }
        closing = marker;
        return true;
    }

    /**
     * The sender is lost (its node failed): the channel is closed here with what has been passed
     * on so far, and that end is relayed on like a sender's final marker. Nothing if it is closed already.
     */
    public void senderLost() {
        if (!closed()) {
            closing = new ChannelMarker(id, self, null, passedBelow, passedBelow);
            knownAtDeparture = false;
        }
    }

    /**
     * Whether {@code marker}, reaching {@code location}, closes its channel there: it does unless it
     * was relayed from the location before to where the sender came next (whose own marker closes it).
     */
    public static boolean closes(ChannelMarker marker, Location location) {
        return marker.closed().equals(location) || !location.equals(marker.next());
    }

    /** True when nothing more of the channel will reach this location. */
    public boolean closed() {
        return closing != null && passedBelow >= closing.endSequence();
    }

    /**
     * The marker to relay to {@link #next()} once closed; null when the next location needs none
     * (the process took its sender's end along when it left).
     *
     * @throws IllegalStateException while the channel is open here
     */
    public ChannelMarker relay() {
        if (!closed()) {
            throw new IllegalStateException(this + " is still open");
        }
        return knownAtDeparture ? null : closing.withDelivered(deliveredKnown);
    }

    /** The channel. */
    public ChannelId id() {
        return id;
    }

    /** The location the process left. */
    public Location self() {
        return self;
    }

    /** Where the process went from here: what arrives is passed on there. */
    public Location next() {
        return next;
    }

    @Override
    public String toString() {
        return "forwarder of " + id + " at " + self + " to " + next + ": passed below " + passedBelow + " and " + passedAbove.size()
                + " above, closing " + (closing == null ? "none" : closing.endSequence());
    }
}
