package io.uniform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a reference emulator (qemu-riscv32, qemu-system-riscv32) as a child process, for
 * {@code uniform bench} and the differential tests.
 *
 * <p>The child gets an empty environment (so the guest sees the same environment as under
 * {@code uniform exec}). Its stdin, stdout and stderr are temporary files, so no pipe can fill
 * up and block it or us whatever it reads or writes, and the timeout covers the whole run:
 * when it expires the child and all its descendants are killed and {@link TimedOut} is thrown.
 */
final class ReferenceEmulator {
    private ReferenceEmulator() {}

    /** How long to wait for a process tree to go after it has been killed. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    /** A finished run: what it wrote, its exit status and the wall time from start to exit. */
    record Run(byte[] stdout, byte[] stderr, int status, long elapsedNanos) {}

    /** Thrown when a run does not finish within its timeout; the process tree has been killed. */
    static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut(List<String> command, Duration timeout) {
            super("'" + String.join(" ", command) + "' did not finish within " + describe(timeout)
                    + "; it was killed");
        }
    }

    /**
     * Runs {@code command} with {@code stdin} as its standard input and waits at most
     * {@code timeout} for it to exit.
     *
     * @throws IOException when the command cannot be started (the message names it), or
     *     {@link TimedOut} when it did not exit in time
     * @throws InterruptedException when this thread is interrupted; the process tree is killed first
     */
    static Run run(List<String> command, byte[] stdin, Duration timeout) throws IOException, InterruptedException {
        return run(command, stdin, timeout, null);
    }

    /** {@link #run(List, byte[], Duration)} in working directory {@code directory} (null: this process's). */
    static Run run(List<String> command, byte[] stdin, Duration timeout, Path directory) throws IOException, InterruptedException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        Path input = Files.createTempFile("uniform-reference-", ".in");
        Path output = Files.createTempFile("uniform-reference-", ".out");
        Path errors = Files.createTempFile("uniform-reference-", ".err");
        try {
            Files.write(input, stdin);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(input.toFile())
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile())
                    .directory(directory == null ? null : directory.toFile());
            builder.environment().clear();
            long start = System.nanoTime();
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IOException("cannot start '" + command.get(0) + "': " + e.getMessage(), e);
            }
            boolean exited;
            try {
                exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                killTree(process);
                throw e;
            }
            long elapsed = System.nanoTime() - start;
            if (!exited) {
                killTree(process);
                throw new TimedOut(command, timeout);
            }
            return new Run(Files.readAllBytes(output), Files.readAllBytes(errors), process.exitValue(), elapsed);
        } finally {
            Files.deleteIfExists(input);
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    /** Kills the process and every descendant it has, then waits a little for them to go. */
    private static void killTree(Process process) {
        List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                handle.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // Gone already, or still going after the grace period: nothing more to do.
            }
        }
    }

    private static String describe(Duration timeout) {
        if (timeout.toMillis() % 60_000 == 0 && timeout.toMinutes() > 0) {
            return timeout.toMinutes() + (timeout.toMinutes() == 1 ? " minute" : " minutes");
        }
        if (timeout.toMillis() % 1000 == 0) {
            return timeout.toSeconds() + (timeout.toSeconds() == 1 ? " second" : " seconds");
        }
        return timeout.toMillis() + " ms";
    }
}
