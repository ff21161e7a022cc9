package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A cluster of real member JVMs on loopback, driven through the CLI as an operator would:
 * {@code cluster up} starts two members, a {@code yod --cluster} job's ranks span them, the
 * operator moves a rank with {@code migrate} and empties a node with {@code drain} while it runs,
 * bad input is refused clearly, and {@code cluster down} makes every member leave and exit.
 */
@Isolated
class ClusterCommandTest {
    private static final Pattern SEED = Pattern.compile("the cluster's seed is (\\S+) ");
    private static final Pattern JOB = Pattern.compile("uniform: job (\\d+) runs on nodes \\[([0-9, ]+)\\]");

    @TempDir
    Path directory;

    static ProcessBuilder uniformProcess(String... args) {
        return uniformProcess(List.of(), args);
    }

    /** {@code uniform ARGS} in a JVM of its own, with {@code javaOptions}. */
    static ProcessBuilder uniformProcess(List<String> javaOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Uniform.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * Where a test's {@code cluster up} keeps its cluster file and member logs: under the module's
     * target, so that they outlive a failed run (a failure message holds only their ends).
     */
    static Path clusterFile(String test) throws IOException {
        return Files.createDirectories(Path.of("target", "member-logs", test)).toAbsolutePath().resolve("cluster");
    }

    /** Reads {@code process}'s lines until one matches {@code pattern}; fails with what it read if it ends first. */
    static Matcher awaitLine(BufferedReader lines, Pattern pattern) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            seen.append(line).append('\n');
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
        }
        throw new AssertionError("no line like " + pattern + " in:\n" + seen);
    }

    /** Waits (on the file system's events, at most {@code timeout}) until {@code file} holds what {@code wanted} accepts; returns that. */
    static String awaitContent(Path file, Predicate<String> wanted, Duration timeout) throws IOException, InterruptedException {
        try (WatchService watcher = file.getFileSystem().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            long deadline = System.nanoTime() + timeout.toNanos();
            for (String content = Files.readString(file); ; content = Files.readString(file)) {
                if (wanted.test(content)) {
                    return content;
                }
                WatchKey change = watcher.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (change == null) {
                    throw new AssertionError(file + " did not hold what was wanted within " + timeout + ": it holds " + content);
                }
                change.pollEvents();
                change.reset();
            }
        }
    }

    @Test
    void aJobSpansTheMembersAndMovesThroughTheOperatorsCommands() throws Exception {
        Path clusterFile = clusterFile("ClusterCommandTest");
        // Nodes dealt round-robin: the job's two ranks are on both members, and moves to the nearest node cross them.
        Path machineFile = Files.writeString(directory.resolve("dealt.conf"), "preset = default\nplacement.policy = round-robin\n");
        Process up = uniformProcess("cluster", "up", "--members", "2", "--config", machineFile.toString(), "--cluster-file", clusterFile.toString())
                .redirectErrorStream(true).start();
        Process job = null;
        Process joined = null;
        try {
            BufferedReader upOut = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
            String seed = awaitLine(upOut, SEED).group(1);
            List<String> written = List.of(Files.readString(clusterFile).trim().split(","));
            assertEquals(2, written.size(), () -> "every member's address: " + written);
            assertEquals(seed, written.get(0), "the seed's first");
            String port = seed.substring(seed.indexOf(':') + 1);

            CommandRun machine = uniform("machine", "--cluster", "--cluster-file", clusterFile.toString());
            assertEquals(0, machine.status(), machine::toString);
            assertEquals(2, machine.out().lines().filter(line -> line.matches("member 127\\.0\\.0\\.1:\\d+: nodes [0-9,-]+ \\(8\\)")).count(),
                    machine::toString);

            job = uniformProcess("yod", "--cluster=" + seed, "-sz", "2", guest("elf/bench/bench_sort.elf"), "2000").start();
            BufferedReader jobErr = new BufferedReader(new InputStreamReader(job.getErrorStream(), StandardCharsets.UTF_8));
            Matcher started = awaitLine(jobErr, JOB);
            String jobId = started.group(1);
            int rankOneNode = Integer.parseInt(started.group(2).split(", ")[1]);

            CommandRun migrate = uniform("migrate", jobId, "0", "--partition", "service", "--cluster", "--cluster-file", clusterFile.toString());
            assertEquals(0, migrate.status(), migrate::toString);
            assertTrue(migrate.out().matches("job " + jobId + " rank 0 moved from node \\d+ to node \\d+: .*\\n"), migrate::toString);
            CommandRun drain = uniform("drain", "" + rankOneNode, "--cluster=" + seed);
            assertEquals(0, drain.status(), drain::toString);
            assertTrue(drain.out().startsWith("job " + jobId + " rank 1 moved from node " + rankOneNode + " to node "), drain::toString);
            CommandRun refused = uniform("migrate", jobId, "0", "--to", "999", "--cluster=" + seed);
            assertEquals(1, refused.status(), refused::toString);
            assertTrue(refused.err().contains("uniform: migrate: refused: there is no node 999"), refused::toString);

            assertTrue(job.waitFor(120, TimeUnit.SECONDS), "the job ends");
            String out = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, job.exitValue(), out);
            List<String> results = out.lines().map(line -> line.replaceFirst("^\\[\\d\\] ", "")).toList();
            assertEquals(2, results.size(), out);
            assertTrue(results.get(0).startsWith("bench_sort rounds 2000 checksum 0x"), out);
            assertEquals(results.get(0), results.get(1), "the moved ranks computed what the other would have");

            // Both refused members and a good one start at once: each is refused on its own, and their JVMs' starts overlap.
            Process portInUse = uniformProcess("member", "--join", seed, "--port", port).redirectErrorStream(true).start();
            Process otherMachine = uniformProcess("member", "--join", seed, "--port", "0", "paragon").redirectErrorStream(true).start();
            Path joinedLog = clusterFile.resolveSibling("joined-member.log");
            joined = uniformProcess("member", "--join", seed, "--port", "0", "--config", machineFile.toString()).redirectErrorStream(true)
                    .redirectOutput(joinedLog.toFile()).start();
            assertTrue(portInUse.waitFor(60, TimeUnit.SECONDS));
            String portError = new String(portInUse.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(MemberCommand.EXIT_PORT_IN_USE, portInUse.exitValue(), portError);
            assertTrue(portError.contains("cannot listen on 127.0.0.1:" + port + ": the port is in use"), portError);

            assertTrue(otherMachine.waitFor(60, TimeUnit.SECONDS));
            String otherError = new String(otherMachine.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(MemberCommand.EXIT_OTHER_MACHINE, otherMachine.exitValue(), otherError);
            assertTrue(otherError.contains("refused: this member's machine description"), otherError);

            // The member that joined after `cluster up` is added to the cluster file, after the two it formed
            Pattern joinedUp = Pattern.compile("member pekko://uniform@(\\S+) is up");
            Matcher joinedLine = joinedUp.matcher(awaitContent(joinedLog, content -> joinedUp.matcher(content).find(), Duration.ofSeconds(120)));
            assertTrue(joinedLine.find());
            String joinedAddress = joinedLine.group(1);
            // (the member of another machine may be listed a moment: it joins, is refused and leaves).
            List<String> expected = List.of(written.get(0), written.get(1), joinedAddress);
            awaitContent(clusterFile, content -> List.of(content.trim().split(",")).equals(expected), Duration.ofSeconds(60));

            CommandRun down = uniform("cluster", "down", "--cluster-file", clusterFile.toString());
            assertEquals(0, down.status(), down::toString);
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "cluster up returns once its members have left");
            assertEquals(0, up.exitValue());
            assertTrue(Files.notExists(clusterFile), "the cluster file is gone with the cluster");
        } finally {
            if (job != null) {
                job.destroyForcibly();
            }
            if (joined != null) {
                joined.destroy();
            }
            up.destroy();
            up.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void commandsThatNeedAClusterSaySoAndAnUnreachableSeedIsReportedAfterItsBound() throws Exception {
        CommandRun migrate = uniform("migrate", "1", "0", "--partition", "service");
        assertEquals(2, migrate.status(), migrate::toString);
        assertTrue(migrate.err().contains("uniform: migrate: needs a running cluster: start one with `uniform cluster up`"), migrate::toString);
        CommandRun drain = uniform("drain", "3", "--cluster", "--cluster-file", directory.resolve("none").toString());
        assertEquals(2, drain.status(), drain::toString);
        assertTrue(drain.err().contains("cannot be read"), drain::toString);

        Process run = uniformProcess(List.of("-Duniform.cluster.join-timeout=5s"), "run", "--cluster=127.0.0.1:1", guest("elf/tests/hello.elf"))
                .redirectErrorStream(true).start();
        // A bound of what crosses between members that does not fit Artery's frame: refused before the member starts.
        Process badBound = uniformProcess(List.of("-Duniform.snapshots.channel-batch-bytes=1MiB"), "member", "--seed", "--port",
                "" + MemberProcesses.freePort("127.0.0.1")).redirectErrorStream(true).start();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // Behind a proxy: the port in use is the one it binds, which the error names beside the one it advertises.
            int advertised = MemberProcesses.freePort("127.0.0.1");
            Process bindInUse = uniformProcess("member", "--seed", "--port", "" + advertised, "--bind-port", "" + taken.getLocalPort())
                    .redirectErrorStream(true).start();
            assertTrue(bindInUse.waitFor(60, TimeUnit.SECONDS));
            String bindError = new String(bindInUse.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(MemberCommand.EXIT_PORT_IN_USE, bindInUse.exitValue(), bindError);
            assertTrue(bindError.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the port is in use (another member, "
                    + "or another program); the others reach this member at 127.0.0.1:" + advertised), bindError);
        }
        assertTrue(badBound.waitFor(60, TimeUnit.SECONDS));
        String boundError = new String(badBound.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, badBound.exitValue(), boundError);
        assertTrue(boundError.contains("uniform: member: uniform.snapshots.channel-batch-bytes is 1048576 bytes: with a message's envelope "), boundError);
        assertTrue(boundError.contains("Artery's frame (pekko.remote.artery.advanced.maximum-frame-size = 262144 bytes)"), boundError);

        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        String err = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, run.exitValue(), err);
        assertTrue(err.contains("uniform: cannot join the cluster at 127.0.0.1:1 within 5 s"), err);
    }
}
