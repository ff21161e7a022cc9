package io.uniform.node;

import static io.uniform.node.ClusterMembers.hostPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.directory.TwoSystemClusterTest;
import io.uniform.node.yod.JobReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MachineMigrationTest}'s proofs on a machine whose nodes are split across two actor
 * systems forming a cluster in this JVM (every message serialized): nodes are dealt round-robin
 * to the two members, so every job of two ranks or more spans them and a move to the nearest
 * free node mostly crosses them. The machine runs as the cluster singleton; the operator's
 * commands reach it from the members' proxies.
 */
class ClusterMachineMigrationTest extends MachineMigrationTest {
    private static final Duration PLACED = ClusterMembers.PLACED;
    private static final AtomicInteger MISMATCHES = new AtomicInteger();
    /** A host member, with Artery's default frame as the CLI's members have it (uniform-cluster.conf). */
    static final String HOST_MEMBER = "pekko.cluster.roles = [" + MachineCluster.HOST_ROLE + "]\n"
            + "pekko.remote.artery.advanced.maximum-frame-size = 256KiB\n"
            + "pekko.remote.artery.advanced.outbound-message-queue-size = 30720";

    private ActorTestKit b;

    /** System A: a host member of the cluster, where the test's probes live. */
    @Override
    ActorTestKit newTestKit() {
        return TwoSystemClusterTest.member(HOST_MEMBER);
    }

    @BeforeAll
    void formCluster() {
        b = ClusterMembers.joinedTo(testKit, HOST_MEMBER);
    }

    @AfterAll
    void leaveCluster() {
        // B releases its nodes to A, which is still there: the machines drain and hand them over first.
        ClusterMembers.leave(b, Duration.ofSeconds(90));
    }

    /** Machine {@code name} started on both members; returned once each member hosts its share. */
    @Override
    ActorRef<Machine.Command> spawnMachine(MachineDescription machine, String name) {
        return ClusterMembers.startRoundRobin(machine, name, List.of(testKit, b), testKit);
    }

    @Test
    void aJobsRanksSpanBothMembersAndTheStatusSaysWhichHostsEach() {
        ActorRef<Machine.Command> machine = spawnMachine(MachineDescriptions.defaultMachine(), "spanning-" + MISMATCHES.incrementAndGet());
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null), Partition.COMPUTE, 4,
                client.getRef()));
        List<Integer> nids = client.expectMessageClass(JobReport.JobStarted.class, PLACED).nids();
        TestProbe<Machine.Status> status = testKit.createTestProbe();
        machine.tell(new Machine.GetStatus(status.getRef()));
        Machine.Status running = status.receiveMessage(PLACED);
        assertEquals(2, nids.stream().map(running.members()::get).distinct().count(), () -> nids + " on " + running.members());
        JobReport report;
        while (!((report = client.receiveMessage(PLACED)) instanceof JobReport.JobFinished)) {
            // output
        }
        assertEquals(0, ((JobReport.JobFinished) report).shellStatus(), report::toString);
    }

    /**
     * A third member joins: the machine hands it its share of the idle nodes. A job then runs
     * with ranks on it, and it leaves gracefully: its busy nodes are drained to the others
     * (the ranks move) before it goes, and the job ends as if nothing happened.
     */
    @Test
    void aLateJoinerGetsItsShareAndALeaverHasItsRanksMovedOffFirst() throws Exception {
        String name = "joining-" + MISMATCHES.incrementAndGet();
        MachineDescription machine = MachineDescriptions.defaultMachine();
        ActorRef<Machine.Command> proxy = spawnMachine(machine, name);
        ActorTestKit c = TwoSystemClusterTest.member(HOST_MEMBER);
        try {
            Cluster.get(c.system()).manager().tell(org.apache.pekko.cluster.typed.Join.create(Cluster.get(testKit.system()).selfMember().address()));
            MachineCluster.startMember(c.system(), name, machine.withPlacement(ClusterMembers.ROUND_ROBIN), refusal -> {});
            awaitPlacedOn(proxy, machine, Set.of(hostPort(testKit), hostPort(b), hostPort(c)));

            TestProbe<JobReport> client = testKit.createTestProbe();
            proxy.tell(new Machine.Run(new Program(GuestFiles.elf("bench/bench_sort.elf"), List.of("bench_sort", "400"), null),
                    Partition.COMPUTE, 6, client.getRef()));
            MachineJob job = new MachineJob(client);
            TestProbe<Machine.Status> status = testKit.createTestProbe();
            proxy.tell(new Machine.GetStatus(status.getRef()));
            Map<Integer, String> members = status.receiveMessage(PLACED).members();
            List<Integer> onC = job.started.nids().stream().filter(nid -> members.get(nid).equals(hostPort(c))).toList();
            assertTrue(!onC.isEmpty(), () -> "ranks on nodes " + job.started.nids() + " of " + members);

            // As `uniform cluster down` makes it leave: its coordinated shutdown releases its nodes first.
            Cluster.get(c.system()).manager().tell(org.apache.pekko.cluster.typed.Leave.create(Cluster.get(c.system()).selfMember().address()));
            JobReport.JobFinished finished = job.finish(Duration.ofMinutes(5)); // it prints only at its end
            assertEquals(0, finished.shellStatus(), finished::toString);
            assertEquals(onC.size(), job.moves.size(), () -> "every rank on the leaver moved: " + job.moves);
            List<String> results = job.out().lines().toList();
            assertEquals(6, results.size(), job::out);
            assertEquals(1, results.stream().distinct().count(), "the moved ranks computed what the others did: " + job.out());
            c.system().getWhenTerminated().toCompletableFuture().get(PLACED.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            awaitPlacedOn(proxy, machine, Set.of(hostPort(testKit), hostPort(b)));
        } finally {
            c.shutdownTestKit();
        }
    }

    /** Waits until every node of {@code machine} is placed, on exactly {@code members}. */
    private void awaitPlacedOn(ActorRef<Machine.Command> proxy, MachineDescription machine, Set<String> members) {
        ClusterMembers.awaitPlacedOn(testKit, proxy, machine, members);
    }

    @Test
    void aMemberWithAnotherMachineDescriptionIsRefusedAndGetsNoNodes() {
        String name = "mismatch-" + MISMATCHES.incrementAndGet();
        MachineDescription machine = MachineDescriptions.defaultMachine();
        ActorRef<Machine.Command> proxy = MachineCluster.startMember(testKit.system(), name, machine, refusal -> {});
        TestProbe<String> refusals = testKit.createTestProbe();
        MachineCluster.startMember(b.system(), name, MachineDescriptions.preset("paragon"), refusals.getRef()::tell);
        String refusal = refusals.receiveMessage(PLACED);
        assertTrue(refusal.contains("differs from the cluster's machine '" + name + "' (fingerprint " + machine.fingerprint() + ")"), refusal);
        awaitPlacedOn(proxy, machine, Set.of(hostPort(testKit))); // A hosts every node
    }
}
