package io.uniform.node;

import static io.uniform.node.ClusterMembers.hostPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.MemberPlacement;
import io.uniform.config.Partition;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client member and the machine's member (the oldest host member, with every yod) die at once,
 * each job's keeper on its client's member: the job whose client died is reported failed by the
 * machine that takes over (its ranks and the members lost named, no node left holding it), while
 * the job whose client lives is re-claimed, recovered from its snapshot, and not reported; the
 * surviving hosts stay up.
 */
class UnclaimedJobTest {
    private static final Duration LONG = ClusterSnapshotRestartTest.LONG;
    private static final int RANKS = ClusterSnapshotRestartTest.RANKS;
    private static final int ROUNDS = ClusterSnapshotRestartTest.ROUNDS;
    private static final int ORPHAN_ROUNDS = 100 * ROUNDS;
    private static final String MACHINE = "unclaimed";
    /**
     * As `uniform member` downs (keep-oldest among the host members, an oldest left alone downed,
     * and all downed for instability only 15 s after stable-after: two members lost together are
     * seen unreachable a little apart, and the default 4 s downed the surviving hosts before the
     * leader's decision reached them), heartbeats may pause 8 s on the loaded host; the survivor waits 25 s for re-claims (a keeper asks 5 s after its machine's member is removed and again every 5 s; one came within 1 s here).
     */
    private static final String MEMBER = "pekko.cluster.split-brain-resolver.active-strategy = keep-oldest\n"
            + "pekko.cluster.split-brain-resolver.keep-oldest.role = " + MachineCluster.HOST_ROLE + "\n"
            + "pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone = on\n"
            + "pekko.cluster.split-brain-resolver.stable-after = 5s\n"
            + "pekko.cluster.split-brain-resolver.down-all-when-unstable = 15s\n"
            + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 8s\n"
            + ClusterMembers.SINGLETON_SOON_AFTER_REMOVAL
            + "uniform.cluster.unclaimed-job-timeout = 25s\n";
    /** Stopped, it vanishes as a crashed JVM does: no leaving, no hand-over. */
    private static final String CRASHING = "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n";
    private static final String HOST = "pekko.cluster.roles = [" + MachineCluster.HOST_ROLE + "]\n" + MEMBER;
    private static final String CLIENT = "pekko.cluster.roles = [" + MachineCluster.CLIENT_ROLE + "]\n" + MEMBER + CRASHING;

    @TempDir
    Path snapshots;

    private ActorTestKit oldest;
    private ActorTestKit survivor;
    private ActorTestKit third;
    private ActorTestKit client;

    /** Three host members (two must survive the oldest: keep-oldest downs an oldest alone only among more than two) and a client. */
    @BeforeEach
    void startMachineOnThreeHostsWithAClient() {
        List<ActorTestKit> members = ClusterMembers.form(HOST + CRASHING, HOST, HOST, CLIENT);
        oldest = members.get(0);
        survivor = members.get(1);
        third = members.get(2);
        client = members.get(3);
    }

    @AfterEach
    void stopMembers() {
        client.shutdownTestKit();
        third.shutdownTestKit();
        survivor.shutdownTestKit();
        oldest.shutdownTestKit();
    }

    /** The sequenced all-to-all kept by a keeper on {@code member}, reaching the machine through {@code machine}. */
    private MachineJob alltoall(ActorTestKit member, ActorRef<Machine.Command> machine, int rounds, long snapshotEveryMillis) {
        return MachineJob.keptAlltoall(member, machine, RANKS, rounds, Yod.Options.NONE.withSnapshots(snapshotEveryMillis, snapshots.toString()));
    }

    @Test
    void aJobWhoseClientDiedWithTheMachineIsReportedFailedAndOneItsClientReclaimsIsNot() {
        ActorRef<Machine.Command> machine = ClusterMembers.start(computeAwayFromTheOldest(MachineDescriptions.defaultMachine()), MACHINE,
                List.of(oldest, survivor, third), survivor);
        // A hundred times the failure-free run: its report ends it.
        MachineJob orphan = alltoall(client, MachineCluster.proxy(client.system(), MACHINE), ORPHAN_ROUNDS, 0);
        String machineMember = hostPort(oldest);
        String clientMember = hostPort(client);

        MachineJob kept = alltoall(survivor, machine, ROUNDS, 500);
        kept.awaitSnapshot();
        // As crashes, together: the orphan's keeper goes (the job runs on without it), and the machine and its yods.
        client.system().terminate();
        oldest.system().terminate();

        TestProbe<Machine.Jobs> operator = survivor.createTestProbe();
        Machine.Jobs jobs = operator.awaitAssert(LONG, Duration.ofSeconds(1), () -> {
            machine.tell(new Machine.GetJobs(operator.getRef()));
            Machine.Jobs answer = operator.receiveMessage(ClusterMembers.PLACED);
            assertFalse(answer.failed().isEmpty(), () -> "reported failed: " + answer);
            return answer;
        });
        assertEquals(1, jobs.failedCount(), jobs::toString);
        Machine.FailedJob failed = jobs.failed().get(0);
        assertEquals(orphan.started.jobId(), failed.jobId(), "the job whose client died, not the one re-claimed: " + failed);
        assertEquals(orphan.started.nids(), failed.nids());
        assertEquals(List.of(machineMember, clientMember), failed.lostMembers());
        assertEquals("its " + RANKS + " rank(s) ran on nodes " + orphan.started.nids() + "; it was lost with member(s) " + machineMember
                + " (its machine's and yod's), " + clientMember + " (its client's), and no client re-claimed it within 25 s of the next machine's start",
                failed.reason());
        for (int nid : orphan.started.nids()) {
            assertTrue(noNodeHolds(machine, nid, failed.jobId()), () -> "node " + nid + " let job " + failed.jobId() + " go");
        }

        JobReport.JobFinished end = kept.finish(LONG);
        assertEquals(0, end.shellStatus(), () -> end + kept.out() + kept.err());
        assertEquals(1, kept.restarts.size(), () -> "recovered once: " + kept.restarts);
        assertEquals("alltoall: " + RANKS + " ranks, " + ROUNDS + " rounds, " + (RANKS * RANKS * ROUNDS) + " messages, ok\n", kept.out());
    }

    /**
     * {@code machine} with the oldest member (index 0) hosting only its service nodes, the compute
     * nodes dealt to the other two in turn: the oldest's loss is then the machine's and its yods'
     * alone. (Stopped, its actor system stops its node actors first, and a yod that saw its ranks'
     * nodes go would end or restart its job before the machine went, which a crash never lets it.)
     */
    private static MachineDescription computeAwayFromTheOldest(MachineDescription machine) {
        Map<Integer, Integer> memberOf = new TreeMap<>();
        Arrays.stream(machine.nids(Partition.SERVICE)).forEach(nid -> memberOf.put(nid, 0));
        int[] compute = machine.nids(Partition.COMPUTE);
        for (int i = 0; i < compute.length; i++) {
            memberOf.put(compute[i], 1 + i % 2);
        }
        return machine.withPlacement(new MemberPlacement(MemberPlacement.Policy.EXPLICIT, memberOf));
    }

    /** True when node {@code nid}, as the machine finds it now, does not run job {@code jobId}. */
    private boolean noNodeHolds(ActorRef<Machine.Command> machine, int nid, int jobId) {
        TestProbe<Machine.NodeRef> found = survivor.createTestProbe();
        machine.tell(new Machine.GetNode(nid, found.getRef()));
        ActorRef<NodeActor.Command> node = found.receiveMessage(ClusterMembers.PLACED).node();
        TestProbe<NodeActor.State> state = survivor.createTestProbe();
        node.tell(new NodeActor.GetState(state.getRef()));
        NodeActor.State now = state.receiveMessage(ClusterMembers.PLACED);
        return now.status() != NodeActor.Status.RUNNING || now.jobId() != jobId;
    }
}
