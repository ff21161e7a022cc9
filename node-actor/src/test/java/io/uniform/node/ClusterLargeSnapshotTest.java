package io.uniform.node;

import static io.uniform.node.ClusterMembers.hostPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.MemberPlacement;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.SnapshotRecords;
import io.uniform.node.yod.Yod;
import io.uniform.portals.Fragment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of a job whose 1 MiB puts are in flight between two members that keep Artery's
 * default 256 KiB frame. The member receiving the puts records them on its channel and sends
 * them to yod on the other member: recorded whole and batched by count, a batch outgrew the
 * frame, Artery dropped it and the snapshot timed out; as pieces in batches bounded by bytes,
 * the snapshot completes, and a restart from it, whose restored receiver takes the pieces back
 * over the same frame, joins each recorded put whole and delivers it once: the restarted job
 * prints the checked result of a run without failure.
 */
class ClusterLargeSnapshotTest {
    private static final Duration LONG = Duration.ofMinutes(3);
    private static final int MEBIBYTE = 1024 * 1024;
    /** Puts streamed back to back at each size: the 1 MiB ones keep the channel's window full for a while. */
    private static final int STREAM = 160;
    private static final String RESULT = "pingpong: check, 2 ranks, 11 sizes, 1 round trips and " + STREAM + " streamed each, ok\n";
    /** Runs of the job the test may need before a snapshot catches a put in flight. */
    private static final int RUNS = 5;
    /** Why a snapshot is not taken once its job has ended (the machine's, yod's, or an abandoned snapshot's reason). */
    private static final Pattern JOB_ENDED = Pattern.compile("there is no running job|rank \\d+ has ended|the job ended");
    /** Host members at the default frame. */
    private static final String MEMBER = ClusterMachineMigrationTest.HOST_MEMBER + "\npekko.logger-startup-timeout = 30s";

    @TempDir
    Path snapshots;

    private ActorTestKit a;
    private ActorTestKit b;
    private ActorRef<Machine.Command> machine;

    @BeforeEach
    void startMachineOnTwoMembers() {
        List<ActorTestKit> members = ClusterMembers.form(MEMBER, MEMBER);
        a = members.get(0);
        b = members.get(1);
        // A job's two nodes (the lowest free compute nids) on A, where the machine and yod run, and on B.
        MachineDescription split = MachineDescriptions.defaultMachine()
                .withPlacement(new MemberPlacement(MemberPlacement.Policy.EXPLICIT, Map.of(1, 0, 2, 1)));
        machine = MachineCluster.startMember(a.system(), "large-snapshot", split, refusal -> {});
        MachineCluster.startMember(b.system(), "large-snapshot", split, refusal -> {});
        ClusterMembers.awaitPlacedOn(a, machine, split, Set.of(hostPort(a), hostPort(b)));
    }

    @AfterEach
    void stopMembers() {
        ClusterMembers.leave(b, Duration.ofSeconds(90));
        a.shutdownTestKit();
    }

    /** Asserts that {@code job}'s rank 1, which the puts stream to, runs on member B. */
    private void assertRankOneOnB(MachineJob job) {
        TestProbe<Machine.Status> status = a.createTestProbe();
        machine.tell(new Machine.GetStatus(status.getRef()));
        Map<Integer, String> members = status.receiveMessage(LONG).members();
        assertEquals(hostPort(b), members.get(job.started.nids().get(1)), () -> "rank 1 on member B: " + job.started.nids() + " of "
                + members);
    }

    @Test
    void aSnapshotWithMebibytePutsInFlightBetweenMembersCompletesAndARestartFromItGivesTheFailureFreeResult() throws Exception {
        Program pingpong = new Program(GuestFiles.elf("mpp/pingpong.elf"), List.of("pingpong", "--check", "1", "" + STREAM), null);
        Yod.Options options = Yod.Options.NONE.withSnapshots(0, snapshots.toString());
        Checkpoint.Taken withLargePuts = null;
        for (int run = 0; withLargePuts == null; run++) {
            // Whether a snapshot catches a put in flight is chance: on an idle host a run once ended after 12 snapshots.
            assertTrue(run < RUNS, "no snapshot of " + RUNS + " runs caught a 1 MiB put in flight");
            TestProbe<JobReport> client = a.createTestProbe();
            machine.tell(new Machine.Run(pingpong, JobPlacement.of(Partition.COMPUTE), 2, client.getRef(), options));
            MachineJob original = new MachineJob(client);
            assertRankOneOnB(original);
            withLargePuts = snapshotWithMebibytePutsToRankOne(original);
            JobReport.JobFinished end = original.finish(LONG);
            assertEquals(0, end.shellStatus(), () -> end + original.out() + original.err());
            assertEquals(RESULT, original.out());
        }

        TestProbe<JobReport> again = a.createTestProbe();
        machine.tell(new Machine.Restart(withLargePuts.file(), pingpong, again.getRef(), options));
        MachineJob restarted = new MachineJob(again);
        assertRankOneOnB(restarted);
        JobReport.JobFinished restartedEnd = restarted.finish(LONG);
        assertEquals(0, restartedEnd.shellStatus(), () -> restartedEnd + restarted.out() + restarted.err());
        assertEquals(RESULT, restarted.out(), "the result of a run without failure, from a snapshot with " + withLargePuts.channelMessages()
                + " messages in flight");
    }

    /**
     * Snapshots {@code job} until one holds a 1 MiB put in flight to rank 1, the others deleted;
     * null if the job ends first (a snapshot refused or abandoned for its end).
     */
    private Checkpoint.Taken snapshotWithMebibytePutsToRankOne(MachineJob job) throws Exception {
        for (int attempt = 0; ; attempt++) {
            TestProbe<Checkpoint.Taken> answer = a.createTestProbe();
            machine.tell(new Machine.Checkpoint(job.started.jobId(), answer.getRef()));
            Checkpoint.Taken taken = answer.receiveMessage(LONG);
            int tried = attempt;
            if (!taken.written() && JOB_ENDED.matcher(taken.reason()).find()) {
                return null;
            }
            assertTrue(taken.written(), () -> "attempt " + tried + ": " + taken);
            if (recordsMebibytePutsToRankOne(Path.of(taken.file()))) {
                return taken;
            }
            Files.delete(Path.of(taken.file()));
        }
    }

    /** Whether the snapshot holds, on rank 1's channels, a piece of a 1 MiB put. */
    private boolean recordsMebibytePutsToRankOne(Path file) throws Exception {
        return SnapshotRecords.of(file, SerializationExtension.get(Adapter.toClassic(a.system()))).stream()
                .filter(record -> record instanceof Checkpoint.RankChannels channels && channels.rank() == 1)
                .flatMap(record -> ((Checkpoint.RankChannels) record).messages().stream())
                .anyMatch(message -> message.payload() instanceof Fragment piece && piece.length() == MEBIBYTE);
    }
}
