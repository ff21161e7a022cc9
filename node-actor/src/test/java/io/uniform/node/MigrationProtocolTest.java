package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

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
    private static final int PUTS_PER_SLICE = 8;

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

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

        static PagedKernel launched(ProcessPortals portals, int count, int senderMoves, int receiverMoves) {
            PagedKernel kernel = new PagedKernel(portals);
            boolean sender = portals.identity().id().pid() == 0;
            kernel.word(0, sender ? SENDER : RECEIVER);
            kernel.word(1, count);
            kernel.word(5, sender ? senderMoves : receiverMoves);
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

        // Words: 0 role, 1 count, 2 next (sent or expected), 3 out of order, 4 moves made, 5 moves to wait for.
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
            while (puts.size() < PUTS_PER_SLICE && word(2) < until) {
                puts.add(new PutRequest(self, 0, 1, peer, 4, 0, word(2), 0, 0, false, 0, Payload.EMPTY));
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
            long bits = ((PutRequest) message).matchBits();
            if (bits == word(2)) {
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

    private static NodeActor.Kernels pagedKernels(int count, int senderMoves, int receiverMoves) {
        return new NodeActor.Kernels() {
            @Override
            public Kernel launch(NodeActor.Settings node, Partition partition, NodeActor.Launch launch, ProcessPortals portals) {
                return PagedKernel.launched(portals, count, senderMoves, receiverMoves);
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
        String machine = "migration-" + MACHINES.incrementAndGet();
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        List<ActorRef<NodeActor.Command>> refs = new ArrayList<>();
        for (int nid = 1; nid <= count; nid++) {
            Partition partition = partitions.length == 0 ? Partition.COMPUTE : partitions[(nid - 1) % partitions.length];
            NodeActor.Settings settings = NodeActor.Settings.of(nid, partition, MachineDescriptions.defaultMachine().memoryPerNode(),
                    testKit.system().settings().config());
            ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings, pagedKernels(messages, senderMoves, receiverMoves)));
            NodeDirectory.register(testKit.system(), machine, node);
            refs.add(node);
        }
        return new Nodes(List.copyOf(refs), directory);
    }

    private static void launch(Nodes nodes, TestProbe<JobEvent> yod, int senderNid, int receiverNid) {
        NodeActor.JobPeers peers = new NodeActor.JobPeers(List.of(senderNid, receiverNid), nodes.directory());
        nodes.nid(receiverNid).tell(new NodeActor.Launch(1, 1, 2, PROGRAM, yod.getRef(), null, null, peers));
        nodes.nid(senderNid).tell(new NodeActor.Launch(1, 0, 2, PROGRAM, yod.getRef(), null, null, peers));
    }

    private NodeActor.MigrationReport migrate(Nodes nodes, int from, int to) {
        TestProbe<NodeActor.MigrationReport> reports = testKit.createTestProbe();
        nodes.nid(from).tell(new NodeActor.Migrate(1, to, reports.getRef()));
        return reports.receiveMessage(TIMEOUT);
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
        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        states.awaitAssert(TIMEOUT, () -> {
            for (int nid = 1; nid <= 5; nid++) {
                nodes.nid(nid).tell(new NodeActor.GetState(states.getRef()));
                NodeActor.PortalsTraffic traffic = states.receiveMessage(TIMEOUT).portals();
                assertEquals(0, traffic.openStays(), "node " + nid + " still forwards: " + traffic);
                assertEquals(0, traffic.jobsKnown(), "node " + nid + " still keeps the job's directory: " + traffic);
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
}
