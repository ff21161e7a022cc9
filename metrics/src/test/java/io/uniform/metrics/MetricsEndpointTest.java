package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes a member's endpoint while jobs run on its embedded machine: the figures are the
 * machine's (instructions grow, the job's nodes are running in the compute partition, the Portals
 * traffic is token_ring's), and Prometheus' promtool accepts the text.
 */
class MetricsEndpointTest extends MachineWithMetrics {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
    private static final int RANKS = 3;

    private ActorRef<Machine.Command> machine() throws IOException {
        return machine(ConfigFactory.parseString("uniform.metrics.port = " + freePort()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private JobReport.JobStarted start(ActorRef<Machine.Command> machine, Program program, TestProbe<JobReport> client) {
        machine.tell(new Machine.Run(program, JobPlacement.COMPUTE, RANKS, client.getRef(), Yod.Options.NONE));
        return client.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT);
    }

    @Test
    void aRunningJobsNodesAreRunningInTheComputePartitionAndRetireInstructions() throws Exception {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        JobReport.JobStarted job = start(machine, tokenRing(1_000_000), client);
        AtomicReference<Scrape> first = new AtomicReference<>();
        client.awaitAssert(JOB_TIMEOUT, Duration.ofMillis(100), () -> {
            Scrape scrape = Scrape.of(metrics.port());
            for (int nid : job.nids()) {
                assertEquals(1.0, scrape.sum("uniform_node_state", "nid=\"" + nid + "\"", "partition=\"compute\"", "state=\"running\""),
                        "node " + nid + " runs the job in the compute partition:\n" + scrape.text());
            }
            assertEquals(RANKS, scrape.sum("uniform_member_nodes", "partition=\"compute\"", "state=\"running\""));
            assertEquals(RANKS, scrape.sum("uniform_job_ranks", "job_id=\"" + job.jobId() + "\"", "program=\"token_ring\""));
            assertTrue(scrape.sum("uniform_node_instructions_total") > 0);
            first.set(scrape);
            return null;
        });
        double before = first.get().sum("uniform_node_instructions_total");
        client.awaitAssert(JOB_TIMEOUT, Duration.ofMillis(100), () -> {
            Scrape scrape = Scrape.of(metrics.port());
            assertTrue(scrape.sum("uniform_node_instructions_total") > before, "instructions retired grow while the job runs");
            assertTrue(scrape.sum("uniform_node_portal_messages_sent_total") > 0);
            assertTrue(scrape.sum("uniform_node_mips") > 0);
            return null;
        });
        Promtool.require();
        Promtool.Result check = Promtool.checkMetrics(Scrape.of(metrics.port()).text());
        assertEquals(0, check.status(), "promtool check metrics:\n" + check.output());
        machine.tell(new Machine.KillJob(job.jobId(), "the test has seen enough"));
    }

    @Test
    void aJobsSnapshotsAndARestartFromOneAreCountedPerJob(@TempDir Path snapshots) throws Exception {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(tokenRing(1_000_000), JobPlacement.COMPUTE, RANKS, client.getRef(),
                Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        JobReport.JobStarted job = client.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT);
        String ofJob = "job_id=\"" + job.jobId() + "\"";
        Checkpoint.Taken last = null;
        for (int taken = 1; taken <= 2; taken++) {
            TestProbe<Checkpoint.Taken> answer = testKit.createTestProbe();
            machine.tell(new Machine.Checkpoint(job.jobId(), answer.getRef()));
            last = answer.expectMessageClass(Checkpoint.Taken.class, JOB_TIMEOUT);
            assertTrue(last.written(), last::toString);
            int expected = taken;
            client.awaitAssert(JOB_TIMEOUT, Duration.ofMillis(100), () -> {
                Scrape scrape = Scrape.of(metrics.port());
                assertEquals(expected, scrape.sum("uniform_job_snapshots_total", ofJob), scrape::text);
                assertEquals(0, scrape.sum("uniform_job_restarts_total", ofJob), scrape::text);
                return null;
            });
        }
        machine.tell(new Machine.KillJob(job.jobId(), "the test has its snapshots"));

        TestProbe<JobReport> restartedClient = testKit.createTestProbe();
        machine.tell(new Machine.Restart(last.file(), null, restartedClient.getRef(), Yod.Options.NONE));
        JobReport.JobStarted restarted = restartedClient.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT);
        String ofRestarted = "job_id=\"" + restarted.jobId() + "\"";
        client.awaitAssert(JOB_TIMEOUT, Duration.ofMillis(100), () -> {
            Scrape scrape = Scrape.of(metrics.port());
            assertEquals(1, scrape.sum("uniform_job_restarts_total", ofRestarted, "program=\"token_ring\""), scrape::text);
            assertEquals(RANKS, scrape.sum("uniform_job_ranks", ofRestarted), scrape::text);
            assertEquals(0, scrape.sum("uniform_job_ranks", ofJob), () -> "the killed job is gone:\n" + scrape.text());
            return null;
        });
        Promtool.require();
        Promtool.Result check = Promtool.checkMetrics(Scrape.of(metrics.port()).text());
        assertEquals(0, check.status(), "promtool check metrics:\n" + check.output());
        machine.tell(new Machine.KillJob(restarted.jobId(), "the test has seen enough"));
    }
}
