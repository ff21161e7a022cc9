package io.uniform.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import io.uniform.guest.GuestFiles;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;

/** A test on the default machine in one test kit, with this member's metrics started on it. */
abstract class MachineWithMetrics {
    static {
        org.slf4j.LoggerFactory.getILoggerFactory();
    }

    protected final ActorTestKit testKit = new JUnit5TestKitBuilder()
            .withCustomConfig(ConfigFactory.parseResources("application-test.conf").withFallback(ConfigFactory.load())).build();
    protected MemberMetrics metrics;

    /** Spawns the machine and starts metrics on it, with {@code overrides} over the test kit's configuration. */
    protected ActorRef<Machine.Command> machine(Config overrides) {
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(MachineDescriptions.defaultMachine()), "machine");
        metrics = MemberMetrics.start(testKit.system(), "machine", machine, overrides.withFallback(testKit.system().settings().config()));
        return machine;
    }

    static Program tokenRing(int laps) {
        return new Program(GuestFiles.elf("mpp/token_ring.elf"), List.of("token_ring", Integer.toString(laps)), null);
    }

    @AfterEach
    void stop() {
        if (metrics != null) {
            metrics.close();
        }
        testKit.shutdownTestKit();
    }
}
