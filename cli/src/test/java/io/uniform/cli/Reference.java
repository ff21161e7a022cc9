package io.uniform.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference emulators (QEMU) the differential tests compare against. When one is not
 * installed the tests that need it are skipped, unless {@code uniform.requireReference} is
 * true (as in CI), where its absence is a failure.
 */
final class Reference {
    private Reference() {}

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    record Result(byte[] stdout, int status) {}

    static void require(String executable) {
        boolean present = onPath(executable);
        if (!present && Boolean.getBoolean("uniform.requireReference")) {
            throw new AssertionError(executable + " is required (uniform.requireReference=true) but is not on the PATH");
        }
        Assumptions.assumeTrue(present, executable + " is not installed: differential test skipped");
    }

    /** Runs a reference emulator (see {@link ReferenceEmulator}): stderr is dropped, two minutes at most. */
    static Result run(List<String> command, byte[] stdin) {
        return run(command, stdin, null);
    }

    /** {@link #run(List, byte[])} in working directory {@code directory} (null: this JVM's). */
    static Result run(List<String> command, byte[] stdin, Path directory) {
        try {
            ReferenceEmulator.Run run = ReferenceEmulator.run(command, stdin, TIMEOUT, directory);
            return new Result(run.stdout(), run.status());
        } catch (ReferenceEmulator.TimedOut e) {
            throw new AssertionError("reference run timed out: " + e.getMessage(), e);
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
