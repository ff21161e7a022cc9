package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.MemberPlacement;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.directory.TwoSystemClusterTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;

/**
 * Members of one cluster in this JVM, for the tests of a machine split across members: any number
 * of actor systems formed into a cluster, a member joined to a test's own system, and a machine
 * started on all of them with its nodes dealt round-robin.
 */
final class ClusterMembers {
    /** How long the machine may take to answer. */
    static final Duration PLACED = Duration.ofSeconds(30);
    /** How long a machine may take to place its nodes on its members: three members in one JVM on a loaded host take a while. */
    private static final Duration PLACING = Duration.ofMinutes(3);
    static final MemberPlacement ROUND_ROBIN = new MemberPlacement(MemberPlacement.Policy.ROUND_ROBIN, Map.of());
    /**
     * HOCON: a singleton (the machine's) starts on the next oldest 1 s after the oldest's removal,
     * not after the resolver's stable-after: that margin lets a partition's other side stop its
     * own first, and a member lost as a crash runs none.
     */
    static final String SINGLETON_SOON_AFTER_REMOVAL = "pekko.cluster.down-removal-margin = 1s\n";

    private ClusterMembers() {}

    /** The default machine with {@code rows} rows of nodes, the rows past its four all compute: room for several jobs at once. */
    static MachineDescription defaultMachineWithRows(int rows) {
        return MachineDescriptions.fromConfig(ConfigFactory.parseString("preset = default\nmesh.y = " + rows));
    }

    /** One member per entry of {@code overrides} (HOCON), formed into a cluster: the first is its seed and oldest. */
    static List<ActorTestKit> form(String... overrides) {
        List<ActorTestKit> members = new ArrayList<>();
        for (String memberOverrides : overrides) {
            members.add(TwoSystemClusterTest.member(memberOverrides));
        }
        TwoSystemClusterTest.formCluster(members.toArray(ActorTestKit[]::new));
        return members;
    }

    /** A member with {@code overrides} joined to {@code first}'s cluster (formed here if {@code first} is alone). */
    static ActorTestKit joinedTo(ActorTestKit first, String overrides) {
        ActorTestKit member = TwoSystemClusterTest.member(overrides);
        TwoSystemClusterTest.formCluster(first, member);
        return member;
    }

    /** Stops {@code member} (null: none was made) once it has left, its machines first handing its nodes to the others. */
    static void leave(ActorTestKit member, Duration handover) {
        if (member != null) {
            ActorTestKit.shutdown(member.system(), handover, true);
        }
    }

    /** Returns once {@code member}'s actor system has terminated (as a crash: see {@link #downAtOnce}). */
    static void awaitTerminated(ActorTestKit member) {
        member.system().getWhenTerminated().toCompletableFuture().orTimeout(PLACED.toSeconds(), TimeUnit.SECONDS).join();
    }

    /**
     * Once {@code crashed}, stopped as a crash stops it, has terminated, {@code survivor} downs it
     * at once, for cases about what follows the downing: the split brain resolver would first wait
     * out its stable-after (5 s in these tests) once the failure detector finds the member
     * unreachable. Its removal still waits for the failure detector. The resolver's own path
     * stays proven by the cases that wait for it (ClusterSnapshotRestartTest's and
     * OldestMemberLossTest's shared-loss cases, UnclaimedJobTest).
     */
    static void downAtOnce(ActorTestKit crashed, ActorTestKit survivor) {
        awaitTerminated(crashed);
        Cluster.get(survivor.system()).manager().tell(new Down(Cluster.get(crashed.system()).selfMember().address()));
    }

    /**
     * Machine {@code name} started on every one of {@code members}, its nodes dealt to them in
     * turn; returns {@code via}'s proxy to it once each member hosts its share.
     */
    static ActorRef<Machine.Command> startRoundRobin(MachineDescription machine, String name, List<ActorTestKit> members, ActorTestKit via) {
        return start(machine.withPlacement(ROUND_ROBIN), name, members, via);
    }

    /**
     * Machine {@code name} started on every one of {@code members} (the oldest first), its nodes
     * placed as {@code split} says; returns {@code via}'s proxy once each member hosts its share.
     * The oldest, where the machine's singleton runs at once, is started last: the machine first
     * reads the highest job id from a majority of the members' replicators; one not started yet
     * never answers, and the jobs asked for would wait out the read's 5 s timeout.
     */
    static ActorRef<Machine.Command> start(MachineDescription split, String name, List<ActorTestKit> members, ActorTestKit via) {
        ActorRef<Machine.Command> proxy = null;
        Set<String> hosts = new HashSet<>();
        for (int i = members.size() - 1; i >= 0; i--) {
            ActorTestKit member = members.get(i);
            ActorRef<Machine.Command> started = MachineCluster.startMember(member.system(), name, split, refusal -> {});
            proxy = member == via ? started : proxy;
            hosts.add(hostPort(member));
        }
        if (proxy == null) {
            throw new IllegalArgumentException("the proxy's member is not one of the members");
        }
        awaitPlacedOn(via, proxy, split, hosts);
        return proxy;
    }

    /** Returns once {@code proxy}'s machine has every node of {@code machine} on one of {@code hosts}, as {@code kit} asks. */
    static void awaitPlacedOn(ActorTestKit kit, ActorRef<Machine.Command> proxy, MachineDescription machine, Set<String> hosts) {
        TestProbe<Machine.Status> status = kit.createTestProbe();
        status.awaitAssert(PLACING, () -> {
            proxy.tell(new Machine.GetStatus(status.getRef()));
            Machine.Status placed = status.receiveMessage(PLACED);
            assertEquals(hosts, new HashSet<>(placed.members().values()), "every node on one of the members");
            assertEquals(machine.nodeCount(), placed.members().size());
            return null;
        });
    }

    /** The member's HOST:PORT, as the machine's status names it. */
    static String hostPort(ActorTestKit member) {
        org.apache.pekko.actor.Address address = Cluster.get(member.system()).selfMember().address();
        return address.host().get() + ":" + address.port().get();
    }
}
