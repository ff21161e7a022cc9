package io.uniform.metrics;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' own checker of the exposition format ({@code promtool}, Debian's prometheus package,
 * which scripts/setup installs). Missing, a test that needs it is skipped, unless
 * {@code uniform.requireReference} is true (as in CI), where its absence is a failure.
 */
final class Promtool {
    private Promtool() {}

    record Result(int status, String output) {}

    static void require() {
        boolean present = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "promtool")));
        if (!present && Boolean.getBoolean("uniform.requireReference")) {
            throw new AssertionError("promtool is required (uniform.requireReference=true) but is not on the PATH");
        }
        Assumptions.assumeTrue(present, "promtool is not installed (scripts/setup installs it): exposition check skipped");
    }

    /** {@code promtool check metrics} on {@code text}: its status and what it printed. */
    static Result checkMetrics(String text) throws IOException, InterruptedException {
        return run(text, "check", "metrics");
    }

    /** {@code promtool check config} of the configuration file {@code file}. */
    static Result checkConfig(Path file) throws IOException, InterruptedException {
        return run("", "check", "config", file.toString());
    }

    private static Result run(String stdin, String... arguments) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("promtool"));
        command.addAll(java.util.List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within a minute");
        }
        return new Result(process.exitValue(), output);
    }
}
