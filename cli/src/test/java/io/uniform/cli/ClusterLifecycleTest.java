package io.uniform.cli;

import static io.uniform.cli.ClusterCommandTest.awaitContent;
import static io.uniform.cli.ClusterCommandTest.awaitLine;
import static io.uniform.cli.ClusterCommandTest.uniformProcess;
import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.NodeState;
import io.uniform.node.Machine;
import io.uniform.node.yod.SnapshotFile;
import java.io.BufferedReader;
import java.io.IOException;
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
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * One cluster of real member JVMs, from {@code cluster up --members 3} (nodes dealt round-robin,
 * so that a job's ranks span the members and its traffic crosses Artery) to {@code cluster
 * down}, driven through the CLI as an operator would. Forming a cluster on the loaded 2-core host
 * costs tens of seconds, so the cases share this one, in order: first those that leave it whole
 * (figures, {@code top}, Ctrl-C, {@code migrate} and {@code drain}, {@code checkpoint} and
 * {@code restart}, members refused and one that joins), then those that kill a member with
 * SIGKILL (one that hosts a rank, then the oldest, the machine's), then {@code cluster down}.
 */
@Isolated
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLifecycleTest {
    /** SIGKILL to removal, with uniform-cluster.conf's failure detector (3 s pause) and resolver (stable-after 7 s). */
    static final Duration REMOVAL_BOUND = Duration.ofSeconds(20);
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Duration JOB_END = Duration.ofSeconds(300);
    private static final Pattern MEMBER_UP = Pattern.compile("member (\\d+): pid (\\d+), (\\S+:\\d+), metrics http://\\S+:(\\d+)/metrics, log");
    private static final Pattern SEED = Pattern.compile("the cluster's seed is (\\S+) ");
    private static final Pattern JOB = Pattern.compile("uniform: job (\\d+) runs on nodes \\[([0-9, ]+)\\]");
    private static final Pattern SNAPSHOT = Pattern.compile("uniform: snapshot of job \\d+: ");
    private static final Pattern RESTARTS = Pattern.compile("uniform: job \\d+ restarts from its snapshot as job \\d+ on nodes");
    private static final Pattern HOSTS = Pattern.compile("member 127\\.0\\.0\\.1:(\\d+): nodes ([0-9,-]+) \\((\\d+)\\)");
    private static final Pattern TAKEN = Pattern.compile("snapshot of job (\\d+): (\\S+), [0-9,]+ bytes, [0-9.]+ ms, \\d+ message\\(s\\) in flight\\n");
    private static final String TOKEN_RING = guest("elf/mpp/token_ring.elf");
    private static final String ALLTOALL = guest("elf/mpp/alltoall.elf");
    private static final int MEMBERS = 3;
    private static final int ALLTOALL_RANKS = 4;
    private static final int ALLTOALL_ROUNDS = 4000;
    private static final String ALLTOALL_RESULT = "[0] alltoall: " + ALLTOALL_RANKS + " ranks, " + ALLTOALL_ROUNDS + " rounds, "
            + (ALLTOALL_RANKS * ALLTOALL_RANKS * ALLTOALL_ROUNDS) + " messages, ok\n";

    /** A member JVM: its pid, the HOST:PORT the others reach it at, and its metrics port (0: not known). */
    private record MemberJvm(long pid, String address, int metricsPort) {
        int port() {
            return Integer.parseInt(address.substring(address.indexOf(':') + 1));
        }

        boolean alive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    @TempDir
    Path directory;

    private Path logs;
    private Path clusterFile;
    private Path machineFile;
    private Process up;
    private String seed;
    /** The member JVMs: the seed (the oldest), the others {@code cluster up} started, then the one that joined later (the youngest). */
    private final List<MemberJvm> members = new ArrayList<>();
    /** Processes a case started that must not outlive the class: clients and the member that joins. */
    private final List<Process> started = new ArrayList<>();
    /** The member JVMs a case killed with SIGKILL. */
    private final List<MemberJvm> sigkilled = new ArrayList<>();
    /** A client in the cluster for the whole class: it asks the machine for its status and watches the membership. */
    private MachineConnection watcher;
    private TestProbe<Object> probe;

    @BeforeAll
    void clusterUp() throws Exception {
        clusterFile = ClusterCommandTest.clusterFile("ClusterLifecycleTest");
        logs = clusterFile.getParent();
        machineFile = Files.writeString(logs.resolve("dealt.conf"), "preset = default\nplacement.policy = round-robin\n");
        up = uniformProcess("cluster", "up", "--members", "" + MEMBERS, "--config", machineFile.toString(), "--cluster-file",
                clusterFile.toString()).redirectErrorStream(true).start();
        BufferedReader upOut = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
        for (int i = 0; i < MEMBERS; i++) {
            Matcher member = awaitLine(upOut, MEMBER_UP);
            members.add(new MemberJvm(Long.parseLong(member.group(2)), member.group(3), Integer.parseInt(member.group(4))));
        }
        seed = awaitLine(upOut, SEED).group(1);
        watcher = MachineConnection.cluster(seed);
        probe = TestProbe.create(watcher.system());
    }

    @AfterAll
    void clusterGone() throws InterruptedException {
        started.forEach(Process::destroyForcibly);
        if (watcher != null) {
            watcher.close();
        }
        if (up != null) {
            up.destroy(); // its shutdown hook stops the members it started that are left
            up.waitFor(120, TimeUnit.SECONDS);
        }
        members.forEach(member -> ProcessHandle.of(member.pid()).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    @Order(1)
    void clusterUpWritesEveryMembersAddressAndMachineShowsTheNodesOfEach() throws Exception {
        assertEquals(members.get(0).address(), seed, "the first member started is the seed");
        List<String> written = List.of(Files.readString(clusterFile).trim().split(","));
        assertEquals(seed, written.get(0), "the seed's address first");
        // The members after the seed start together: either may be Up first.
        assertEquals(Set.copyOf(members.stream().map(MemberJvm::address).toList()), Set.copyOf(written), "every member's address");

        CommandRun machine = uniform("machine", "--cluster", "--cluster-file", clusterFile.toString());
        assertEquals(0, machine.status(), machine::toString);
        List<Matcher> hosts = machine.out().lines().map(HOSTS::matcher).filter(Matcher::matches).toList();
        assertEquals(MEMBERS, hosts.size(), machine::toString);
        int nodes = hosts.stream().mapToInt(host -> Integer.parseInt(host.group(3))).sum();
        assertTrue(hosts.stream().allMatch(host -> Math.abs(Integer.parseInt(host.group(3)) * MEMBERS - nodes) < MEMBERS),
                () -> "the nodes are dealt evenly: " + machine);
    }

    @Test
    @Order(2)
    void membersServeTheirFiguresTopShowsThemAllAndCtrlCKillsAClientsJob() throws Exception {
        Process ring = start("yod", "--cluster=" + seed, "-sz", "3", TOKEN_RING, "100000000");
        String ringId = awaitLine(stderr(ring), JOB).group(1);
        probe.awaitAssert(PATIENCE, Duration.ofMillis(500), () -> {
            double ranks = 0;
            for (MemberJvm member : members) {
                String text = MetricsPortTest.scrape(member.metricsPort());
                ranks += MetricsPortTest.sum(text, "uniform_job_ranks", "job_id=\"" + ringId + "\"");
                assertTrue(MetricsPortTest.sum(text, "uniform_member_artery_messages_sent_total") > 0, text);
                assertTrue(text.contains("uniform_member_mailbox_messages{"), text);
                assertTrue(text.contains("uniform_node_mailbox_messages{"), text);
                assertPromtoolAccepts(text, member);
            }
            assertEquals(3, ranks, "the job's ranks, reported once: by the member that runs the machine");
            return null;
        });
        // A member heard late (its report more than an interval old on a loaded host) makes a screen show two: one of five shows all.
        CommandRun top = uniform("top", "--iterations", "5", "--cluster=" + seed);
        assertEquals(0, top.status(), top::toString);
        assertTrue(top.out().contains("uniform top: " + MEMBERS + " members, "), top::toString);
        for (MemberJvm member : members) {
            assertTrue(top.out().contains(member.address()), top::toString);
        }

        // Ctrl-C on the client: the kill reaches the job before the client leaves, and its nodes are free again.
        assertEquals(0, new ProcessBuilder("kill", "-INT", "" + ring.pid()).start().waitFor());
        assertTrue(ring.waitFor(60, TimeUnit.SECONDS), "the client ends after Ctrl-C");
        probe.awaitAssert(PATIENCE, Duration.ofMillis(100), () -> {
            assertTrue(status().states().values().stream().noneMatch(state -> state.kind() == NodeState.Kind.RUNNING),
                    "no node runs the killed job");
            return null;
        });
    }

    @Test
    @Order(3)
    void aJobSpansTheMembersAndMovesThroughTheOperatorsCommands() throws Exception {
        // Long enough to run through the three commands below (on a loaded host they took half of a run of 1,000
        // rounds; on an idle one 1,000 rounds are about 9 s of a rank's CPU, and the commands' joins cost less there).
        int rounds = 1600;
        Process job = start("yod", "--cluster=" + seed, "-sz", "2", guest("elf/bench/bench_sort.elf"), "" + rounds);
        BufferedReader jobErr = stderr(job);
        Matcher started = awaitLine(jobErr, JOB);
        String jobId = started.group(1);
        int rankOneNode = Integer.parseInt(started.group(2).split(", ")[1]);

        // The refusal first: a move of a job that has ended is refused for that, not for the node.
        CommandRun refused = uniform("migrate", jobId, "0", "--to", "999", "--cluster=" + seed);
        assertEquals(1, refused.status(), refused::toString);
        assertTrue(refused.err().contains("uniform: migrate: refused: there is no node 999"), refused::toString);
        CommandRun migrate = uniform("migrate", jobId, "0", "--partition", "service", "--cluster", "--cluster-file", clusterFile.toString());
        assertEquals(0, migrate.status(), migrate::toString);
        assertTrue(migrate.out().matches("job " + jobId + " rank 0 moved from node \\d+ to node \\d+: .*\\n"), migrate::toString);
        CommandRun drain = uniform("drain", "" + rankOneNode, "--cluster=" + seed);
        assertEquals(0, drain.status(), drain::toString);
        assertTrue(drain.out().startsWith("job " + jobId + " rank 1 moved from node " + rankOneNode + " to node "), drain::toString);

        String out = output(job, jobErr);
        List<String> results = out.lines().map(line -> line.replaceFirst("^\\[\\d\\] ", "")).toList();
        assertEquals(2, results.size(), out);
        assertTrue(results.get(0).startsWith("bench_sort rounds " + rounds + " checksum 0x"), out);
        assertEquals(results.get(0), results.get(1), "the moved ranks computed what the other would have");
    }

    /**
     * {@code checkpoint --cluster HOST:PORT JOB} snapshots a running job into its yod's snapshot
     * directory (the job's client hears of it too), the file is a snapshot of every rank, and
     * {@code restart --cluster} from it prints what a run without failure prints.
     */
    @Test
    @Order(4)
    void aCheckpointOfARunningJobRestartsToTheFailureFreeResult() throws Exception {
        // The restart runs what is left after the snapshot, most of the laps. Enough that the checkpoint finds
        // the job running, and Ctrl-C too: on a loaded host the checkpoint came 4 s after the job's start and
        // 3,000 laps took over 20 s; on an idle one a lap takes about 3 ms.
        int laps = 4000;
        Path snapshots = directory.resolve("snapshots");
        Process ring = start("yod", "--cluster=" + seed, "-sz", "3", "--snapshots", snapshots.toString(), TOKEN_RING, "" + laps);
        BufferedReader ringErr = stderr(ring);
        String jobId = awaitLine(ringErr, JOB).group(1);

        CommandRun checkpoint = uniform("checkpoint", "--cluster", seed, jobId);
        assertEquals(0, checkpoint.status(), checkpoint::toString);
        Matcher taken = TAKEN.matcher(checkpoint.out());
        assertTrue(taken.matches(), checkpoint::toString);
        assertEquals(jobId, taken.group(1));
        Path file = Path.of(taken.group(2));
        assertEquals(snapshots, file.getParent(), "the file is in the job's snapshot directory");
        awaitLine(ringErr, SNAPSHOT); // the job's client says so too
        SnapshotFile.Header header = SnapshotFile.header(file);
        assertEquals(3, header.ranks().size(), () -> "every rank is in the snapshot: " + header);

        // The job runs on after its snapshot: Ctrl-C ends it, and the restart does the rest.
        assertEquals(0, new ProcessBuilder("kill", "-INT", "" + ring.pid()).start().waitFor());
        assertTrue(ring.waitFor(60, TimeUnit.SECONDS), "the client ends after Ctrl-C");
        CommandRun restart = uniform("restart", file.toString(), "--cluster=" + seed);
        assertEquals(0, restart.status(), restart::toString);
        assertEquals("[0] token_ring: 3 ranks, " + laps + " laps, " + 3 * laps + " hops, ok\n", restart.out(), restart::toString);
    }

    /**
     * A member on a port in use and one with another machine description are each refused on
     * their own while a good one joins at the same time (their JVMs' starts overlap); the one that
     * joined is added to the cluster file after those {@code cluster up} formed, and gets nodes.
     */
    @Test
    @Order(5)
    void badMembersAreRefusedAndAJoinedOneIsAddedToTheClusterFile() throws Exception {
        List<String> formed = List.of(Files.readString(clusterFile).trim().split(","));
        Process portInUse = uniformProcess("member", "--join", seed, "--port", "" + members.get(0).port()).redirectErrorStream(true).start();
        Process otherMachine = uniformProcess("member", "--join", seed, "--port", "0", "paragon").redirectErrorStream(true).start();
        started.addAll(List.of(portInUse, otherMachine));
        int port = MemberProcesses.freePort("127.0.0.1");
        Path joinedLog = logs.resolve("joined-member.log");
        Process joined = uniformProcess(List.of(), "member", "--join", seed, "--port", "" + port, "--config", machineFile.toString())
                .redirectErrorStream(true).redirectOutput(joinedLog.toFile()).start();
        started.add(joined);
        members.add(new MemberJvm(joined.pid(), "127.0.0.1:" + port, 0));

        assertTrue(portInUse.waitFor(60, TimeUnit.SECONDS));
        String portError = new String(portInUse.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(MemberCommand.EXIT_PORT_IN_USE, portInUse.exitValue(), portError);
        assertTrue(portError.contains("cannot listen on " + seed + ": the port is in use"), portError);

        assertTrue(otherMachine.waitFor(60, TimeUnit.SECONDS));
        String otherError = new String(otherMachine.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(MemberCommand.EXIT_OTHER_MACHINE, otherMachine.exitValue(), otherError);
        assertTrue(otherError.contains("refused: this member's machine description"), otherError);

        Pattern joinedUp = Pattern.compile("member pekko://uniform@(\\S+) is up");
        Matcher joinedLine = joinedUp.matcher(awaitContent(joinedLog, content -> joinedUp.matcher(content).find(), Duration.ofSeconds(120)));
        assertTrue(joinedLine.find());
        assertEquals("127.0.0.1:" + port, joinedLine.group(1));
        // (the member of another machine may be listed a moment: it joins, is refused and leaves).
        List<String> expected = new ArrayList<>(formed);
        expected.add(joinedLine.group(1));
        awaitContent(clusterFile, content -> List.of(content.trim().split(",")).equals(expected), Duration.ofSeconds(60));
        probe.awaitAssert(PATIENCE, Duration.ofSeconds(1), () -> {
            Map<Integer, Set<Integer>> hosted = hosted("--cluster=" + seed);
            assertEquals(MEMBERS + 1, hosted.size(), () -> "every member hosts nodes: " + hosted);
            return null;
        });
    }

    /**
     * A member other than the machine's that hosts a rank of a {@code --checkpoint-every} job is
     * killed with SIGKILL mid-job: its nodes are down on the map, it is removed and no node stays
     * on it within {@link #REMOVAL_BOUND}; the job restarts from its last snapshot on the
     * survivors and prints what a run without failure prints.
     */
    @Test
    @Order(6)
    void aKilledMemberIsRemovedWithinTheBoundAndItsJobRestartsFromItsSnapshot() throws Exception {
        Process job = startCheckpointed("member-killed");
        BufferedReader jobErr = stderr(job);
        List<Integer> nids = Pattern.compile(", ").splitAsStream(awaitLine(jobErr, JOB).group(2)).map(Integer::parseInt).toList();
        awaitLine(jobErr, SNAPSHOT);
        // Asked through the watcher, not a client of its own: the kill follows the first snapshot closely, the job mid-run.
        Map<Integer, String> placed = status().members();
        // The youngest first: the one that joined, if it hosts a rank.
        MemberJvm victim = IntStream.range(1, members.size()).mapToObj(i -> members.get(members.size() - i))
                .filter(member -> member.alive() && nids.stream().anyMatch(nid -> member.address().equals(placed.get(nid)))).findFirst()
                .orElseThrow(() -> new AssertionError("no rank of " + nids + " on a member other than the oldest: " + placed));
        List<Integer> itsNodes = placed.entrySet().stream().filter(node -> node.getValue().equals(victim.address())).map(Map.Entry::getKey)
                .toList();
        assertFalse(itsNodes.isEmpty(), "the member killed hosts nodes");

        long killed = System.nanoTime();
        sigkill(victim);
        probe.awaitAssert(REMOVAL_BOUND, Duration.ofMillis(100), () -> {
            Machine.Status status = status();
            assertTrue(itsNodes.stream().allMatch(nid -> status.states().get(nid).equals(NodeState.DOWN)), "its nodes are down: " + status);
            return null;
        });
        double downAfter = secondsSince(killed);
        probe.awaitAssert(REMOVAL_BOUND, Duration.ofMillis(100), () -> {
            assertFalse(memberAddresses().contains(victim.address()), "the killed member is removed");
            return null;
        });
        double removedAfter = secondsSince(killed);
        awaitContent(clusterFile, content -> !content.contains(victim.address()), REMOVAL_BOUND);
        probe.awaitAssert(REMOVAL_BOUND, Duration.ofMillis(100), () -> {
            Machine.Status status = status();
            assertFalse(status.members().containsValue(victim.address()), "no node is left on the killed member: " + status);
            return null;
        });
        System.out.printf("SIGKILL of %s: its nodes down after %.1f s, removed after %.1f s, no node on it after %.1f s%n",
                victim.address(), downAfter, removedAfter, secondsSince(killed));

        awaitLine(jobErr, RESTARTS);
        System.out.printf("ClusterLifecycleTest (a member with a rank killed): from SIGKILL to the restarted job's start %.1f s%n",
                secondsSince(killed));
        assertEquals(ALLTOALL_RESULT, output(job, jobErr));
    }

    /**
     * The oldest member, the machine's and every yod's, is killed with SIGKILL while two jobs run:
     * the client of the one with snapshots has its keeper recover the job on the machine that
     * starts on the next oldest, to the failure-free result; the client of the one without says
     * its yod is gone with that member and exits instead of waiting forever. A client given the
     * cluster file (the dead seed's address first) then joins through a survivor.
     */
    @Test
    @Order(7)
    void whenTheOldestIsKilledAJobWithSnapshotsRestartsAndAClientWithoutOneSaysSo() throws Exception {
        MemberJvm oldest = members.get(0);
        // keep-oldest takes a lost oldest for alone, and downs it, only with two hosts or more beside it.
        assertTrue(members.stream().filter(MemberJvm::alive).count() >= 3, () -> "three live hosts before the oldest's kill: " + members);
        // The two clients' JVMs start together; the orphan's job is awaited first, so that the kill
        // follows the all-to-all's first snapshot closely: it is mid-job then.
        Process orphan = start("yod", "--cluster=" + seed, "-sz", "2", TOKEN_RING, "100000000");
        Process recovered = startCheckpointed("oldest-killed");
        BufferedReader orphanErr = stderr(orphan);
        awaitLine(orphanErr, JOB);
        BufferedReader recoveredErr = stderr(recovered);
        awaitLine(recoveredErr, JOB);
        awaitLine(recoveredErr, SNAPSHOT);

        long killed = System.nanoTime();
        sigkill(oldest);
        Matcher gone = awaitLine(orphanErr, Pattern.compile("uniform: the job's yod is gone with its member (\\S+) \\(it left or died\\)"));
        assertEquals(oldest.address(), gone.group(1));
        assertTrue(orphan.waitFor(60, TimeUnit.SECONDS), "the client exits");
        assertEquals(1, orphan.exitValue());

        awaitLine(recoveredErr, RESTARTS);
        System.out.printf("ClusterLifecycleTest (the oldest killed): from SIGKILL to the restarted job's start %.1f s%n", secondsSince(killed));
        assertEquals(ALLTOALL_RESULT, output(recovered, recoveredErr));
        long survivors = members.stream().filter(MemberJvm::alive).count();
        Map<Integer, Set<Integer>> after = hosted("--cluster", "--cluster-file", clusterFile.toString());
        assertEquals(survivors, after.size(), () -> "the survivors host the nodes: " + after);
    }

    /** {@code cluster down} makes every member left leave; {@code cluster up} then returns and removes its cluster file. */
    @Test
    @Order(8)
    void clusterDownMakesEveryMemberLeaveAndClusterUpReturns() throws Exception {
        CommandRun down = uniform("cluster", "down", "--cluster-file", clusterFile.toString());
        assertEquals(0, down.status(), down::toString);
        assertTrue(down.out().endsWith("every member has left\n"), down::toString);
        assertTrue(up.waitFor(60, TimeUnit.SECONDS), "cluster up returns once its members have left");
        // Not 0 when a case above killed a member that cluster up started (its status is SIGKILL's).
        boolean killedOne = members.stream().limit(MEMBERS).anyMatch(sigkilled::contains);
        assertEquals(killedOne ? 1 : 0, up.exitValue());
        assertTrue(Files.notExists(clusterFile), "the cluster file is gone with the cluster");
        for (MemberJvm member : members) {
            ProcessHandle.of(member.pid()).ifPresent(left -> left.onExit().orTimeout(60, TimeUnit.SECONDS).join());
        }
    }

    /** The all-to-all with a snapshot every second, in a folder of its own. */
    private Process startCheckpointed(String snapshots) throws IOException {
        return start("yod", "--cluster=" + seed, "-sz", "" + ALLTOALL_RANKS, "--checkpoint-every", "1", "--snapshots",
                directory.resolve(snapshots).toString(), ALLTOALL, "" + ALLTOALL_ROUNDS);
    }

    /** {@code uniform ARGS} in a JVM of its own, ended with the class if not before. */
    private Process start(String... args) throws IOException {
        Process process = uniformProcess(args).start();
        started.add(process);
        return process;
    }

    /** A job client's standard output once it ended with exit status 0, checked. */
    private static String output(Process job, BufferedReader jobErr) throws IOException, InterruptedException {
        assertTrue(job.waitFor(JOB_END.toSeconds(), TimeUnit.SECONDS), "the job ends");
        String out = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = jobErr.lines().collect(Collectors.joining("\n"));
        assertEquals(0, job.exitValue(), out + err);
        return out;
    }

    private static BufferedReader stderr(Process process) {
        return new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    /** Each member's port and the nids it hosts, as {@code uniform machine} on the cluster {@code clusterOptions} name prints them. */
    private static Map<Integer, Set<Integer>> hosted(String... clusterOptions) {
        List<String> args = new ArrayList<>(List.of("machine"));
        args.addAll(List.of(clusterOptions));
        CommandRun machine = uniform(args.toArray(String[]::new));
        assertEquals(0, machine.status(), machine::toString);
        Map<Integer, Set<Integer>> hosted = new HashMap<>();
        machine.out().lines().map(HOSTS::matcher).filter(Matcher::matches).forEach(member -> hosted.put(Integer.parseInt(member.group(1)),
                Pattern.compile(",").splitAsStream(member.group(2)).flatMap(range -> {
                    String[] ends = range.split("-");
                    return IntStream.rangeClosed(Integer.parseInt(ends[0]), Integer.parseInt(ends[ends.length - 1])).boxed();
                }).collect(Collectors.toSet())));
        return hosted;
    }

    private Machine.Status status() {
        return AskPattern.<Machine.Command, Machine.Status>ask(watcher.machine(), Machine.GetStatus::new, Duration.ofSeconds(5),
                watcher.system().scheduler()).toCompletableFuture().join();
    }

    private List<String> memberAddresses() {
        List<String> addresses = new ArrayList<>();
        for (Member member : Cluster.get(watcher.system()).state().getMembers()) {
            addresses.add(member.address().hostPort().replaceFirst("^uniform@", ""));
        }
        return addresses;
    }

    /** Checks that {@code promtool check metrics} accepts {@code text}, {@code member}'s figures. */
    private static void assertPromtoolAccepts(String text, MemberJvm member) throws Exception {
        Process check = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        check.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        check.getOutputStream().close();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, check.exitValue(), () -> "promtool check metrics on " + member + "'s figures: " + output);
    }

    /** Kills {@code member} with SIGKILL and remembers it. */
    private void sigkill(MemberJvm member) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-KILL", "" + member.pid()).start().waitFor());
        sigkilled.add(member);
    }
}
