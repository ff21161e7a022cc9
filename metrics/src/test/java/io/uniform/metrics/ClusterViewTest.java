package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.node.directory.NodeHost;
import io.uniform.node.directory.TwoSystemClusterTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The machine-wide view across two members of one Pekko Cluster (two actor systems in this JVM,
 * over loopback Artery): each hosts two nodes of the machine, and each member's view shows both
 * members, each with its own nodes, as they published them over the topic.
 */
class ClusterViewTest {
    private static final String MACHINE = "test";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String METRICS = "uniform.metrics { interval = 200ms, stale-after = 2s }";

    private final List<ActorTestKit> members = List.of(TwoSystemClusterTest.member(METRICS), TwoSystemClusterTest.member(METRICS));
    private final List<MemberMetrics> metrics = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        metrics.forEach(MemberMetrics::close);
        // The second leaves first, while the first is there to see it removed.
        members.get(1).shutdownTestKit();
        members.get(0).shutdownTestKit();
    }

    private static String name(ActorTestKit member) {
        return Cluster.get(member.system()).selfMember().address().hostPort();
    }

    @Test
    void eachMembersViewShowsBothMembersNodes() {
        TwoSystemClusterTest.formCluster(members.get(0), members.get(1));
        Map<String, List<Integer>> hosted = Map.of(name(members.get(0)), List.of(1, 2), name(members.get(1)), List.of(5, 6));
        for (ActorTestKit member : members) {
            List<NodeHost.HostedNode> nodes = hosted.get(name(member)).stream().map(nid -> new NodeHost.HostedNode(nid, Partition.COMPUTE))
                    .toList();
            member.spawn(NodeHost.create(MACHINE, nodes, MachineDescriptions.defaultMachine().memoryPerNode()), "host");
            Config config = member.system().settings().config();
            metrics.add(MemberMetrics.start(member.system(), MACHINE, null, config));
        }
        for (int i = 0; i < members.size(); i++) {
            TestProbe<MachineView> views = members.get(i).createTestProbe();
            MemberMetrics on = metrics.get(i);
            views.awaitAssert(TIMEOUT, Duration.ofMillis(200), () -> {
                on.view().tell(new ClusterView.GetView(views.getRef()));
                MachineView view = views.receiveMessage();
                Map<String, List<Integer>> seen = view.members().stream().collect(Collectors.toMap(MemberReport::member,
                        report -> report.nodes().stream().map(NodeSample::nid).sorted().toList()));
                assertEquals(hosted, seen, "each member with its own nodes");
                view.members().forEach(report -> assertEquals(2, report.nodeCount(), report.member() + "'s nodes by state"));
                return null;
            });
        }
    }
}
