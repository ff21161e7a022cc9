package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

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

}
