package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import io.uniform.process.Signal;
import io.uniform.puma.pct.FaultInjectingPct;
import io.uniform.puma.pct.SchedulingPolicy;
import io.uniform.puma.pct.StandardPct;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node survives what fails inside it: the rank ends or is refused with a report, the node runs the next job. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeFailureTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger NODES = new AtomicInteger();


    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    private NodeActor.Settings settings() {
        return NodeActor.Settings.of(NODES.incrementAndGet(), Partition.COMPUTE, MachineDescriptions.defaultMachine().memoryPerNode(),
                testKit.system().settings().config());
    }

    private static NodeActor.Launch hello(int jobId, TestProbe<JobEvent> yod) {
        return new NodeActor.Launch(jobId, 0, 1, new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), null), yod.getRef());
    }

    private void assertHelloRuns(ActorRef<NodeActor.Command> node, int jobId) {
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node.tell(hello(jobId, yod));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JobEvent.Exited exited = StandInYod.runToEnd(yod, node, out, JOB_TIMEOUT);
        assertEquals(0, exited.status().shellStatus(), exited::toString);
        assertArrayEquals(GuestFiles.expected("tests/hello.out"), out.toByteArray());
        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        node.tell(new NodeActor.GetState(states.getRef()));
        assertEquals(NodeActor.Status.IDLE, states.receiveMessage().status());
    }

    @Test
    void thePctSchedulingPolicyIsChosenPerNodeByConfiguration() {
        com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.parseString("uniform.pct.per-node { \"5\" = round-robin }")
                .withFallback(testKit.system().settings().config());
        long memory = MachineDescriptions.defaultMachine().memoryPerNode();
        StandardPct five = (StandardPct) NodeActor.Settings.of(5, Partition.COMPUTE, memory, config).bootPct().apply(job -> null).create();
        StandardPct six = (StandardPct) NodeActor.Settings.of(6, Partition.COMPUTE, memory, config).reloadPct().apply(job -> null).create();
        assertEquals(SchedulingPolicy.ROUND_ROBIN, five.policy());
        assertEquals(SchedulingPolicy.FIFO, six.policy(), "the default policy");
        com.typesafe.config.Config lottery = com.typesafe.config.ConfigFactory.parseString("uniform.pct.policy = lottery").withFallback(config);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> NodeActor.Settings.of(6, Partition.COMPUTE, memory, lottery));
        assertTrue(unknown.getMessage().contains("lottery"), unknown.getMessage());
    }

    @Test
    void aKernelThatCannotBeBuiltIsRefusedAndTheNodeRunsTheNextJob() {
        AtomicBoolean first = new AtomicBoolean(true);
        NodeActor.Settings settings = settings().withBootPct(yods -> {
            if (first.getAndSet(false)) {
                throw new IllegalStateException("cannot allocate 1 GiB of node memory");
            }
            return PumaKernel.standard(SchedulingPolicy.FIFO, 1).apply(yods);
        });
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings));
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node.tell(hello(1, yod));
        JobEvent.LaunchRefused refused = yod.expectMessageClass(JobEvent.LaunchRefused.class, JOB_TIMEOUT);
        assertTrue(refused.reason().contains("cannot allocate 1 GiB"), refused.reason());
        assertHelloRuns(node, 2);
    }

    @Test
    void aKernelThatThrowsInASliceEndsTheRankWithAReportAndTheNodeRunsTheNextJob() {
        AtomicBoolean first = new AtomicBoolean(true);
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings(),
                kernel -> first.getAndSet(false) ? new ThrowingKernel(kernel) : kernel));
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node.tell(hello(1, yod));
        JobEvent.Exited exited = StandInYod.runToEnd(yod, node, new ByteArrayOutputStream(), JOB_TIMEOUT);
        assertEquals(Signal.SIGKILL, exited.status().signal());
        assertTrue(exited.report().contains("emulator failure") && exited.report().contains("broken hart"), exited.report());
        assertHelloRuns(node, 2);
    }

    @Test
    void aPctThatCannotBeReloadedEndsTheProcessInsteadOfSpinning() {
        NodeActor.Settings settings = settings()
                .withBootPct(yods -> () -> new FaultInjectingPct(new StandardPct(SchedulingPolicy.FIFO, 1, yods),
                        FaultInjectingPct.onNth("write", 1)))
                .withReloadPct(yods -> () -> new FaultInjectingPct(new StandardPct(SchedulingPolicy.FIFO, 1, yods),
                        FaultInjectingPct.whenever("attach"::equals)));
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings));
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node.tell(hello(1, yod));
        JobEvent.Exited exited = StandInYod.runToEnd(yod, node, new ByteArrayOutputStream(), JOB_TIMEOUT);
        assertEquals(137, exited.status().shellStatus(), exited::toString);
        assertTrue(exited.report().startsWith("the PCT cannot be reloaded: "), exited.report());
        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        node.tell(new NodeActor.GetState(states.getRef()));
        NodeActor.State state = states.receiveMessage();
        assertEquals(NodeActor.Status.IDLE, state.status());
        assertEquals(PumaKernel.MAX_FRUITLESS_RELOADS, state.pctReloads(), state::toString);
    }

    @Test
    void yodEndsTheRankOfANodeThatStops() {
        ActorRef<NodeActor.Command> dying = testKit.spawn(Behaviors.receive((context, message) -> Behaviors.stopped()));
        TestProbe<JobReport> client = testKit.createTestProbe();
        TestProbe<JobReport.JobFinished> done = testKit.createTestProbe();
        testKit.spawn(Yod.create(new Yod.Job(5, new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null),
                List.of(new Yod.Placement(17, dying))), client.getRef(), done.getRef()));
        JobReport.JobFinished finished = done.receiveMessage(JOB_TIMEOUT);
        JobReport.RankStatus status = finished.statuses().get(0);
        assertEquals(137, finished.shellStatus(), finished::toString);
        assertEquals("node 17 was lost", status.report());
    }

    @Test
    void yodEndsTheJobWhenARankIsLostInItsMove() {
        TestProbe<NodeActor.Command> first = testKit.createTestProbe();
        TestProbe<NodeActor.Command> second = testKit.createTestProbe();
        TestProbe<JobReport> client = testKit.createTestProbe();
        TestProbe<JobReport.JobFinished> done = testKit.createTestProbe();
        ActorRef<Yod.Command> yod = testKit.spawn(Yod.create(new Yod.Job(5, new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null),
                List.of(new Yod.Placement(17, first.getRef()), new Yod.Placement(18, second.getRef()))), client.getRef(), done.getRef()));
        first.expectMessageClass(NodeActor.Launch.class);
        second.expectMessageClass(NodeActor.Launch.class);
        yod.tell(new JobEvent.Lost(5, 0, 19, "the process was lost in its move to node 19: node 19 was lost"));
        NodeActor.Kill kill = second.expectMessageClass(NodeActor.Kill.class);
        assertTrue(kill.reason().contains("node 19 was lost"), kill::toString);
        yod.tell(new JobEvent.Exited(5, 1, 18, io.uniform.process.ExitStatus.killed(Signal.SIGKILL), kill.reason(), 0));
        JobReport.JobFinished finished = done.receiveMessage(JOB_TIMEOUT);
        assertEquals(137, finished.shellStatus(), finished::toString);
        assertEquals("the process was lost in its move to node 19: node 19 was lost", finished.statuses().get(0).report());
        assertEquals(19, finished.statuses().get(0).nid());
    }

    @Test
    void aRebootIsAnsweredAtOnceAndRefusedForANonNodePartition() {
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings()));
        TestProbe<NodeActor.RebootResult> reboots = testKit.createTestProbe();
        for (Partition partition : Partition.values()) {
            node.tell(new NodeActor.Reboot(partition, reboots.getRef()));
            NodeActor.RebootResult result = reboots.receiveMessage();
            assertEquals(partition.isNode(), result.accepted(), result::toString);
            if (!partition.isNode()) {
                assertFalse(result.reason().isEmpty());
            }
        }
    }

    @Test
    void messagesWithBytesAndListsAreImmutable() {
        byte[] bytes = {1, 2, 3};
        JobEvent.Output output = new JobEvent.Output(1, 0, 1, bytes);
        bytes[0] = 9;
        assertEquals(1, output.bytes()[0]);
        output.bytes()[1] = 9;
        assertEquals(2, output.bytes()[1]);
        Program program = new Program(bytes, List.of("x"), bytes);
        bytes[2] = 9;
        assertEquals(3, program.image()[2]);
        assertNotSame(program.image(), program.image());
        assertNotSame(program.stdin(), program.stdin());
        List<JobReport.RankStatus> statuses = new ArrayList<>();
        JobReport.JobFinished finished = new JobReport.JobFinished(1, statuses, null);
        statuses.add(new JobReport.RankStatus(0, 1, null, "x"));
        assertTrue(finished.statuses().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> finished.statuses().add(null));
        Kernel.Chunk chunk = new Kernel.Chunk(1, bytes);
        chunk.bytes()[0] = 0;
        assertEquals(9, chunk.bytes()[0]);
    }

    /** A kernel whose CPU fails in its first slice (as an emulator bug would). */
    private static final class ThrowingKernel extends Kernel {
        private final Kernel real;

        ThrowingKernel(Kernel real) {
            this.real = real;
        }

        @Override
        SliceResult runSlice(long budget) {
            throw new IllegalStateException("broken hart");
        }

        @Override
        Ended kill(String report) {
            return real.kill(report);
        }

        @Override
        void release() {
            real.release();
        }
    }
}
