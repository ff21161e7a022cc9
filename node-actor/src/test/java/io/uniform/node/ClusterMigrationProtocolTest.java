package io.uniform.node;

import io.uniform.node.directory.TwoSystemClusterTest;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link MigrationProtocolTest}'s proofs with nodes 1 and 2 in one actor system and the nodes
 * from 3 up in another, the two forming a cluster in this JVM: every move crosses Artery, whose
 * frame is held to its default 256 KiB, so a step of a move larger than that (a handoff with
 * thousands of messages in one piece) would be dropped and its move never finish.
 */
class ClusterMigrationProtocolTest extends MigrationProtocolTest {
    private static final String MEMBER = "pekko.remote.artery.advanced.maximum-frame-size = 256KiB";

    private ActorTestKit b;

    @Override
    ActorTestKit newTestKit() {
        return TwoSystemClusterTest.member(MEMBER);
    }

    @BeforeAll
    void formCluster() {
        b = ClusterMembers.joinedTo(testKit, MEMBER);
    }

    @AfterAll
    void leaveCluster() {
        ClusterMembers.leave(b, Duration.ofSeconds(30));
    }

    @Override
    ActorTestKit kitOf(int nid) {
        return nid >= 3 ? b : testKit;
    }
}
