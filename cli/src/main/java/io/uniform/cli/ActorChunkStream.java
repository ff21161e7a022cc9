package io.uniform.cli;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The reference of {@code uniform bench-migration}: a plain Pekko typed actor pair moving a
 * number of bytes as a migration's page stream does, in {@code byte[]} chunks of one size with
 * the same window of chunks ahead of the receiver's acknowledgments, each chunk a fresh copy of
 * the sender's buffer that the receiver copies into its own; no pages, encoding, kernel or CPU,
 * so the pair is the stream's own limit in this actor system.
 */
final class ActorChunkStream {
    private static final AtomicInteger PAIRS = new AtomicInteger();

    private ActorChunkStream() {}

    /** Seconds the pair takes to move {@code bytes} in {@code chunkBytes} chunks, {@code window} ahead of the acknowledgments. */
    static double seconds(ActorSystem<?> system, long bytes, int chunkBytes, int window) throws Exception {
        long chunks = Math.max(1, (bytes + chunkBytes - 1) / chunkBytes);
        CompletableFuture<Double> done = new CompletableFuture<>();
        system.systemActorOf(Behaviors.<Integer>setup(context -> {
            byte[] out = new byte[chunkBytes];
            Arrays.fill(out, (byte) 0x5a);
            ActorRef<byte[]> receiver = context.spawn(receiver(context.getSelf(), chunkBytes), "receiver");
            long start = System.nanoTime();
            long[] sent = {0};
            for (; sent[0] < Math.min(window, chunks); sent[0]++) {
                receiver.tell(out.clone());
            }
            return Behaviors.receiveMessage(stored -> {
                if (stored == chunks) {
                    done.complete((System.nanoTime() - start) / 1e9);
                    return Behaviors.stopped();
                }
                for (; sent[0] < Math.min(stored + window, chunks); sent[0]++) {
                    receiver.tell(out.clone());
                }
                return Behaviors.same();
            });
        }), "bench-chunk-stream-" + PAIRS.incrementAndGet(), Props.empty());
        return done.get(10, TimeUnit.MINUTES);
    }

    /** Copies each chunk into its buffer and acknowledges the count stored, as a destination confirms its pages. */
    private static Behavior<byte[]> receiver(ActorRef<Integer> sender, int chunkBytes) {
        byte[] in = new byte[chunkBytes];
        int[] stored = {0};
        return Behaviors.receiveMessage(chunk -> {
            System.arraycopy(chunk, 0, in, 0, chunk.length);
            sender.tell(++stored[0]);
            return Behaviors.same();
        });
    }
}
