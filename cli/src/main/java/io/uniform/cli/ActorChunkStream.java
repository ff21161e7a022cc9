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
 * the same window of chunks ahead of the receiver's acknowledgments, each chunk a fresh copy
 * of the sender's memory that the receiver copies into its own; no pages, encoding, kernel or
 * CPU, so the pair is the stream's own limit in this actor system.
 */
final class ActorChunkStream {
    private static final AtomicInteger PAIRS = new AtomicInteger();

    private ActorChunkStream() {}

    /** What the pair's memory is on either side. */
    enum Memory {
        /** One chunk-sized buffer each, which stays in cache: the messaging alone. */
        ONE_CHUNK,
        /**
         * All the bytes on either side, read chunk by chunk out of the sender's array and written
         * at their place into the receiver's, both touched before the clock starts: memory to
         * memory, as a migration moves a process's pages out of its frames into the destination's.
         */
        WHOLE
    }

    /** Seconds the pair takes to move {@code bytes} in {@code chunkBytes} chunks, {@code window} ahead of the acknowledgments. */
    static double seconds(ActorSystem<?> system, long bytes, int chunkBytes, int window, Memory memory) throws Exception {
        long chunks = Math.max(1, (bytes + chunkBytes - 1) / chunkBytes);
        int span = Math.toIntExact(memory == Memory.ONE_CHUNK ? chunkBytes : chunks * chunkBytes);
        CompletableFuture<Double> done = new CompletableFuture<>();
        system.systemActorOf(Behaviors.<Integer>setup(context -> {
            byte[] source = new byte[span];
            Arrays.fill(source, (byte) 0x5a);
            ActorRef<byte[]> receiver = context.spawn(receiver(context.getSelf(), chunkBytes, span), "receiver");
            long start = System.nanoTime();
            long[] sent = {0};
            for (; sent[0] < Math.min(window, chunks); sent[0]++) {
                receiver.tell(chunk(source, sent[0], chunkBytes));
            }
            return Behaviors.receiveMessage(stored -> {
                if (stored == chunks) {
                    done.complete((System.nanoTime() - start) / 1e9);
                    return Behaviors.stopped();
                }
                for (; sent[0] < Math.min(stored + window, chunks); sent[0]++) {
                    receiver.tell(chunk(source, sent[0], chunkBytes));
                }
                return Behaviors.same();
            });
        }), "bench-chunk-stream-" + PAIRS.incrementAndGet(), Props.empty());
        return done.get(10, TimeUnit.MINUTES);
    }

    /** Chunk {@code index} read out of {@code source} (the one chunk again when it holds one). */
    private static byte[] chunk(byte[] source, long index, int chunkBytes) {
        int from = (int) (index * chunkBytes % source.length);
        return Arrays.copyOfRange(source, from, from + chunkBytes);
    }

    /** Copies each chunk into its memory, at the chunk's place, and acknowledges the count stored, as a destination confirms its pages. */
    private static Behavior<byte[]> receiver(ActorRef<Integer> sender, int chunkBytes, int span) {
        byte[] destination = new byte[span];
        Arrays.fill(destination, (byte) 1); // touched before the first chunk, as a destination's memory is grown before the freeze
        int[] stored = {0};
        return Behaviors.receiveMessage(chunk -> {
            System.arraycopy(chunk, 0, destination, (int) ((long) stored[0] * chunkBytes % span), chunk.length);
            sender.tell(++stored[0]);
            return Behaviors.same();
        });
    }
}
