package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.MemberPlacement;
import io.uniform.config.NodeAllocator;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that loses a member holding most of its compute nodes restarts from its snapshot with
 * the Puma ranks the survivor's compute nodes cannot take on its service nodes, under Linux,
 * to the output of a run without failure (two actor systems of one cluster; member B stopped
 * as a crash and downed at once, as the split brain resolver downs it in {@link ClusterSnapshotRestartTest}).
 */
class ClusterRestartAcrossOsTest {
    private static final int RANKS = 8;
    private static final int ROUNDS = 800;
    /** Ranks 0 and 1 run on member A, the others on member B. */
    private static final int RANKS_ON_A = 2;

    @TempDir
    Path snapshots;

    @Test
    void pumaRanksTheSurvivorsComputeNodesCannotTakeRestartOnItsLinuxNodes() {
        MachineDescription description = MachineDescriptions.defaultMachine();
        Set<Integer> compute = Arrays.stream(description.nids(Partition.COMPUTE)).boxed().collect(Collectors.toSet());
        // The nodes the job gets (the allocator is deterministic); B hosts all but its first two, and no other node.
        List<Integer> jobNids = NodeAllocator.allocate(description, compute, RANKS).nids();
        Map<Integer, Integer> memberOf = new HashMap<>();
        for (int nid = 0; nid < description.positionCount(); nid++) {
            memberOf.put(nid, jobNids.indexOf(nid) >= RANKS_ON_A ? 1 : 0);
        }
        List<ActorTestKit> members = ClusterMembers.form(ClusterSnapshotRestartTest.HOST_MEMBER, ClusterSnapshotRestartTest.CRASHING_MEMBER);
        ActorTestKit a = members.get(0);
        ActorTestKit b = members.get(1);
        try {
            ActorRef<Machine.Command> machine = ClusterMembers.start(
                    description.withPlacement(new MemberPlacement(MemberPlacement.Policy.EXPLICIT, memberOf)), "across-os", members, a);
            TestProbe<JobReport> client = a.createTestProbe();
            machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "" + ROUNDS), null),
                    JobPlacement.COMPUTE, RANKS, client.getRef(), Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
            MachineJob job = new MachineJob(client);
            assertEquals(jobNids, job.started.nids());
            MachineJob.checkpointInFlight(a, machine, job.started.jobId(), ClusterSnapshotRestartTest.LONG);

            b.system().terminate(); // as a crash: six of the job's eight compute nodes vanish
            ClusterMembers.downAtOnce(b, a);

            JobReport.JobFinished end = job.finish(ClusterSnapshotRestartTest.LONG);
            assertEquals(0, end.shellStatus(), () -> end + job.out() + job.err());
            assertEquals(1, job.restarts.size(), () -> "restarted once: " + job.restarts);
            int computeOnA = compute.size() - (RANKS - RANKS_ON_A);
            List<Partition> expected = IntStream.range(0, RANKS).mapToObj(rank -> rank < computeOnA ? Partition.COMPUTE : Partition.SERVICE)
                    .toList();
            List<Integer> restartedOn = job.restarts.get(0).nids();
            assertEquals(expected, restartedOn.stream().map(description::partition).toList(), () -> "restarted on " + restartedOn);
            assertTrue(restartedOn.stream().allMatch(nid -> memberOf.get(nid) == 0), () -> "restarted on " + restartedOn);
            assertEquals("alltoall: " + RANKS + " ranks, " + ROUNDS + " rounds, " + (RANKS * RANKS * ROUNDS) + " messages, ok\n", job.out(),
                    "the output of a run without failure, once");
        } finally {
            b.shutdownTestKit();
            a.shutdownTestKit();
        }
    }
}
