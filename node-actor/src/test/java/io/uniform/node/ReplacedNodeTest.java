package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node crashed and booted again as a new actor takes the next job at once, with every peer:
 * the old actor's death closes only what was on it, never the new job's traffic (the chaos runs
 * found jobs that never ended there).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplacedNodeTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
    private static final int LAPS = 3;

    @JUnit5TestKit
    ActorTestKit testKit = newTestKit();

    private final MachineDescription description = MachineDescriptions.defaultMachine();
    private final int computeNodes = description.count(Partition.COMPUTE);

    /** The kit the machine, the probes and the clients live in. */
    ActorTestKit newTestKit() {
        return TestKits.serializing();
    }

    /** A new machine of {@code machine} named {@code name}, ready for jobs. */
    ActorRef<Machine.Command> spawnMachine(MachineDescription machine, String name) {
        return testKit.spawn(Machine.create(machine), name);
    }

    @Test
    void aJobStartedOnANodeJustCrashedAndBootedAgainEndsRightEveryTime() {
        ActorRef<Machine.Command> machine = spawnMachine(description, "crashing");
        // Every peer has run a job with every other, so each holds the old actors' refs when they crash.
        assertRingRuns(machine, runAtOnce(machine));
        Random random = new Random(7);
        int[] nids = description.nids(Partition.COMPUTE);
        for (int round = 0; round < 15; round++) {
            int crashed = nids[random.nextInt(nids.length)];
            machine.tell(new Machine.CrashNode(crashed));
            List<Integer> ran = assertRingRuns(machine, runAtOnce(machine));
            assertTrue(ran.contains(crashed), () -> "node " + crashed + " is not among " + ran);
        }
    }

    /** Runs the ring on every compute node as soon as the machine takes it (it refuses while a crashed node is handed back). */
    private TestProbe<JobReport> runAtOnce(ActorRef<Machine.Command> machine) {
        while (true) {
            TestProbe<JobReport> client = testKit.createTestProbe();
            machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/token_ring.elf"), List.of("token_ring", "" + LAPS), null),
                    Partition.COMPUTE, computeNodes, client.getRef()));
            JobReport first = client.receiveMessage(JOB_TIMEOUT);
            if (first instanceof JobReport.JobStarted) {
                return client;
            }
            JobReport.JobFinished refused = (JobReport.JobFinished) first;
            assertTrue(refused.statuses().isEmpty(), refused::toString);
        }
    }

    /** Waits for the ring's end: it must print its check; answers its nids, in rank order. */
    private static List<Integer> assertRingRuns(ActorRef<Machine.Command> machine, TestProbe<JobReport> client) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            JobReport report = client.receiveMessage(JOB_TIMEOUT);
            if (report instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            } else if (report instanceof JobReport.JobFinished finished) {
                String printed = out.toString(StandardCharsets.UTF_8);
                assertNull(finished.error(), finished::toString);
                assertEquals(0, finished.shellStatus(), finished::toString);
                int size = finished.statuses().size();
                assertTrue(printed.lines().anyMatch(("token_ring: " + size + " ranks, " + LAPS + " laps, " + size * LAPS + " hops, ok")::equals),
                        printed);
                return finished.statuses().stream().map(JobReport.RankStatus::nid).toList();
            }
        }
    }
}
