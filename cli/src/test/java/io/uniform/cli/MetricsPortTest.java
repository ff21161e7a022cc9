package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code --metrics-port} on a job command: a real {@code uniform yod} JVM serves the machine's
 * figures while its job runs (scraped until they show the job's three nodes running it), and a
 * port in use is a clear error before any job starts.
 */
@Isolated
class MetricsPortTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);

    static {
        org.slf4j.LoggerFactory.getILoggerFactory(); // bound before the test kit's threads race to do it
    }

    private final ActorTestKit testKit = ActorTestKit.create();

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void yodServesTheMachinesFiguresWhileTheJobRuns() throws Exception {
        int port = freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process yod = new ProcessBuilder(List.of(java.toString(), "-Duniform.metrics.interval=200ms", "-cp",
                System.getProperty("java.class.path"), Uniform.class.getName(), "yod", "--metrics-port", Integer.toString(port), "-sz", "3",
                guest("elf/mpp/token_ring.elf"), "100000000")).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(yod.getErrorStream(), StandardCharsets.UTF_8));
            String announced = CompletableFuture.supplyAsync(() -> {
                try {
                    return err.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            assertEquals("uniform: metrics at http://0.0.0.0:" + port + "/metrics", announced);
            testKit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
                String text = scrape(port);
                assertEquals(3, sum(text, "uniform_node_state", "partition=\"compute\"", "state=\"running\""), text);
                assertEquals(3, sum(text, "uniform_job_ranks", "program=\"" + guest("elf/mpp/token_ring.elf") + "\""), text);
                assertTrue(sum(text, "uniform_node_instructions_total") > 0, text);
                assertTrue(sum(text, "uniform_member_heap_used_bytes") > 0, text);
                return null;
            });
            assertEquals(0, new ProcessBuilder("sh", "-c", "kill -INT " + yod.pid()).start().waitFor());
            assertTrue(yod.waitFor(60, TimeUnit.SECONDS), "yod exits after Ctrl-C");
            assertEquals(130, yod.exitValue());
        } finally {
            yod.destroyForcibly();
        }
    }

    @Test
    void aPortInUseIsAClearErrorAndRunsNothing() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            CommandRun run = uniform("run", "--metrics-port", Integer.toString(taken.getLocalPort()), guest("elf/tests/hello.elf"));
            assertEquals(1, run.status(), run::toString);
            assertTrue(run.err().contains("the metrics endpoint cannot listen on 0.0.0.0:" + taken.getLocalPort()), run::toString);
            assertEquals("", run.out(), run::toString);
        }
    }

    @Test
    void aPortOutOfRangeIsAUsageError() {
        CommandRun run = uniform("run", "--metrics-port", "70000", guest("elf/tests/hello.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--metrics-port must be a port from 1 to 65535, not 70000"), run::toString);
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** The sum of the samples of {@code name} whose labels contain each of {@code labelParts}. */
    private static double sum(String text, String name, String... labelParts) {
        double sum = 0;
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            String labels = sample.group(2);
            if (sample.group(1).equals(name) && java.util.Arrays.stream(labelParts).allMatch(labels::contains)) {
                sum += Double.parseDouble(sample.group(3));
            }
        }
        return sum;
    }
}
