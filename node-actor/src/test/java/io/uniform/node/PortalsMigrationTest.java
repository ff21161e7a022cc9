package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A rank moved in the middle of its Portals state, in every direction, through the machine
 * with real kernels and every message serialized: guest/mpp/portals_migration holds its inbox
 * partly consumed with events unread, gets and acknowledged puts of its own outstanding, and
 * its peer's requests in flight to it, when it announces itself; the test moves it then, and
 * only after the move opens the gate the program waits behind, so the move always lands in
 * that state. The program checks every event, offset, reply and acknowledgment exactly.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalsMigrationTest {
    private static final AtomicInteger MACHINES = new AtomicInteger();
    private static final int MOVER = 1;

    @JUnit5TestKit
    ActorTestKit testKit = newTestKit();

    ActorTestKit newTestKit() {
        return TestKits.serializing();
    }

    @TempDir
    Path files;

    private final MachineDescription description = MachineDescriptions.defaultMachine();

    /**
     * Rank 1 starts in {@code start} and moves to each partition of {@code hops} in turn while it
     * holds its state. Linux to Puma applies to a process that started on Puma (one started on
     * Linux never fits Puma's region), so that direction is the second hop of a Puma process.
     */
    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"COMPUTE, SERVICE", "COMPUTE, SERVICE COMPUTE", "COMPUTE, COMPUTE", "SERVICE, SERVICE"})
    void aRankMovedWhileItHoldsPortalsStateLosesNoneOfIt(Partition start, String hops) throws Exception {
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(description), "portals-moving-" + MACHINES.incrementAndGet());
        List<Partition> partitions = Arrays.stream(hops.split(" ")).map(Partition::valueOf).toList();
        String gate = "gate-" + start.label() + "-" + String.join("-", hops.split(" "));
        TestProbe<JobReport> client = testKit.createTestProbe();
        Program program = new Program(GuestFiles.elf("mpp/portals_migration.elf"), List.of("portals_migration", "" + MOVER, gate), null);
        machine.tell(new Machine.Run(program, JobPlacement.of(start), 2, client.getRef(), new Yod.Options(files.toString(), false, null, 0)));
        MachineJob job = new MachineJob(client);
        int jobId = job.started.jobId();

        job.awaitLine("portals_migration: rank " + MOVER + " holds its state");
        List<NodeActor.MigrationReport> reports = new ArrayList<>();
        for (Partition to : partitions) {
            reports.add(MachineJob.ask(testKit, machine, replyTo -> new Machine.Migrate(jobId, MOVER, Machine.ANY_NODE, to, replyTo)));
        }
        Files.createFile(files.resolve(gate)); // whatever the moves' outcome, the program goes on
        int at = job.started.nids().get(MOVER);
        for (int hop = 0; hop < partitions.size(); hop++) {
            NodeActor.MigrationReport report = reports.get(hop);
            assertTrue(report.moved(), report.toString());
            assertEquals(at, report.from());
            assertEquals(partitions.get(hop), description.partition(report.to()));
            at = report.to();
        }

        JobReport.JobFinished finished = job.finish();
        assertEquals(0, finished.shellStatus(), () -> finished + "\n" + job.out() + job.err());
        assertEquals(List.of("portals_migration: 2 ranks, ok", "portals_migration: rank 1 holds its state",
                        "portals_migration: rank 1 ran on " + os(start) + ", then on " + os(partitions.get(partitions.size() - 1))),
                job.out().lines().sorted().toList(), "the checks passed (rank 0's line and the mover's come from two nodes, in either order)");
        assertEquals(reports.stream().map(NodeActor.MigrationReport::to).toList(), job.moves.stream().map(JobEvent.Moved::nid).toList());
        assertEquals(at, finished.statuses().get(MOVER).nid(), "the mover ended where it moved last");
    }

    private static String os(Partition partition) {
        return partition == Partition.COMPUTE ? "puma" : "linux";
    }
}
