package io.uniform.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

/**
 * How long until a directory knows every node of ASCI Red (4,602 node actors): in one system (the
 * local receptionist), across a two-member cluster (the listing replicated as a CRDT), and on a
 * member that joins once the listing is full (it receives the whole listing at once); then how
 * long until every node of a member stopped at once is gone from a directory. Not part of
 * the build's tests (surefire runs {@code *Test}); run it with
 * {@code mvn -pl node-actor -am verify -Dtest=NodeDirectoryScaleBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class NodeDirectoryScaleBench {
    private static final String MACHINE = "test";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** Messages inside a JVM are not serialized once deployed. */
    private static final String AS_DEPLOYED = "pekko.actor.serialize-messages = off";

    private static List<NodeHost.HostedNode> everyNode(MachineDescription machine) {
        List<NodeHost.HostedNode> nodes = new ArrayList<>();
        for (Partition partition : Partition.values()) {
            if (partition.isNode()) {
                for (int nid : machine.nids(partition)) {
                    nodes.add(new NodeHost.HostedNode(nid, partition));
                }
            }
        }
        return nodes;
    }

    /** Milliseconds from now until a new directory in {@code where} knows all of {@code nids}. */
    private static long millisUntilKnown(ActorTestKit where, Set<Integer> nids, String name) {
        long start = System.nanoTime();
        ActorRef<NodeDirectory.Command> directory = where.spawn(NodeDirectory.create(MACHINE), name);
        TestProbe<NodeDirectory.Known> known = where.createTestProbe();
        directory.tell(new NodeDirectory.WaitFor(nids, known.getRef()));
        assertEquals(nids.size(), known.receiveMessage(TIMEOUT).nodes().size());
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void awaitNoneKnown(ActorTestKit where, ActorRef<NodeDirectory.Command> directory, Set<Integer> nids) {
        TestProbe<NodeDirectory.Located> located = where.createTestProbe();
        located.awaitAssert(TIMEOUT, () -> {
            for (int nid : nids) {
                directory.tell(new NodeDirectory.Lookup(nid, located.getRef()));
                assertNull(located.receiveMessage().node(), () -> "nid " + nid);
            }
            return null;
        });
    }

    @Test
    void asciRed() {
        MachineDescription machine = MachineDescriptions.preset("asci-red");
        List<NodeHost.HostedNode> nodes = everyNode(machine);
        Set<Integer> nids = nodes.stream().map(NodeHost.HostedNode::nid).collect(Collectors.toSet());

        ActorTestKit local = ActorTestKit.create("uniform", ConfigFactory.load());
        try {
            long start = System.nanoTime();
            local.spawn(NodeHost.create(MACHINE, nodes, machine.memoryPerNode()), "host");
            long known = millisUntilKnown(local, nids, "directory");
            System.out.printf("one system, %d nodes: directory knows all %d ms after the host spawned (%d ms after the directory started)%n",
                    nodes.size(), (System.nanoTime() - start) / 1_000_000, known);
        } finally {
            local.shutdownTestKit();
        }

        ActorTestKit a = TwoSystemClusterTest.member(AS_DEPLOYED);
        ActorTestKit b = TwoSystemClusterTest.member(AS_DEPLOYED);
        ActorTestKit late = null;
        try {
            TwoSystemClusterTest.formCluster(a, b);
            long start = System.nanoTime();
            ActorRef<NodeHost.Command> host = b.spawn(NodeHost.create(MACHINE, nodes, machine.memoryPerNode()), "host");
            long known = millisUntilKnown(a, nids, "directory");
            System.out.printf("two members, %d nodes on B: A's directory knows all %d ms after B's host spawned (%d ms after the directory started)%n",
                    nodes.size(), (System.nanoTime() - start) / 1_000_000, known);

            late = TwoSystemClusterTest.member(AS_DEPLOYED);
            start = System.nanoTime();
            Cluster.get(late.system()).manager().tell(Join.create(Cluster.get(a.system()).selfMember().address()));
            TwoSystemClusterTest.awaitUp(late, 3);
            long up = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("a member joining later: Up after %d ms, its directory knows all %d ms later%n",
                    up, millisUntilKnown(late, nids, "directory"));

            start = System.nanoTime();
            b.stop(host);
            ActorRef<NodeDirectory.Command> directory = a.spawn(NodeDirectory.create(MACHINE), "watching");
            awaitNoneKnown(a, directory, nids);
            System.out.printf("every node of B stopped at once: gone from a directory of A after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        } finally {
            for (ActorTestKit member : new ActorTestKit[] {late, b, a}) {
                if (member != null) {
                    member.shutdownTestKit();
                }
            }
        }
    }
}
