package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.Location;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.yod.JobEvent;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.PutRequest;
import io.uniform.process.ExitStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Portals messages between node actors, with every message serialized: a kernel's messages are
 * routed to the destination nid's node (found through the node directory), delivered to its
 * kernel between slices, and wake the process that waits for them; a message for a job the
 * node does not run, or for a nid outside the job, is dropped.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalsTransportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger MACHINES = new AtomicInteger();
    private static final Program PROGRAM = new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null);

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    /** A test kernel standing in for the one the node loaded, which it kills and releases. */
    private abstract static class StandInKernel extends Kernel {
        private final Kernel loaded;

        StandInKernel(Kernel loaded) {
            this.loaded = loaded;
        }

        @Override
        Ended kill(String report) {
            return loaded.kill(report);
        }

        @Override
        void release() {
            loaded.release();
        }
    }

    /** A kernel that sends one put to its peer, then waits until a message arrives, then exits. */
    private static final class TalkingKernel extends StandInKernel {
        private final ProcessId self;
        private final ProcessId peer;
        private final ConcurrentLinkedQueue<PortalsMessage> received;
        private boolean sent;
        private boolean woken;

        TalkingKernel(Kernel loaded, ProcessId self, ProcessId peer, ConcurrentLinkedQueue<PortalsMessage> received) {
            super(loaded);
            this.self = self;
            this.peer = peer;
            this.received = received;
        }

        @Override
        SliceResult runSlice(long budget) {
            if (!sent) {
                sent = true;
                byte[] data = ("from nid " + self.nid()).getBytes(StandardCharsets.US_ASCII);
                PutRequest put = new PutRequest(self, 0, 1, peer, 4, 0, 7L, 0, 0, false, 0, Payload.copyOf(data));
                return new SliceResult(List.of(), List.of(), List.of(put), null, !woken, 0, 0); // its peer's put may be here already
            }
            Ended ended = woken ? new Ended(ExitStatus.exited(0), null) : null;
            return new SliceResult(List.of(), List.of(), List.of(), ended, ended == null, 0, 0);
        }

        @Override
        boolean deliver(PortalsMessage message) {
            received.add(message);
            woken = true;
            return true;
        }
    }

    /** A node of machine {@code machine}, listed in its directory, whose kernels are replaced by {@code kernels}. */
    private ActorRef<NodeActor.Command> node(String machine, int nid, UnaryOperator<Kernel> kernels) {
        NodeActor.Settings settings = NodeActor.Settings.of(nid, Partition.COMPUTE, MachineDescriptions.defaultMachine().memoryPerNode(),
                testKit.system().settings().config());
        return TestKits.listedNode(testKit, machine, nid, NodeActor.create(settings, kernels));
    }

    private ActorRef<NodeActor.Command> node(String machine, int nid, ProcessId self, ProcessId peer,
                                             ConcurrentLinkedQueue<PortalsMessage> received) {
        return node(machine, nid, loaded -> new TalkingKernel(loaded, self, peer, received));
    }

    @Test
    void twoRanksOnTwoNodesReachEachOtherThroughTheDirectory() {
        String machine = "transport-" + MACHINES.incrementAndGet();
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        ProcessId rank0 = new ProcessId(201, 0);
        ProcessId rank1 = new ProcessId(202, 1);
        ConcurrentLinkedQueue<PortalsMessage> at0 = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<PortalsMessage> at1 = new ConcurrentLinkedQueue<>();
        ActorRef<NodeActor.Command> node0 = node(machine, rank0.nid(), rank0, rank1, at0);
        ActorRef<NodeActor.Command> node1 = node(machine, rank1.nid(), rank1, rank0, at1);
        NodeActor.JobPeers peers = new NodeActor.JobPeers(List.of(rank0.nid(), rank1.nid()), directory);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node0.tell(new NodeActor.Launch(1, 0, 2, PROGRAM, yod.getRef(), null, null, peers));
        node1.tell(new NodeActor.Launch(1, 1, 2, PROGRAM, yod.getRef(), null, null, peers));

        JobEvent.Exited first;
        JobEvent.Exited second;
        try {
            first = yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
            second = yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        } catch (AssertionError e) {
            throw new AssertionError("received at rank 0: " + at0 + ", at rank 1: " + at1, e);
        }
        assertEquals(List.of(0, 0), List.of(first.status().shellStatus(), second.status().shellStatus()), first + " " + second);
        assertEquals(1, at0.size());
        assertEquals(1, at1.size());
        assertArrayEquals("from nid 202".getBytes(StandardCharsets.US_ASCII), ((PutRequest) at0.peek()).payload().toByteArray());
        assertArrayEquals("from nid 201".getBytes(StandardCharsets.US_ASCII), ((PutRequest) at1.peek()).payload().toByteArray());
    }

    /** A kernel that puts {@code count} messages in its first slice, then, runnable, ends in its second. */
    private static final class FloodingKernel extends StandInKernel {
        private final ProcessId self;
        private final ProcessId peer;
        private final int count;
        private final ConcurrentLinkedQueue<PortalsMessage> peerReceived;
        private final AtomicInteger receivedBeforeSecondSlice;
        private int slices;

        FloodingKernel(Kernel loaded, ProcessId self, ProcessId peer, int count, ConcurrentLinkedQueue<PortalsMessage> peerReceived,
                       AtomicInteger receivedBeforeSecondSlice) {
            super(loaded);
            this.self = self;
            this.peer = peer;
            this.count = count;
            this.peerReceived = peerReceived;
            this.receivedBeforeSecondSlice = receivedBeforeSecondSlice;
        }

        @Override
        SliceResult runSlice(long budget) {
            if (slices++ == 0) {
                List<PortalsMessage> puts = new java.util.ArrayList<>();
                for (int i = 0; i < count; i++) {
                    puts.add(new PutRequest(self, 0, 1, peer, 4, 0, i, 0, 0, false, 0, Payload.EMPTY));
                }
                return new SliceResult(List.of(), List.of(), puts, null, false, 0, 0);
            }
            receivedBeforeSecondSlice.set(peerReceived.size());
            return new SliceResult(List.of(), List.of(), List.of(), new Ended(ExitStatus.exited(0), null), false, 0, 0);
        }
    }

    /** A kernel that takes every message and exits once it has {@code count}. */
    private static final class SinkKernel extends StandInKernel {
        private final int count;
        private final ConcurrentLinkedQueue<PortalsMessage> received;

        SinkKernel(Kernel loaded, int count, ConcurrentLinkedQueue<PortalsMessage> received) {
            super(loaded);
            this.count = count;
            this.received = received;
        }

        @Override
        SliceResult runSlice(long budget) {
            Ended ended = received.size() >= count ? new Ended(ExitStatus.exited(0), null) : null;
            return new SliceResult(List.of(), List.of(), List.of(), ended, ended == null, 0, 0);
        }

        @Override
        boolean deliver(PortalsMessage message) {
            received.add(message);
            return received.size() >= count;
        }
    }

    /** Two nodes of a new machine: one that floods {@code count} puts, one that takes them; neither launched yet. */
    private record Stream(ActorRef<NodeActor.Command> senderNode, ActorRef<NodeActor.Command> receiverNode, ProcessId receiver,
                          NodeActor.JobPeers peers, int count, ConcurrentLinkedQueue<PortalsMessage> received,
                          AtomicInteger receivedBeforeSecondSlice) {
        NodeActor.Launch launch(int rank, ActorRef<JobEvent> yod) {
            return new NodeActor.Launch(1, rank, 2, PROGRAM, yod, null, null, peers);
        }

        void assertReceivedOnceEachInOrder() {
            List<Long> order = received.stream().map(message -> ((PutRequest) message).matchBits()).toList();
            assertEquals(java.util.stream.LongStream.range(0, count).boxed().toList(), order, "once each, in the order sent");
        }
    }

    private Stream stream(int senderNid, int count) {
        String machine = "transport-" + MACHINES.incrementAndGet();
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        ProcessId sender = new ProcessId(senderNid, 0);
        ProcessId receiver = new ProcessId(senderNid + 1, 1);
        ConcurrentLinkedQueue<PortalsMessage> received = new ConcurrentLinkedQueue<>();
        AtomicInteger receivedBeforeSecondSlice = new AtomicInteger(-1);
        ActorRef<NodeActor.Command> senderNode = node(machine, sender.nid(),
                loaded -> new FloodingKernel(loaded, sender, receiver, count, received, receivedBeforeSecondSlice));
        ActorRef<NodeActor.Command> receiverNode = node(machine, receiver.nid(), loaded -> new SinkKernel(loaded, count, received));
        return new Stream(senderNode, receiverNode, receiver, new NodeActor.JobPeers(List.of(sender.nid(), receiver.nid()), directory),
                count, received, receivedBeforeSecondSlice);
    }

    @Test
    void aFastSenderWaitsForCreditAndEveryMessageArrivesOnceInOrder() {
        Stream stream = stream(401, 1000);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        stream.receiverNode().tell(stream.launch(1, yod.getRef()));
        stream.senderNode().tell(stream.launch(0, yod.getRef()));

        yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        stream.assertReceivedOnceEachInOrder();
        assertTrue(stream.receivedBeforeSecondSlice().get() >= stream.count() - io.uniform.interconnect.FlowControl.DEFAULT.window(),
                "the sender ran again only once its messages had gone out on credit: " + stream.receivedBeforeSecondSlice().get());
    }

    @Test
    void aDirectoryUpdateWhileTrafficFlowsRepointsTheChannelAndLosesNothing() {
        Stream stream = stream(701, 1000);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        stream.senderNode().tell(stream.launch(0, yod.getRef()));
        // The receiver is not launched yet: a window of messages waits at its node, the rest at the sender for credit.
        states.awaitAssert(TIMEOUT, () -> {
            stream.senderNode().tell(new NodeActor.GetState(states.getRef()));
            assertEquals(stream.count(), states.receiveMessage(TIMEOUT).portals().sent());
            return null;
        });

        // The receiver's directory entry moves to a new stay on its node: the sender re-points mid-stream.
        ProcessId receiver = stream.receiver();
        NodeActor.Locations moved = new NodeActor.Locations(1, List.of(LocationUpdate.at(
                new io.uniform.interconnect.ProcessId(receiver.nid(), receiver.pid()), 2, new Location(receiver.nid(), 1))));
        stream.senderNode().tell(moved);
        stream.receiverNode().tell(moved);
        stream.receiverNode().tell(stream.launch(1, yod.getRef()));

        yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        stream.assertReceivedOnceEachInOrder();
        stream.senderNode().tell(new NodeActor.GetState(states.getRef()));
        assertEquals(2, states.receiveMessage(TIMEOUT).portals().markersSent(), "the re-pointed channel's marker, and its final one when the sender ended");
        stream.receiverNode().tell(new NodeActor.GetState(states.getRef()));
        NodeActor.PortalsTraffic atReceiver = states.receiveMessage(TIMEOUT).portals();
        assertTrue(atReceiver.markersReceived() >= 1, "the re-pointed channel's marker reached the receiver's node");
        assertEquals(stream.count(), atReceiver.delivered());
    }

    @Test
    void aSenderToARankThatHasEndedIsNotFrozenForWantOfCredit() {
        String machine = "transport-" + MACHINES.incrementAndGet();
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        ProcessId sender = new ProcessId(601, 0);
        ProcessId ended = new ProcessId(602, 1);
        ConcurrentLinkedQueue<PortalsMessage> received = new ConcurrentLinkedQueue<>();
        AtomicInteger receivedBeforeSecondSlice = new AtomicInteger(-1);
        ActorRef<NodeActor.Command> senderNode = node(machine, sender.nid(),
                loaded -> new FloodingKernel(loaded, sender, ended, 500, received, receivedBeforeSecondSlice));
        ActorRef<NodeActor.Command> endedNode = node(machine, ended.nid(), loaded -> new SinkKernel(loaded, 0, received));
        NodeActor.JobPeers peers = new NodeActor.JobPeers(List.of(sender.nid(), ended.nid()), directory);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        endedNode.tell(new NodeActor.Launch(1, 1, 2, PROGRAM, yod.getRef(), null, null, peers));
        assertEquals(1, yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT).rank(), "rank 1 ends first");
        senderNode.tell(new NodeActor.Launch(1, 0, 2, PROGRAM, yod.getRef(), null, null, peers));
        JobEvent.Exited exited = yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        assertEquals(0, exited.rank(), "rank 0's 500 puts to the ended rank were dropped there, and their credit came back");
        assertEquals(0, received.size());
    }

    /** A kernel whose process waits forever, but which answers every message at once (as the engine acks a put). */
    private static final class AnsweringKernel extends StandInKernel {
        private final List<PortalsMessage> outbox = new java.util.ArrayList<>();

        AnsweringKernel(Kernel loaded) {
            super(loaded);
        }

        @Override
        SliceResult runSlice(long budget) {
            return new SliceResult(List.of(), List.of(), List.of(), null, true, 0, 0);
        }

        @Override
        boolean deliver(PortalsMessage message) {
            outbox.add(new PutRequest(message.destination(), 0, 1, message.source(), 4, 0, 99, 0, 0, false, 0, Payload.EMPTY));
            return false; // the process stays blocked
        }

        @Override
        List<PortalsMessage> drainNetwork() {
            List<PortalsMessage> drained = List.copyOf(outbox);
            outbox.clear();
            return drained;
        }
    }

    @Test
    void theAnswerToAMessageLeavesAtOnceEvenWhileTheReceiverStaysBlocked() {
        String machine = "transport-" + MACHINES.incrementAndGet();
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        ProcessId asker = new ProcessId(501, 0);
        ProcessId answerer = new ProcessId(502, 1);
        ConcurrentLinkedQueue<PortalsMessage> answers = new ConcurrentLinkedQueue<>();
        ActorRef<NodeActor.Command> askerNode = node(machine, asker.nid(), asker, answerer, answers);
        ActorRef<NodeActor.Command> answererNode = node(machine, answerer.nid(), AnsweringKernel::new);
        NodeActor.JobPeers peers = new NodeActor.JobPeers(List.of(asker.nid(), answerer.nid()), directory);
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        answererNode.tell(new NodeActor.Launch(1, 1, 2, PROGRAM, yod.getRef(), null, null, peers));
        askerNode.tell(new NodeActor.Launch(1, 0, 2, PROGRAM, yod.getRef(), null, null, peers));

        JobEvent.Exited exited = yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        assertEquals(0, exited.rank(), "the asker got its answer and ended; the answerer still waits");
        assertEquals(99L, ((PutRequest) answers.peek()).matchBits());
        answererNode.tell(new NodeActor.Kill(1, "test over"));
        yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
    }

    @Test
    void aPacketForAJobTheNodeDoesNotRunIsDropped() {
        String machine = "transport-" + MACHINES.incrementAndGet();
        ConcurrentLinkedQueue<PortalsMessage> received = new ConcurrentLinkedQueue<>();
        ActorRef<NodeActor.Command> node = node(machine, 301, new ProcessId(301, 0), new ProcessId(999, 0), received);
        PutRequest stray = new PutRequest(new ProcessId(9, 0), 0, 5, new ProcessId(301, 0), 4, 0, 0, 0, 0, false, 0, Payload.EMPTY);
        ChannelId channel = new ChannelId(new io.uniform.interconnect.ProcessId(9, 0), new io.uniform.interconnect.ProcessId(301, 0));
        node.tell(new NodeActor.Packet(5, new io.uniform.interconnect.Location(301, 0), new Envelope<>(channel, 0, stray))); // no job at all
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node.tell(new NodeActor.Launch(6, 0, 1, PROGRAM, yod.getRef(),
                null, null, NodeActor.JobPeers.NONE));
        node.tell(new NodeActor.Packet(5, new io.uniform.interconnect.Location(301, 0), new Envelope<>(channel, 0, stray))); // another job's
        node.tell(new NodeActor.Packet(6, new io.uniform.interconnect.Location(301, 0), new Envelope<>(channel, 0, stray))); // its own: wakes it (its put to nid 999, outside the job, was dropped)
        JobEvent.Exited exited = yod.expectMessageClass(JobEvent.Exited.class, TIMEOUT);
        assertEquals(0, exited.status().shellStatus());
        assertEquals(List.of(stray), List.copyOf(received), "only the packet of the node's own job reached its kernel");
    }
}
