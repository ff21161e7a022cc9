package io.uniform.metrics;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.remote.artery.RemoteInstrument;

/**
 * Counts the messages and bytes a member's Artery sends to and receives from other members: a
 * {@link RemoteInstrument} (members list it in {@code pekko.remote.artery.advanced.instruments},
 * {@code uniform-cluster.conf}), called once per remote message on the serialization path with
 * the serialized size. It writes no metadata, so it adds no byte to a message.
 */
public final class ArteryTraffic extends RemoteInstrument {
    /** What one member's Artery moved since it started: messages and serialized bytes each way. */
    public record Figures(long messagesSent, long bytesSent, long messagesReceived, long bytesReceived) {}

    /** Messages and their bytes one way. */
    private static final class Flow {
        final LongAdder messages = new LongAdder();
        final LongAdder bytes = new LongAdder();

        void add(int size) {
            messages.increment();
            bytes.add(size);
        }
    }

    private record Counts(Flow sent, Flow received) {
        Counts() {
            this(new Flow(), new Flow());
        }
    }

    private static final PerSystem<Counts> COUNTS = new PerSystem<>(Counts::new);
    // Unique among a system's instruments; written nowhere, as this one sends no metadata.
    private static final byte IDENTIFIER = 9;

    private final Counts counts;

    /** Pekko's constructor for an instrument of {@code system}. */
    public ArteryTraffic(ExtendedActorSystem system) {
        this.counts = COUNTS.of(system);
    }

    /** {@code system}'s traffic so far, or null if it has no such instrument. */
    static Figures of(org.apache.pekko.actor.ActorSystem system) {
        Counts c = COUNTS.ifPresent(system);
        return c == null ? null
                : new Figures(c.sent().messages.sum(), c.sent().bytes.sum(), c.received().messages.sum(), c.received().bytes.sum());
    }

    @Override
    public byte identifier() {
        return IDENTIFIER;
    }

    @Override
    public void remoteWriteMetadata(ActorRef recipient, Object message, ActorRef sender, ByteBuffer buffer) {}

    @Override
    public void remoteMessageSent(ActorRef recipient, Object message, ActorRef sender, int size, long time) {
        counts.sent().add(size);
    }

    @Override
    public void remoteReadMetadata(ActorRef recipient, Object message, ActorRef sender, ByteBuffer buffer) {}

    @Override
    public void remoteMessageReceived(ActorRef recipient, Object message, ActorRef sender, int size, long time) {
        counts.received().add(size);
    }
}
