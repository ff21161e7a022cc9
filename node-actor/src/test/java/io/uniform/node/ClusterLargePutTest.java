package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Puts larger than Artery's frame between members: pingpong's puts of up to 1 MiB between two
 * ranks on different members of a cluster whose members keep the default 256 KiB frame (as the
 * CLI's do). Sent whole, such a put cannot be serialized (Artery logs "Failed to serialize
 * oversized message" and drops it), its channel resends it forever and the job never ends; sent
 * in fragments of {@code uniform.portals.fragment-bytes}, every byte arrives as sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterLargePutTest {
    private static final Duration QUIET = Duration.ofMinutes(2);
    /** Members as the CLI's are; a loaded host may take longer than the default 5 s to start a member's logger. */
    private static final String MEMBER = ClusterMachineMigrationTest.HOST_MEMBER + "\npekko.logger-startup-timeout = 30s";

    private ActorTestKit a;
    private ActorTestKit b;

    @BeforeAll
    void formCluster() {
        List<ActorTestKit> members = ClusterMembers.form(MEMBER, MEMBER);
        a = members.get(0);
        b = members.get(1);
    }

    @AfterAll
    void leaveCluster() {
        ClusterMembers.leave(b, Duration.ofSeconds(90));
        if (a != null) {
            a.shutdownTestKit();
        }
    }

    @Test
    void putsOfUpToOneMebibyteBetweenMembersAtTheDefaultFrameArriveWhole() {
        ActorRef<Machine.Command> machine = ClusterMembers.startRoundRobin(MachineDescriptions.defaultMachine(), "large-puts", List.of(a, b), a);
        TestProbe<JobReport> client = a.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/pingpong.elf"), List.of("pingpong", "--check", "2", "2"), null),
                Partition.COMPUTE, 2, client.getRef()));
        MachineJob job = new MachineJob(client);
        TestProbe<Machine.Status> status = a.createTestProbe();
        machine.tell(new Machine.GetStatus(status.getRef()));
        Map<Integer, String> members = status.receiveMessage(QUIET).members();
        List<Integer> nids = job.started.nids();
        assertEquals(2, nids.stream().map(members::get).distinct().count(), () -> "ranks on " + nids + " of " + members);

        JobReport.JobFinished finished = job.finish(QUIET);
        assertEquals(0, finished.shellStatus(), () -> finished + "\n" + job.out() + job.err());
        assertTrue(job.out().lines().anyMatch("pingpong: check, 2 ranks, 11 sizes, 2 round trips and 2 streamed each, ok"::equals), job::out);
    }
}
