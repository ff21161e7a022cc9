package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
 * Moves through the machine, with real kernels and every message serialized: the operator's
 * {@link Machine.Migrate} and {@link Machine.Drain}, the placement policy, and the refusals.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineMigrationTest {
    private static final Duration TIMEOUT = MachineJob.TIMEOUT;
    private static final AtomicInteger MACHINES = new AtomicInteger();
    /** bench_sort's rounds: long enough (about a second) that two moves find it still running. */
    private static final int SORT_ROUNDS = 200;

    @JUnit5TestKit
    ActorTestKit testKit = newTestKit();

    @TempDir
    Path files;

    private final MachineDescription description = MachineDescriptions.defaultMachine();

    /** The kit the machines, the probes and the clients live in. */
    ActorTestKit newTestKit() {
        return TestKits.serializing();
    }

    /** A new machine of {@code machine} named {@code name}, ready for jobs. */
    ActorRef<Machine.Command> spawnMachine(MachineDescription machine, String name) {
        return testKit.spawn(Machine.create(machine), name);
    }

    /** How many random moves the all-to-all job is asked for (those still asked when its ranks end are not made). */
    private static final int RANDOM_MOVE_ATTEMPTS = 200;

    private ActorRef<Machine.Command> machine() {
        return spawnMachine(description, "moving-machine-" + MACHINES.incrementAndGet());
    }

    /** guest/linux/migrant on one service node: {@code rounds} rounds with a sleep of {@code sleepMs} each. */
    private MachineJob migrant(ActorRef<Machine.Command> machine, String file, int rounds, int sleepMs) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        Program program = new Program(GuestFiles.elf("linux/migrant.elf"), List.of("migrant", file, "" + rounds, "" + sleepMs), null);
        machine.tell(new Machine.Run(program, JobPlacement.SERVICE, 1, client.getRef(), new Yod.Options(files.toString(), false, null, 0)));
        return new MachineJob(client);
    }

    private NodeActor.MigrationReport ask(ActorRef<Machine.Command> machine, java.util.function.Function<ActorRef<NodeActor.MigrationReport>,
            Machine.Command> request) {
        return MachineJob.ask(testKit, machine, request);
    }

    @Test
    void aLinuxProcessMovedTwiceByTheOperatorPrintsWhatItWouldHaveStaying() {
        ActorRef<Machine.Command> machine = machine();
        MachineJob stayed = migrant(machine, "stayed.txt", 8, 0);
        assertEquals(8, stayed.finish().shellStatus(), "migrant exits with its number of rounds");

        MachineJob moved = migrant(machine, "moved.txt", 8, 40);
        int jobId = moved.started.jobId();
        int first = moved.started.nids().get(0);
        NodeActor.MigrationReport nearest = ask(machine, replyTo -> new Machine.Migrate(jobId, 0, Machine.ANY_NODE, Partition.SERVICE, replyTo));
        assertTrue(nearest.moved(), nearest.toString());
        assertEquals(first, nearest.from());
        assertEquals(Partition.SERVICE, description.partition(nearest.to()));
        assertTrue(nearest.pages() > 0 && nearest.bytesSent() > 0 && nearest.downtimeNanos() > 0, nearest.toString());
        assertTrue(nearest.streamNanos() >= 0 && nearest.streamNanos() < nearest.downtimeNanos(), "the stream is part of the downtime: " + nearest);
        int back = first;
        NodeActor.MigrationReport named = ask(machine, replyTo -> new Machine.Migrate(jobId, 0, back, null, replyTo));
        assertTrue(named.moved(), named.toString());

        JobReport.JobFinished finished = moved.finish();
        assertEquals(8, finished.shellStatus(), finished::toString);
        assertEquals(first, finished.statuses().get(0).nid(), "it ended on the node it was moved back to");
        assertEquals(stayed.out().replace("stayed.txt", "moved.txt"), moved.out());
        assertEquals(List.of(nearest.to(), first), moved.moves.stream().map(JobEvent.Moved::nid).toList(), "the client heard of both moves");
        // yod told the nodes the job ran on that it ended: neither keeps the stay the process left there.
        testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
            for (int nid : List.of(first, nearest.to())) {
                NodeActor.PortalsTraffic traffic = nodeState(machine, nid).portals();
                assertEquals(0, traffic.forwardingAddresses() + traffic.openStays(), "node " + nid + ": " + traffic);
            }
            return null;
        });
    }

    /** Node {@code nid}'s state, asked through the machine. */
    private NodeActor.State nodeState(ActorRef<Machine.Command> machine, int nid) {
        TestProbe<Machine.NodeRef> refs = testKit.createTestProbe();
        TestProbe<NodeActor.State> state = testKit.createTestProbe();
        machine.tell(new Machine.GetNode(nid, refs.getRef()));
        refs.receiveMessage(TIMEOUT).node().tell(new NodeActor.GetState(state.getRef()));
        return state.receiveMessage(TIMEOUT);
    }

    /** guest/posix/compute_fork as {@code ranks} ranks on compute nodes of a new machine. */
    private MachineJob computeFork(int ranks) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine().tell(new Machine.Run(new Program(GuestFiles.elf("posix/compute_fork.elf"), List.of("compute_fork"), null),
                Partition.COMPUTE, ranks, client.getRef()));
        return new MachineJob(client);
    }

    /**
     * The paper's demonstration: a program computes on a compute node and calls fork, which Puma
     * lacks; the deficiency routine moves it to a Linux node, where the library's second dispatch
     * forks; parent and child both finish, and all the output reaches yod in order.
     */
    @Test
    void aProgramThatForksOnPumaMovesToLinuxAndForksThere() {
        MachineJob job = computeFork(1);
        assertEquals(Partition.COMPUTE, description.partition(job.started.nids().get(0)));
        JobReport.JobFinished finished = job.finish();

        assertEquals(0, finished.shellStatus(), finished::toString);
        assertEquals(new String(GuestFiles.expected("posix/compute_fork.out"), StandardCharsets.UTF_8), job.out(),
                "the same bytes as under qemu-riscv32, in order");
        assertEquals("computed on puma\nchild runs on linux\nparent runs on linux\n", job.err());
        assertEquals(1, job.moves.size());
        assertEquals(Partition.SERVICE, description.partition(job.moves.get(0).nid()));
        assertEquals(job.moves.get(0).nid(), finished.statuses().get(0).nid());
    }

    @Test
    void ranksThatForkAtOnceMoveAtOnceEachToALinuxNodeOfItsOwn() {
        MachineJob job = computeFork(3);
        JobReport.JobFinished finished = job.finish();
        assertEquals(0, finished.shellStatus(), finished::toString);
        assertEquals(3, job.moves.size(), job.moves::toString);
        assertEquals(3, job.moves.stream().map(JobEvent.Moved::nid).distinct().count(), "three Linux nodes, one each");
        assertTrue(job.moves.stream().allMatch(moved -> description.partition(moved.nid()) == Partition.SERVICE));
    }

    @Test
    void aPumaProcessMovedToLinuxAndBackPrintsWhatItWouldHaveStaying() {
        ActorRef<Machine.Command> machine = machine();
        Program sort = new Program(GuestFiles.elf("bench/bench_sort.elf"), List.of("bench_sort", "" + SORT_ROUNDS), null);
        TestProbe<JobReport> stayedClient = testKit.createTestProbe();
        machine.tell(new Machine.Run(sort, Partition.COMPUTE, 1, stayedClient.getRef()));
        MachineJob stayed = new MachineJob(stayedClient);
        assertEquals(0, stayed.finish().shellStatus());

        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(sort, Partition.COMPUTE, 1, client.getRef()));
        MachineJob job = new MachineJob(client);
        int jobId = job.started.jobId();
        NodeActor.MigrationReport toLinux = ask(machine, replyTo -> new Machine.Migrate(jobId, 0, Machine.ANY_NODE, Partition.SERVICE,
                replyTo));
        assertTrue(toLinux.moved(), toLinux.toString());
        NodeActor.MigrationReport backToPuma = ask(machine, replyTo -> new Machine.Migrate(jobId, 0, Machine.ANY_NODE, Partition.COMPUTE,
                replyTo));
        assertTrue(backToPuma.moved(), backToPuma.toString());
        JobReport.JobFinished finished = job.finish();
        assertEquals(0, finished.shellStatus(), finished::toString);
        assertEquals(stayed.out(), job.out());
        assertEquals(Partition.COMPUTE, description.partition(finished.statuses().get(0).nid()));
    }

    /** Rounds of the 16-rank all-to-all: enough that at least 20 moves are made before it ends. */
    private static final int ALL_TO_ALL_ROUNDS = 2000;

    /**
     * Issue 6's proof under traffic: 16 ranks exchange sequenced messages all to all (every
     * receiver checks each sender's sequence) while the operator moves ranks at random, to
     * compute and to service nodes, some the same rank back to back, up to 200 moves. If the
     * job does not end, the state of every busy node is added to the failure.
     */
    @Test
    void aSixteenRankAllToAllJobLosesNoMessageWhileItsRanksMoveAtRandom() {
        MachineDescription paragon = MachineDescriptions.preset("paragon");
        ActorRef<Machine.Command> machine = spawnMachine(paragon, "moving-paragon-" + MACHINES.incrementAndGet());
        try {
            runAllToAllUnderRandomMoves(machine);
        } catch (AssertionError failure) {
            failure.addSuppressed(new AssertionError("the nodes then:\n" + nodeStates(machine, paragon)));
            throw failure;
        }
    }

    private void runAllToAllUnderRandomMoves(ActorRef<Machine.Command> machine) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        int rounds = ALL_TO_ALL_ROUNDS;
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "" + rounds), null),
                Partition.COMPUTE, 16, client.getRef()));
        MachineJob job = new MachineJob(client);
        int jobId = job.started.jobId();
        java.util.Random random = new java.util.Random(6);
        List<String> moved = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        int rank = 0;
        for (int attempt = 0; attempt < RANDOM_MOVE_ATTEMPTS; attempt++) {
            rank = random.nextInt(4) == 0 ? rank : random.nextInt(16); // now and then the same rank again
            Partition to = random.nextBoolean() ? Partition.COMPUTE : Partition.SERVICE;
            int movingRank = rank;
            NodeActor.MigrationReport report = ask(machine, replyTo -> new Machine.Migrate(jobId, movingRank, Machine.ANY_NODE, to,
                    replyTo));
            if (report.moved()) {
                moved.add(report.rank() + ":" + report.from() + "->" + report.to());
            } else if (report.reason().contains("runs no process") || report.reason().contains("no running job")) {
                break; // the ranks are ending
            } else {
                refused.add(report.reason());
            }
        }
        // It prints only at its end, which comes within seconds of the last move on an idle host.
        JobReport.JobFinished finished = job.finish(Duration.ofMinutes(2));
        assertEquals(0, finished.shellStatus(), () -> finished + " after moves " + moved + "\n" + job.out() + job.err());
        assertTrue(job.out().lines().anyMatch(("alltoall: 16 ranks, " + rounds + " rounds, " + 16 * 16 * rounds + " messages, ok")::equals),
                job::out);
        System.out.println("alltoall, " + rounds + " rounds: " + moved.size() + " moves made, " + refused.size() + " refused");
        assertTrue(moved.size() >= 20, "moves made while the job ran: " + moved + "; refused: " + refused);
    }

    /**
     * The state and Portals traffic of every node that is not idle, a line each, as the
     * machine's nodes answer: all are asked at once, and those silent for {@link #TIMEOUT} are named.
     */
    private String nodeStates(ActorRef<Machine.Command> machine, MachineDescription machineDescription) {
        TestProbe<Machine.NodeRef> refs = testKit.createTestProbe();
        TestProbe<NodeActor.State> state = testKit.createTestProbe();
        Set<Integer> silent = new TreeSet<>();
        for (Partition partition : Partition.values()) {
            for (int nid : machineDescription.nids(partition)) {
                machine.tell(new Machine.GetNode(nid, refs.getRef()));
                silent.add(nid);
            }
        }
        for (int asked = silent.size(); asked > 0; asked--) {
            refs.receiveMessage(TIMEOUT).node().tell(new NodeActor.GetState(state.getRef()));
        }
        StringBuilder states = new StringBuilder();
        try {
            while (!silent.isEmpty()) {
                NodeActor.State answer = state.receiveMessage(TIMEOUT);
                silent.remove(answer.nid());
                if (answer.status() != NodeActor.Status.IDLE || answer.portals().openStays() > 0) {
                    states.append(answer).append(' ').append(answer.portals()).append('\n');
                }
            }
        } catch (AssertionError timeout) {
            states.append("no answer from nodes ").append(silent).append('\n');
        }
        return states.toString();
    }

    @Test
    void movesThatCannotBeMadeAreRefusedWithTheReasonAndTheProcessRunsOn() {
        ActorRef<Machine.Command> machine = machine();
        MachineJob job = migrant(machine, "refusals.txt", 6, 40);
        int jobId = job.started.jobId();
        int at = job.started.nids().get(0);
        int computeNode = description.nids(Partition.COMPUTE)[0];

        assertEquals("there is no running job 99", ask(machine, replyTo -> new Machine.Migrate(99, 0, Machine.ANY_NODE, Partition.SERVICE,
                replyTo)).reason());
        assertEquals("job " + jobId + " has no rank 3", ask(machine, replyTo -> new Machine.Migrate(jobId, 3, Machine.ANY_NODE,
                Partition.SERVICE, replyTo)).reason());
        assertEquals("there is no node 999", ask(machine, replyTo -> new Machine.Migrate(jobId, 0, 999, null, replyTo)).reason());
        assertEquals("node " + at + " is running a job", ask(machine, replyTo -> new Machine.Migrate(jobId, 0, at, null, replyTo)).reason());
        NodeActor.MigrationReport toPuma = ask(machine, replyTo -> new Machine.Migrate(jobId, 0, computeNode, null, replyTo));
        assertFalse(toPuma.moved());
        assertTrue(toPuma.reason().contains("never fits"), toPuma.reason());
        NodeActor.MigrationReport idle = ask(machine, replyTo -> new Machine.Drain(computeNode, replyTo));
        assertEquals("node " + computeNode + " holds no process", idle.reason());

        JobReport.JobFinished finished = job.finish();
        assertEquals(6, finished.shellStatus(), finished::toString);
        assertEquals(at, finished.statuses().get(0).nid());
        assertTrue(job.moves.isEmpty());
        assertEquals(List.of(toPuma.reason()), job.failedMoves.stream().map(JobEvent.MoveFailed::reason).toList(),
                "yod heard of the move its node refused (the machine answered the others itself)");
    }

    /**
     * Moves to a node that is down (its actor stopped: the machine watched it) and to one busy
     * with another job are refused with the reason; the process runs on where it was and ends
     * with the result it would have had.
     */
    @Test
    void movesToADownNodeOrToANodeBusyWithAnotherJobAreRefusedAndTheProcessRunsOn() {
        ActorRef<Machine.Command> machine = machine();
        MachineJob job = migrant(machine, "unharmed.txt", 6, 40);
        MachineJob other = migrant(machine, "other.txt", 6, 40);
        int jobId = job.started.jobId();
        int at = job.started.nids().get(0);
        int busyNode = other.started.nids().get(0);
        int downNode = java.util.Arrays.stream(description.nids(Partition.SERVICE)).filter(nid -> nid != at && nid != busyNode)
                .findFirst().orElseThrow();

        TestProbe<Machine.NodeRef> refs = testKit.createTestProbe();
        machine.tell(new Machine.GetNode(downNode, refs.getRef()));
        ActorRef<NodeActor.Command> node = refs.receiveMessage(TIMEOUT).node();
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(node).tell(org.apache.pekko.actor.PoisonPill.getInstance(),
                org.apache.pekko.actor.ActorRef.noSender());
        TestProbe<Machine.Status> statuses = testKit.createTestProbe();
        statuses.awaitAssert(TIMEOUT, () -> {
            machine.tell(new Machine.GetStatus(statuses.getRef()));
            assertEquals(io.uniform.config.NodeState.DOWN, statuses.receiveMessage(TIMEOUT).states().get(downNode));
            return null;
        });

        assertEquals("node " + downNode + " is down", ask(machine, replyTo -> new Machine.Migrate(jobId, 0, downNode, null, replyTo)).reason());
        assertEquals("node " + busyNode + " is running a job", ask(machine, replyTo -> new Machine.Migrate(jobId, 0, busyNode, null,
                replyTo)).reason());

        JobReport.JobFinished finished = job.finish();
        assertEquals(6, finished.shellStatus(), finished::toString);
        assertEquals(at, finished.statuses().get(0).nid());
        assertTrue(job.moves.isEmpty() && job.failedMoves.isEmpty(), "the machine refused both itself: the process never froze");
        assertEquals(6, other.finish().shellStatus());
        MachineJob stayed = migrant(machine, "unharmed.txt", 6, 0);
        assertEquals(6, stayed.finish().shellStatus());
        assertEquals(stayed.out(), job.out(), "what it printed is what a run that was never asked to move prints");
    }

    /** A rank that has ended cannot move: the error says so, and the job's other rank runs on to its result. */
    @Test
    void aRankThatHasEndedIsNotMovedAndItsJobRunsOn() {
        ActorRef<Machine.Command> machine = machine();
        Program sort = new Program(GuestFiles.elf("bench/bench_sort.elf"), List.of("bench_sort", "" + 3 * SORT_ROUNDS), null);
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(sort, Partition.COMPUTE, 2, client.getRef()));
        MachineJob job = new MachineJob(client);
        int jobId = job.started.jobId();
        int ended = job.started.nids().get(1);
        TestProbe<Machine.NodeRef> refs = testKit.createTestProbe();
        machine.tell(new Machine.GetNode(ended, refs.getRef()));
        refs.receiveMessage(TIMEOUT).node().tell(new NodeActor.Kill(jobId, "ended by the test"));
        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        states.awaitAssert(TIMEOUT, () -> {
            machine.tell(new Machine.GetNode(ended, refs.getRef()));
            refs.receiveMessage(TIMEOUT).node().tell(new NodeActor.GetState(states.getRef()));
            assertEquals(NodeActor.Status.IDLE, states.receiveMessage(TIMEOUT).status());
            return null;
        });

        NodeActor.MigrationReport report = ask(machine, replyTo -> new Machine.Migrate(jobId, 1, Machine.ANY_NODE, Partition.COMPUTE,
                replyTo));
        assertFalse(report.moved());
        assertEquals("node " + ended + " runs no process of job " + jobId, report.reason());
        JobReport.JobFinished finished = job.finish();
        assertEquals(0, finished.statuses().get(0).status().shellStatus(), finished::toString);
        List<String> lines = job.out().lines().toList();
        assertEquals(1, lines.size(), "rank 0 printed its result, rank 1 nothing: " + lines);
        assertTrue(lines.get(0).startsWith("bench_sort rounds " + 3 * SORT_ROUNDS + " checksum 0x"), lines::toString);
        assertTrue(job.moves.isEmpty());
    }

    @Test
    void aDrainedNodeIsLeftEmptyAndCanBeRebootedWhileTheJobRunsOn() {
        ActorRef<Machine.Command> machine = machine();
        MachineJob job = migrant(machine, "drained.txt", 8, 40);
        int drained = job.started.nids().get(0);
        NodeActor.MigrationReport report = ask(machine, replyTo -> new Machine.Drain(drained, replyTo));
        assertTrue(report.moved(), report.toString());
        assertNotEquals(drained, report.to());

        TestProbe<NodeActor.RebootResult> reboot = testKit.createTestProbe();
        machine.tell(new Machine.Reboot(drained, Partition.COMPUTE, reboot.getRef()));
        NodeActor.RebootResult rebooted = reboot.receiveMessage(TIMEOUT);
        assertTrue(rebooted.accepted(), rebooted::toString);
        assertNull(rebooted.reason());

        JobReport.JobFinished finished = job.finish();
        assertEquals(8, finished.shellStatus(), finished::toString);
        assertEquals(report.to(), finished.statuses().get(0).nid());
    }
}
