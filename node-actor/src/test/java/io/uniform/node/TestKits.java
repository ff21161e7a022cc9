package io.uniform.node;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;

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
}
