package io.uniform.node;

import static io.uniform.node.ClusterMembers.hostPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.directory.TwoSystemClusterTest;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oldest of three host members (the machine singleton's, and so every yod's) is lost as a
 * crash loses it, mid-job: the machine starts again on the next oldest, each job's keeper on
 * another member has it recovered from its last snapshot (periodic, or one an operator asked
 * for) to the failure-free output (or, without a snapshot, ends it with an error naming the
 * member), and the machine runs new jobs. One cluster per kind of loss: the jobs that lose the
 * oldest together share one.
 */
class OldestMemberLossTest {
    private static final Duration PLACED = ClusterSnapshotRestartTest.PLACED;
    private static final Duration LONG = ClusterSnapshotRestartTest.LONG;
    private static final int RANKS = ClusterSnapshotRestartTest.RANKS;
    private static final int ROUNDS = ClusterSnapshotRestartTest.ROUNDS;
    /**
     * As `uniform member` downs: keep-oldest, but an oldest left alone is downed and the others go
     * on (the later key wins). Heartbeats may pause 8 s: on the loaded 2-core host they came 4-7 s
     * late, and the oldest was downed before the test stopped it.
     */
    private static final String HOST_MEMBER = ClusterSnapshotRestartTest.HOST_MEMBER
            + "pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone = on\n"
            + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 8s\n"
            + ClusterMembers.SINGLETON_SOON_AFTER_REMOVAL;
    /** A member that, stopped, vanishes as a crashed JVM does: no leaving, no hand-over of its nodes or its singleton. */
    private static final String CRASHING_MEMBER = HOST_MEMBER + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n";
    private static final String MACHINE = "surviving";
    /**
     * The default machine with two more rows of compute nodes (20 in all, 14 on the survivors):
     * room for three jobs and one asked for meanwhile, then two recovered beside that one.
     */
    private static final MachineDescription SPLIT = ClusterMembers.defaultMachineWithRows(6).withPlacement(ClusterMembers.ROUND_ROBIN);

    @TempDir
    Path snapshots;

    private ActorTestKit oldest;
    private ActorTestKit b;
    private ActorTestKit c;
    // The machine as member C reaches it: through its singleton proxy, wherever the singleton runs.
    private ActorRef<Machine.Command> machine;

    @BeforeEach
    void startMachineOnThreeMembers() {
        List<ActorTestKit> members = ClusterMembers.form(CRASHING_MEMBER, HOST_MEMBER, HOST_MEMBER);
        oldest = members.get(0);
        b = members.get(1);
        c = members.get(2);
        machine = ClusterMembers.start(SPLIT, MACHINE, members, c);
    }

    @AfterEach
    void stopMembers() {
        c.shutdownTestKit();
        b.shutdownTestKit();
        oldest.shutdownTestKit();
    }

    private void awaitPlacedOn(Set<String> members) {
        TestProbe<Machine.Status> status = c.createTestProbe();
        status.awaitAssert(LONG, () -> {
            machine.tell(new Machine.GetStatus(status.getRef()));
            Machine.Status placed = status.receiveMessage(PLACED);
            assertEquals(members, Set.copyOf(placed.members().values()));
            return null;
        });
    }

    /** The sequenced all-to-all, kept by a keeper on member C; {@code snapshotEveryMillis} 0: no snapshots. */
    private MachineJob alltoall(int rounds, long snapshotEveryMillis) {
        return new MachineJob(askForAlltoall(rounds, snapshotEveryMillis));
    }

    /** The same, asked for: the probe its reports go to. */
    private TestProbe<JobReport> askForAlltoall(int rounds, long snapshotEveryMillis) {
        return MachineJob.askForKeptAlltoall(c, machine, RANKS, rounds, Yod.Options.NONE.withSnapshots(snapshotEveryMillis, snapshots.toString()));
    }

    private static String failureFree(int rounds) {
        return "alltoall: " + RANKS + " ranks, " + rounds + " rounds, " + (RANKS * RANKS * rounds) + " messages, ok\n";
    }

    /** A new job runs on the machine that took over, on the survivors' nodes; returns its id. */
    private int aNewJobRuns() {
        MachineJob next = alltoall(100, 0);
        JobReport.JobFinished end = next.finish(LONG);
        assertEquals(0, end.shellStatus(), () -> end + next.out() + next.err());
        assertEquals(failureFree(100), next.out());
        return next.started.jobId();
    }

    /** {@code job} ends well, restarted once, having printed the output of a run without failure once. */
    private void assertRecoveredOnceToTheFailureFreeOutput(MachineJob job) {
        JobReport.JobFinished end = job.finish(LONG);
        assertEquals(0, end.shellStatus(), () -> end + job.out() + job.err());
        assertEquals(1, job.restarts.size(), () -> "restarted once: " + job.restarts);
        assertEquals(failureFree(ROUNDS), job.out(), "the output of a run without failure, once");
    }

    @Test
    void aJobWhoseYodsMemberIsReplacedByANewOneOnTheSameAddressIsRecovered() throws Exception {
        MachineJob job = alltoall(ROUNDS, 500);
        job.awaitSnapshot();
        int port = (Integer) Cluster.get(oldest.system()).selfMember().address().port().get();

        oldest.system().terminate();
        ClusterMembers.awaitTerminated(oldest);
        // Restarted at once on the same HOST:PORT: by its address alone, the lost member would still be there.
        oldest = TwoSystemClusterTest.member(CRASHING_MEMBER + "pekko.remote.artery.canonical.port = " + port + "\n");
        Cluster.get(oldest.system()).manager().tell(Join.create(Cluster.get(b.system()).selfMember().address()));
        MachineCluster.startMember(oldest.system(), MACHINE, SPLIT, refusal -> {});

        assertRecoveredOnceToTheFailureFreeOutput(job);
    }

    /**
     * One loss of the oldest for three jobs kept on member C, each as a case of its own would
     * have it: one with snapshots every 0.5 s and one without periodic snapshots but with one an
     * operator asked for (from member C, not through the job's keeper) are each recovered once,
     * from that snapshot, to the failure-free output; one without any snapshot fails naming the
     * member; a job asked for as the oldest dies ends either way, and the machine runs a new job
     * with an id above every earlier one. The resolver downs the oldest (no {@code downAtOnce}).
     */
    @Test
    void jobsWhoseYodDiesWithTheOldestMemberRestartFromTheirSnapshotsOrFailNamingTheMemberAndTheMachineGoesOn() {
        assertNotEquals(hostPort(c), hostPort(oldest));
        MachineJob periodic = alltoall(ROUNDS, 500);
        MachineJob operatorTaken = alltoall(ROUNDS, 0);
        MachineJob withoutSnapshot = alltoall(ROUNDS, 0);
        TestProbe<io.uniform.node.yod.Checkpoint.Taken> operator = c.createTestProbe();
        machine.tell(new Machine.Checkpoint(operatorTaken.started.jobId(), operator.getRef()));
        io.uniform.node.yod.Checkpoint.Taken taken = operator.receiveMessage(LONG);
        assertTrue(taken.written(), taken::toString);
        assertEquals(taken, operatorTaken.awaitSnapshot(), "the job's keeper heard of it too");
        periodic.awaitSnapshot();
        String member = hostPort(oldest);
        Set<Integer> lostMachinesIds = Set.of(periodic.started.jobId(), operatorTaken.started.jobId(), withoutSnapshot.started.jobId());

        oldest.system().terminate(); // as a crash: the machine, the yods and the oldest's nodes vanish mid-job
        // Asked for while the machine dies: taken by the dying machine, or by the one after it.
        TestProbe<JobReport> meanwhileClient = askForAlltoall(100, 0);

        JobReport.JobFinished failed = withoutSnapshot.finish(LONG);
        assertEquals(1, failed.shellStatus(), failed::toString);
        assertTrue(failed.error().startsWith("the job's yod is gone with its member " + member + " (it left or died)"), failed::toString);
        assertTrue(failed.error().contains("nodes " + withoutSnapshot.started.nids()), failed::toString);
        assertEquals(List.of(), withoutSnapshot.restarts);
        for (MachineJob recovered : List.of(periodic, operatorTaken)) {
            assertRecoveredOnceToTheFailureFreeOutput(recovered);
            JobReport.JobStarted restart = recovered.restarts.get(0);
            assertFalse(lostMachinesIds.contains(restart.jobId()), () -> "a new job id " + restart.jobId() + ", clear of the lost machine's " + lostMachinesIds);
            assertTrue(Set.of(hostPort(b), hostPort(c)).contains(memberOf(restart.yod())), () -> "the new yod runs on a survivor: " + restart.yod());
        }
        // It ends either way: run by the machine after (the first request lost, or kept by the proxy),
        // or started by the dying machine and ended with it, having no snapshot.
        MachineJob askedMeanwhile = new MachineJob(meanwhileClient);
        JobReport.JobFinished meanwhile = askedMeanwhile.finish(LONG);
        if (meanwhile.shellStatus() == 0) {
            assertEquals(failureFree(100), askedMeanwhile.out());
        } else {
            assertTrue(meanwhile.error().startsWith("the job's yod is gone with its member " + member + " (it left or died)"), meanwhile::toString);
        }
        // Without a recovery to tell the machine after of the lost job's id, its ids still go on above every earlier one.
        assertNotEquals(withoutSnapshot.started.jobId(), askedMeanwhile.started.jobId(), "the job asked for meanwhile has an id of its own");
        awaitPlacedOn(Set.of(hostPort(b), hostPort(c)));
        int next = aNewJobRuns();
        int highestEarlier = Math.max(Collections.max(lostMachinesIds), askedMeanwhile.started.jobId());
        assertTrue(next > highestEarlier, () -> "the new job's id " + next + " is above every earlier one, up to " + highestEarlier);
    }

    /** The member {@code actor} runs on, as seen from member C (where the test's probes are): a ref without a host is C's own. */
    private String memberOf(ActorRef<?> actor) {
        org.apache.pekko.actor.Address address = actor.path().address();
        return address.hasGlobalScope() ? address.host().get() + ":" + address.port().get() : hostPort(c);
    }
}
