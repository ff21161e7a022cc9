package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.SnapshotFile;
import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rank restored from a snapshot sends its peers' traffic to the node actors its job was
 * placed on, as a launched rank does, not to whatever the node directory finds for their nids
 * (an older actor of a node crashed and booted again may still be ending there).
 */
@ExtendWith(TestKitJUnit5Extension.class)
class RestoredPeersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int RESTORED_JOB = 1_000;

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    @TempDir
    Path snapshots;

    private final MachineDescription description = MachineDescriptions.defaultMachine();

    /** A written snapshot of two ranks of the all-to-all, taken while they run. */
    private Path snapshotOfTwoRanks() {
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(description), "snapshot-source");
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "300"), null),
                JobPlacement.COMPUTE, 2, client.getRef(), Yod.Options.NONE.withSnapshots(0, snapshots.toString())));
        MachineJob job = new MachineJob(client);
        TestProbe<Checkpoint.Taken> taken = testKit.createTestProbe();
        machine.tell(new Machine.Checkpoint(job.started.jobId(), taken.getRef()));
        Checkpoint.Taken snapshot = taken.receiveMessage(TIMEOUT);
        assertTrue(snapshot.written(), snapshot::toString);
        JobReport.JobFinished end = job.finish(TIMEOUT);
        assertEquals(0, end.shellStatus(), end::toString);
        return Path.of(snapshot.file());
    }

    /**
     * A stand-in for rank 1's node: it takes its part of the restore as a node would (every page
     * chunk stored, told to {@code yod} once the restore has named it) and hands everything it is sent to {@code seen}.
     */
    private static Behavior<NodeActor.Command> standInPeer(ActorRef<NodeActor.Command> seen, ActorRef<Yod.Command> yod) {
        return Behaviors.receive(NodeActor.Command.class).onAnyMessage(command -> {
            seen.tell(command);
            if (command instanceof NodeActor.Restore restore) {
                return standInPeer(seen, restore.yod().unsafeUpcast());
            }
            if (command instanceof NodeActor.RestorePages pages) {
                yod.tell(new Checkpoint.Restored(pages.jobId(), 1, pages.index() + 1));
            }
            return Behaviors.same();
        }).build();
    }

    @Test
    void aRestoredRankSendsToThePeerNodeItsJobWasPlacedOnWithoutAskingTheDirectory() throws Exception {
        Path file = snapshotOfTwoRanks();
        SnapshotFile.Header header = SnapshotFile.header(file);
        // Other nodes than the job was launched on, so that a rank's launch nid does not name its node.
        int here = description.nids(Partition.COMPUTE)[5];
        int peerNid = description.nids(Partition.COMPUTE)[6];
        assertFalse(header.ranks().stream().anyMatch(rank -> rank.launchNid() == here || rank.launchNid() == peerNid), header::toString);
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(NodeActor.Settings.of(here, Partition.COMPUTE,
                description.memoryPerNode(), testKit.system().settings().config())), "restored-node");
        // The directory never answers: only the job's placement names the peer's node.
        TestProbe<NodeDirectory.Command> directory = testKit.createTestProbe();
        TestProbe<NodeActor.Command> seenByPeer = testKit.createTestProbe();
        ActorRef<NodeActor.Command> peer = testKit.spawn(standInPeer(seenByPeer.getRef(), null), "peer-node");
        Yod.Job job = new Yod.Job(RESTORED_JOB, new Program(header.image(), header.argv(), header.stdin()),
                List.of(new Yod.Placement(here, node), new Yod.Placement(peerNid, peer)), Yod.Options.NONE, directory.getRef());
        TestProbe<JobReport> client = testKit.createTestProbe();
        TestProbe<JobReport.JobFinished> done = testKit.createTestProbe();
        testKit.spawn(Yod.restore(job, new Yod.Restoration(file.toString(), List.of(), List.of()), client.getRef(), done.getRef()), "yod");
        seenByPeer.fishForMessage(TIMEOUT, command -> command instanceof NodeActor.Packet packet && packet.jobId() == RESTORED_JOB
                ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
        directory.expectNoMessage(Duration.ofMillis(200));
    }
}
