package io.uniform.cli;

import io.uniform.guest.GuestFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * One run of the {@code uniform} command as a user drives it, through
 * {@link Uniform#commandLine()}. The commands write to {@link System#out} and {@link System#err}
 * directly, so the run swaps both (and {@link System#in}) for buffers and restores them
 * afterwards: test classes that use it must be {@code @Isolated}.
 */
record CommandRun(int status, String out, String err) {
    static CommandRun uniform(String... args) {
        return uniformWithStdin(new byte[0], args);
    }

    /** A run whose standard input holds {@code stdin}. */
    static CommandRun uniformWithStdin(byte[] stdin, String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        InputStream savedIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin));
            // Built after the swap: picocli's own writers wrap System.out/err when first used.
            CommandLine commandLine = Uniform.commandLine();
            int status = commandLine.execute(args);
            commandLine.getOut().flush();
            commandLine.getErr().flush();
            System.out.flush();
            System.err.flush();
            return new CommandRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
            System.setIn(savedIn);
        }
    }

    /** The path of a committed guest file (e.g. {@code elf/tests/hello.elf}), checked to exist. */
    static String guest(String relative) {
        Path path = GuestFiles.directory().resolve(relative);
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("guest file " + path + " does not exist");
        }
        return path.toString();
    }

    @Override
    public String toString() {
        return "status " + status + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
}
