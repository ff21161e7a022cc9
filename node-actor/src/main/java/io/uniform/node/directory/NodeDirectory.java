package io.uniform.node.directory;

import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Finds nodes by nid wherever they live. Every node of a machine registers with the
 * Receptionist under the machine's {@link #key}, named by {@link #nodeName} so that its nid is
 * its actor name's: this actor follows that listing and answers lookups from it. The same code
 * serves one JVM (the local receptionist) and a Pekko Cluster (the listing is replicated to every
 * member), so its users never learn where a node runs.
 *
 * <p>The nid travels in the name, not in an answer to a question: every directory of a cluster
 * asking each of a machine's thousands of nodes, on starved member JVMs whose answers came late
 * and were asked again, kept ASCI Red's 4,602 nodes over three members from ever being all
 * known.
 *
 * <p>A cluster's listing arrives eventually: a client that needs particular nodes sends
 * {@link WaitFor} rather than trusting one {@link Lookup}.
 */
public final class NodeDirectory extends AbstractBehavior<NodeDirectory.Command> {
    /** The key the nodes of machine {@code machine} are listed under (one machine per cluster; tests run several in one JVM). */
    public static ServiceKey<NodeActor.Command> key(String machine) {
        return ServiceKey.create(NodeActor.Command.class, "uniform-node-" + machine);
    }

    private static final Pattern NODE_NAME = Pattern.compile("node-(\\d{1,9})(?:-([1-9]\\d{0,8}))?");

    /**
     * The actor name of node {@code nid}'s {@code generation}-th actor on its host (a node handed
     * away and back may be booted again before the old actor has ended).
     */
    public static String nodeName(int nid, int generation) {
        if (nid < 0 || generation < 0) {
            throw new IllegalArgumentException("a node's nid and generation are never negative: " + nid + ", " + generation);
        }
        return "node-" + nid + (generation == 0 ? "" : "-" + generation);
    }

    /** The nid that {@code node}'s name, given by {@link #nodeName}, carries. */
    static int nidOf(ActorRef<NodeActor.Command> node) {
        return Integer.parseInt(nameOf(node).group(1));
    }

    private static int generationOf(ActorRef<NodeActor.Command> node) {
        Matcher matcher = NODE_NAME.matcher(node.path().name());
        return matcher.matches() && matcher.group(2) != null ? Integer.parseInt(matcher.group(2)) : 0;
    }

    private static Matcher nameOf(ActorRef<NodeActor.Command> node) {
        Matcher matcher = NODE_NAME.matcher(node.path().name());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a node's name (NodeDirectory.nodeName): " + node.path());
        }
        return matcher;
    }

    /** The protocol of the directory. */
    public sealed interface Command {}

    /** Ask for the node with {@code nid}; the reply's node is null while the directory knows none. */
    public record Lookup(int nid, ActorRef<Located> replyTo) implements Command, CborSerializable {}

    public record Located(int nid, ActorRef<NodeActor.Command> node) implements CborSerializable {}

    /** Answered with {@link Known} once every one of {@code nids} is known (at once if they already are). */
    public record WaitFor(Set<Integer> nids, ActorRef<Known> replyTo) implements Command, CborSerializable {
        public WaitFor {
            nids = Set.copyOf(nids);
        }
    }

    /** The nodes a {@link WaitFor} asked for, by nid. */
    public record Known(Map<Integer, ActorRef<NodeActor.Command>> nodes) implements CborSerializable {
        public Known {
            nodes = Map.copyOf(nodes);
        }
    }

    /** The receptionist's listing changed (local adapter: never leaves this JVM). */
    private record ListingChanged(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

    /** Apply the latest listing received (sent to itself: never leaves this JVM). */
    private enum ApplyListing implements Command, NoSerializationVerificationNeeded { INSTANCE }

    /** A node the directory knew has stopped (a watch notification: never leaves this JVM). */
    private record NodeStopped(ActorRef<NodeActor.Command> node) implements Command, NoSerializationVerificationNeeded {}

    /** Lists {@code node} (named by {@link #nodeName}) of {@code machine} with the receptionist of {@code system}, so that every directory of the cluster finds it. */
    public static void register(ActorSystem<?> system, String machine, ActorRef<NodeActor.Command> node) {
        nidOf(node); // a node misnamed would never be found: refused here, where the mistake is
        system.receptionist().tell(Receptionist.register(key(machine), node));
    }

    /** The directory of the nodes of {@code machine}. */
    public static Behavior<Command> create(String machine) {
        return Behaviors.setup(context -> new NodeDirectory(context, key(machine)));
    }

    private final ServiceKey<NodeActor.Command> key;

    // The node each nid names, and the nid of every listed node (two may claim a nid while one ends).
    private final Map<Integer, ActorRef<NodeActor.Command>> byNid = new HashMap<>();
    private final Map<ActorRef<NodeActor.Command>, Integer> nidOf = new HashMap<>();
    // Unanswered WaitFors, and the same indexed by each nid they still miss (learning a nid is
    // then one lookup, not a scan of every waiter: a machine asks for thousands at once).
    private final Set<Waiter> waiting = new java.util.LinkedHashSet<>();
    private final Map<Integer, List<Waiter>> waitingFor = new HashMap<>();
    // Nodes known to have stopped that the listing may still hold (it drops them late, by gossip in a cluster).
    private final Set<ActorRef<NodeActor.Command>> stopped = new HashSet<>();
    // The newest listing not yet applied; null when none waits.
    private Receptionist.Listing latest;

    private NodeDirectory(ActorContext<Command> context, ServiceKey<NodeActor.Command> key) {
        super(context);
        this.key = key;
        ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
        context.getSystem().receptionist().tell(Receptionist.subscribe(key, listings));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Lookup.class, this::onLookup)
                .onMessage(WaitFor.class, this::onWaitFor)
                .onMessage(ListingChanged.class, this::onListingChanged)
                .onMessageEquals(ApplyListing.INSTANCE, this::onApplyListing)
                .onMessage(NodeStopped.class, this::onNodeStopped)
                .build();
    }

    private Behavior<Command> onLookup(Lookup lookup) {
        lookup.replyTo().tell(new Located(lookup.nid(), byNid.get(lookup.nid())));
        return this;
    }

    /** A {@link WaitFor} not yet answered, and which of its nids are still unknown. */
    /** A WaitFor and the nids it still misses; compared by identity (what it misses changes). */
    private static final class Waiter {
        private final WaitFor request;
        private final Set<Integer> missing;

        Waiter(WaitFor request, Set<Integer> missing) {
            this.request = request;
            this.missing = missing;
        }

        WaitFor request() {
            return request;
        }

        Set<Integer> missing() {
            return missing;
        }
    }

    private Behavior<Command> onWaitFor(WaitFor request) {
        Set<Integer> missing = new HashSet<>(request.nids());
        missing.removeAll(byNid.keySet());
        if (missing.isEmpty()) {
            answer(request);
        } else {
            Waiter waiter = new Waiter(request, missing);
            waiting.add(waiter);
            missing.forEach(nid -> waitingFor.computeIfAbsent(nid, n -> new ArrayList<>()).add(waiter));
        }
        return this;
    }

    /**
     * Each listing is whole, and one JVM's receptionist sends one per registration: applying
     * each would cost the square of the node count as a machine boots. The listing is kept and
     * applied once the listings already queued behind it have arrived (by a message to itself,
     * queued after them), so only the newest of a burst is applied.
     */
    private Behavior<Command> onListingChanged(ListingChanged changed) {
        if (latest == null) {
            getContext().getSelf().tell(ApplyListing.INSTANCE);
        }
        latest = changed.listing();
        return this;
    }

    /**
     * A node stays in the directory while it is registered, also while its member is
     * unreachable: a loaded JVM can miss heartbeats for seconds. A member that stays unreachable
     * is downed and removed, and its nodes leave the listing then; yod's watch ends the ranks they
     * held. Removals are looked for only when the count says there are some.
     */
    private Behavior<Command> onApplyListing() {
        Set<ActorRef<NodeActor.Command>> registered = latest.getAllServiceInstances(key);
        latest = null;
        stopped.retainAll(registered);
        // Newer generations last: of two actors a host booted for one nid, the newer names it.
        List<ActorRef<NodeActor.Command>> fresh = registered.stream().filter(node -> !stopped.contains(node) && !nidOf.containsKey(node))
                .sorted(Comparator.comparingInt(NodeDirectory::generationOf)).toList();
        for (ActorRef<NodeActor.Command> node : fresh) {
            try {
                learn(node, nidOf(node));
            } catch (IllegalArgumentException misnamed) {
                // Another build's node, or a stray registration under the key: never found, never the directory's end.
                if (stopped.add(node)) {
                    getContext().getLog().warn("{}: ignored", misnamed.getMessage());
                }
            }
        }
        if (nidOf.size() > registered.size()) {
            for (ActorRef<NodeActor.Command> node : List.copyOf(nidOf.keySet())) {
                if (!registered.contains(node)) {
                    forget(node);
                }
            }
        }
        return this;
    }

    /** The nid's waiters wait again, unless another listed node claims it (a newer one, booted before this one ended). */
    private void forget(ActorRef<NodeActor.Command> node) {
        getContext().unwatch(node);
        Integer nid = nidOf.remove(node);
        if (nid == null || !byNid.remove(nid, node)) {
            return;
        }
        for (Map.Entry<ActorRef<NodeActor.Command>, Integer> other : nidOf.entrySet()) {
            if (other.getValue().equals(nid)) {
                learn(other.getKey(), nid);
                return;
            }
        }
        for (Waiter waiter : waiting) {
            if (waiter.request().nids().contains(nid) && waiter.missing().add(nid)) {
                waitingFor.computeIfAbsent(nid, n -> new ArrayList<>()).add(waiter);
            }
        }
    }

    /**
     * A node stopped: it is forgotten at once, not when the listing drops it. A crashed node's
     * nid is booted again as a new actor, and a job may be placed on it before the listing
     * changes (in a cluster the listing travels by gossip, the death notice at once): a peer
     * given the dead ref would send the new job's traffic into it, and its loss would close the
     * peer's channels to the new node too. A lookup of the nid now waits for the new node.
     */
    private Behavior<Command> onNodeStopped(NodeStopped stoppedNode) {
        ActorRef<NodeActor.Command> node = stoppedNode.node();
        if (nidOf.containsKey(node)) {
            stopped.add(node);
            forget(node);
        }
        return this;
    }

    /** {@code node} now names {@code nid}: the latest learned of the nodes that claim it. */
    private void learn(ActorRef<NodeActor.Command> node, int nid) {
        ActorRef<NodeActor.Command> previous = byNid.put(nid, node);
        if (previous != null && !previous.equals(node)) {
            getContext().getLog().info("nid {} is now {}, was {}", nid, node.path(), previous.path());
        }
        if (nidOf.put(node, nid) == null) {
            getContext().watchWith(node, new NodeStopped(node));
        }
        for (Waiter waiter : waitingFor.getOrDefault(nid, List.of())) {
            if (waiter.missing().remove(nid) && waiter.missing().isEmpty() && waiting.remove(waiter)) {
                answer(waiter.request());
            }
        }
        waitingFor.remove(nid);
    }

    private void answer(WaitFor request) {
        Map<Integer, ActorRef<NodeActor.Command>> found = new HashMap<>();
        for (int nid : request.nids()) {
            found.put(nid, byNid.get(nid));
        }
        request.replyTo().tell(new Known(found));
    }
}
