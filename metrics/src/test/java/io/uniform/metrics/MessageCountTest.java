package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The Portals messages counted for token_ring's traffic, exactly, job by job on one machine: each
 * job is waited for to its end and the member then sampled afresh ({@link ClusterView.SampleMember}),
 * so the figures include its last message. A token is the only message that carries data (16
 * bytes); each rank sends and consumes one per lap. The collectives' messages carry none: the two
 * barriers' notifications (2 per rank each, 3 ranks) and the first-contact hellos and their
 * acknowledgments, which the library resends on a 1 ms timeout, so their number depends on timing
 * (3 hellos and 3 acknowledgments at least). Everything sent is consumed.
 */
class MessageCountTest extends MachineWithMetrics {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
    private static final int RANKS = 3;
    private static final int TOKEN_BYTES = 16;
    private static final int BARRIER_NOTIFICATIONS = 2 * RANKS * 2;
    private static final int LEAST_HANDSHAKE = 2 * RANKS;

    /** Runs token_ring to its end: its nodes. */
    private List<Integer> run(ActorRef<Machine.Command> machine, int laps) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(tokenRing(laps),
                JobPlacement.COMPUTE, RANKS, client.getRef(), Yod.Options.NONE));
        List<Integer> nids = client.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT).nids();
        JobReport report;
        do {
            report = client.expectMessageClass(JobReport.class, JOB_TIMEOUT);
        } while (!(report instanceof JobReport.JobFinished));
        JobReport.JobFinished finished = (JobReport.JobFinished) report;
        assertNull(finished.error());
        finished.statuses().forEach(status -> assertEquals(0, status.status().code(), status.toString()));
        return nids;
    }

    /** Every node's activity, sampled after this call. */
    private Map<Integer, NodeActor.Activity> sample() {
        TestProbe<MemberReport> probe = testKit.createTestProbe();
        metrics.view().tell(new ClusterView.SampleMember(probe.getRef()));
        return probe.expectMessageClass(MemberReport.class, JOB_TIMEOUT).nodes().stream()
                .collect(Collectors.toMap(NodeSample::nid, sample -> sample.figures().activity()));
    }

    @Test
    void eachJobsTokensAreCountedOnceWhereSentAndWhereConsumed() {
        ActorRef<Machine.Command> machine = machine(ConfigFactory.empty());
        int nodes = MachineDescriptions.defaultMachine().nodeCount();
        testKit.createTestProbe().awaitAssert(JOB_TIMEOUT, () -> {
            assertEquals(nodes, sample().size(), "the machine's nodes are listed");
            return null;
        });
        Map<Integer, NodeActor.Activity> before = sample();
        for (int laps : new int[] {10, 40}) {
            List<Integer> nids = run(machine, laps);
            Map<Integer, NodeActor.Activity> after = sample();
            assertEquals(before.keySet(), after.keySet(), "the machine's nodes");
            long sent = 0;
            long consumed = 0;
            for (int nid : after.keySet()) {
                NodeActor.Activity was = before.get(nid);
                NodeActor.Activity is = after.get(nid);
                long tokenBytes = nids.contains(nid) ? (long) laps * TOKEN_BYTES : 0;
                assertEquals(tokenBytes, is.bytesOut() - was.bytesOut(), "bytes node " + nid + " sent in a job of " + laps + " laps");
                assertEquals(tokenBytes, is.bytesIn() - was.bytesIn(), "bytes node " + nid + " consumed in a job of " + laps + " laps");
                if (!nids.contains(nid)) {
                    assertEquals(was, is, "node " + nid + " is not the job's");
                }
                sent += is.messagesOut() - was.messagesOut();
                consumed += is.messagesIn() - was.messagesIn();
            }
            assertEquals(sent, consumed, "every message sent is consumed");
            long collectives = sent - (long) RANKS * laps;
            assertTrue(collectives >= BARRIER_NOTIFICATIONS + LEAST_HANDSHAKE,
                    "besides the " + RANKS * laps + " tokens, the barriers' " + BARRIER_NOTIFICATIONS
                            + " notifications and a hello and acknowledgment to each first peer: " + collectives);
            before = after;
        }
    }
}
