package io.uniform.node.directory;

import io.uniform.config.Partition;
import io.uniform.node.NodeActor;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One member's share of the machine: spawns a {@link NodeActor} per hosted node, named
 * {@code node-<nid>}, and lists each under its machine's {@link NodeDirectory#key}, so that every
 * {@link NodeDirectory} of the cluster finds it. A node that stops leaves the listing by itself.
 */
public final class NodeHost {
    private NodeHost() {}

    /** A node this member runs: its nid and the partition it boots into. */
    public record HostedNode(int nid, Partition partition) {
        public HostedNode {
            if (!Objects.requireNonNull(partition, "partition").isNode()) {
                throw new IllegalArgumentException("nid " + nid + ": no node runs in the " + partition.label() + " partition");
            }
        }
    }

    public static Behavior<Void> create(String machine, List<HostedNode> nodes, long memoryPerNode) {
        List<HostedNode> hosted = List.copyOf(nodes);
        return Behaviors.setup(context -> {
            for (HostedNode node : hosted) {
                NodeActor.Settings settings = NodeActor.Settings.of(node.nid(), node.partition(), memoryPerNode,
                        context.getSystem().settings().config());
                ActorRef<NodeActor.Command> ref = context.spawn(NodeActor.create(settings), "node-" + node.nid());
                NodeDirectory.register(context.getSystem(), machine, ref);
            }
            return Behaviors.empty();
        });
    }
}
