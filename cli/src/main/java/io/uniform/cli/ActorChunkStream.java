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
    /**
     * {@link Memory#WHOLE}'s two arrays, kept from pair to pair and replaced only by larger ones:
     * allocating hundreds of MiB for each pair would start garbage collections that overlap its
     * timing and slow the reference down.
     */
    private static byte[] wholeSource = new byte[0];
    private static byte[] wholeDestination = new byte[0];

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
        byte[] source = memory == Memory.ONE_CHUNK ? new byte[span] : wholeArray(span, true);
        byte[] destination = memory == Memory.ONE_CHUNK ? new byte[span] : wholeArray(span, false);
        Arrays.fill(source, 0, span, (byte) 0x5a);
        Arrays.fill(destination, 0, span, (byte) 1); // touched before the first chunk, as a destination's memory is grown before the freeze
        CompletableFuture<Double> done = new CompletableFuture<>();
        system.systemActorOf(Behaviors.<Integer>setup(context -> {
            ActorRef<byte[]> receiver = context.spawn(receiver(context.getSelf(), chunkBytes, destination, span), "receiver");
            long start = System.nanoTime();
            long[] sent = {0};
            for (; sent[0] < Math.min(window, chunks); sent[0]++) {
                receiver.tell(chunk(source, sent[0], chunkBytes, span));
            }
            return Behaviors.receiveMessage(stored -> {
                if (stored == chunks) {
                    done.complete((System.nanoTime() - start) / 1e9);
                    return Behaviors.stopped();
                }
                for (; sent[0] < Math.min(stored + window, chunks); sent[0]++) {
                    receiver.tell(chunk(source, sent[0], chunkBytes, span));
                }
                return Behaviors.same();
            });
        }), "bench-chunk-stream-" + PAIRS.incrementAndGet(), Props.empty());
        return done.get(10, TimeUnit.MINUTES);
    }

    /** {@link Memory#WHOLE}'s source or destination, at least {@code span} bytes. */
    private static synchronized byte[] wholeArray(int span, boolean source) {
        if ((source ? wholeSource : wholeDestination).length < span) {
            if (source) {
                wholeSource = new byte[span];
            } else {
                wholeDestination = new byte[span];
            }
        }
        return source ? wholeSource : wholeDestination;
    }

    /** Chunk {@code index} read out of the first {@code span} bytes of {@code source} (the one chunk again when they hold one). */
    private static byte[] chunk(byte[] source, long index, int chunkBytes, int span) {
        int from = (int) (index * chunkBytes % span);
        return Arrays.copyOfRange(source, from, from + chunkBytes);
    }

    /** Copies each chunk into {@code destination}, at the chunk's place, and acknowledges the count stored, as a destination confirms its pages. */
    private static Behavior<byte[]> receiver(ActorRef<Integer> sender, int chunkBytes, byte[] destination, int span) {
        int[] stored = {0};
        return Behaviors.receiveMessage(chunk -> {
            System.arraycopy(chunk, 0, destination, (int) ((long) stored[0] * chunkBytes % span), chunk.length);
            sender.tell(++stored[0]);
            return Behaviors.same();
        });
    }
}
