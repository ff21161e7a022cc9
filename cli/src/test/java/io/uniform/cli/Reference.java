package io.uniform.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference emulators (QEMU) the differential tests compare against. When one is not
 * installed the tests that need it are skipped, unless {@code uniform.requireReference} is
 * true (as in CI), where its absence is a failure.
 */
final class Reference {
    private Reference() {}

    record Result(byte[] stdout, int status) {}

    static void require(String executable) {
        boolean present = onPath(executable);
        if (!present && Boolean.getBoolean("uniform.requireReference")) {
            throw new AssertionError(executable + " is required (uniform.requireReference=true) but is not on the PATH");
        }
        Assumptions.assumeTrue(present, executable + " is not installed: differential test skipped");
    }

    static Result run(List<String> command, byte[] stdin) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                in.write(stdin);
            }
            byte[] stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("reference run timed out: " + command);
            }
            return new Result(stdout, process.exitValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean onPath(String executable) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, executable))) {
                return true;
            }
        }
        return false;
    }
}
