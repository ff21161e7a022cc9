package io.uniform.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The reference of {@code uniform bench-portals}: a plain Pekko typed actor pair doing what
 * pingpong.elf's ranks 0 and 1 do, with byte arrays for messages. For each size from 1 KiB to
 * 1 MiB: {@code rounds} round trips (one-way latency: half their mean), then {@code stream}
 * messages back to back and an empty acknowledgment (bandwidth: the streamed bytes over the time
 * until the acknowledgment), timed by the driver as rank 0 times itself. As Portals copies a
 * put's data out of the sender's memory and into the receiver's, each message is a fresh copy of
 * its sender's buffer, never touched again, and its receiver copies it into a buffer of its own.
 * The two ends may live in two actor systems (two cluster members): then every message crosses
 * Artery, serialized as the systems' bindings say.
 */
final class ActorPingPong {
    static final int SMALLEST = 1024;
    static final int LARGEST = 1 << 20;

    /** One size's figures. */
    record SizeFigures(int bytes, double latencyMicros, double bandwidthMiBs) {}

    private static final AtomicInteger PAIRS = new AtomicInteger();

    private ActorPingPong() {}

    /** Runs the pair in {@code system} (its dispatcher and settings, as the machine's nodes have) to the end. */
    static List<SizeFigures> run(ActorSystem<?> system, int rounds, int stream) throws Exception {
        return run(system, system, rounds, stream);
    }

    /** Runs the pair to the end, the driver (rank 0) in {@code driverSystem} and the responder (rank 1) in {@code responderSystem}. */
    static List<SizeFigures> run(ActorSystem<?> driverSystem, ActorSystem<?> responderSystem, int rounds, int stream) throws Exception {
        CompletableFuture<List<SizeFigures>> done = new CompletableFuture<>();
        String name = "bench-pingpong-" + PAIRS.incrementAndGet();
        UnaryOperator<ActorRef<byte[]>> responderOf = driver -> reached(responderSystem, driverSystem, responderSystem.systemActorOf(
                responder(reached(driverSystem, responderSystem, driver), rounds, stream), name + "-responder", Props.empty()));
        driverSystem.systemActorOf(Behaviors.<byte[]>setup(context -> new Driver(context, rounds, stream, done, responderOf)), name, Props.empty());
        return done.get(10, TimeUnit.MINUTES);
    }

    /** {@code ref}, an actor of {@code owner}, as actors of {@code from} reach it: over Artery when the two systems differ. */
    private static ActorRef<byte[]> reached(ActorSystem<?> owner, ActorSystem<?> from, ActorRef<byte[]> ref) {
        return owner == from ? ref : ActorRefResolver.get(from).resolveActorRef(ActorRefResolver.get(owner).toSerializationFormat(ref));
    }

    /** Rank 0: pings, streams and times, size after size; stops (with its responder) at the end. */
    private static final class Driver extends AbstractBehavior<byte[]> {
        private final int rounds;
        private final int stream;
        private final CompletableFuture<List<SizeFigures>> done;
        private final ActorRef<byte[]> responder;
        private final byte[] out = new byte[LARGEST];
        private final byte[] in = new byte[LARGEST];
        private final List<SizeFigures> figures = new ArrayList<>();
        private int bytes = SMALLEST;
        private int round;
        private boolean streaming;
        private long start;
        private double latencyMicros;

        Driver(ActorContext<byte[]> context, int rounds, int stream, CompletableFuture<List<SizeFigures>> done,
               UnaryOperator<ActorRef<byte[]>> responderOf) {
            super(context);
            this.rounds = rounds;
            this.stream = stream;
            this.done = done;
            this.responder = responderOf.apply(context.getSelf());
            Arrays.fill(out, (byte) 0x5a);
            startRoundTrips();
        }

        private void startRoundTrips() {
            round = 0;
            streaming = false;
            start = System.nanoTime();
            responder.tell(Arrays.copyOf(out, bytes));
        }

        @Override
        public Receive<byte[]> createReceive() {
            return newReceiveBuilder().onMessage(byte[].class, this::onArrival).build();
        }

        private Behavior<byte[]> onArrival(byte[] message) {
            System.arraycopy(message, 0, in, 0, message.length);
            if (!streaming) {
                if (++round < rounds) {
                    responder.tell(Arrays.copyOf(out, bytes));
                    return this;
                }
                latencyMicros = (System.nanoTime() - start) / 1e3 / rounds / 2;
                streaming = true;
                start = System.nanoTime();
                for (int k = 0; k < stream; k++) {
                    responder.tell(Arrays.copyOf(out, bytes));
                }
                return this;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            figures.add(new SizeFigures(bytes, latencyMicros, (double) bytes * stream / (1 << 20) / seconds));
            if (bytes == LARGEST) {
                done.complete(List.copyOf(figures));
                return Behaviors.stopped();
            }
            bytes *= 2;
            startRoundTrips();
            return this;
        }
    }

    /** Rank 1: echoes each of a size's {@code rounds} pings from its own buffer, acknowledges its stream; stops with the driver. */
    private static Behavior<byte[]> responder(ActorRef<byte[]> driver, int rounds, int stream) {
        return Behaviors.setup(context -> {
            context.watch(driver);
            byte[] in = new byte[LARGEST];
            int[] received = {0}; // messages of the current size
            return Behaviors.receive(byte[].class)
                    .onMessage(byte[].class, message -> {
                        System.arraycopy(message, 0, in, 0, message.length);
                        received[0]++;
                        if (received[0] <= rounds) {
                            driver.tell(Arrays.copyOf(in, message.length));
                        } else if (received[0] == rounds + stream) {
                            driver.tell(new byte[0]);
                            received[0] = 0;
                        }
                        return Behaviors.same();
                    })
                    .onSignal(Terminated.class, ended -> Behaviors.stopped())
                    .build();
        });
    }
}
