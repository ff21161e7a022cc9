package io.uniform.node;

import com.typesafe.config.ConfigFactory;
import io.uniform.node.directory.NodeDirectory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/** The actor test kit every node-actor test uses: application-test.conf (serialize-messages = on) over the modules' reference.conf. */
final class TestKits {
    private TestKits() {}

    static {
        // Bind SLF4J before the actor system's threads race to (its replay notice otherwise).
        org.slf4j.LoggerFactory.getILoggerFactory();
    }

    static ActorTestKit serializing() {
        return serializing("");
    }

    /** The same, with {@code overrides} (HOCON) over it. */
    static ActorTestKit serializing(String overrides) {
        return new JUnit5TestKitBuilder()
                .withCustomConfig(ConfigFactory.parseString(overrides)
                        .withFallback(ConfigFactory.parseResources("application-test.conf")).withFallback(ConfigFactory.load()))
                .build();
    }

    // Tests run several machines in one actor system, each with its nid 1: each node is its nid's own generation.
    private static final AtomicInteger GENERATIONS = new AtomicInteger();

    /** Node {@code nid} of {@code machine}, spawned in {@code kit} as {@code node} and listed in the machine's directory. */
    static ActorRef<NodeActor.Command> listedNode(ActorTestKit kit, String machine, int nid, Behavior<NodeActor.Command> node) {
        ActorRef<NodeActor.Command> ref = kit.spawn(node, NodeDirectory.nodeName(nid, GENERATIONS.incrementAndGet()));
        NodeDirectory.register(kit.system(), machine, ref);
        return ref;
    }
}
