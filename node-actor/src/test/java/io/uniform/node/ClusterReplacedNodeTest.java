package io.uniform.node;

import io.uniform.config.MachineDescription;
import io.uniform.node.directory.TwoSystemClusterTest;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ReplacedNodeTest} on a machine whose nodes are dealt round-robin to two actor systems
 * forming a cluster in this JVM: the receptionist's listing of a crashed node's new actor reaches
 * the other member by gossip, late, while the old actor's death is known at once.
 */
class ClusterReplacedNodeTest extends ReplacedNodeTest {
    private ActorTestKit b;

    @Override
    ActorTestKit newTestKit() {
        return TwoSystemClusterTest.member(ClusterMachineMigrationTest.HOST_MEMBER);
    }

    @BeforeAll
    void formCluster() {
        b = ClusterMembers.joinedTo(testKit, ClusterMachineMigrationTest.HOST_MEMBER);
    }

    @AfterAll
    void leaveCluster() {
        ClusterMembers.leave(b, Duration.ofSeconds(90));
    }

    @Override
    ActorRef<Machine.Command> spawnMachine(MachineDescription machine, String name) {
        return ClusterMembers.startRoundRobin(machine, name, List.of(testKit, b), testKit);
    }
}
