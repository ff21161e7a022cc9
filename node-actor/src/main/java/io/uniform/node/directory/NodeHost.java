package io.uniform.node.directory;

import io.uniform.config.Partition;
import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One member's share of the machine: spawns a {@link NodeActor} per hosted node and lists each
 * under its machine's {@link NodeDirectory#key}, so that every {@link NodeDirectory} of the
 * cluster finds it. A node that stops leaves the listing by itself.
 *
 * <p>The machine tells each host the whole set it is to host ({@link Assign}): the host boots the
 * nodes it lacks, stops those no longer its own (the machine hands over only idle ones), and
 * answers with the nodes it now runs. A host of a cluster member is listed under {@link #key}
 * for the machine singleton to find; it refuses the assignments of a machine whose description
 * differs from its member's (another fingerprint), and tells {@code refused} why.
 */
public final class NodeHost extends AbstractBehavior<NodeHost.Command> {
    /** The key the members' hosts of machine {@code machine} are listed under. */
    public static ServiceKey<Command> key(String machine) {
        return ServiceKey.create(Command.class, "uniform-node-hosts-" + machine);
    }

    public sealed interface Command {}

    /** A node this member runs: its nid and the partition it boots into. */
    public record HostedNode(int nid, Partition partition) {
        public HostedNode {
            if (!Objects.requireNonNull(partition, "partition").isNode()) {
                throw new IllegalArgumentException("nid " + nid + ": no node runs in the " + partition.label() + " partition");
            }
        }
    }

    /**
     * Host exactly {@code nodes} of machine {@code machine}, whose description has
     * {@code fingerprint}; the answer goes to {@code replyTo}.
     */
    public record Assign(String machine, String fingerprint, List<HostedNode> nodes, ActorRef<Hosting> replyTo)
            implements Command, CborSerializable {
        public Assign {
            nodes = List.copyOf(nodes);
        }
    }

    /** The nodes {@code host} runs now, by nid; or, with a {@code refusal}, none: it does not serve this machine. */
    public record Hosting(ActorRef<Command> host, Map<Integer, ActorRef<NodeActor.Command>> nodes, String refusal)
            implements CborSerializable {
        public Hosting {
            nodes = Map.copyOf(nodes);
        }
    }

    /** A host that runs {@code nodes} of {@code machine} from the start and takes any machine's assignments (one JVM, tests). */
    public static Behavior<Command> create(String machine, List<HostedNode> nodes, long memoryPerNode) {
        return Behaviors.setup(context -> {
            NodeHost host = new NodeHost(context, null, memoryPerNode, reason -> {});
            host.reconcile(machine, nodes);
            return host;
        });
    }

    /** A cluster member's host: no nodes until the machine with {@code fingerprint} assigns some; any other is {@code refused}. */
    public static Behavior<Command> forMember(String fingerprint, long memoryPerNode, Consumer<String> refused) {
        return Behaviors.setup(context -> new NodeHost(context, Objects.requireNonNull(fingerprint), memoryPerNode, refused));
    }

    private final String fingerprint;
    private final long memoryPerNode;
    private final Consumer<String> refused;
    // The nodes booted here and not handed away, also one that failed for good: the machine's
    // watch marks it down, and it is not booted again behind the machine's back.
    private final Map<Integer, ActorRef<NodeActor.Command>> running = new HashMap<>();
    // A node's actor name carries a generation: a node handed away and back may be booted again before the old one has ended.
    private int generation;

    private NodeHost(ActorContext<Command> context, String fingerprint, long memoryPerNode, Consumer<String> refused) {
        super(context);
        this.fingerprint = fingerprint;
        this.memoryPerNode = memoryPerNode;
        this.refused = refused;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Assign.class, this::onAssign)
                .build();
    }

    private Behavior<Command> onAssign(Assign assign) {
        if (fingerprint != null && !fingerprint.equals(assign.fingerprint())) {
            String refusal = "this member's machine description (fingerprint " + fingerprint + ") differs from the cluster's machine '"
                    + assign.machine() + "' (fingerprint " + assign.fingerprint() + "): start it with the same machine";
            assign.replyTo().tell(new Hosting(getContext().getSelf(), Map.of(), refusal));
            refused.accept(refusal);
            return this;
        }
        reconcile(assign.machine(), assign.nodes());
        assign.replyTo().tell(new Hosting(getContext().getSelf(), running, null));
        return this;
    }

    private void reconcile(String machine, List<HostedNode> nodes) {
        Map<Integer, HostedNode> wanted = new HashMap<>();
        nodes.forEach(node -> wanted.put(node.nid(), node));
        running.entrySet().removeIf(entry -> {
            if (wanted.containsKey(entry.getKey())) {
                return false;
            }
            getContext().stop(entry.getValue());
            return true;
        });
        for (HostedNode node : wanted.values()) {
            if (!running.containsKey(node.nid())) {
                NodeActor.Settings settings = NodeActor.Settings.of(node.nid(), node.partition(), memoryPerNode,
                        getContext().getSystem().settings().config());
                ActorRef<NodeActor.Command> ref = getContext().spawn(NodeActor.create(settings), NodeDirectory.nodeName(node.nid(), generation));
                NodeDirectory.register(getContext().getSystem(), machine, ref);
                running.put(node.nid(), ref);
            }
        }
        generation++;
    }
}
