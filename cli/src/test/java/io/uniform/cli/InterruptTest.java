package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ctrl-C on yod kills the job, prints its end and exits 130: a real JVM gets a real SIGINT. */
class InterruptTest {
    @Test
    void sigintKillsTheJobThroughYod() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // stdin_echo waits for its input, which this test never closes: the job runs until killed.
        Process yod = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Uniform.class.getName(), "yod", guest("elf/tests/stdin_echo.elf"))).start();
        try {
            waitUntilWaitingForInput(yod);
            assertEquals(0, new ProcessBuilder("sh", "-c", "kill -INT " + yod.pid()).start().waitFor());
            assertTrue(yod.waitFor(60, TimeUnit.SECONDS), "yod exits after Ctrl-C");
            String err = new String(yod.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(130, yod.exitValue(), err);
            assertTrue(err.contains("interrupted (Ctrl-C on yod)"), err);
        } finally {
            yod.destroyForcibly();
        }
    }

    /** Sends a line and waits for its echo (stdout is line buffered): the job has started and reads on. */
    private static void waitUntilWaitingForInput(Process yod) throws Exception {
        yod.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
        yod.getOutputStream().flush();
        InputStream out = yod.getInputStream();
        // The read blocks until the echo comes; the future bounds the wait.
        int first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        assertEquals('X', first, "the job echoed its first line");
    }
}
