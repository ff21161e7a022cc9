package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.cpu.HartState;
import io.uniform.guest.GuestFiles;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.yod.JobEvent;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.portals.PutRequest;
import io.uniform.process.ExitStatus;
import io.uniform.process.image.Area;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The migration protocol between node actors, every message serialized, with kernels that keep
 * all their state in their pages (so only what the protocol carries survives a move): a sender
 * streams numbered puts to a receiver that checks their order, while either moves, again and
 * again; nothing is lost, duplicated or reordered, and a move that cannot happen leaves the
 * process running where it was.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationProtocolTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger MACHINES = new AtomicInteger();
    private static final Program PROGRAM = new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null);
    private static final int STATE_PAGE = 0x1000;
    private static final int SENDER = 1;
    private static final int RECEIVER = 2;

    @JUnit5TestKit
    ActorTestKit testKit = newTestKit();

    ActorTestKit newTestKit() {
        return TestKits.serializing();
    }

    /**
     * A kernel whose process is a role and counters in one page: a sender puts numbered messages
     * to rank 1, a receiver counts those that come in order and those that do not. Each counts
     * the moves it made. So that the test's moves find it alive, a sender pauses halfway until it
     * has moved {@code senderMoves} times, and a receiver that has all {@code count} messages ends
     * only once it has moved {@code receiverMoves} times. A receiver that saw a message out of
     * order exits with status 1.
     */
    private static final class PagedKernel extends Kernel {
        private final TreeMap<Integer, byte[]> pages = new TreeMap<>();
        private final ProcessPortals portals;
        private boolean frozen;
        private boolean started;

        PagedKernel(ProcessPortals portals) {
            this.portals = portals;
        }

        static PagedKernel launched(ProcessPortals portals, Stream stream) {
            PagedKernel kernel = new PagedKernel(portals);
            boolean sender = portals.identity().id().pid() == 0;
            kernel.word(0, sender ? SENDER : RECEIVER);
            kernel.word(1, stream.count());
            kernel.word(5, sender ? stream.senderMoves() : stream.receiverMoves());
            kernel.word(6, stream.putsPerSlice());
            kernel.word(7, stream.payloadBytes());
            kernel.word(8, !sender && stream.receiverUnreadable() ? 1 : 0);
            kernel.started = true;
            return kernel;
        }

        private ByteBuffer page() {
            return ByteBuffer.wrap(pages.computeIfAbsent(STATE_PAGE, address -> new byte[Area.PAGE_SIZE])).order(ByteOrder.LITTLE_ENDIAN);
        }

        private int word(int index) {
            return page().getInt(4 * index);
        }

        private void word(int index, int value) {
            page().putInt(4 * index, value);
        }

        // Words: 0 role, 1 count, 2 next (sent or expected), 3 out of order or not as sent, 4 moves made, 5 moves to wait for,
        // 6 puts a slice, 7 bytes a put, 8 memory unreadable once frozen.
        @Override
        SliceResult runSlice(long budget) {
            if (!started || frozen) {
                throw new IllegalStateException("a slice of a process that is " + (frozen ? "frozen" : "not started"));
            }
            int count = word(1);
            boolean moved = word(4) >= word(5);
            if (word(0) == RECEIVER) {
                Ended ended = word(2) >= count && moved ? new Ended(ExitStatus.exited(word(3) == 0 ? 0 : 1), null) : null;
                return new SliceResult(List.of(), List.of(), List.of(), ended, ended == null, 0, 0);
            }
            List<PortalsMessage> puts = new ArrayList<>();
            ProcessId self = portals.identity().id();
            ProcessId peer = portals.job().process(1);
            int until = moved ? count : count / 2;
            if (word(2) >= until && !moved) {
                return new SliceResult(List.of(), List.of(), List.of(), null, true, 0, 0); // until a move restarts it
            }
            while (puts.size() < word(6) && word(2) < until) {
                puts.add(new PutRequest(self, 0, 1, peer, 4, 0, word(2), 0, 0, false, 0, Payload.copyOf(payload(word(2), word(7)))));
                word(2, word(2) + 1);
            }
            Ended ended = word(2) >= count ? new Ended(ExitStatus.exited(0), null) : null;
            return new SliceResult(List.of(), List.of(), puts, ended, false, 0, 0);
        }

        @Override
        boolean deliver(PortalsMessage message) {
            if (frozen || !started) {
                throw new IllegalStateException("a message delivered to a process that is " + (frozen ? "frozen" : "not started"));
            }
            PutRequest put = (PutRequest) message;
            long bits = put.matchBits();
            if (bits == word(2) && java.util.Arrays.equals(put.payload().toByteArray(), payload((int) bits, word(7)))) {
                word(2, word(2) + 1);
            } else {
                word(3, word(3) + 1);
            }
            return word(2) >= word(1) && word(4) >= word(5);
        }

        @Override
        Ended kill(String report) {
            return new Ended(ExitStatus.killed(io.uniform.process.Signal.SIGKILL), report);
        }

        @Override
        void release() {
            pages.clear();
        }

        @Override
        ProcessState freeze(int destinationOs) throws MigrationRefused {
            if (destinationOs == io.uniform.process.UnifiedLibrary.OS_LINUX && word(0) == SENDER) {
                throw new MigrationRefused("this sender cannot live on Linux");
            }
            frozen = true;
            return new ProcessState(destinationOs, new HartState(0, new int[32], 0, 0, 0, new int[0]),
                    List.of(new Area(STATE_PAGE, Area.PAGE_SIZE, 3)), 0, 0, 0, 0, 0, 0, List.of());
        }

        @Override
        FrozenMemory frozenMemory() {
            return new FrozenMemory() {
                @Override
                public List<Integer> pages() {
                    return List.copyOf(pages.keySet());
                }

                @Override
                public void read(int address, byte[] into, int offset) {
                    if (word(8) != 0) {
                        throw new IllegalStateException("the receiver's memory cannot be read");
                    }
                    System.arraycopy(pages.get(address), 0, into, offset, Area.PAGE_SIZE);
                }
            };
        }

        @Override
        void thaw() {
            frozen = false;
        }

        @Override
        void writePage(int address, byte[] from, int offset) {
            pages.put(address, java.util.Arrays.copyOfRange(from, offset, offset + Area.PAGE_SIZE));
        }

        @Override
        void start() {
            started = true;
            word(4, word(4) + 1);
        }
    }

    /** The {@code bytes} bytes of put {@code sequence}: each tells where it belongs, so a receiver sees any mix-up. */
    private static byte[] payload(int sequence, int bytes) {
        byte[] payload = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            payload[i] = (byte) (sequence + i);
        }
        return payload;
    }

    /**
     * What the kernels do: a sender puts {@code count} messages of {@code payloadBytes} bytes,
     * {@code putsPerSlice} a slice, to a receiver; each waits for its moves as {@link PagedKernel}
     * says. The receiver's memory, frozen, cannot be read when {@code receiverUnreadable}.
     */
    private record Stream(int count, int senderMoves, int receiverMoves, int putsPerSlice, int payloadBytes, boolean receiverUnreadable) {
        static Stream of(int count, int senderMoves, int receiverMoves) {
            return new Stream(count, senderMoves, receiverMoves, 8, 0, false);
        }

        Stream withReceiverUnreadable() {
            return new Stream(count, senderMoves, receiverMoves, putsPerSlice, payloadBytes, true);
        }
    }

    private static NodeActor.Kernels pagedKernels(Stream stream) {
        return new NodeActor.Kernels() {
            @Override
            public Kernel launch(NodeActor.Settings node, Partition partition, NodeActor.Launch launch, ProcessPortals portals) {
                return PagedKernel.launched(portals, stream);
            }

            @Override
            public Kernel admit(NodeActor.Settings node, Partition partition, NodeActor.Immigrate immigrate, ProcessPortals portals,
                                Landing landing) throws MigrationRefused {
                if (immigrate.state().areas().isEmpty()) {
                    throw new MigrationRefused("nothing to admit");
                }
                return new PagedKernel(portals);
            }
        };
    }

    /** A machine of {@code nodes} nodes (nids 1..nodes) in the given partitions, running {@code count}-message streams. */
    private record Nodes(List<ActorRef<NodeActor.Command>> refs, ActorRef<NodeDirectory.Command> directory) {
        ActorRef<NodeActor.Command> nid(int nid) {
            return refs.get(nid - 1);
        }
    }

    private Nodes nodes(int count, int messages, int senderMoves, int receiverMoves, Partition... partitions) {
        return nodes(count, Stream.of(messages, senderMoves, receiverMoves), "", nid -> node -> node, partitions);
    }

    /** Nodes with {@code settings} (HOCON) over the test's configuration, each node's behavior as {@code wrapping} makes it for its nid. */
    private Nodes nodes(int count, Stream stream, String settings, IntFunction<UnaryOperator<Behavior<NodeActor.Command>>> wrapping,
                        Partition... partitions) {
        String machine = "migration-" + MACHINES.incrementAndGet();
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        List<ActorRef<NodeActor.Command>> refs = new ArrayList<>();
        for (int nid = 1; nid <= count; nid++) {
            Partition partition = partitions.length == 0 ? Partition.COMPUTE : partitions[(nid - 1) % partitions.length];
            ActorTestKit kit = kitOf(nid);
            NodeActor.Settings node = NodeActor.Settings.of(nid, partition, MachineDescriptions.defaultMachine().memoryPerNode(),
                    ConfigFactory.parseString(settings).withFallback(kit.system().settings().config()));
            refs.add(TestKits.listedNode(kit, machine, nid, wrapping.apply(nid).apply(NodeActor.create(node, pagedKernels(stream)))));
        }
        return new Nodes(List.copyOf(refs), directory);
    }

    /** The actor system node {@code nid} lives in. */
    ActorTestKit kitOf(int nid) {
        return testKit;
    }

    private static void launch(Nodes nodes, TestProbe<JobEvent> yod, int senderNid, int receiverNid) {
        NodeActor.JobPeers peers = new NodeActor.JobPeers(List.of(senderNid, receiverNid), nodes.directory());
        nodes.nid(receiverNid).tell(new NodeActor.Launch(1, 1, 2, PROGRAM, yod.getRef(), null, null, peers));
        nodes.nid(senderNid).tell(new NodeActor.Launch(1, 0, 2, PROGRAM, yod.getRef(), null, null, peers));
    }

    private NodeActor.MigrationReport migrate(Nodes nodes, int from, int to) {
        TestProbe<NodeActor.MigrationReport> reports = kitOf(from).createTestProbe();
        nodes.nid(from).tell(new NodeActor.Migrate(1, to, reports.getRef()));
        return reports.receiveMessage(TIMEOUT);
    }

    /** Node {@code nid}'s state, asked from its own actor system (where its replies' ref is local). */
    private NodeActor.State state(Nodes nodes, int nid) {
        TestProbe<NodeActor.State> states = kitOf(nid).createTestProbe();
        nodes.nid(nid).tell(new NodeActor.GetState(states.getRef()));
        return states.receiveMessage(TIMEOUT);
    }

    /** Both ranks' exits, in rank order, ignoring the moves yod hears of. */
    private static List<JobEvent.Exited> exits(TestProbe<JobEvent> yod) {
        List<JobEvent.Exited> exits = new ArrayList<>();
        while (exits.size() < 2) {
            JobEvent event = yod.receiveMessage(TIMEOUT);
            if (event instanceof JobEvent.Exited exited) {
                exits.add(exited);
            }
        }
        exits.sort(java.util.Comparator.comparingInt(JobEvent.Exited::rank));
        return exits;
    }

    @Test
    void aReceiverThatMovesAgainAndAgainMidStreamMissesNothing() {
        Nodes nodes = nodes(5, 20_000, 0, 4);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        int at = 2;
        for (int next : new int[] {3, 4, 5, 2}) {
            NodeActor.MigrationReport report = migrate(nodes, at, next);
            assertTrue(report.moved(), report.toString());
            assertEquals(1, report.pages(), "one page of state, none of zeros");
            at = next;
        }
        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(0, exits.get(1).status().shellStatus(), "all 20,000 puts arrived once each, in order, across four moves");
        assertEquals(2, exits.get(1).nid(), "it ended where it moved last");
    }

    @Test
    void aSenderThatMovesMidStreamGoesOnWhereItWas() {
        Nodes nodes = nodes(4, 20_000, 2, 0);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        for (int[] move : new int[][] {{1, 3}, {3, 4}}) {
            NodeActor.MigrationReport report = migrate(nodes, move[0], move[1]);
            assertTrue(report.moved(), report.toString());
        }
        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList());
        assertEquals(4, exits.get(0).nid());
    }

    @Test
    void bothEndsMovingAtOnceAndAgainLoseNothingAndEveryNodeLetsTheJobGo() {
        Nodes nodes = nodes(5, 20_000, 1, 2);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        TestProbe<NodeActor.MigrationReport> reports = testKit.createTestProbe();
        nodes.nid(1).tell(new NodeActor.Migrate(1, 3, reports.getRef()));
        nodes.nid(2).tell(new NodeActor.Migrate(1, 4, reports.getRef()));
        for (int i = 0; i < 2; i++) {
            NodeActor.MigrationReport report = reports.receiveMessage(TIMEOUT);
            assertTrue(report.moved(), report.toString());
        }
        // Again at once, before the markers of the last move have all come: node 4 forwards while node 2 may still.
        NodeActor.MigrationReport again = migrate(nodes, 4, 5);
        assertTrue(again.moved(), again.toString());

        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList(),
                "all 20,000 puts arrived once each, in order");
        assertEquals(List.of(3, 5), exits.stream().map(JobEvent.Exited::nid).toList());
        testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
            for (int nid = 1; nid <= 5; nid++) {
                NodeActor.PortalsTraffic traffic = state(nodes, nid).portals();
                assertEquals(0, traffic.openStays(), "node " + nid + " still forwards: " + traffic);
                assertEquals(0, traffic.jobsKnown(), "node " + nid + " still keeps the job's directory: " + traffic);
            }
            return null;
        });
        assertTrue(state(nodes, 2).portals().forwardingAddresses() > 0, "the receiver's first stay is kept while the job may run");
        for (int nid = 1; nid <= 5; nid++) {
            nodes.nid(nid).tell(new NodeActor.JobEnded(1)); // as yod does once every rank has ended
        }
        testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
            for (int nid = 1; nid <= 5; nid++) {
                NodeActor.PortalsTraffic traffic = state(nodes, nid).portals();
                assertEquals(0, traffic.forwardingAddresses(), "node " + nid + " keeps forwarding addresses: " + traffic);
            }
            return null;
        });
    }

    @Test
    void aMoveThatCannotHappenLeavesTheProcessRunningWhereItWas() {
        Nodes nodes = nodes(3, 20_000, 0, 0, Partition.SERVICE);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);

        NodeActor.MigrationReport busy = migrate(nodes, 1, 2);
        assertFalse(busy.moved());
        assertEquals("node 2 is running job 1", busy.reason());
        NodeActor.MigrationReport refused = migrate(nodes, 1, 1);
        assertEquals("the process already runs on node 1", refused.reason());
        NodeActor.MigrationReport unknownJob = migrate(nodes, 3, 2);
        assertEquals("node 3 runs no process of job 1", unknownJob.reason());
        NodeActor.MigrationReport cannot = migrate(nodes, 1, 3);
        assertEquals("this sender cannot live on Linux", cannot.reason());

        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList());
        assertEquals(List.of(1, 2), exits.stream().map(JobEvent.Exited::nid).toList());
    }

    // ---- the handoff: streamed in parts, and a destination that never gets it

    /** Artery's default frame (pekko.remote.artery.advanced.maximum-frame-size), which no message of a move may come near. */
    private static final int FRAME_BYTES = 256 * 1024;
    private static final int HANDOFF_PART_BYTES = 64 * 1024;
    /** A short bound on the handoff. */
    private static final String HANDOFF_BOUND = "uniform.migration.handoff-timeout = 1s";

    /** What becomes of a message at a node: null passes it on; otherwise the node's next behavior, without it. */
    @FunctionalInterface
    private interface Gate {
        Behavior<NodeActor.Command> check(ActorContext<NodeActor.Command> node, NodeActor.Command message);
    }

    /** A node behind a gate of its own ({@code gates} makes one for each node it wraps). */
    private static UnaryOperator<Behavior<NodeActor.Command>> gated(java.util.function.Supplier<Gate> gates) {
        return node -> Behaviors.intercept(() -> new BehaviorInterceptor<NodeActor.Command, NodeActor.Command>(NodeActor.Command.class) {
            private final Gate gate = gates.get();

            @Override
            public Behavior<NodeActor.Command> aroundReceive(TypedActorContext<NodeActor.Command> context, NodeActor.Command message,
                                                            ReceiveTarget<NodeActor.Command> target) {
                Behavior<NodeActor.Command> instead = gate.check(context.asJava(), message);
                return instead != null ? instead : target.apply(context, message);
            }
        }, node);
    }

    /** Holds the credit grants for the node's sender until its process has moved away, so that its messages wait with it. */
    private static Gate creditHeldUntilMoved() {
        List<NodeActor.Command> held = new ArrayList<>();
        boolean[] moved = {false};
        return (node, message) -> {
            if (!moved[0] && message instanceof NodeActor.Credit) {
                held.add(message);
                return Behaviors.same();
            }
            if (message instanceof NodeActor.Started) {
                moved[0] = true;
                held.forEach(node.getSelf()::tell); // after the handoff: the grants follow the sender
            }
            return null;
        };
    }

    /** Passes every message on, noting the largest serialized step of a move and the handoff's parts. */
    private static Gate measuring(AtomicInteger largestStep, AtomicInteger handoffParts) {
        return (node, message) -> {
            if (message instanceof NodeActor.MoveStep step) {
                Serialization serialization = SerializationExtension.get(Adapter.toClassic(node.getSystem()));
                largestStep.accumulateAndGet(serialization.serialize(step).get().length, Math::max);
                if (step instanceof NodeActor.HandoffPart) {
                    handoffParts.incrementAndGet();
                }
            }
            return null;
        };
    }

    @Test
    void aSenderWithThousandsOfMessagesWaitingForCreditTakesThemAlongInPartsFarBelowAFrame() {
        int puts = 3_000;
        int payload = 1_024;
        AtomicInteger largestStep = new AtomicInteger();
        AtomicInteger handoffParts = new AtomicInteger();
        UnaryOperator<Behavior<NodeActor.Command>> measured = gated(() -> measuring(largestStep, handoffParts));
        UnaryOperator<Behavior<NodeActor.Command>> holdingCredit = gated(MigrationProtocolTest::creditHeldUntilMoved);
        // The sender puts 3,000 messages in its first slice: 64 go on credit, the rest wait in its channel and move with it.
        Nodes nodes = nodes(3, new Stream(2 * puts, 1, 0, puts, payload, false), "",
                nid -> nid == 1 ? node -> measured.apply(holdingCredit.apply(node)) : measured);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport report = migrate(nodes, 1, 3);
        assertTrue(report.moved(), report.toString());

        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList(),
                "all 6,000 puts arrived once each, in order and as sent");
        assertEquals(3, exits.get(0).nid(), "the sender ended where it moved");
        int heldBytes = (puts - io.uniform.interconnect.FlowControl.DEFAULT.window()) * payload;
        assertTrue(handoffParts.get() >= heldBytes / HANDOFF_PART_BYTES, "the handoff came in " + handoffParts + " parts");
        assertTrue(largestStep.get() <= FRAME_BYTES / 2, "a step of the move serialized to " + largestStep + " bytes");
    }

    @Test
    void aDestinationThatNeverGetsTheHandoffGivesTheMoveUpAndFreesItselfAndTheRankIsReportedLost() {
        Nodes nodes = nodes(3, Stream.of(SENDS_OUTLIVING_A_LOST_MOVE, 0, 1), HANDOFF_BOUND,
                nid -> nid == 3 ? gated(MigrationProtocolTest::firstHandoffLost) : node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport report = migrate(nodes, 2, 3);
        assertFalse(report.moved(), report.toString());
        assertEquals("its handoff did not come to node 3 within 1 s after its last pages", report.reason());
        JobEvent.Lost lost = lostRank(yod);
        assertEquals(3, lost.nid());
        assertEquals("the process was lost in its move to node 3: " + report.reason(), lost.report(), "the source reports it, having let it go");
        aNodeFreeToTakeAProcess(nodes, 3);
    }

    @Test
    void aSourceThatStopsBeforeItsHandoffLeavesTheDestinationFreeAndTheRankReportedLost() {
        Gate stopsAtItsLastPages = (node, message) -> message instanceof NodeActor.PagesStored ? Behaviors.stopped() : null;
        Nodes nodes = nodes(3, Stream.of(SENDS_OUTLIVING_A_LOST_MOVE, 0, 1), HANDOFF_BOUND, nid -> nid == 2 ? gated(() -> stopsAtItsLastPages) : node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        nodes.nid(2).tell(new NodeActor.Migrate(1, 3, kitOf(2).<NodeActor.MigrationReport>createTestProbe().getRef()));
        JobEvent.Lost lost = lostRank(yod);
        assertEquals(3, lost.nid());
        assertTrue(lost.report().startsWith("the process was lost in its move from node 2: "), lost.report());
        aNodeFreeToTakeAProcess(nodes, 3);
    }

    /**
     * The machine kills the job of a move it gave up (its job ended first) on the node reserved for
     * it, and frees that node: the node lets the reservation go at once, free for another process,
     * instead of refusing every move as busy until the move's timeout.
     */
    @Test
    void aDestinationReservedForAKilledJobIsFreeAtOnce() throws Exception {
        CompletableFuture<Void> reserved = new CompletableFuture<>();
        // The source hears no Reserved: its move stands still, node 3 reserved, until the move's timeout.
        Gate deaf = (node, message) -> {
            if (!(message instanceof NodeActor.Reserved)) {
                return null;
            }
            reserved.complete(null);
            return Behaviors.same();
        };
        Nodes nodes = nodes(3, Stream.of(SENDS_OUTLIVING_A_LOST_MOVE, 0, 1), "", nid -> nid == 2 ? gated(() -> deaf) : node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        nodes.nid(2).tell(new NodeActor.Migrate(1, 3, kitOf(2).<NodeActor.MigrationReport>createTestProbe().getRef()));
        reserved.get(10, TimeUnit.SECONDS);
        nodes.nid(3).tell(new NodeActor.Kill(1, "job 1 ended before the move did"));
        aNodeFreeToTakeAProcess(nodes, 3);
    }

    /**
     * Artery drops messages under load: each step of a move, lost once, is sent again on the
     * resend interval (the destination answers a copy of what it has), and the move completes
     * with nothing of the stream lost, where without the resend it would wait for its 30 s timeout and fail.
     */
    @ParameterizedTest(name = "{0} lost once")
    @ValueSource(classes = {NodeActor.Reserve.class, NodeActor.Reserved.class, NodeActor.Immigrate.class, NodeActor.Admitted.class,
            NodeActor.Pages.class, NodeActor.PagesStored.class, NodeActor.HandoffPart.class, NodeActor.Started.class})
    void aStepOfAMoveLostOnceIsSentAgainAndTheMoveCompletes(Class<?> kind) {
        AtomicInteger dropped = new AtomicInteger();
        Nodes nodes = nodes(3, Stream.of(20_000, 0, 1), "", nid -> gated(() -> firstLost(kind, dropped)));
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport report = migrate(nodes, 2, 3);
        assertTrue(report.moved(), report.toString());
        assertEquals(1, dropped.get(), "one " + kind.getSimpleName() + " was lost");
        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList(),
                "all 20,000 puts arrived once each, in order");
        assertEquals(3, exits.get(1).nid(), "the receiver ended where it moved");
    }

    /** Drops the first message of {@code kind} that comes to the node, counting it in {@code dropped}. */
    private static Gate firstLost(Class<?> kind, AtomicInteger dropped) {
        boolean[] lost = {false};
        return (node, message) -> {
            if (!lost[0] && kind.isInstance(message)) {
                lost[0] = true;
                dropped.incrementAndGet();
                return Behaviors.same();
            }
            return null;
        };
    }

    /**
     * A source that gives a move up (its sender cannot live on Linux) tells the reserved
     * destination; that Abandon lost once is sent again until it is heard, so the destination is
     * free within a few resend intervals, where it stayed reserved for its 30 s timeout before.
     */
    @Test
    void aLostAbandonIsSentAgainAndTheDestinationIsFreeLongBeforeItsTimeout() {
        AtomicInteger dropped = new AtomicInteger();
        Nodes nodes = nodes(4, Stream.of(20_000, 1, 1), "", nid -> nid == 3 ? gated(() -> firstLost(NodeActor.Abandon.class, dropped))
                : node -> node, Partition.SERVICE, Partition.SERVICE, Partition.SERVICE, Partition.COMPUTE); // no move asks yod (a probe here)
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport refused = migrate(nodes, 1, 3);
        assertEquals("this sender cannot live on Linux", refused.reason());

        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
            NodeActor.MigrationReport report = migrate(nodes, 2, 3);
            assertTrue(report.moved(), report.toString());
            return null;
        });
        assertEquals(1, dropped.get(), "the abandon was lost once");
        NodeActor.MigrationReport sender = migrate(nodes, 1, 4);
        assertTrue(sender.moved(), sender.toString());
        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList(),
                "all 20,000 puts arrived once each, in order");
        assertEquals(List.of(4, 3), exits.stream().map(JobEvent.Exited::nid).toList());
    }

    /**
     * The receiver moves and its old stay never gets its sender's marker, nor the notice that
     * follows it (both lost): the stay, having heard nothing for a resend interval, asks the
     * sender, whose notice releases it while the job still runs, where before it stayed open.
     */
    @Test
    void aStayWhoseMarkerAndNoticeWereLostAsksForThemAndIsReleased() {
        AtomicBoolean asked = new AtomicBoolean();
        AtomicInteger dropped = new AtomicInteger();
        Gate askedFor = (node, message) -> {
            asked.compareAndSet(false, message instanceof NodeActor.MarkerWanted);
            return null;
        };
        Gate markersLostUntilAsked = (node, message) -> {
            if (message instanceof NodeActor.Marker && !asked.get()) {
                dropped.incrementAndGet();
                return Behaviors.same();
            }
            return null;
        };
        aStayLeftBehindIsReleasedWhileTheJobRuns("", askedFor, markersLostUntilAsked);
        assertTrue(dropped.get() >= 1, "the marker was lost");
    }

    /**
     * The receiver moves from node 2 to node 3 while its sender, on node 1, waits halfway for its
     * own move (nodes 1 and 2 behind the gates given): the stay left on node 2 is released while the
     * job runs on; then the sender moves to node 4, and every put arrives once, in order.
     */
    private void aStayLeftBehindIsReleasedWhileTheJobRuns(String settings, Gate atTheSender, Gate atTheStay) {
        Nodes nodes = nodes(4, Stream.of(20_000, 1, 1), settings, nid -> nid == 1 ? gated(() -> atTheSender)
                : nid == 2 ? gated(() -> atTheStay) : node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        // A put delivered first: a receiver that moves before its sender's first packet leaves no stay to wait (it was
        // released at once, on an idle host, and the case asked nothing of it).
        testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
            assertTrue(state(nodes, 2).portals().delivered() > 0, "a put delivered to the receiver before it moves");
            return null;
        });
        NodeActor.MigrationReport receiver = migrate(nodes, 2, 3);
        assertTrue(receiver.moved(), receiver.toString());

        aStayReleasedOnceAndEveryPutDelivered(nodes, yod);
    }

    /**
     * The receiver moves, and its old stay's questions for its marker go unanswered (every marker
     * to it and every question lost), as when its job ended without the word reaching the node: the
     * stay stops asking once it has heard nothing for the move's bounds and is released while the
     * job still runs, where before it asked for as long as the node lived.
     */
    @Test
    void aStayWhoseQuestionsGoUnansweredIsReleasedAfterTheMoveBounds() {
        AtomicInteger questions = new AtomicInteger();
        Gate questionsLost = (node, message) -> {
            if (message instanceof NodeActor.MarkerWanted) {
                questions.incrementAndGet();
                return Behaviors.same();
            }
            return null;
        };
        Gate markersLost = (node, message) -> message instanceof NodeActor.Marker ? Behaviors.same() : null;
        aStayLeftBehindIsReleasedWhileTheJobRuns("uniform.migration.timeout = 3s\nuniform.migration.handoff-timeout = 2s",
                questionsLost, markersLost);
        assertTrue(questions.get() >= 1, "the stay asked before it gave up");
    }

    /**
     * The source's actor fails while it streams the frozen receiver's pages (its memory cannot be
     * read) and restarts empty, the receiver ending with it. The move ends with it: the operator
     * hears why, and the destination, told so, is free at once, where before the report never
     * came and the destination stayed reserved for its timeout (here a minute).
     */
    @Test
    void aSourceWhoseActorFailsMidMoveReportsItAndFreesTheDestinationAtOnce() {
        Nodes nodes = nodes(3, Stream.of(SENDS_OUTLIVING_A_LOST_MOVE, 0, 1).withReceiverUnreadable(), "uniform.migration.timeout = 60s",
                nid -> node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport report = migrate(nodes, 2, 3);
        assertFalse(report.moved(), report.toString());
        assertEquals("node 2 failed and restarted: the process ended with it", report.reason());
        JobEvent.Exited receiver = yod.fishForMessage(TIMEOUT, event -> event instanceof JobEvent.Exited exited && exited.rank() == 1
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).stream()
                .map(JobEvent.Exited.class::cast).reduce((first, last) -> last).orElseThrow();
        assertEquals("node 2 failed and restarted", receiver.report());
        assertEquals(NodeActor.Status.IDLE, state(nodes, 2).status(), "restarted empty");
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
            assertEquals(NodeActor.Status.IDLE, state(nodes, 3).status());
            aNodeFreeToTakeAProcess(nodes, 3);
            return null;
        });
    }

    /**
     * The source's actor fails as the destination's {@code Started} comes (which it then never
     * sees), after its handoff. The restarted actor keeps the move: it sends the handoff again,
     * hears the destination's answer and reports the move, where before the report never came.
     */
    @Test
    void aSourceWhoseActorFailsAfterItsHandoffStillReportsTheMove() {
        aStayLeftOnANodeWhoseActorFailsForwardsOn(failingAtFirst(NodeActor.Started.class), nodes -> { });
    }

    /**
     * The actor of the node a receiver left fails once the move is over. The restarted actor keeps
     * the stay left there, which forwards what the sender still sends there, where before the node
     * kept those packets for a job it took for one not launched there yet, and the stream stalled.
     */
    @Test
    void aNodeActorThatRestartsKeepsTheStaysLeftThere() {
        aStayLeftOnANodeWhoseActorFailsForwardsOn(node -> node, nodes -> {
            nodes.nid(2).tell(new NodeActor.GetState(null)); // a question with no one to answer fails the actor
            testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
                assertEquals(0, state(nodes, 2).slices(), "restarted");
                return null;
            });
        });
    }

    /**
     * The receiver moves from node 2 (behind {@code atTheSource}) to node 3, then {@code afterTheMove}
     * runs, while the sender on node 1, never told where the receiver went (the news is lost), sends
     * on to node 2: the stay there forwards the stream and is released by the sender's marker, as
     * it asks for it once the sender waits halfway for its own move, to node 4; every put arrives
     * once, in order.
     */
    private void aStayLeftOnANodeWhoseActorFailsForwardsOn(UnaryOperator<Behavior<NodeActor.Command>> atTheSource,
                                                          java.util.function.Consumer<Nodes> afterTheMove) {
        Gate newsLost = (node, message) -> message instanceof NodeActor.Locations ? Behaviors.same() : null;
        Nodes nodes = nodes(4, Stream.of(20_000, 1, 1), "", nid -> nid == 1 ? gated(() -> newsLost) : nid == 2 ? atTheSource : node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport receiver = migrate(nodes, 2, 3);
        assertTrue(receiver.moved(), receiver.toString());
        afterTheMove.accept(nodes);
        assertEquals(NodeActor.Status.IDLE, state(nodes, 2).status());
        assertEquals(List.of(4, 3), aStayReleasedOnceAndEveryPutDelivered(nodes, yod).stream().map(JobEvent.Exited::nid).toList());
    }

    /**
     * Node 2's stay, left by the receiver moved to node 3, is released exactly once; the sender
     * then moves from node 1 to node 4 and both end with every put taken once, in order: their exits.
     */
    private List<JobEvent.Exited> aStayReleasedOnceAndEveryPutDelivered(Nodes nodes, TestProbe<JobEvent> yod) {
        testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
            NodeActor.PortalsTraffic traffic = state(nodes, 2).portals();
            assertEquals(0, traffic.openStays(), "node 2 still waits for a marker: " + traffic);
            // Once, though a first packet that comes after a departure with no channel open opens it again for a while.
            assertEquals(1, traffic.staysReleased(), traffic.toString());
            return null;
        });
        NodeActor.MigrationReport sender = migrate(nodes, 1, 4);
        assertTrue(sender.moved(), sender.toString());
        List<JobEvent.Exited> exits = exits(yod);
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList(),
                "all 20,000 puts arrived once each, in order");
        return exits;
    }

    /**
     * A node whose actor fails, and restarts under its supervision, when the first message of
     * {@code kind} comes, which is lost with it: the actor is given a question with no one to answer.
     */
    private static UnaryOperator<Behavior<NodeActor.Command>> failingAtFirst(Class<?> kind) {
        return node -> Behaviors.intercept(() -> new BehaviorInterceptor<NodeActor.Command, NodeActor.Command>(NodeActor.Command.class) {
            private boolean failed;

            @Override
            public Behavior<NodeActor.Command> aroundReceive(TypedActorContext<NodeActor.Command> context, NodeActor.Command message,
                                                            ReceiveTarget<NodeActor.Command> target) {
                if (!failed && kind.isInstance(message)) {
                    failed = true;
                    return target.apply(context, new NodeActor.GetState(null));
                }
                return target.apply(context, message);
            }
        }, node);
    }

    /**
     * The destination stores the last pages but the source never hears it (every answer to them
     * lost): the destination gives the move up after its handoff-timeout, and the
     * source, which still holds the process, resumes it. Only the source reports, and nothing
     * was lost: yod hears that the move failed, not that the rank was lost.
     */
    @Test
    void aDestinationThatGivesUpBeforeTheSourceLetsGoLeavesTheProcessRunningAndUnreportedAsLost() {
        // Only the answers to the last pages (sent after admission) are lost: lost from the first, the
        // stream would stop at its window, and the destination would never hold every page.
        boolean[] admitted = {false};
        Gate storedUnheard = (node, message) -> {
            admitted[0] |= message instanceof NodeActor.Admitted;
            return admitted[0] && message instanceof NodeActor.PagesStored ? Behaviors.same() : null;
        };
        Nodes nodes = nodes(3, Stream.of(20_000, 0, 0), HANDOFF_BOUND,
                nid -> nid == 2 ? gated(() -> storedUnheard) : node -> node);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        launch(nodes, yod, 1, 2);
        NodeActor.MigrationReport report = migrate(nodes, 2, 3);
        assertFalse(report.moved(), report.toString());
        assertEquals("its handoff did not come to node 3 within 1 s after its last pages", report.reason());
        List<JobEvent> events = new ArrayList<>();
        List<JobEvent.Exited> exits = new ArrayList<>();
        while (exits.size() < 2) {
            JobEvent event = yod.receiveMessage(TIMEOUT);
            events.add(event);
            if (event instanceof JobEvent.Exited exited) {
                exits.add(exited);
            }
        }
        assertTrue(events.stream().noneMatch(JobEvent.Lost.class::isInstance), events::toString);
        assertTrue(events.stream().anyMatch(JobEvent.MoveFailed.class::isInstance), events::toString);
        exits.sort(java.util.Comparator.comparingInt(JobEvent.Exited::rank));
        assertEquals(List.of(0, 0), exits.stream().map(exited -> exited.status().shellStatus()).toList(), "all 20,000 puts arrived");
        assertEquals(2, exits.get(1).nid(), "the receiver ran on where it was");
        assertEquals(NodeActor.Status.IDLE, state(nodes, 3).status());
    }

    /** Drops every part of the first move's handoff. */
    private static Gate firstHandoffLost() {
        String[] lost = {null};
        return (node, message) -> {
            if (message instanceof NodeActor.HandoffPart part && (lost[0] == null || lost[0].equals(part.move()))) {
                lost[0] = part.move();
                return Behaviors.same();
            }
            return null;
        };
    }

    /** The receiver's end, killed, as its yod hears it; yod hears nothing else of the move (no "it runs on"). */
    /** The report that rank 1 was lost; rank 0, the sender, may end first (its receiver's channel closes with the loss). */
    private static JobEvent.Lost lostRank(TestProbe<JobEvent> yod) {
        List<JobEvent> events = yod.fishForMessage(TIMEOUT, event -> event instanceof JobEvent.Lost
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : event instanceof JobEvent.Exited exited && exited.rank() == 0
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.fail("unexpected before the loss: " + event));
        JobEvent.Lost lost = (JobEvent.Lost) events.get(events.size() - 1);
        assertEquals(1, lost.rank());
        return lost;
    }

    /**
     * Puts of the sender in the lost-move tests: enough that it still runs when the test moves it
     * (once its receiver is lost, its channel no longer waits for credit and it sends at full speed).
     */
    private static final int SENDS_OUTLIVING_A_LOST_MOVE = 1_000_000;

    /** Node {@code nid} is idle and takes the sender from node 1. */
    private void aNodeFreeToTakeAProcess(Nodes nodes, int nid) {
        assertEquals(NodeActor.Status.IDLE, state(nodes, nid).status());
        NodeActor.MigrationReport report = migrate(nodes, 1, nid);
        assertTrue(report.moved(), report.toString());
    }
}
