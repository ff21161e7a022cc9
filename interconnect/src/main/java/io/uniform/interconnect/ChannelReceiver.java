package io.uniform.interconnect;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The receiving end of a channel: delivers the channel's messages to the receiving kernel
 * exactly once and in sequence order, and grants the sender credit as the kernel consumes
 * them. Plain, single-threaded Java, owned by the node actor hosting the receiving process.
 *
 * <h2>Out of order: a reorder buffer, bounded by the window</h2>
 * Between two node actors Pekko keeps order, but a channel's messages do not always come over
 * one pair: while the receiver migrates, messages forwarded by its old location race the ones
 * its sender sends straight to the new location, and after the sender migrates, the messages it
 * sent from its old node race those from the new one. So an envelope ahead of the next
 * expected number is kept in a reorder buffer, and delivered with the gap's filler; the brief's
 * rule that forwarded messages come before the direct ones that follow them falls out of the
 * sequence numbers. Refusing such envelopes instead would cost a resend of what was not lost.
 * The buffer cannot grow past the window: the sender never transmits a
 * number at or above the granted limit, which is at most {@code consumed + window}, so every
 * accepted number lies within a window of the next expected one. An envelope at or past the
 * granted limit broke the credit rule and is {@link Outcome#REFUSED}; one already delivered or
 * buffered is a {@link Outcome#DUPLICATE} and dropped. Both are counted, neither changes state.
 * A duplicate of a delivered number is answered with the current grant ({@link Arrival#answer()}):
 * it is what a sender resends, or probes with, when its acknowledgement (or credit) did not come.
 *
 * <h2>Credit</h2>
 * Delivering is not consuming: delivered messages wait in the receiving kernel's inbox until it
 * takes them (a Puma QK between CPU slices, say). The host reports each consumption with
 * {@link #consumed(int)}; once a batch ({@link FlowControl#batch()}) has been consumed since
 * the last grant, the receiver grants the limit {@code consumed + window}, which the host sends
 * to the sender. So the messages delivered but not consumed, buffered, and in flight together
 * never exceed the window. {@link #flush()} grants early (the kernel has gone idle, say), and
 * {@link #currentGrant()} repeats the current limit after a grant may have been lost (the
 * sender migrated). Every grant also carries the number delivered so far: it is the sender's
 * acknowledgement ({@link CreditGrant#delivered()}).
 *
 * <h2>Migration</h2>
 * {@link #state()} (expected number, consumption, granted limit, buffered envelopes, those the
 * host set aside as the first parts of a message sent in several) moves with
 * the receiving process and {@link #restore} rebuilds the receiver at its new location, which
 * goes on accepting the forwarded and the direct envelopes in one sequence. The delivered but
 * unconsumed messages move with the kernel's inbox.
 *
 * @param <T> the payload type
 */
public final class ChannelReceiver<T> {
    /** {@link #senderEnd()} of a channel whose sender has not ended. */
    public static final long OPEN = -1;

    /** What became of one arriving envelope. */
    public enum Outcome {
        /** It was the next expected: it is delivered, with any buffered ones that follow it. */
        DELIVERED,
        /** It is ahead of a gap: kept until the gap is filled. */
        BUFFERED,
        /** It was delivered or buffered before: dropped. */
        DUPLICATE,
        /** Its sequence number is at or past the granted limit (the sender broke the credit rule): dropped. */
        REFUSED
    }

    /**
     * An envelope's fate and what it made deliverable.
     *
     * @param delivered the envelopes now deliverable, in sequence order: empty unless
     *     {@code outcome} is {@link Outcome#DELIVERED}
     * @param answer the grant to send the sender again, for a resent copy of a delivered number
     *     (its acknowledgement or credit was lost); null otherwise
     */
    public record Arrival<T>(Outcome outcome, List<Envelope<T>> delivered, CreditGrant answer) {
        public Arrival {
            Objects.requireNonNull(outcome, "outcome");
            delivered = List.copyOf(delivered);
            if ((outcome == Outcome.DELIVERED) == delivered.isEmpty()) {
                throw new IllegalArgumentException(outcome + " with " + delivered.size() + " delivered");
            }
            if (answer != null && outcome != Outcome.DUPLICATE) {
                throw new IllegalArgumentException("only a duplicate is answered, not " + outcome);
            }
        }

        /** An arrival that needs no answer. */
        public Arrival(Outcome outcome, List<Envelope<T>> delivered) {
            this(outcome, delivered, null);
        }
    }

    /** A receiver's counters. */
    public record Stats(long delivered, long consumed, long duplicates, long refused, long grants, int peakBuffered) {
    }

    private final ChannelId id;
    private final FlowControl flow;
    /** Buffered envelopes, at {@code sequence % window}: every one lies in [expected, expected + window). */
    private final Object[] ring;
    private int buffered;
    private long expected;
    private long consumed;
    private long granted;
    private long duplicates;
    private long refused;
    private long grants;
    private int peakBuffered;
    private long senderEnd = OPEN;
    /** Delivered envelopes the host took but set aside, the first parts of a message in several: they move with the channel. */
    private final List<Envelope<T>> setAside = new ArrayList<>();

    /** A new channel's receiving end: nothing received, the sender holds the initial window. */
    public ChannelReceiver(ChannelId id, FlowControl flow) {
        this.id = Objects.requireNonNull(id, "id");
        this.flow = Objects.requireNonNull(flow, "flow");
        this.ring = new Object[flow.window()];
        this.granted = flow.window();
    }

    /** The receiver as {@code state} left it, at the process's new location. */
    public static <T> ChannelReceiver<T> restore(State<T> state) {
        ChannelReceiver<T> receiver = new ChannelReceiver<>(state.id(), state.flow());
        receiver.expected = state.expected();
        receiver.consumed = state.consumed();
        receiver.granted = state.granted();
        for (Envelope<T> envelope : state.buffered()) {
            receiver.ring[receiver.slot(envelope.sequence())] = envelope;
        }
        receiver.buffered = state.buffered().size();
        Stats stats = state.stats();
        receiver.duplicates = stats.duplicates();
        receiver.refused = stats.refused();
        receiver.grants = stats.grants();
        receiver.peakBuffered = Math.max(stats.peakBuffered(), receiver.buffered);
        receiver.senderEnd = state.senderEnd();
        receiver.setAside.addAll(state.setAside());
        return receiver;
    }

    /** What moves with the receiving process: an immutable copy of this receiver's state. */
    public State<T> state() {
        List<Envelope<T>> held = new ArrayList<>(buffered);
        for (long sequence = expected + 1; held.size() < buffered; sequence++) {
            Envelope<T> envelope = at(sequence);
            if (envelope != null) {
                held.add(envelope);
            }
        }
        return new State<>(id, flow, expected, consumed, granted, held, stats(), senderEnd, setAside);
    }

    /**
     * Takes one arriving envelope.
     *
     * @throws IllegalArgumentException for another channel's envelope
     */
    public Arrival<T> accept(Envelope<T> envelope) {
        if (!envelope.channel().equals(id)) {
            throw new IllegalArgumentException("an envelope of " + envelope.channel() + " given to channel " + id);
        }
        long sequence = envelope.sequence();
        if (sequence < expected) {
            duplicates++;
            return new Arrival<>(Outcome.DUPLICATE, List.of(), currentGrant());
        }
        if (sequence >= granted) {
            refused++;
            return new Arrival<>(Outcome.REFUSED, List.of());
        }
        if (sequence > expected) {
            if (at(sequence) != null) {
                duplicates++;
                return new Arrival<>(Outcome.DUPLICATE, List.of());
            }
            ring[slot(sequence)] = envelope;
            buffered++;
            peakBuffered = Math.max(peakBuffered, buffered);
            return new Arrival<>(Outcome.BUFFERED, List.of());
        }
        List<Envelope<T>> delivered = new ArrayList<>();
        delivered.add(envelope);
        expected++;
        while (buffered > 0) {
            Envelope<T> next = at(expected);
            if (next == null) {
                break;
            }
            ring[slot(expected)] = null;
            buffered--;
            delivered.add(next);
            expected++;
        }
        return new Arrival<>(Outcome.DELIVERED, delivered);
    }

    /**
     * Records that the receiving kernel consumed {@code count} more delivered messages: the
     * grant to send the sender once a batch has been consumed since the last grant, else empty.
     *
     * @throws IllegalArgumentException for a negative count
     * @throws IllegalStateException when more would be consumed than was delivered
     */
    public Optional<CreditGrant> consumed(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("a negative consumption: " + count);
        }
        if (count > expected - consumed) {
            throw new IllegalStateException("channel " + id + ": " + count + " consumed, but only " + (expected - consumed)
                    + " delivered and not yet consumed");
        }
        consumed += count;
        return consumed - (granted - flow.window()) >= flow.batch() ? Optional.of(grantNow()) : Optional.empty();
    }

    /** Grants now whatever consumption no grant has reported yet; empty when there is none. */
    public Optional<CreditGrant> flush() {
        return consumed + flow.window() > granted ? Optional.of(grantNow()) : Optional.empty();
    }

    /** The limit granted so far, to send again when a grant may have been lost. */
    public CreditGrant currentGrant() {
        return new CreditGrant(id, granted, expected);
    }

    private CreditGrant grantNow() {
        granted = consumed + flow.window();
        grants++;
        return currentGrant();
    }

    @SuppressWarnings("unchecked")
    private Envelope<T> at(long sequence) {
        Envelope<T> envelope = (Envelope<T>) ring[slot(sequence)];
        return envelope != null && envelope.sequence() == sequence ? envelope : null;
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }

    /** The channel. */
    public ChannelId id() {
        return id;
    }

    /** The channel's credit parameters. */
    public FlowControl flow() {
        return flow;
    }

    /** The sequence number delivered next; also how many have been delivered. */
    public long expected() {
        return expected;
    }

    /** How many delivered messages the kernel has consumed. */
    public long consumedCount() {
        return consumed;
    }

    /** Delivered messages the kernel has not consumed yet. */
    public long unconsumed() {
        return expected - consumed;
    }

    /** The highest limit granted: sequence numbers at or past it are refused. */
    public long granted() {
        return granted;
    }

    /** Envelopes waiting in the reorder buffer for a gap to close. */
    public int buffered() {
        return buffered;
    }

    /**
     * The host took {@code envelope} (delivered) but keeps it aside until the rest of its message
     * comes, as the first part of a message sent in several ({@link #takeSetAside()}); it is
     * part of the channel's state from now on, so it moves and is recorded with the channel.
     */
    public void setAside(Envelope<T> envelope) {
        if (!envelope.channel().equals(id) || envelope.sequence() >= expected) {
            throw new IllegalArgumentException("only a delivered envelope of " + id + " is set aside: " + envelope.channel()
                    + " #" + envelope.sequence());
        }
        setAside.add(envelope);
    }

    /** The envelopes set aside, in the order they were; the channel keeps them. */
    public List<Envelope<T>> partsSetAside() {
        return List.copyOf(setAside);
    }

    /** The envelopes set aside, in the order they were, which the channel holds no longer. */
    public List<Envelope<T>> takeSetAside() {
        List<Envelope<T>> taken = List.copyOf(setAside);
        setAside.clear();
        return taken;
    }

    /**
     * The sender has ended ({@link ChannelMarker#isFinal()}): {@code endSequence} is the first
     * number it never sent. Kept with the channel, so that a location this process leaves later
     * does not wait for a marker from a sender that is gone.
     */
    public void senderEnded(long endSequence) {
        if (endSequence < 0) {
            throw new IllegalArgumentException("a sender's end is not negative: " + endSequence);
        }
        senderEnd = endSequence;
    }

    /** The first sequence number the sender never sent, when it has ended; {@link #OPEN} while it runs. */
    public long senderEnd() {
        return senderEnd;
    }

    /** The counters. */
    public Stats stats() {
        return new Stats(expected, consumed, duplicates, refused, grants, peakBuffered);
    }

    @Override
    public String toString() {
        return "receiver " + id + ": expected " + expected + ", consumed " + consumed + ", granted " + granted
                + ", buffered " + buffered;
    }

    /**
     * A receiver's state, to move with the receiving process (and to checkpoint).
     *
     * @param expected the next sequence number to deliver
     * @param consumed how many delivered messages the kernel consumed
     * @param granted the highest credit limit granted
     * @param buffered the envelopes in the reorder buffer, in sequence order
     * @param senderEnd the first sequence number the sender never sent, when it has ended; {@link #OPEN} while it runs
     * @param setAside delivered envelopes the host set aside ({@link #setAside(Envelope)}), in order
     */
    public record State<T>(ChannelId id, FlowControl flow, long expected, long consumed, long granted,
                           List<Envelope<T>> buffered, Stats stats, long senderEnd, List<Envelope<T>> setAside) {
        public State {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(flow, "flow");
            Objects.requireNonNull(stats, "stats");
            buffered = List.copyOf(buffered);
            setAside = List.copyOf(setAside);
            for (Envelope<T> envelope : setAside) {
                if (!envelope.channel().equals(id) || envelope.sequence() >= expected) {
                    throw new IllegalArgumentException("a set-aside envelope must be a delivered one of " + id + ": "
                            + envelope.channel() + " #" + envelope.sequence());
                }
            }
            if (senderEnd < OPEN) {
                throw new IllegalArgumentException("a sender's end is OPEN or not negative: " + senderEnd);
            }
            if (consumed < 0 || consumed > expected || granted < flow.window() || granted > consumed + flow.window()) {
                throw new IllegalArgumentException("inconsistent receiver state: expected " + expected + ", consumed "
                        + consumed + ", granted " + granted + ", window " + flow.window());
            }
            long previous = expected;
            for (Envelope<T> envelope : buffered) {
                if (!envelope.channel().equals(id) || envelope.sequence() <= previous || envelope.sequence() >= granted) {
                    throw new IllegalArgumentException("a buffered envelope must be of channel " + id
                            + ", in increasing order past " + expected + " and below " + granted + ": "
                            + envelope.channel() + " #" + envelope.sequence());
                }
                previous = envelope.sequence();
            }
        }

        /** A state with nothing set aside. */
        public State(ChannelId id, FlowControl flow, long expected, long consumed, long granted, List<Envelope<T>> buffered,
                     Stats stats, long senderEnd) {
            this(id, flow, expected, consumed, granted, buffered, stats, senderEnd, List.of());
        }
    }
}
