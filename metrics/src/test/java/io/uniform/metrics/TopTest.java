package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** top on a member's view: the screens it draws of a machine running a job, and when it stops. */
class TopTest extends MachineWithMetrics {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final Top.Settings TWO_SCREENS = new Top.Settings(Duration.ofMillis(200), 2, true);

    private String show(Top.Settings settings, CompletableFuture<?> stop, int screens) throws InterruptedException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(screens, Top.show(testKit.system(), metrics.view(), settings, new PrintStream(text, true, StandardCharsets.UTF_8), stop));
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachScreenIsRedrawnWithTheJobsNodesRunning() throws InterruptedException {
        ActorRef<Machine.Command> machine = machine(ConfigFactory.empty());
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(tokenRing(1_000_000), JobPlacement.COMPUTE, 3, client.getRef(), Yod.Options.NONE));
        JobReport.JobStarted job = client.expectMessageClass(JobReport.JobStarted.class, TIMEOUT);
        // Sampled (and so published to the view) once the job's nodes run it.
        TestProbe<MemberReport> reports = testKit.createTestProbe();
        reports.awaitAssert(TIMEOUT, () -> {
            metrics.view().tell(new ClusterView.SampleMember(reports.getRef()));
            MemberReport report = reports.expectMessageClass(MemberReport.class);
            assertEquals(3, report.nodes().stream().filter(node -> node.figures().state().status() == NodeActor.Status.RUNNING).count());
            return null;
        });
        String screens = show(TWO_SCREENS, new CompletableFuture<>(), 2);
        String[] drawn = screens.split(java.util.regex.Pattern.quote(Top.CLEAR), -1);
        assertEquals(3, drawn.length, "each of the two screens starts by clearing the last:\n" + screens);
        for (int i = 1; i < drawn.length; i++) {
            assertTrue(drawn[i].startsWith("uniform top: 1 member, "), drawn[i]);
            assertTrue(drawn[i].contains(" 1 job, "), drawn[i]);
            assertTrue(drawn[i].matches("(?s).*\\n  compute .* 3 running\\n.*"), drawn[i]);
            assertTrue(drawn[i].matches("(?s).*\\n" + job.jobId() + " +token_ring +3 .*"), drawn[i]);
        }
        machine.tell(new Machine.KillJob(job.jobId(), "the test has seen enough"));
    }

    @Test
    void aStopDrawsALastScreenAtOnce() throws InterruptedException {
        machine(ConfigFactory.empty());
        String screens = show(new Top.Settings(Duration.ofHours(1), 0, false), CompletableFuture.completedFuture(null), 1);
        assertTrue(screens.startsWith("uniform top: "), screens);
        assertTrue(!screens.contains(Top.CLEAR), "no redraw asked for");
    }
}
