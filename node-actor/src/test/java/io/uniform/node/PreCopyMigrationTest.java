package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pre-copy (docs/ARCHITECTURE.md, "Migration"): a process that keeps writing its memory while
 * its pages go moves and ends exactly as it would have staying; a destination that refuses or
 * dies while pages are pre-copied leaves the process running where it was, to the same end.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreCopyMigrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger MACHINES = new AtomicInteger();
    /** bench_migrate: 4 MiB touched, then rounds over a 64 KiB working set, long enough (seconds) that a move finds it running. */
    private static final List<String> ARGV = List.of("bench_migrate", "4", "1500", "64");
    private static final int TOUCHED_PAGES = 4 << 8;
    private static final int WORKING_SET_PAGES = 16;

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    private final MachineDescription description = MachineDescriptions.defaultMachine();

    private static Program program() {
        return new Program(GuestFiles.elf("bench/bench_migrate.elf"), ARGV, null);
    }

    /** A job's stdout and moves as they come, until its end. */
    private static final class Job {
        final TestProbe<JobReport> client;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final JobReport.JobStarted started;
        int moves;

        Job(TestProbe<JobReport> client) {
            this.client = client;
            started = (JobReport.JobStarted) client.receiveMessage(TIMEOUT);
        }

        /** Reads reports until the process says it has touched its memory. */
        void awaitTouched() {
            while (!out().contains("touched")) {
                take(client.receiveMessage(TIMEOUT));
            }
        }

        JobReport.JobFinished finish() {
            while (true) {
                JobReport report = client.receiveMessage(TIMEOUT);
                if (report instanceof JobReport.JobFinished finished) {
                    return finished;
                }
                take(report);
            }
        }

        private void take(JobReport report) {
            if (report instanceof JobEvent.Output output && output.fd() == 1) {
                stdout.writeBytes(output.bytes());
            } else if (report instanceof JobEvent.Moved) {
                moves++;
            }
        }

        String out() {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    private Job run(ActorRef<Machine.Command> machine, Partition partition) {
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(program(), partition, 1, client.getRef()));
        return new Job(client);
    }

    /** Runs the program unmoved, then again moved to {@code to} once it has touched its memory: the same output. */
    private void movesAndEndsAsItWouldHaveStaying(Partition from, Partition to) {
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(description), "precopy-machine-" + MACHINES.incrementAndGet());
        Job stayed = run(machine, from);
        assertEquals(0, stayed.finish().shellStatus());

        Job moving = run(machine, from);
        moving.awaitTouched();
        TestProbe<NodeActor.MigrationReport> reports = testKit.createTestProbe();
        machine.tell(new Machine.Migrate(moving.started.jobId(), 0, Machine.ANY_NODE, to, reports.getRef()));
        NodeActor.MigrationReport report = reports.receiveMessage(TIMEOUT);
        assertTrue(report.moved(), report.toString());
        // Pre-copied: every touched page went while the process ran, and what it wrote meanwhile went again.
        assertTrue(report.pages() > TOUCHED_PAGES + WORKING_SET_PAGES, report.toString());
        JobReport.JobFinished finished = moving.finish();
        assertEquals(0, finished.shellStatus(), finished::toString);
        assertEquals(1, moving.moves);
        assertEquals(to, description.partition(finished.statuses().get(0).nid()));
        assertTrue(stayed.out().contains("checksum"), stayed.out());
        assertEquals(stayed.out(), moving.out());
    }

    @Test
    void aLinuxProcessThatKeepsWritingMovesToLinuxAndEndsAsItWouldHaveStaying() {
        movesAndEndsAsItWouldHaveStaying(Partition.SERVICE, Partition.SERVICE);
    }

    @Test
    void aPumaProcessThatKeepsWritingMovesToLinuxAndEndsAsItWouldHaveStaying() {
        movesAndEndsAsItWouldHaveStaying(Partition.COMPUTE, Partition.SERVICE);
    }

    // ---- failure during pre-copy: two Linux nodes, the destination wrapped to fail at its first pre-copied chunk

    /** Lets every message through but the first chunk of pages, which it hands to {@code failure}. */
    private static Behavior<NodeActor.Command> failingAtFirstChunk(Behavior<NodeActor.Command> node,
                                                                   Function<NodeActor.Pages, Behavior<NodeActor.Command>> failure,
                                                                   ActorRef<String> noticed) {
        return Behaviors.intercept(() -> new BehaviorInterceptor<NodeActor.Command, NodeActor.Command>(NodeActor.Command.class) {
            private boolean failed;

            @Override
            public Behavior<NodeActor.Command> aroundReceive(TypedActorContext<NodeActor.Command> context, NodeActor.Command message,
                                                            ReceiveTarget<NodeActor.Command> target) {
                if (message instanceof NodeActor.Pages pages && !failed) {
                    failed = true;
                    noticed.tell("pre-copy under way");
                    Behavior<NodeActor.Command> next = failure.apply(pages);
                    return next != null ? next : target.apply(context, new NodeActor.Pages(pages.move(), pages.index(), new byte[] {1, 2}));
                }
                return target.apply(context, message);
            }
        }, node);
    }

    /** Launches bench_migrate on node 1 and moves it to node 2, which fails as {@code failure} says: it ends on node 1 as unmoved. */
    private void aFailingDestinationLeavesTheProcessRunning(Function<NodeActor.Pages, Behavior<NodeActor.Command>> failure) {
        String machine = "precopy-failure-" + MACHINES.incrementAndGet();
        Config config = ConfigFactory.parseString("uniform.migration.timeout = 3s").withFallback(testKit.system().settings().config());
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(machine));
        TestProbe<String> noticed = testKit.createTestProbe();
        ActorRef<NodeActor.Command> source = TestKits.listedNode(testKit, machine, 1, NodeActor.create(NodeActor.Settings.of(1,
                Partition.SERVICE, description.memoryPerNode(), config)));
        TestKits.listedNode(testKit, machine, 2, failingAtFirstChunk(NodeActor.create(NodeActor.Settings.of(2,
                Partition.SERVICE, description.memoryPerNode(), config)), failure, noticed.getRef()));

        TestProbe<JobEvent> yod = testKit.createTestProbe();
        source.tell(new NodeActor.Launch(1, 0, 1, program(), yod.getRef(), null, null,
                new NodeActor.JobPeers(List.of(1), directory)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!out.toString(StandardCharsets.UTF_8).contains("touched")) {
            if (yod.receiveMessage(TIMEOUT) instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            }
        }
        TestProbe<NodeActor.MigrationReport> reports = testKit.createTestProbe();
        source.tell(new NodeActor.Migrate(1, 2, reports.getRef()));
        noticed.expectMessage(TIMEOUT, "pre-copy under way");
        NodeActor.MigrationReport report = reports.receiveMessage(TIMEOUT);
        assertFalse(report.moved(), report.toString());

        JobEvent.Exited exited = null;
        while (exited == null) {
            JobEvent event = yod.receiveMessage(TIMEOUT);
            if (event instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            } else if (event instanceof JobEvent.Exited ended) {
                exited = ended;
            } else {
                assertInstanceOf(JobEvent.MoveFailed.class, event);
            }
        }
        assertEquals(1, exited.nid(), "it ended where it was");
        assertEquals(0, exited.status().shellStatus(), exited::toString);
        assertEquals(new String(unmovedOutput(), StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
    }

    /** What bench_migrate prints staying on one Linux node. */
    private byte[] unmovedOutput() {
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(description), "precopy-machine-" + MACHINES.incrementAndGet());
        Job stayed = run(machine, Partition.SERVICE);
        assertEquals(0, stayed.finish().shellStatus());
        return stayed.stdout.toByteArray();
    }

    @Test
    void aDestinationThatRefusesAPreCopiedChunkLeavesTheProcessRunningWhereItWas() {
        aFailingDestinationLeavesTheProcessRunning(pages -> null); // a corrupt chunk: the destination refuses and drops what it staged
    }

    @Test
    void aDestinationThatDiesDuringPreCopyLeavesTheProcessRunningWhereItWas() {
        aFailingDestinationLeavesTheProcessRunning(pages -> Behaviors.stopped());
    }
}
