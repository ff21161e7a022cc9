package io.uniform.node.directory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two actor systems of one Pekko Cluster over loopback, in this JVM: a job is run from system A
 * on a node that lives in system B, found through the {@link NodeDirectory} by nid alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class TwoSystemClusterTest {
    private static final String MACHINE = "test";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int REMOTE_NID = 5;

    private ActorTestKit a;
    private ActorTestKit b;

    /**
     * A cluster member on an ephemeral loopback port, with {@code overrides} (HOCON) over the
     * test's settings; members must share the system name to join.
     */
    public static ActorTestKit member(String overrides) {
        Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.actor.serialize-messages = on
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                # without a downing provider a lost member is never removed; no shorter than the
                # default 20 s stable-after here, or a starved JVM downs a member that is only slow
                pekko.cluster.downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
                # several members in one JVM each register their cluster MBean
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                # a fast test: membership and the receptionist's listing spread in fifths of a second
                pekko.cluster.gossip-interval = 200ms
                pekko.cluster.leader-actions-interval = 200ms
                pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 200ms
                pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
                """)).withFallback(ConfigFactory.load());
        return ActorTestKit.create("uniform", config);
    }

    /**
     * The first system joins itself; once it is Up the others join it (a Join that finds no
     * cluster there is retried only after {@code retry-unsuccessful-join-after}, 10 s). Returns
     * when every system sees all of them Up.
     */
    public static void formCluster(ActorTestKit... members) {
        Address seed = Cluster.get(members[0].system()).selfMember().address();
        Cluster.get(members[0].system()).manager().tell(Join.create(seed));
        awaitUp(members[0], 1);
        for (int i = 1; i < members.length; i++) {
            Cluster.get(members[i].system()).manager().tell(Join.create(seed));
        }
        for (ActorTestKit member : members) {
            awaitUp(member, members.length);
        }
    }

    static void awaitUp(ActorTestKit member, int expected) {
        member.createTestProbe().awaitAssert(TIMEOUT, () -> {
            int up = 0;
            for (Member seen : Cluster.get(member.system()).state().getMembers()) {
                up += seen.status() == MemberStatus.up() ? 1 : 0;
            }
            assertEquals(expected, up);
            return null;
        });
    }

    @BeforeAll
    void startCluster() {
        a = member("");
        b = member("");
        formCluster(a, b);
    }

    @AfterAll
    void stopCluster() {
        // B leaves first, while A is there to see it removed; A then leaves a cluster of one.
        if (b != null) {
            b.shutdownTestKit();
        }
        if (a != null) {
            a.shutdownTestKit();
        }
    }

    @Test
    void aJobRunsOnANodeOfTheOtherSystemFoundByNid() {
        b.spawn(NodeHost.create(MACHINE, List.of(new NodeHost.HostedNode(REMOTE_NID, Partition.COMPUTE)),
                MachineDescriptions.defaultMachine().memoryPerNode()), "host");
        ActorRef<NodeDirectory.Command> directory = a.spawn(NodeDirectory.create(MACHINE), "directory");

        TestProbe<NodeDirectory.Known> known = a.createTestProbe();
        directory.tell(new NodeDirectory.WaitFor(Set.of(REMOTE_NID), known.getRef()));
        ActorRef<NodeActor.Command> node = known.receiveMessage(TIMEOUT).nodes().get(REMOTE_NID);
        assertEquals(Cluster.get(b.system()).selfMember().address(), node.path().address(), "the node lives in B");
        assertNotEquals(Cluster.get(a.system()).selfMember().address(), node.path().address());

        TestProbe<JobReport> client = a.createTestProbe();
        Program hello = new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), null);
        // No machine allocates here: the client itself hears the end, as done.
        a.spawn(Yod.create(new Yod.Job(1, hello, List.of(new Yod.Placement(REMOTE_NID, node))), client.getRef(), client.getRef().narrow()));

        assertEquals(List.of(REMOTE_NID), client.expectMessageClass(JobReport.JobStarted.class, TIMEOUT).nids());
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        JobReport report;
        while (!((report = client.receiveMessage(TIMEOUT)) instanceof JobReport.JobFinished)) {
            if (report instanceof JobEvent.Output output && output.fd() == 1) {
                stdout.writeBytes(output.bytes());
            }
        }
        JobReport.JobFinished finished = (JobReport.JobFinished) report;
        assertEquals(0, finished.shellStatus(), finished::toString);
        assertEquals(REMOTE_NID, finished.statuses().get(0).nid());
        assertArrayEquals(GuestFiles.expected("tests/hello.out"), stdout.toByteArray(),
                () -> stdout.toString(StandardCharsets.UTF_8));
    }
}
