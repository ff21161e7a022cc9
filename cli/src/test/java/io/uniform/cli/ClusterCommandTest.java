package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
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
 * The cluster commands' refusals that need no running cluster (no cluster named, an unreachable
 * seed, a port in use, a bound that does not fit Artery's frame), and the helpers of the tests
 * that start real member JVMs ({@link ClusterLifecycleTest} runs one cluster through them all).
 */
@Isolated
class ClusterCommandTest {
    @TempDir
    Path directory;

    /**
     * Options for a JVM that lives for one command (a client, a member refused at start): C1
     * only and the serial collector. On the 2-core host they cut the CPU time of {@code uniform
     * run hello.elf} from 7.2-8.3 s to 4.4-4.9 s; a member that runs ranks keeps the defaults.
     */
    static final List<String> SHORT_LIVED_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** {@code uniform ARGS} in a short-lived JVM of its own ({@link #SHORT_LIVED_JVM}). */
    static ProcessBuilder uniformProcess(String... args) {
        return uniformProcess(SHORT_LIVED_JVM, args);
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
