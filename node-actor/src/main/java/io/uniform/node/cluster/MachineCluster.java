package io.uniform.node.cluster;

import io.uniform.config.MachineDescription;
import io.uniform.node.Machine;
import io.uniform.node.MessageBounds;
import io.uniform.node.directory.NodeHost;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorSettings;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One machine over the members of a Pekko Cluster. A member with the {@link #HOST_ROLE} runs a
 * {@link NodeHost} for the nodes the machine gives it, and may run the machine itself: a
 * {@link Machine#onCluster} cluster singleton, on the oldest host member. A member with the
 * {@link #CLIENT_ROLE} (a command of the CLI) hosts nothing and reaches the machine through a
 * singleton proxy. Before a host member leaves, its nodes are released: the machine drains
 * their processes to other members and hands the nodes over, then the member goes on leaving.
 */
public final class MachineCluster {
    /** The role of members that host nodes (and the machine singleton). */
    public static final String HOST_ROLE = "host";
    /** The role of members that only talk to the machine (commands). */
    public static final String CLIENT_ROLE = "client";

    private static final Logger LOG = LoggerFactory.getLogger(MachineCluster.class);

    private MachineCluster() {}

    /**
     * Starts this host member's part of machine {@code machine}: its node host (whose member
     * leaves, telling {@code refused} why, if the machine's description is not {@code description}),
     * the machine singleton, and the release of its nodes when it leaves. Returns the machine.
     *
     * @throws IllegalArgumentException if the sizes of what crosses between members do not fit Artery's frame ({@link MessageBounds})
     */
    public static ActorRef<Machine.Command> startMember(ActorSystem<?> system, String machine, MachineDescription description,
                                                        Consumer<String> refused) {
        MessageBounds.check(system.settings().config());
        ActorRef<NodeHost.Command> host = system.systemActorOf(NodeHost.forMember(description.fingerprint(), description.memoryPerNode(), refused),
                "node-host-" + machine, Props.empty());
        system.receptionist().tell(Receptionist.register(NodeHost.key(machine), host));
        ActorRef<Machine.Command> proxy = singleton(system, machine,
                Machine.onCluster(machine, description, startReplicator(system, machine)));
        Duration timeout = system.settings().config().getDuration("uniform.cluster.release-timeout");
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "uniform-release-" + machine,
                () -> release(system, proxy, timeout));
        return proxy;
    }

    /**
     * Starts this host member's replicator of machine {@code machine}'s data ({@link HighestJobId},
     * {@link RunningJobs}), at the same path on every host member. Only host members replicate:
     * clients come and go, and a write they acknowledged would leave with them.
     */
    private static ActorRef<Replicator.Command> startReplicator(ActorSystem<?> system, String machine) {
        return system.systemActorOf(Replicator.behavior(ReplicatorSettings.create(system).withRole(HOST_ROLE)),
                "machine-data-" + machine, Props.empty());
    }

    /** Machine {@code machine} as a client member reaches it: through a proxy to its singleton. */
    public static ActorRef<Machine.Command> proxy(ActorSystem<?> system, String machine) {
        // Never started here: the singleton runs only on host members.
        return singleton(system, machine, Behaviors.empty());
    }

    private static ActorRef<Machine.Command> singleton(ActorSystem<?> system, String machine, Behavior<Machine.Command> behavior) {
        return ClusterSingleton.get(system).init(SingletonActor.of(behavior, machine)
                .withSettings(ClusterSingletonSettings.create(system).withRole(HOST_ROLE)));
    }

    /** Asks the machine to take this member's nodes away; done when it has, or could not. */
    private static CompletionStage<Done> release(ActorSystem<?> system, ActorRef<Machine.Command> machine, Duration timeout) {
        Cluster cluster = Cluster.get(system);
        MemberStatus status = cluster.selfMember().status();
        if (!status.equals(MemberStatus.up()) && !status.equals(MemberStatus.leaving()) && !status.equals(MemberStatus.exiting())) {
            return CompletableFuture.completedFuture(Done.getInstance()); // it never joined, or is down already
        }
        // Every host member leaving together (`uniform cluster down`): none can take the nodes, and
        // the machine singleton, leaving too, may no longer be reachable to say so.
        boolean anotherHostStays = StreamSupport.stream(cluster.state().getMembers().spliterator(), false).anyMatch(other -> !other.equals(cluster.selfMember())
                && other.hasRole(HOST_ROLE) && other.status().equals(MemberStatus.up()));
        if (!anotherHostStays) {
            LOG.info("no other host member stays to take this member's nodes: it leaves with them");
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        String member = cluster.selfMember().address().toString();
        return AskPattern.<Machine.Command, Machine.Released>ask(machine, replyTo -> new Machine.Release(member, replyTo), timeout,
                system.scheduler()).handle((released, failure) -> {
                    if (failure != null) {
                        LOG.warn("the machine did not release this member's nodes within {}: {}", timeout, failure.toString());
                    } else if (released.problem() != null) {
                        LOG.warn("this member's nodes were not released: {}", released.problem());
                    } else {
                        LOG.info("the machine released this member's nodes: it leaves");
                    }
                    return Done.getInstance();
                });
    }
}
