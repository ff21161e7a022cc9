package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots of a whole job and restarts from them, through the machine, with real kernels and every message serialized. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineSnapshotTest {
    private static final AtomicInteger MACHINES = new AtomicInteger();
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final int ROUNDS = 600;
    private static final String RESULT = result(16);

    private static String result(int ranks) {
        return "alltoall: " + ranks + " ranks, " + ROUNDS + " rounds, " + (ranks * ranks * ROUNDS) + " messages, ok";
    }

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    @TempDir
    Path snapshots;

    private ActorRef<Machine.Command> paragon() {
        return testKit.spawn(Machine.create(MachineDescriptions.preset("paragon")), "snapshot-paragon-" + MACHINES.incrementAndGet());
    }

    private static Program alltoall(int rounds) {
        return new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "" + rounds), null);
    }

    private Yod.Options options() {
        return Yod.Options.NONE.withSnapshots(0, snapshots.toString());
    }

    private MachineJob run(ActorRef<Machine.Command> machine, Program program) {
        return run(machine, program, 16);
    }

    private MachineJob run(ActorRef<Machine.Command> machine, Program program, int ranks) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(program, JobPlacement.of(Partition.COMPUTE), ranks, client.getRef(), options()));
        return new MachineJob(client);
    }

    private Checkpoint.Taken checkpoint(ActorRef<Machine.Command> machine, int jobId) {
        TestProbe<Checkpoint.Taken> taken = testKit.createTestProbe();
        machine.tell(new Machine.Checkpoint(jobId, taken.getRef()));
        return taken.receiveMessage(LONG);
    }

    private MachineJob restart(ActorRef<Machine.Command> machine, String file, Program expected) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Restart(file, expected, client.getRef(), options()));
        return new MachineJob(client);
    }

    /** A restart the machine refuses: the job ends before it starts. */
    private JobReport.JobFinished refusedRestart(ActorRef<Machine.Command> machine, String file, Program expected) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Restart(file, expected, client.getRef(), options()));
        return client.expectMessageClass(JobReport.JobFinished.class, MachineJob.TIMEOUT);
    }

    /** The smallest case: two ranks of the all-to-all, snapshotted mid-run and restarted on other nodes, print the same result. */
    @Test
    void aSnapshotOfTwoRanksRestartsOnOtherNodesToTheSameResult() {
        ActorRef<Machine.Command> machine = paragon();
        MachineJob original = run(machine, alltoall(ROUNDS), 2);
        Checkpoint.Taken taken = checkpoint(machine, original.started.jobId());
        assertTrue(taken.written(), taken::toString);
        MachineJob restarted = restart(machine, taken.file(), alltoall(ROUNDS));
        assertEquals(Set.of(), overlap(restarted, original), "the restarted job runs on other nodes");
        JobReport.JobFinished restartedEnd = restarted.finish(LONG);
        assertEquals(0, restartedEnd.shellStatus(), () -> restartedEnd + restarted.out() + restarted.err());
        assertEquals(result(2) + "\n", restarted.out());
        JobReport.JobFinished originalEnd = original.finish(LONG);
        assertEquals(0, originalEnd.shellStatus(), originalEnd::toString);
        assertEquals(original.out(), restarted.out());
    }

    /**
     * A job whose rank moved, leaving a stay on its first node, restarts from its snapshot once a
     * node of it is lost: under a new id, so its yod tells the old job's nodes nothing. The
     * machine tells them the old job ended, and the first node lets its stay go, where before
     * it kept it (and, while open, asked for its markers) for as long as it lived.
     */
    @Test
    void aJobRestartedAfterALossLeavesNoStayOfItsFormerRunBehind() {
        ActorRef<Machine.Command> machine = paragon();
        MachineJob original = run(machine, alltoall(1_000_000), 2); // ended by the test
        int jobId = original.started.jobId();
        int first = original.started.nids().get(0);
        NodeActor.MigrationReport move = MachineJob.ask(testKit, machine,
                replyTo -> new Machine.Migrate(jobId, 0, Machine.ANY_NODE, Partition.COMPUTE, replyTo));
        assertTrue(move.moved(), move::toString);
        assertTrue(stayCount(machine, first) > 0, "the move left a stay on node " + first);
        assertTrue(checkpoint(machine, jobId).written());

        machine.tell(new Machine.CrashNode(move.to()));
        JobReport.JobStarted restarted = original.awaitRestart();
        assertNotEquals(jobId, restarted.jobId());
        testKit.createTestProbe().awaitAssert(MachineJob.TIMEOUT, () -> {
            assertEquals(0, stayCount(machine, first), "node " + first + " keeps the stay of job " + jobId);
            return null;
        });
        machine.tell(new Machine.KillJob(restarted.jobId(), "the test has seen enough"));
        assertNotEquals(0, original.finish(LONG).shellStatus());
    }

    /** The stays node {@code nid} keeps, open or as forwarding addresses. */
    private long stayCount(ActorRef<Machine.Command> machine, int nid) {
        TestProbe<Machine.NodeRef> refs = testKit.createTestProbe();
        TestProbe<NodeActor.State> state = testKit.createTestProbe();
        machine.tell(new Machine.GetNode(nid, refs.getRef()));
        refs.receiveMessage(MachineJob.TIMEOUT).node().tell(new NodeActor.GetState(state.getRef()));
        NodeActor.PortalsTraffic traffic = state.receiveMessage(MachineJob.TIMEOUT).portals();
        return traffic.openStays() + traffic.forwardingAddresses();
    }

    private static Set<Integer> overlap(MachineJob restarted, MachineJob original) {
        Set<Integer> overlap = new HashSet<>(restarted.started.nids());
        overlap.retainAll(original.started.nids());
        return overlap;
    }

    /**
     * The 16-rank sequenced all-to-all, snapshotted while its messages are in flight (every
     * sender is ahead of its receivers by up to a credit window) and restarted on 16 other
     * nodes while the original runs on: both print the failure-free result; every receiver
     * checks every sender's sequence, so a channel message lost or delivered twice fails it.
     */
    @Test
    void aSnapshotOfTheAllToAllTakenMidRunRestartsOnOtherNodesToTheSameResult() {
        ActorRef<Machine.Command> machine = paragon();
        MachineJob original = run(machine, alltoall(ROUNDS));
        Checkpoint.Taken taken = MachineJob.checkpointInFlight(testKit, machine, original.started.jobId(), LONG);
        assertTrue(Files.exists(Path.of(taken.file())), taken::toString);
        MachineJob restarted = restart(machine, taken.file(), alltoall(ROUNDS));
        assertEquals(Set.of(), overlap(restarted, original), "the restarted job runs on other nodes");
        JobReport.JobFinished restartedEnd = restarted.finish(LONG);
        assertEquals(0, restartedEnd.shellStatus(), () -> restartedEnd + restarted.out() + restarted.err());
        assertEquals(RESULT + "\n", restarted.out());
        JobReport.JobFinished originalEnd = original.finish(LONG);
        assertEquals(0, originalEnd.shellStatus(), originalEnd::toString);
        assertEquals(original.out(), restarted.out());
    }

    @Test
    void aTruncatedSnapshotOrOneOfAnotherProgramIsRefusedClearly() throws Exception {
        ActorRef<Machine.Command> machine = paragon();
        MachineJob original = run(machine, alltoall(ROUNDS));
        Checkpoint.Taken taken = checkpoint(machine, original.started.jobId());
        assertTrue(taken.written(), taken::toString);
        byte[] whole = Files.readAllBytes(Path.of(taken.file()));
        Path truncated = snapshots.resolve("truncated.snapshot");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        JobReport.JobFinished refused = refusedRestart(machine, truncated.toString(), null);
        assertTrue(refused.error().contains("truncated or damaged"), refused::toString);
        Program other = new Program(GuestFiles.elf("mpp/token_ring.elf"), List.of("token_ring"), null);
        JobReport.JobFinished wrongProgram = refusedRestart(machine, taken.file(), other);
        assertTrue(wrongProgram.error().contains("is of another program (alltoall " + ROUNDS + ")"), wrongProgram::toString);
        JobReport.JobFinished end = original.finish(LONG);
        assertEquals(0, end.shellStatus(), end::toString);
        assertEquals(RESULT + "\n", original.out());
    }

    @Test
    void aSnapshotDirectoryThatCannotBeWrittenIsReportedAndTheJobRunsOn() throws Exception {
        ActorRef<Machine.Command> machine = paragon();
        Path notADirectory = Files.writeString(snapshots.resolve("plain-file"), "x");
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(alltoall(ROUNDS), JobPlacement.of(Partition.COMPUTE), 16, client.getRef(),
                Yod.Options.NONE.withSnapshots(0, notADirectory.toString())));
        MachineJob job = new MachineJob(client);
        Checkpoint.Taken taken = checkpoint(machine, job.started.jobId());
        assertFalse(taken.written());
        assertTrue(taken.reason().contains("cannot be written"), taken::toString);
        JobReport.JobFinished end = job.finish(LONG);
        assertEquals(0, end.shellStatus(), end::toString);
        assertEquals(RESULT + "\n", job.out());
        assertNotEquals(null, taken.reason());
    }
}
