package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The bounds of what crosses between members are checked against Artery's frame once, when a
 * member or machine starts: a bad one is refused with the setting and the frame named.
 */
class MessageBoundsTest {
    private static Config with(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    }

    @Test
    void theShippedBoundsFit() {
        MessageBounds.check(ConfigFactory.load());
    }

    @Test
    void aBoundThatDoesNotFitTheFrameWithItsEnvelopeIsRefusedNamingTheSettingAndTheFrame() {
        for (String setting : new String[] {"uniform.portals.fragment-bytes", "uniform.migration.handoff-part-bytes",
                "uniform.snapshots.channel-batch-bytes"}) {
            String error = assertThrows(IllegalArgumentException.class, () -> MessageBounds.check(with(setting + " = 254 KiB"))).getMessage();
            assertTrue(error.startsWith(setting + " is 260096 bytes:"), error);
            assertTrue(error.contains("Artery's frame (pekko.remote.artery.advanced.maximum-frame-size = 262144 bytes)"), error);
            assertTrue(error.contains("make it at most " + (262144 - MessageBounds.ENVELOPE_BYTES)), error);
            // A larger frame takes it.
            MessageBounds.check(with(setting + " = 254 KiB\n" + MessageBounds.FRAME + " = 2 MiB"));
        }
    }

    @Test
    void aBatchTooSmallToCarryAPieceIsRefused() {
        String error = assertThrows(IllegalArgumentException.class,
                () -> MessageBounds.check(with("uniform.snapshots.channel-batch-bytes = 1 KiB"))).getMessage();
        assertEquals("uniform.snapshots.channel-batch-bytes is 1024 bytes: it must be at least "
                + (SnapshotRecording.BATCH_BYTES + SnapshotRecording.PIECE_BYTES + 1), error);
    }

    @Test
    void aMachineWithABadBoundFailsAtItsStartBeforeItsNodes() {
        ActorTestKit kit = ActorTestKit.create(with("uniform.snapshots.channel-batch-bytes = 1 MiB"));
        try {
            ActorRef<Machine.Command> machine = kit.spawn(Machine.create(MachineDescriptions.defaultMachine()), "bad-bounds");
            TestProbe<Object> watcher = kit.createTestProbe();
            watcher.expectTerminated(machine);
            assertTrue(kit.system().printTree().lines().noneMatch(line -> line.matches(".*\\bnode-\\d+.*")), kit.system().printTree());
        } finally {
            kit.shutdownTestKit();
        }
    }
}
