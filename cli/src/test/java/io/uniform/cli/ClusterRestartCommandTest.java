package io.uniform.cli;

import static io.uniform.cli.ClusterCommandTest.awaitLine;
import static io.uniform.cli.ClusterCommandTest.uniformProcess;
import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Three member JVMs as real processes: a {@code yod --cluster --checkpoint-every} job spans
 * them, one member is killed with SIGKILL mid-job, and the job restarts from its last snapshot
 * on the surviving members and prints what a run without failure prints. The member killed is
 * one that hosts a rank and not the machine (its yod restarts the job), or the oldest, the seed,
 * which holds the machine and the job's yod (the client's keeper has the job recovered by the
 * machine that starts on the next oldest). The cases share one cluster: each first brings it back
 * to three members, a new member joining for each one killed before.
 */
@Isolated
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRestartCommandTest {
    private static final Pattern MEMBER_PID = Pattern.compile("member \\d+: pid (\\d+), ");
    private static final Pattern SEED = Pattern.compile("the cluster's seed is (\\S+) ");
    private static final Pattern JOB = Pattern.compile("uniform: job (\\d+) runs on nodes \\[([0-9, ]+)\\]");
    private static final Pattern SNAPSHOT = Pattern.compile("uniform: snapshot of job \\d+: ");
    private static final Pattern MEMBER = Pattern.compile("member 127\\.0\\.0\\.1:(\\d+): nodes ([0-9,-]+) \\(\\d+\\)");
    private static final int RANKS = 4;
    private static final int ROUNDS = 4000;
    private static final int MEMBERS = 3;
    private static final Duration PLACED = Duration.ofMinutes(2);

    @TempDir
    Path directory;

    private Path machineFile;
    private Path logs;
    private Path clusterFile;
    private Process up;
    /** The cluster's member JVMs, oldest first: the ones {@code cluster up} started, then the ones that joined later. */
    private final List<ProcessHandle> members = new ArrayList<>();
    private final List<Process> joined = new ArrayList<>();
    private ActorTestKit waiting;

    /** The port a member process was started with ({@code member --port P}), from Linux's /proc (ProcessHandle drops long command lines). */
    private static int port(ProcessHandle member) {
        List<String> args;
        try {
            args = List.of(Files.readString(Path.of("/proc", "" + member.pid(), "cmdline")).split("\0"));
        } catch (java.io.IOException e) {
            throw new AssertionError("the command line of member pid " + member.pid() + " cannot be read", e);
        }
        return Integer.parseInt(args.get(args.indexOf("--port") + 1));
    }

    /** Each member's port and the nids it hosts, as {@code uniform machine --cluster} prints them. */
    private static Map<Integer, Set<Integer>> hosted(String seed) {
        return hostedOn("--cluster=" + seed);
    }

    /** As {@link #hosted(String)}, on the cluster {@code clusterOptions} name. */
    private static Map<Integer, Set<Integer>> hostedOn(String... clusterOptions) {
        List<String> args = new ArrayList<>(List.of("machine"));
        args.addAll(List.of(clusterOptions));
        CommandRun machine = uniform(args.toArray(String[]::new));
        assertEquals(0, machine.status(), machine::toString);
        Map<Integer, Set<Integer>> hosted = new HashMap<>();
        machine.out().lines().map(MEMBER::matcher).filter(Matcher::matches).forEach(member -> hosted.put(Integer.parseInt(member.group(1)),
                Pattern.compile(",").splitAsStream(member.group(2)).flatMap(range -> {
                    String[] ends = range.split("-");
                    return IntStream.rangeClosed(Integer.parseInt(ends[0]), Integer.parseInt(ends[ends.length - 1])).boxed();
                }).collect(Collectors.toSet())));
        return hosted;
    }

    /** The HOST:PORT of the first member still alive, where clients join: the oldest, where the machine runs, until it is killed. */
    private String liveSeed() {
        return "127.0.0.1:" + port(members.get(0));
    }

    /** Nodes dealt round-robin: a job's ranks are on every member. */
    @BeforeAll
    void startCluster() throws Exception {
        // The class's own folder, not the cases' @TempDir: the cluster outlives each case.
        logs = ClusterCommandTest.clusterFile("ClusterRestartCommandTest").getParent();
        machineFile = Files.writeString(logs.resolve("dealt.conf"), "preset = default\nplacement.policy = round-robin\n");
        waiting = ActorTestKit.create("waiting");
        clusterUp();
    }

    /** {@code cluster up}, its cluster file (every member's address, the seed's first) the class's own. */
    private void clusterUp() throws Exception {
        clusterFile = ClusterCommandTest.clusterFile("ClusterRestartCommandTest");
        up = uniformProcess(List.of(), "cluster", "up", "--members", "" + MEMBERS, "--config", machineFile.toString(), "--cluster-file",
                clusterFile.toString()).redirectErrorStream(true).start();
        BufferedReader upOut = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
        for (int i = 0; i < MEMBERS; i++) {
            long pid = Long.parseLong(awaitLine(upOut, MEMBER_PID).group(1));
            members.add(ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("member pid " + pid + " is gone")));
        }
        awaitLine(upOut, SEED);
    }

    @AfterAll
    void stopCluster() throws InterruptedException {
        clusterDown();
        if (waiting != null) {
            waiting.shutdownTestKit();
        }
    }

    private void clusterDown() throws InterruptedException {
        joined.forEach(Process::destroy);
        if (up != null) {
            up.destroy(); // its shutdown hook stops the members it started
            up.waitFor(60, TimeUnit.SECONDS);
        }
        members.forEach(ProcessHandle::destroyForcibly);
        members.clear();
        joined.clear();
    }

    /** A new member joins for each one a case killed, until the cluster has three again, each hosting nodes. */
    @BeforeEach
    void bringBackThreeMembers() throws Exception {
        members.removeIf(member -> !member.isAlive());
        if (members.isEmpty()) {
            // Every member was downed (on a starved host each looks dead to the others): a new cluster, not a failed case.
            clusterDown();
            clusterUp();
        }
        while (members.size() < MEMBERS) {
            Path log = logs.resolve("joined-" + joined.size() + ".log");
            Process member = uniformProcess(List.of(), "member", "--join", liveSeed(), "--port", "" + MemberProcesses.freePort("127.0.0.1"),
                    "--config", machineFile.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            joined.add(member);
            members.add(member.toHandle());
        }
        waiting.createTestProbe().awaitAssert(PLACED, Duration.ofSeconds(1), () -> {
            Map<Integer, Set<Integer>> hosted = hosted(liveSeed());
            assertEquals(MEMBERS, hosted.size(), () -> "every member hosts nodes: " + hosted);
            return null;
        });
    }

    /** Which member the test kills. */
    enum Victim {
        /** A member other than the seed that hosts a rank of the job. */
        A_MEMBER_WITH_A_RANK,
        /** The seed: the oldest member, the machine's and the job's yod's. */
        THE_OLDEST
    }

    @ParameterizedTest
    @EnumSource(Victim.class)
    void aJobRestartsFromItsSnapshotWhenAMemberIsKilledAndPrintsTheFailureFreeResult(Victim killed) throws Exception {
        String seed = liveSeed();
        Process job = null;
        try {
            Path snapshots = directory.resolve("snapshots");
            job = uniformProcess(List.of(), "yod", "--cluster=" + seed, "-sz", "" + RANKS, "--checkpoint-every", "1", "--snapshots",
                    snapshots.toString(), guest("elf/mpp/alltoall.elf"), "" + ROUNDS).start();
            BufferedReader jobErr = new BufferedReader(new InputStreamReader(job.getErrorStream(), StandardCharsets.UTF_8));
            Matcher started = awaitLine(jobErr, JOB);
            List<Integer> nids = Pattern.compile(", ").splitAsStream(started.group(2)).map(Integer::parseInt).toList();
            awaitLine(jobErr, SNAPSHOT);
            // The machine (and yod) run on the oldest member.
            Map<Integer, Set<Integer>> placed = hosted(seed);
            ProcessHandle victim = killed == Victim.THE_OLDEST ? members.get(0)
                    : members.stream().skip(1).filter(member -> nids.stream().anyMatch(placed.get(port(member))::contains)).findFirst()
                            .orElseThrow(() -> new AssertionError("no rank of " + nids + " on a member other than the oldest: " + placed));
            long killedAt = System.nanoTime();
            assertTrue(victim.destroyForcibly(), "SIGKILL sent");
            awaitLine(jobErr, Pattern.compile("uniform: job \\d+ restarts from its snapshot as job \\d+ on nodes"));
            System.out.printf("ClusterRestartCommandTest (%s killed): from SIGKILL to the restarted job's start %.1f s%n", killed,
                    (System.nanoTime() - killedAt) / 1e9);

            assertTrue(job.waitFor(300, TimeUnit.SECONDS), "the job ends");
            String out = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = jobErr.lines().collect(Collectors.joining("\n"));
            assertEquals(0, job.exitValue(), out + err);
            assertEquals("[0] alltoall: " + RANKS + " ranks, " + ROUNDS + " rounds, " + (RANKS * RANKS * ROUNDS) + " messages, ok\n", out, err);
            if (killed == Victim.THE_OLDEST) {
                // A client given the cluster file (the dead seed's address first, then the others') joins through a
                // survivor: the machine runs on the two.
                Map<Integer, Set<Integer>> after = hostedOn("--cluster", "--cluster-file", clusterFile.toString());
                assertEquals(2, after.size(), () -> "the two survivors host the nodes: " + after);
            }
        } finally {
            if (job != null) {
                job.destroyForcibly();
            }
        }
    }
}
