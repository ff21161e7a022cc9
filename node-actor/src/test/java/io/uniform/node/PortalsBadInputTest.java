package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.uniform.config.MachineDescriptions;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 5's bad input on the machine: guest/mpp/portals_bad_input as a yod job whose rank 0 puts
 * to a node and to a process that do not exist and to a portal its victim never attached, makes
 * malformed descriptors and points event queues into its text, while every rank keeps exchanging
 * checked messages; each bad call gets its Portals error or its message is dropped (and counted
 * where the specification counts it), and no other process notices. Then the same nodes run the
 * next Portals job to its exact result.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalsBadInputTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
    private static final AtomicInteger MACHINES = new AtomicInteger();
    private static final String CASES = """
            PASS a put to a node that does not exist
            PASS a put to a process that does not exist
            PASS a put to an unattached portal index
            PASS malformed memory descriptors
            PASS event queue handles into the text segment
            """;

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    /** A job's nodes, its standard output, and how it ended. */
    private record Finished(List<Integer> nids, String out, JobReport.JobFinished finished) {}

    private ActorRef<Machine.Command> machine() {
        return testKit.spawn(Machine.create(MachineDescriptions.defaultMachine()), "bad-input-" + MACHINES.incrementAndGet());
    }

    /** Runs guest/elf/mpp/PROGRAM.elf as a job and waits for its end (a job that hangs fails the test). */
    private Finished run(ActorRef<Machine.Command> machine, JobPlacement placement, int size, String program, String... arguments) {
        List<String> argv = new ArrayList<>(List.of(program));
        argv.addAll(List.of(arguments));
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/" + program + ".elf"), argv, null), placement, size, client.getRef(),
                Yod.Options.NONE));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> nids = List.of();
        while (true) {
            JobReport report = client.receiveMessage(JOB_TIMEOUT);
            if (report instanceof JobReport.JobStarted started) {
                nids = started.nids();
            } else if (report instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            } else if (report instanceof JobReport.JobFinished finished) {
                return new Finished(nids, out.toString(StandardCharsets.UTF_8), finished);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = JobPlacement.class, names = {"COMPUTE", "MIXED"})
    void badInputGetsItsErrorOrIsDroppedAndHarmsNoOtherProcessNorTheNodes(JobPlacement placement) {
        ActorRef<Machine.Command> machine = machine();
        Finished bad = run(machine, placement, 3, "portals_bad_input");
        assertEquals(0, bad.finished().shellStatus(), bad::toString);
        assertEquals(CASES + "portals_bad_input: 3 ranks, 50 checks, 54 good messages, ok\n", bad.out());

        Finished next = run(machine, placement, 3, "alltoall", "5");
        assertEquals(bad.nids(), next.nids(), "the same nodes");
        assertEquals(0, next.finished().shellStatus(), next::toString);
        assertEquals("alltoall: 3 ranks, 5 rounds, 45 messages, ok\n", next.out());
    }

    @Test
    void morePutsToANodeThatDoesNotExistThanAChannelsCreditWindowLeaveTheSenderRunning() {
        Finished run = run(machine(), JobPlacement.COMPUTE, 2, "portals_bad_input", "100");
        assertEquals(0, run.finished().shellStatus(), run::toString);
        assertEquals(CASES + "portals_bad_input: 2 ranks, 234 checks, 24 good messages, ok\n", run.out());
    }
}
