package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescription;
import io.uniform.config.MemberPlacement;
import io.uniform.node.Machine;
import io.uniform.node.cluster.MachineCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A machine on two host members that are actor systems of this JVM, joined over Artery TCP on
 * loopback, its nodes dealt round-robin (neighbouring nids on different members): for benchmarks
 * that need an actor of their own at each end of the Artery connection the machine's traffic
 * crosses, which a member JVM (running only the product's actors) cannot give them.
 */
final class TwoMembers implements AutoCloseable {
    private static final Duration PLACING = Duration.ofMinutes(2);
    private static final MemberPlacement ROUND_ROBIN = new MemberPlacement(MemberPlacement.Policy.ROUND_ROBIN, Map.of());

    final ActorSystem<Void> first;
    final ActorSystem<Void> second;
    /** The machine, as the first member reaches it. */
    final ActorRef<Machine.Command> machine;

    private TwoMembers(ActorSystem<Void> first, ActorSystem<Void> second, ActorRef<Machine.Command> machine) {
        this.first = first;
        this.second = second;
        this.machine = machine;
    }

    /**
     * Starts the two members with the cluster's settings (uniform-cluster.conf, -D settings over
     * them) and {@code overrides} over both, and {@code description}'s machine on them; returns
     * once every node is placed on one of the two.
     */
    static TwoMembers start(MachineDescription description, Config overrides) throws Exception {
        String seed = "127.0.0.1:" + MemberProcesses.freePort("127.0.0.1");
        Config shared = overrides.withFallback(ConfigFactory.parseString("pekko.cluster.jmx.multi-mbeans-in-same-jvm = on"));
        ActorSystem<Void> first = ClusterMember.start(shared.withFallback(config(seed, MemberAddress.parse(seed).port())));
        ActorSystem<Void> second = null;
        try {
            ClusterMember.awaitUp(first, seed);
            second = ClusterMember.start(shared.withFallback(config(seed, 0)));
            ClusterMember.awaitUp(second, seed);
            MachineDescription dealt = description.withPlacement(ROUND_ROBIN);
            String name = ClusterMember.machineName(first);
            AtomicReference<String> refusal = new AtomicReference<>();
            ActorRef<Machine.Command> machine = MachineCluster.startMember(first, name, dealt, refusal::set);
            MachineCluster.startMember(second, name, dealt, refusal::set);
            TwoMembers members = new TwoMembers(first, second, machine);
            members.awaitPlaced(dealt.nodeCount(), refusal);
            return members;
        } catch (Exception | Error e) {
            stop(second);
            stop(first);
            throw e;
        }
    }

    private static Config config(String seed, int port) {
        return ClusterMember.config("127.0.0.1", port, MachineCluster.HOST_ROLE, seed);
    }

    private void awaitPlaced(int nodes, AtomicReference<String> refusal) throws Exception {
        long deadline = System.nanoTime() + PLACING.toNanos();
        while (true) {
            if (refusal.get() != null) {
                throw new IllegalStateException("a member refused the machine: " + refusal.get());
            }
            Map<Integer, String> members = memberOfNode();
            if (members.size() == nodes && Set.copyOf(members.values()).size() == 2) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the machine's " + nodes + " nodes were not placed on both members within "
                        + PLACING.toSeconds() + " s: " + members);
            }
            Thread.sleep(200); // polling the machine from the command's own thread, not an actor's
        }
    }

    /** Each placed node's member (HOST:PORT), as the machine knows it now. */
    Map<Integer, String> memberOfNode() throws Exception {
        return AskPattern.<Machine.Command, Machine.Status>ask(machine, Machine.GetStatus::new, Duration.ofSeconds(30), first.scheduler())
                .toCompletableFuture().get(1, TimeUnit.MINUTES).members();
    }

    /** The member (HOST:PORT) {@code system} is. */
    static String hostPort(ActorSystem<?> system) {
        org.apache.pekko.actor.Address address = Cluster.get(system).selfMember().address();
        return address.host().get() + ":" + address.port().get();
    }

    @Override
    public void close() throws Exception {
        stop(second);
        stop(first);
    }

    private static void stop(ActorSystem<?> system) throws Exception {
        if (system != null) {
            MachineBenchCommand.stop(system);
        }
    }
}
