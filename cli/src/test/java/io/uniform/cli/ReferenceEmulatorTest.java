package io.uniform.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReferenceEmulator} with ordinary POSIX tools standing in for QEMU. */
class ReferenceEmulatorTest {
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    @TempDir
    Path temporary;

    @Test
    void stdinMuchLargerThanAPipeBufferComesBackWhole() throws Exception {
        byte[] input = new byte[4 << 20];
        new Random(1).nextBytes(input);
        ReferenceEmulator.Run run = ReferenceEmulator.run(List.of("cat"), input, GENEROUS);
        assertEquals(0, run.status());
        assertArrayEquals(input, run.stdout());
    }

    @Test
    void stdoutAndStderrMuchLargerThanAPipeBufferAreBothCaptured() throws Exception {
        ReferenceEmulator.Run run = ReferenceEmulator.run(List.of("sh", "-c",
                "i=0; while [ $i -lt 20000 ]; do echo out-$i; echo err-$i >&2; i=$((i+1)); done; exit 7"),
                new byte[0], GENEROUS);
        assertEquals(7, run.status());
        String out = new String(run.stdout(), StandardCharsets.US_ASCII);
        String err = new String(run.stderr(), StandardCharsets.US_ASCII);
        assertTrue(out.startsWith("out-0\n") && out.endsWith("out-19999\n"), () -> out.length() + " bytes of stdout");
        assertTrue(err.startsWith("err-0\n") && err.endsWith("err-19999\n"), () -> err.length() + " bytes of stderr");
        assertTrue(run.elapsedNanos() > 0);
    }

    @Test
    void theEnvironmentIsEmpty() throws Exception {
        ReferenceEmulator.Run run = ReferenceEmulator.run(List.of("env"), new byte[0], GENEROUS);
        assertEquals(0, run.status());
        assertEquals("", new String(run.stdout(), StandardCharsets.UTF_8));
    }

    @Test
    void aRunPastItsTimeoutIsKilledWithItsChildrenAndSaysSo() throws Exception {
        Path pidFile = temporary.resolve("child.pid");
        long start = System.nanoTime();
        ReferenceEmulator.TimedOut timedOut = assertThrows(ReferenceEmulator.TimedOut.class, () -> ReferenceEmulator.run(
                List.of("sh", "-c", "sleep 120 & echo $! > '" + pidFile + "'; wait"), new byte[0], Duration.ofMillis(500)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "returns soon after the timeout");
        assertTrue(timedOut.getMessage().contains("did not finish within 500 ms"), timedOut::getMessage);
        assertTrue(timedOut.getMessage().contains("sleep 120"), () -> "names the command: " + timedOut.getMessage());
        long child = Long.parseLong(Files.readString(pidFile).strip());
        Optional<ProcessHandle> handle = ProcessHandle.of(child);
        assertFalse(handle.isPresent() && handle.get().isAlive(), "the child of the timed-out process was killed");
    }

    @Test
    void aCommandThatCannotStartIsAnIoExceptionNamingIt() {
        IOException e = assertThrows(IOException.class, () -> ReferenceEmulator.run(
                List.of(temporary.resolve("no-such-emulator").toString()), new byte[0], GENEROUS));
        assertFalse(e instanceof ReferenceEmulator.TimedOut);
        assertTrue(e.getMessage().contains("no-such-emulator"), e::getMessage);
    }
}
