package io.uniform.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class JobKeeperTest {
    /** A keeper follows the cluster's membership: a system of one member that never joins will do. */
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            """).withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    /**
     * A machine that reports failed a job its keeper carries on under a new id (a replica of its
     * former run, brought back by gossip) ends nothing: the keeper stays with the job, and its
     * client hears only the end of the job as it runs now.
     */
    @Test
    void anEndOfTheJobUnderAnIdItNoLongerRunsUnderIsNotPassedOn() {
        TestProbe<Machine.Command> machine = TEST_KIT.createTestProbe();
        TestProbe<JobReport> client = TEST_KIT.createTestProbe();
        TestProbe<Yod.Command> yod = TEST_KIT.createTestProbe();
        Program program = new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "1"), null);
        ActorRef<?> keeper = TEST_KIT.spawn(JobKeeper.create(machine.getRef(),
                replyTo -> new Machine.Run(program, JobPlacement.of(Partition.COMPUTE), 2, replyTo, Yod.Options.NONE), client.getRef()));
        ActorRef<JobReport> reports = machine.expectMessageClass(Machine.Run.class).client();

        JobReport.JobStarted started = new JobReport.JobStarted(5, List.of(1, 2), yod.getRef());
        reports.tell(started);
        assertEquals(started, client.receiveMessage());
        reports.tell(new JobReport.JobFinished(3, List.of(), "reported failed: a former run of the job"));
        client.expectNoMessage(Duration.ofMillis(300));

        JobReport.JobFinished end = new JobReport.JobFinished(5, List.of(), null);
        reports.tell(end);
        assertEquals(end, client.receiveMessage());
        client.expectTerminated(keeper);
    }
}
