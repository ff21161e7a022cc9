package io.uniform.node.directory;

import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
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
 * Receptionist under the machine's {@link #key}; this actor follows that listing, asks each newly listed node its nid, and
 * answers lookups from what it learned. The same code serves one JVM (the local receptionist) and
 * a Pekko Cluster (the listing is replicated to every member), so its users never learn where a
 * node runs.
 *
 * <p>A cluster's listing arrives eventually: a client that needs particular nodes sends
 * {@link WaitFor} rather than trusting one {@link Lookup}.
 */
public final class NodeDirectory extends AbstractBehavior<NodeDirectory.Command> {
    /** The key the nodes of machine {@code machine} are listed under (one machine per cluster; tests run several in one JVM). */
    public static ServiceKey<NodeActor.Command> key(String machine) {
        return ServiceKey.create(NodeActor.Command.class, "uniform-node-" + machine);
    }

    /** A listed node silent this long is asked again (for as long as it stays listed, once reachable). */
    static final Duration IDENTIFY_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Nodes asked for their nid at once. Artery drops what overflows its send queue to a member
     * (3,072 messages): asking a whole machine's listing at once loses questions and answers.
     */
    static final int MAX_IDENTIFYING = 256;

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

    /** A listed node answered with its state, or did not in time (local: never leaves this JVM). */
    private record Identified(ActorRef<NodeActor.Command> node, NodeActor.State state, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** Lists {@code node} of {@code machine} with the receptionist of {@code system}, so that every directory of the cluster finds it. */
    public static void register(ActorSystem<?> system, String machine, ActorRef<NodeActor.Command> node) {
        system.receptionist().tell(Receptionist.register(key(machine), node));
    }

    /** The directory of the nodes of {@code machine}. */
    public static Behavior<Command> create(String machine) {
        return Behaviors.setup(context -> new NodeDirectory(context, key(machine)));
    }

    private final ServiceKey<NodeActor.Command> key;

    private final Map<Integer, ActorRef<NodeActor.Command>> byNid = new HashMap<>();
    private final Map<ActorRef<NodeActor.Command>, Integer> nidOf = new HashMap<>();
    // Unanswered WaitFors, and the same indexed by each nid they still miss (learning a nid is
    // then one lookup, not a scan of every waiter: a machine asks for thousands at once).
    private final Set<Waiter> waiting = new java.util.LinkedHashSet<>();
    private final Map<Integer, List<Waiter>> waitingFor = new HashMap<>();
    // Every registered node, reachable or not, and the reachable ones as last listed.
    private final Set<ActorRef<NodeActor.Command>> listed = new HashSet<>();
    private Set<ActorRef<NodeActor.Command>> reachable = Set.of();
    // Listed nodes whose nid is not known yet: those to ask, and those waiting to be reachable.
    private final Queue<ActorRef<NodeActor.Command>> unidentified = new ArrayDeque<>();
    private final Set<ActorRef<NodeActor.Command>> unreachedUnidentified = new HashSet<>();
    // Listed nodes that have let an ask of their nid time out.
    private final Set<ActorRef<NodeActor.Command>> silent = new HashSet<>();
    // Nodes known to have stopped that the listing may still hold (it drops them late, by gossip in a cluster).
    private final Set<ActorRef<NodeActor.Command>> stopped = new HashSet<>();
    private int identifying;
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
                .onMessage(Identified.class, this::onIdentified)
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
     * unreachable: a loaded JVM can miss heartbeats for seconds, and forgetting (then asking
     * again) a member's thousands of nodes each time would feed the load. A member that stays
     * unreachable is downed and removed, and its nodes leave the listing then; yod's watch ends
     * the ranks they held. Only reachable nodes are asked their nid. Removals are looked for
     * only when the count says there are some.
     */
    private Behavior<Command> onApplyListing() {
        Set<ActorRef<NodeActor.Command>> registered = latest.getAllServiceInstances(key);
        reachable = latest.getServiceInstances(key);
        latest = null;
        stopped.retainAll(registered);
        for (ActorRef<NodeActor.Command> node : registered) {
            if (!stopped.contains(node) && listed.add(node)) {
                unreachedUnidentified.add(node);
            }
        }
        if (listed.size() > registered.size()) {
            for (Iterator<ActorRef<NodeActor.Command>> it = listed.iterator(); it.hasNext(); ) {
                ActorRef<NodeActor.Command> node = it.next();
                if (!registered.contains(node)) {
                    it.remove();
                    forget(node);
                }
            }
        }
        for (Iterator<ActorRef<NodeActor.Command>> it = unreachedUnidentified.iterator(); it.hasNext(); ) {
            ActorRef<NodeActor.Command> node = it.next();
            if (reachable.contains(node)) {
                it.remove();
                unidentified.add(node);
            }
        }
        identifyMore();
        return this;
    }

    private void identifyMore() {
        while (identifying < MAX_IDENTIFYING && !unidentified.isEmpty()) {
            ActorRef<NodeActor.Command> node = unidentified.poll();
            if (listed.contains(node) && !nidOf.containsKey(node)) {
                identifying++;
                getContext().ask(NodeActor.State.class, node, IDENTIFY_TIMEOUT, NodeActor.GetState::new,
                        (state, failure) -> new Identified(node, state, failure));
            }
        }
    }

    private void forget(ActorRef<NodeActor.Command> node) {
        getContext().unwatch(node);
        silent.remove(node);
        unreachedUnidentified.remove(node);
        Integer nid = nidOf.remove(node);
        // Only if the nid still names this node: a newer node may have taken it over.
        if (nid != null && byNid.remove(nid, node)) {
            for (Waiter waiter : waiting) {
                if (waiter.request().nids().contains(nid) && waiter.missing().add(nid)) {
                    waitingFor.computeIfAbsent(nid, n -> new ArrayList<>()).add(waiter);
                }
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
        if (listed.remove(node)) {
            stopped.add(node);
            forget(node);
        }
        return this;
    }

    private Behavior<Command> onIdentified(Identified identified) {
        identifying--;
        ActorRef<NodeActor.Command> node = identified.node();
        if (listed.contains(node)) { // else it left the listing while asked: nothing to learn
            if (identified.failure() != null) {
                // One silence is a busy member (a machine's worth of asks, a starved JVM); two are worth a warning.
                if (silent.add(node)) {
                    getContext().getLog().debug("node {} did not say its nid in {}; asking again", node.path(), IDENTIFY_TIMEOUT);
                } else {
                    getContext().getLog().warn("node {} again did not say its nid in {}; asking again", node.path(), IDENTIFY_TIMEOUT);
                }
                if (reachable.contains(node)) {
                    unidentified.add(node);
                } else {
                    unreachedUnidentified.add(node);
                }
            } else {
                learn(node, identified.state().nid());
            }
        }
        identifyMore();
        return this;
    }

    private void learn(ActorRef<NodeActor.Command> node, int nid) {
        silent.remove(node);
        ActorRef<NodeActor.Command> previous = byNid.put(nid, node);
        if (previous != null && !previous.equals(node)) {
            getContext().getLog().warn("nid {} is now {}, was {}", nid, node.path(), previous.path());
            nidOf.remove(previous);
        }
        nidOf.put(node, nid);
        getContext().watchWith(node, new NodeStopped(node));
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
