package io.uniform.cli;

import static io.uniform.cli.ClusterCommandTest.awaitLine;
import static io.uniform.cli.ClusterCommandTest.uniformProcess;
import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.NodeState;
import io.uniform.node.Machine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Operating a cluster of three real member JVMs: each member serves its figures (the job counted
 * once, Artery traffic, mailbox depths; promtool accepts them) and {@code top --cluster} shows all
 * three; Ctrl-C on a {@code yod --cluster} client kills its job; a member killed with SIGKILL is
 * removed, and no node stays on it, within {@link #REMOVAL_BOUND}; a client whose job's yod dies
 * with the oldest member exits with a clear error instead of waiting forever.
 */
@Isolated
class ClusterOperationsTest {
    /** SIGKILL to removal, with uniform-cluster.conf's failure detector (3 s pause) and resolver (stable-after 7 s). */
    static final Duration REMOVAL_BOUND = Duration.ofSeconds(20);
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Pattern MEMBER = Pattern.compile("member (\\d+): pid (\\d+), (\\S+:\\d+), metrics http://\\S+:(\\d+)/metrics, log");
    private static final Pattern SEED = Pattern.compile("the cluster's seed is (\\S+) ");
    private static final Pattern JOB = Pattern.compile("uniform: job (\\d+) runs on nodes \\[([0-9, ]+)\\]");
    private static final String TOKEN_RING = guest("elf/mpp/token_ring.elf");

    private record MemberJvm(long pid, String address, int metricsPort) {}

    @TempDir
    Path directory;

    @Test
    void membersServeFiguresAndAKilledMemberIsRemovedWithinTheBound() throws Exception {
        Path clusterFile = ClusterCommandTest.clusterFile("ClusterOperationsTest");
        // Nodes dealt round-robin: a job's neighbouring ranks are on different members, its traffic crosses Artery.
        Path machineFile = Files.writeString(directory.resolve("dealt.conf"), "preset = default\nplacement.policy = round-robin\n");
        Process up = uniformProcess("cluster", "up", "--members", "3", "--config", machineFile.toString(), "--cluster-file",
                clusterFile.toString()).redirectErrorStream(true).start();
        List<Process> clients = new ArrayList<>();
        try {
            BufferedReader upOut = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
            List<MemberJvm> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Matcher member = awaitLine(upOut, MEMBER);
                members.add(new MemberJvm(Long.parseLong(member.group(2)), member.group(3), Integer.parseInt(member.group(4))));
            }
            String seed = awaitLine(upOut, SEED).group(1);
            assertEquals(members.get(0).address(), seed);

            try (MachineConnection watcher = MachineConnection.cluster(seed)) {
                TestProbe<Object> probe = TestProbe.create(watcher.system());

                Process ring = startJob(clients, seed, "3", "100000000");
                String ringId = awaitLine(stderr(ring), JOB).group(1);
                probe.awaitAssert(PATIENCE, Duration.ofMillis(500), () -> {
                    double ranks = 0;
                    for (MemberJvm member : members) {
                        String text = MetricsPortTest.scrape(member.metricsPort());
                        ranks += MetricsPortTest.sum(text, "uniform_job_ranks", "job_id=\"" + ringId + "\"");
                        assertTrue(MetricsPortTest.sum(text, "uniform_member_artery_messages_sent_total") > 0, text);
                        assertTrue(text.contains("uniform_member_mailbox_messages{"), text);
                        assertTrue(text.contains("uniform_node_mailbox_messages{"), text);
                        assertEquals(0, promtool(text), "promtool check metrics accepts " + member);
                    }
                    assertEquals(3, ranks, "the job's ranks, reported once: by the member that runs the machine");
                    return null;
                });
                // A member heard late (its report more than an interval old on a loaded host) makes a screen show two: one of five shows all.
                CommandRun top = uniform("top", "--iterations", "5", "--cluster=" + seed);
                assertEquals(0, top.status(), top::toString);
                assertTrue(top.out().contains("uniform top: 3 members, "), top::toString);
                for (MemberJvm member : members) {
                    assertTrue(top.out().contains(member.address()), top::toString);
                }

                // Ctrl-C on the client: the kill reaches the job before the client leaves, and its nodes are free again.
                assertEquals(0, new ProcessBuilder("kill", "-INT", "" + ring.pid()).start().waitFor());
                assertTrue(ring.waitFor(60, TimeUnit.SECONDS), "the client ends after Ctrl-C");
                probe.awaitAssert(PATIENCE, Duration.ofMillis(500), () -> {
                    assertTrue(status(watcher).states().values().stream().noneMatch(state -> state.kind() == NodeState.Kind.RUNNING),
                            "no node runs the killed job");
                    return null;
                });

                // SIGKILL the youngest member: its nodes are down on the map once it is unreachable, then it
                // is removed, and the machine keeps none of its nodes on it.
                MemberJvm youngest = members.get(2);
                List<Integer> itsNodes = status(watcher).members().entrySet().stream()
                        .filter(node -> node.getValue().equals(youngest.address())).map(java.util.Map.Entry::getKey).toList();
                assertFalse(itsNodes.isEmpty(), "the youngest member hosts nodes");
                long killed = System.nanoTime();
                assertEquals(0, new ProcessBuilder("kill", "-KILL", "" + youngest.pid()).start().waitFor());
                probe.awaitAssert(REMOVAL_BOUND, Duration.ofMillis(100), () -> {
                    Machine.Status status = status(watcher);
                    assertTrue(itsNodes.stream().allMatch(nid -> status.states().get(nid).equals(NodeState.DOWN)), "its nodes are down: " + status);
                    return null;
                });
                double downAfter = (System.nanoTime() - killed) / 1e9;
                probe.awaitAssert(REMOVAL_BOUND, Duration.ofMillis(100), () -> {
                    assertFalse(memberAddresses(watcher).contains(youngest.address()), "the killed member is removed");
                    return null;
                });
                double removedAfter = (System.nanoTime() - killed) / 1e9;
                ClusterCommandTest.awaitContent(clusterFile, content -> !content.contains(youngest.address()), REMOVAL_BOUND);
                probe.awaitAssert(REMOVAL_BOUND, Duration.ofMillis(100), () -> {
                    Machine.Status status = status(watcher);
                    assertFalse(status.members().containsValue(youngest.address()), "no node is left on the killed member: " + status);
                    return null;
                });
                double nodesOffAfter = (System.nanoTime() - killed) / 1e9;
                System.out.printf("SIGKILL of %s: its nodes down after %.1f s, removed after %.1f s, no node on it after %.1f s%n",
                        youngest.address(), downAfter, removedAfter, nodesOffAfter);

                // SIGKILL the oldest member, which runs the machine and the job's yod: the client says so and exits.
                Process orphan = startJob(clients, seed, "2", "100000000");
                BufferedReader orphanErr = stderr(orphan);
                awaitLine(orphanErr, JOB);
                assertEquals(0, new ProcessBuilder("kill", "-KILL", "" + members.get(0).pid()).start().waitFor());
                Matcher gone = awaitLine(orphanErr, Pattern.compile("uniform: the job's yod is gone with its member (\\S+) \\(it left or died\\)"));
                assertEquals(members.get(0).address(), gone.group(1));
                assertTrue(orphan.waitFor(60, TimeUnit.SECONDS), "the client exits");
                assertEquals(1, orphan.exitValue());
            }
        } finally {
            clients.forEach(Process::destroyForcibly);
            up.destroy(); // the members left stop gracefully
            up.waitFor(120, TimeUnit.SECONDS);
        }
    }

    private static Process startJob(List<Process> clients, String seed, String ranks, String laps) throws java.io.IOException {
        Process job = uniformProcess("yod", "--cluster=" + seed, "-sz", ranks, TOKEN_RING, laps).start();
        clients.add(job);
        return job;
    }

    private static BufferedReader stderr(Process process) {
        return new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    }

    private static Machine.Status status(MachineConnection connection) {
        return AskPattern.<Machine.Command, Machine.Status>ask(connection.machine(), Machine.GetStatus::new, Duration.ofSeconds(5),
                connection.system().scheduler()).toCompletableFuture().join();
    }

    private static List<String> memberAddresses(MachineConnection connection) {
        List<String> addresses = new ArrayList<>();
        for (Member member : Cluster.get(connection.system()).state().getMembers()) {
            addresses.add(member.address().hostPort().replaceFirst("^uniform@", ""));
        }
        return addresses;
    }

    /** {@code promtool check metrics}'s exit status on {@code text}. */
    private static int promtool(String text) throws Exception {
        Process check = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, check.exitValue(), output);
        return check.exitValue();
    }
}
