package io.uniform.node;

import static io.uniform.node.ClusterMembers.hostPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose ranks span two members of a cluster in this JVM loses one member as a crash
 * loses it (its actor system stops without leaving; the split brain resolver downs it, or, in
 * the case about what follows, the survivor downs it at once): yod learns which ranks were
 * lost and restarts the job from its last snapshot on the surviving member's nodes, to the
 * output of a run without failure; without a snapshot the job fails, its report naming the
 * lost ranks' nodes and member.
 */
class ClusterSnapshotRestartTest {
    static final Duration PLACED = ClusterMembers.PLACED;
    static final Duration LONG = Duration.ofMinutes(3);
    static final int RANKS = 4;
    /** The all-to-all's rounds: it must still run when the member goes (5,000 did not on an idle host, for the snapshotted job's loop). */
    static final int ROUNDS = 10_000;
    /** Host members that keep the oldest (where the machine runs) when the other one is lost, and down a lost one after 5 s. */
    static final String HOST_MEMBER = "pekko.cluster.roles = [" + MachineCluster.HOST_ROLE + "]\n"
            + "pekko.remote.artery.advanced.maximum-frame-size = 2MiB\n"
            + "pekko.cluster.split-brain-resolver.active-strategy = keep-oldest\n"
            + "pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone = off\n"
            + "pekko.cluster.split-brain-resolver.stable-after = 5s\n";
    /** A member that, stopped, vanishes as a crashed JVM does: no leaving, no hand-over of its nodes. */
    static final String CRASHING_MEMBER = HOST_MEMBER + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n";

    @TempDir
    Path snapshots;

    private ActorTestKit a;
    private ActorTestKit b;
    private ActorRef<Machine.Command> machine;

    @BeforeEach
    void startMachineOnTwoMembers() {
        List<ActorTestKit> members = ClusterMembers.form(HOST_MEMBER, CRASHING_MEMBER);
        a = members.get(0);
        b = members.get(1);
        // Two more rows of compute nodes: A (even nids) holds eight, room for a restart beside another job's ranks and a move's target.
        machine = ClusterMembers.startRoundRobin(ClusterMembers.defaultMachineWithRows(6), "restarting", members, a);
    }

    @AfterEach
    void stopMembers() {
        b.shutdownTestKit();
        a.shutdownTestKit();
    }

    private MachineJob alltoall() {
        TestProbe<JobReport> client = a.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "" + ROUNDS), null),
                JobPlacement.of(Partition.COMPUTE), RANKS, client.getRef(), Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        return new MachineJob(client);
    }

    /** The nodes of {@code job} that member B hosts (round-robin: some of every job of several ranks). */
    private List<Integer> onB(MachineJob job) {
        TestProbe<Machine.Status> status = a.createTestProbe();
        machine.tell(new Machine.GetStatus(status.getRef()));
        Map<Integer, String> members = status.receiveMessage(PLACED).members();
        List<Integer> nids = job.started.nids().stream().filter(nid -> members.get(nid).equals(hostPort(b))).toList();
        assertTrue(!nids.isEmpty(), () -> "no rank on member B: " + job.started.nids() + " of " + members);
        return nids;
    }

    /**
     * One loss of member B, downed by the split brain resolver, for two jobs: one snapshotted
     * until a snapshot holds messages in flight restarts from it once on the survivor's nodes to
     * the output of a run without failure; one without a snapshot fails, naming the lost ranks
     * and the member, and a move of one of its ranks on B, asked once B is gone but before the
     * machine knows, is answered as not made when the job ends (that rank's source never reports;
     * before, no answer came).
     */
    @Test
    void jobsThatLoseAMemberRestartFromTheirSnapshotOnTheSurvivorOrFailNamingTheLostRanksAndMember() {
        MachineJob snapshotted = alltoall();
        MachineJob withoutSnapshot = alltoall();
        List<Integer> lostToSnapshotted = onB(snapshotted);
        List<Integer> lost = onB(withoutSnapshot);
        Checkpoint.Taken taken;
        do {
            TestProbe<Checkpoint.Taken> answer = a.createTestProbe();
            machine.tell(new Machine.Checkpoint(snapshotted.started.jobId(), answer.getRef()));
            taken = answer.receiveMessage(LONG);
            assertTrue(taken.written(), taken::toString);
        } while (taken.channelMessages() == 0);
        String member = hostPort(b);
        int movedRank = withoutSnapshot.started.nids().indexOf(lost.get(0));

        b.system().terminate(); // as a crash: B's nodes and their ranks vanish mid-job
        ClusterMembers.awaitTerminated(b);
        TestProbe<NodeActor.MigrationReport> operator = a.createTestProbe();
        machine.tell(new Machine.Migrate(withoutSnapshot.started.jobId(), movedRank, Machine.ANY_NODE, Partition.COMPUTE, operator.getRef()));

        JobReport.JobFinished end = snapshotted.finish(LONG);
        assertEquals(0, end.shellStatus(), () -> end + snapshotted.out() + snapshotted.err());
        assertEquals(1, snapshotted.restarts.size(), () -> "restarted once: " + snapshotted.restarts);
        assertTrue(snapshotted.restarts.get(0).nids().stream().noneMatch(lostToSnapshotted::contains),
                () -> "restarted on " + snapshotted.restarts.get(0).nids());
        assertEquals("alltoall: " + RANKS + " ranks, " + ROUNDS + " rounds, " + (RANKS * RANKS * ROUNDS) + " messages, ok\n", snapshotted.out(),
                "the output of a run without failure, once");

        JobReport.JobFinished failed = withoutSnapshot.finish(LONG);
        assertEquals(137, failed.shellStatus(), failed::toString);
        assertEquals(List.of(), withoutSnapshot.restarts);
        for (JobReport.RankStatus rank : failed.statuses()) {
            String lostOne = "node " + rank.nid() + " was lost with its member " + member;
            if (lost.contains(rank.nid())) {
                assertEquals(lostOne, rank.report(), failed::toString);
            } else {
                assertTrue(rank.report().matches("rank \\d+ ended: node \\d+ was lost with its member " + member), failed::toString);
            }
        }
        NodeActor.MigrationReport move = operator.receiveMessage(PLACED);
        assertEquals(false, move.moved(), move::toString);
        // Or refused, if B's node actors' last words ended the job before the move was asked.
        assertTrue(Set.of("job " + withoutSnapshot.started.jobId() + " ended before the move did", "there is no running job " + withoutSnapshot.started.jobId())
                .contains(move.reason()), move::toString);
    }

    /**
     * Every rank prints a line, then computes and prints its checksum, rank r after r more
     * turns of work than rank 0, so the ranks end in turn. The snapshot is taken after the
     * first lines; once the first rank on A has printed its checksum, member B, which holds a
     * later rank still computing, is lost: restarted from the snapshot, the ranks print their
     * checksums again, and yod passes on none of what the user has seen.
     */
    @Test
    void aRestartedJobPrintsNothingTwice() {
        TestProbe<JobReport> client = a.createTestProbe();
        // Rank 0's work outlasts the snapshot on a quiet host (800 rounds did not, on CI's); each later rank's outlasts the one before by half.
        int rounds = 3000;
        int moreEachRank = 1500;
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("bench/bench_migrate.elf"),
                List.of("bench_migrate", "1", "" + rounds, "" + WORKING_KIB, "" + moreEachRank), null),
                JobPlacement.of(Partition.COMPUTE), RANKS, client.getRef(), Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        MachineJob job = new MachineJob(client);
        List<Integer> nidsOnB = onB(job);
        List<Integer> nids = job.started.nids();
        int firstOnA = IntStream.range(0, RANKS).filter(rank -> !nidsOnB.contains(nids.get(rank))).findFirst().orElseThrow();
        assertTrue(IntStream.range(firstOnA + 1, RANKS).anyMatch(rank -> nidsOnB.contains(nids.get(rank))),
                () -> "no rank after rank " + firstOnA + " on member B: " + nids + ", B holds " + nidsOnB);
        job.awaitLines("bench_migrate touched 1 MiB", RANKS);
        TestProbe<Checkpoint.Taken> answer = a.createTestProbe();
        machine.tell(new Machine.Checkpoint(job.started.jobId(), answer.getRef()));
        Checkpoint.Taken taken = answer.receiveMessage(LONG);
        assertTrue(taken.written(), taken::toString);
        job.awaitLines(checksumLine(rounds + (long) firstOnA * moreEachRank), 1);

        b.system().terminate();
        ClusterMembers.downAtOnce(b, a);

        JobReport.JobFinished end = job.finish(LONG);
        assertEquals(0, end.shellStatus(), () -> end + job.out() + job.err());
        assertEquals(1, job.restarts.size(), () -> "restarted once: " + job.restarts);
        List<String> expected = new ArrayList<>();
        for (int rank = 0; rank < RANKS; rank++) {
            expected.add("bench_migrate touched 1 MiB");
            expected.add(checksumLine(rounds + (long) rank * moreEachRank));
        }
        assertEquals(expected.stream().sorted().toList(), job.out().lines().sorted().toList(), "every rank's lines, once each");
    }

    private static final int WORKING_KIB = 64;

    /** What bench_migrate prints after {@code rounds} over 1 MiB with a working set of {@link #WORKING_KIB} (guest/bench/bench_migrate.c). */
    private static String checksumLine(long rounds) {
        int words = 1 << 18;
        int[] memory = new int[words];
        int state = 1;
        for (int i = 0; i < words; i++) {
            state = state * 1103515245 + 12345;
            memory[i] = (state >>> 20) | 1;
        }
        int working = Math.min(WORKING_KIB << 8, words);
        int checksum = 0;
        for (long round = 0; round < rounds; round++) {
            for (int i = 0; i < working; i++) {
                int value = memory[i] * 31 + (int) round;
                memory[i] = value;
                checksum = checksum * 7 + value + memory[(int) (((i * 4099L + round * 65537L) & 0xFFFF_FFFFL) % words)];
            }
        }
        return String.format("bench_migrate rounds %d checksum 0x%08x", rounds, checksum);
    }
}
