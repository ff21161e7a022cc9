package io.uniform.node;

import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.config.MachineDescriptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;

/**
 * Every host member leaving at once, as {@code uniform cluster down} makes them: the machine
 * singleton moves while the members ask it to release their nodes, and an ask that reaches the
 * stopping machine is lost. Each member asks again, so none waits out its release timeout.
 */
class ClusterLeaveTogetherTest {
    // Far above what leaving takes, so a lost ask shows as a member still there when the test looks.
    private static final String MEMBER = ClusterMachineMigrationTest.HOST_MEMBER + "\n"
            + "uniform.cluster.release-timeout = 300s\n"
            + "pekko.coordinated-shutdown.phases.before-service-unbind.timeout = 305s";
    private static final Duration LEFT = Duration.ofSeconds(60);

    @Test
    void membersLeavingTogetherAreNotHeldByALostRelease() throws Exception {
        List<ActorTestKit> members = ClusterMembers.form(MEMBER, MEMBER);
        try {
            ClusterMembers.startRoundRobin(MachineDescriptions.preset("default"), "together", members, members.get(1));
            for (ActorTestKit member : members) {
                Cluster cluster = Cluster.get(member.system());
                cluster.manager().tell(Leave.create(cluster.selfMember().address()));
            }
            CompletableFuture<?>[] terminated = members.stream()
                    .map(member -> member.system().getWhenTerminated().toCompletableFuture()).toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.allOf(terminated).get(LEFT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("a member still had not left after " + LEFT.toSeconds() + " s: it waits for an answer to a lost release");
            }
        } finally {
            members.forEach(member -> ActorTestKit.shutdown(member.system(), Duration.ofSeconds(10), false));
        }
    }
}
