package io.uniform.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.node.NodeActor;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The directory in one actor system (the local receptionist), every message serialized as if it crossed JVMs. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeDirectoryTest {
    private static final String MACHINE = "test";
    @JUnit5TestKit
    ActorTestKit testKit = new JUnit5TestKitBuilder()
            .withCustomConfig(ConfigFactory.parseResources("application-test.conf").withFallback(ConfigFactory.load()))
            .build();

    /** Node nids are unique per test: every test shares the system's receptionist. */
    private ActorRef<NodeActor.Command> registeredNode(int nid) {
        NodeActor.Settings settings = NodeActor.Settings.of(nid, Partition.COMPUTE, MachineDescriptions.defaultMachine().memoryPerNode(),
                testKit.system().settings().config());
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings), NodeDirectory.nodeName(nid, 0));
        NodeDirectory.register(testKit.system(), MACHINE, node);
        return node;
    }

    private NodeDirectory.Located lookup(ActorRef<NodeDirectory.Command> directory, int nid) {
        TestProbe<NodeDirectory.Located> located = testKit.createTestProbe();
        directory.tell(new NodeDirectory.Lookup(nid, located.getRef()));
        return located.receiveMessage();
    }

    /** Waits until {@code directory} knows {@code nid}, and checks that it is {@code node}. */
    private TestProbe<NodeDirectory.Known> awaitKnown(ActorRef<NodeDirectory.Command> directory, int nid, ActorRef<NodeActor.Command> node) {
        TestProbe<NodeDirectory.Known> known = testKit.createTestProbe();
        directory.tell(new NodeDirectory.WaitFor(Set.of(nid), known.getRef()));
        assertEquals(node, known.receiveMessage().nodes().get(nid));
        return known;
    }

    @Test
    void anUnknownNidIsLocatedAsNoNode() {
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(MACHINE));
        NodeDirectory.Located located = lookup(directory, 404);
        assertEquals(404, located.nid());
        assertNull(located.node());
    }

    @Test
    void waitForAnswersOnceEveryNidIsKnown() {
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(MACHINE));
        ActorRef<NodeActor.Command> first = registeredNode(11);
        TestProbe<NodeDirectory.Known> known = testKit.createTestProbe();
        directory.tell(new NodeDirectory.WaitFor(Set.of(11, 12), known.getRef()));
        known.expectNoMessage(Duration.ofMillis(300));
        ActorRef<NodeActor.Command> second = registeredNode(12);
        assertEquals(Map.of(11, first, 12, second), known.receiveMessage().nodes());
        assertEquals(first, lookup(directory, 11).node());
    }

    @Test
    void aThousandNodesAreAllKnown() {
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(MACHINE));
        Set<Integer> nids = IntStream.range(1000, 2000).boxed().collect(Collectors.toSet());
        nids.forEach(this::registeredNode);
        TestProbe<NodeDirectory.Known> known = testKit.createTestProbe();
        directory.tell(new NodeDirectory.WaitFor(nids, known.getRef()));
        assertEquals(nids, known.receiveMessage().nodes().keySet());
    }

    @Test
    void aNodeThatStopsLeavesTheDirectory() {
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(MACHINE));
        ActorRef<NodeActor.Command> node = registeredNode(21);
        TestProbe<NodeDirectory.Known> known = awaitKnown(directory, 21, node);
        testKit.stop(node);
        known.awaitAssert(() -> {
            assertNull(lookup(directory, 21).node());
            return null;
        });
    }

    @Test
    void aNodeNotNamedByItsNidIsRefused() {
        NodeActor.Settings settings = NodeActor.Settings.of(41, Partition.COMPUTE, MachineDescriptions.defaultMachine().memoryPerNode(),
                testKit.system().settings().config());
        ActorRef<NodeActor.Command> misnamed = testKit.spawn(NodeActor.create(settings), "worker-41");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> NodeDirectory.register(testKit.system(), MACHINE, misnamed));
        assertTrue(refused.getMessage().contains("worker-41"), refused.getMessage());
    }

    @Test
    void aNodeBootedAgainBeforeTheOldOneEndedTakesItsNidAndGivesItBackWhenItStops() {
        ActorRef<NodeDirectory.Command> directory = testKit.spawn(NodeDirectory.create(MACHINE));
        ActorRef<NodeActor.Command> first = registeredNode(31);
        TestProbe<NodeDirectory.Known> known = awaitKnown(directory, 31, first);
        NodeActor.Settings settings = NodeActor.Settings.of(31, Partition.COMPUTE, MachineDescriptions.defaultMachine().memoryPerNode(),
                testKit.system().settings().config());
        ActorRef<NodeActor.Command> second = testKit.spawn(NodeActor.create(settings), NodeDirectory.nodeName(31, 1));
        NodeDirectory.register(testKit.system(), MACHINE, second);
        known.awaitAssert(() -> {
            assertEquals(second, lookup(directory, 31).node());
            return null;
        });
        testKit.stop(second);
        known.awaitAssert(() -> {
            assertEquals(first, lookup(directory, 31).node());
            return null;
        });
    }
}
