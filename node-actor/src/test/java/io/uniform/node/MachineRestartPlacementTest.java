package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

/**
 * A snapshot restarts on the other OS where its own partition is short: Puma ranks on Linux
 * nodes, converted as a migration converts them, to the failure-free output; Linux ranks that
 * do not fit a Puma node are refused with the reason. The default machine (4 service nodes, 12
 * compute), real kernels, every message serialized.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineRestartPlacementTest {
    private static final AtomicInteger MACHINES = new AtomicInteger();
    private static final Duration LONG = Duration.ofMinutes(3);
    private static final int ROUNDS = 300;
    // A job that keeps its nodes busy until it is killed.
    private static final int BLOCKER_ROUNDS = 1_000_000;

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    @TempDir
    Path snapshots;

    private final MachineDescription description = MachineDescriptions.defaultMachine();

    private static String result(int ranks) {
        return "alltoall: " + ranks + " ranks, " + ROUNDS + " rounds, " + (ranks * ranks * ROUNDS) + " messages, ok";
    }

    private static Program alltoall(int rounds) {
        return new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "" + rounds), null);
    }

    private ActorRef<Machine.Command> machine() {
        return testKit.spawn(Machine.create(description), "restart-placement-" + MACHINES.incrementAndGet());
    }

    private MachineJob run(ActorRef<Machine.Command> machine, int rounds, Partition partition, int ranks) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(alltoall(rounds), JobPlacement.of(partition), ranks, client.getRef(),
                Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        return new MachineJob(client);
    }

    private TestProbe<JobReport> restart(ActorRef<Machine.Command> machine, String file) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Restart(file, alltoall(ROUNDS), client.getRef(), Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        return client;
    }

    /**
     * Three Puma ranks of the sequenced all-to-all (every receiver checks every sender's
     * sequence), snapshotted with messages in flight, restart while one compute node is free:
     * rank 0 on it, ranks 1 and 2 on service nodes under Linux, and the job prints what the
     * failure-free run prints.
     */
    @Test
    void pumaRanksRestartOnLinuxNodesWhenTheComputeNodesAreTaken() {
        ActorRef<Machine.Command> machine = machine();
        MachineJob original = run(machine, ROUNDS, Partition.COMPUTE, 3);
        Checkpoint.Taken taken = MachineJob.checkpointInFlight(testKit, machine, original.started.jobId(), LONG);
        int computeLeft = description.count(Partition.COMPUTE) - 3 - 1;
        MachineJob blocker = run(machine, BLOCKER_ROUNDS, Partition.COMPUTE, computeLeft);
        MachineJob restarted = new MachineJob(restart(machine, taken.file()));
        List<Partition> partitions = restarted.started.nids().stream().map(description::partition).toList();
        assertEquals(List.of(Partition.COMPUTE, Partition.SERVICE, Partition.SERVICE), partitions, restarted.started::toString);
        machine.tell(new Machine.KillJob(blocker.started.jobId(), "the test is done with its nodes"));
        JobReport.JobFinished restartedEnd = restarted.finish(LONG);
        assertEquals(0, restartedEnd.shellStatus(), () -> restartedEnd + restarted.out() + restarted.err());
        JobReport.JobFinished originalEnd = original.finish(LONG);
        assertEquals(0, originalEnd.shellStatus(), originalEnd::toString);
        assertEquals(result(3) + "\n", original.out());
        assertEquals(original.out(), restarted.out());
    }

    /**
     * A Puma rank moved to a Linux node and snapshotted there (computing, not in a system call)
     * fits Puma again: with the service nodes taken it restarts on a compute node, admitted as a
     * Linux to Puma move admits it, and prints the failure-free result.
     */
    @Test
    void aLinuxRankThatFitsPumaRestartsOnAComputeNodeWhenTheServiceNodesAreTaken() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        Program computing = new Program(GuestFiles.elf("bench/bench_migrate.elf"), List.of("bench_migrate", "1", "4000", "64"), null);
        machine.tell(new Machine.Run(computing, JobPlacement.COMPUTE, 1, client.getRef(), Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        MachineJob original = new MachineJob(client);
        original.awaitLine("bench_migrate touched 1 MiB");
        NodeActor.MigrationReport moved = MachineJob.ask(testKit, machine,
                replyTo -> new Machine.Migrate(original.started.jobId(), 0, Machine.ANY_NODE, Partition.SERVICE, replyTo));
        assertTrue(moved.moved(), moved::toString);
        TestProbe<Checkpoint.Taken> answer = testKit.createTestProbe();
        machine.tell(new Machine.Checkpoint(original.started.jobId(), answer.getRef()));
        Checkpoint.Taken taken = answer.receiveMessage(LONG);
        assertTrue(taken.written(), taken::toString);
        MachineJob blocker = run(machine, BLOCKER_ROUNDS, Partition.SERVICE, description.count(Partition.SERVICE) - 1);
        TestProbe<JobReport> restartClient = testKit.createTestProbe();
        machine.tell(new Machine.Restart(taken.file(), computing, restartClient.getRef(), Yod.Options.NONE));
        MachineJob restarted = new MachineJob(restartClient);
        assertEquals(List.of(Partition.COMPUTE), restarted.started.nids().stream().map(description::partition).toList());
        machine.tell(new Machine.KillJob(blocker.started.jobId(), "the test is done with its nodes"));
        JobReport.JobFinished restartedEnd = restarted.finish(LONG);
        assertEquals(0, restartedEnd.shellStatus(), () -> restartedEnd + restarted.out() + restarted.err());
        JobReport.JobFinished originalEnd = original.finish(LONG);
        assertEquals(0, originalEnd.shellStatus(), originalEnd::toString);
        String result = original.out().lines().reduce((first, last) -> last).orElseThrow();
        assertTrue(result.startsWith("bench_migrate rounds 4000 checksum "), original::out);
        assertTrue(restarted.out().endsWith(result + "\n"), restarted::out);
    }

    /** Linux ranks, started on Linux, never fit a Puma node: with the service nodes taken their restart is refused, naming them and why. */
    @Test
    void linuxRanksThatDoNotFitPumaAreRefusedWhenTheServiceNodesAreTaken() {
        ActorRef<Machine.Command> machine = machine();
        MachineJob original = run(machine, ROUNDS, Partition.SERVICE, 2);
        Checkpoint.Taken taken = MachineJob.checkpointInFlight(testKit, machine, original.started.jobId(), LONG);
        MachineJob blocker = run(machine, BLOCKER_ROUNDS, Partition.SERVICE, description.count(Partition.SERVICE) - 2);
        JobReport.JobFinished refused = restart(machine, taken.file()).expectMessageClass(JobReport.JobFinished.class, LONG);
        assertTrue(refused.statuses().isEmpty(), refused::toString);
        String reason = refused.error();
        assertTrue(reason.contains("its 2 Linux ranks find 0 free service nodes, and only 0 of them fit a Puma node where 2 must go"),
                reason);
        assertTrue(reason.contains("rank 0: its stack ends at") && reason.contains("rank 1: its stack ends at"), reason);
        machine.tell(new Machine.KillJob(blocker.started.jobId(), "the test is done with its nodes"));
        JobReport.JobFinished originalEnd = original.finish(LONG);
        assertEquals(0, originalEnd.shellStatus(), originalEnd::toString);
        assertEquals(result(2) + "\n", original.out());
    }
}
