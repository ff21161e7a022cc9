package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.guest.GuestFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** {@code uniform yod}: parallel jobs on the compute partition, their output, stdin and files. */
@Isolated
class YodCommandTest {
    @TempDir
    Path files;

    private static String golden(String relative) {
        return new String(GuestFiles.expected(relative), StandardCharsets.UTF_8);
    }

    @Test
    void everyRankRunsAndEachOfItsLinesCarriesItsRank() {
        CommandRun run = uniform("yod", "-sz", "4", guest("elf/tests/hello.elf"), "one", "two");
        assertEquals(0, run.status(), run::toString);
        List<String> lines = run.out().lines().toList();
        for (int rank = 0; rank < 4; rank++) {
            String prefix = "[" + rank + "] ";
            String own = lines.stream().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()) + "\n")
                    .collect(Collectors.joining());
            assertEquals(golden("tests/hello.out"), own, "rank " + rank + " in order: " + run);
        }
        assertEquals(4 * golden("tests/hello.out").lines().count(), lines.size(), run::toString);
    }

    @Test
    void aMixedJobsPumaRankMovesToLinuxAtItsFirstForkAndBothRanksPrintWhatQemuPrints() throws IOException {
        CommandRun run = uniform("yod", "--on", "mixed", "-sz", "2", "--files", files.toString(), guest("elf/posix/fork_cow.elf"));
        assertEquals(0, run.status(), run::toString);
        String golden = Files.readString(GuestFiles.directory().resolve("expected/posix/fork_cow.out"));
        for (int rank : new int[] {0, 1}) {
            String prefix = "[" + rank + "] ";
            String lines = run.out().lines().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()) + "\n")
                    .collect(Collectors.joining());
            assertEquals(golden, lines, "rank " + rank + " (started on " + (rank == 0 ? "Puma" : "Linux") + ")");
        }
    }

    @Test
    void aServiceJobRunsEveryRankOnLinux() {
        CommandRun run = uniform("yod", "--on", "service", "-sz", "2", guest("elf/posix/sysinfo.elf"));
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("[0] ") && run.out().contains("[1] "), run::toString);
    }

    @Test
    void aJobLargerThanThePartitionIsAClearErrorAndTheMachineRunsTheNextJob() {
        CommandRun tooBig = uniform("yod", "-sz", "13", guest("elf/tests/hello.elf"));
        assertEquals(1, tooBig.status(), tooBig::toString);
        assertTrue(tooBig.err().contains("the compute partition has 12 nodes; the job needs 13"), tooBig::toString);
        CommandRun whole = uniform("yod", "-sz", "12", guest("elf/tests/exitcode.elf"));
        assertEquals(42, whole.status(), whole::toString);
    }

    @Test
    void aSizeBelowOneOrAMissingFilesDirectoryIsAUsageError() {
        CommandRun zero = uniform("yod", "-sz", "0", guest("elf/tests/hello.elf"));
        assertEquals(2, zero.status(), zero::toString);
        assertTrue(zero.err().contains("-sz must be at least 1"), zero::toString);
        CommandRun noDirectory = uniform("yod", "--files", files.resolve("missing").toString(), guest("elf/tests/hello.elf"));
        assertEquals(2, noDirectory.status(), noDirectory::toString);
        assertTrue(noDirectory.err().contains("is not a directory"), noDirectory::toString);
    }

    @Test
    void fileIoThroughYodMatchesLinuxAndStaysInTheFilesDirectory() throws IOException {
        CommandRun run = uniform("yod", "--files", files.toString(), guest("elf/tests/files.elf"));
        assertEquals(0, run.status(), run::toString);
        assertEquals(golden("tests/files.out"), run.out(), run::toString);
        try (var left = Files.list(files)) {
            assertEquals(List.of(), left.toList(), "the program removed its file");
        }
    }

    @Test
    void stdinReachesRankZeroAsItReads() throws IOException {
        byte[] stdin = Files.readAllBytes(GuestFiles.directory().resolve("expected").resolve("stdin_echo.in"));
        CommandRun run = CommandRun.uniformWithStdin(stdin, "yod", guest("elf/tests/stdin_echo.elf"));
        assertEquals(0, run.status(), run::toString);
        assertEquals(golden("tests/stdin_echo.out"), run.out(), run::toString);
    }

    @Test
    void anInjectedPctFaultIsContainedAndReported() {
        CommandRun run = uniform("run", "--pct-fault", "write:3", guest("elf/tests/printf_torture.elf"));
        assertEquals(0, run.status(), run::toString);
        assertEquals(golden("tests/printf_torture.out"), run.out(), run::toString);
        assertTrue(run.err().contains("the PCT faulted and was reloaded 1 time; the process went on"), run::toString);
    }

    @Test
    void aMalformedPctFaultIsAUsageError() {
        for (String bad : List.of("teleport", "write:0", "write:x")) {
            CommandRun run = uniform("yod", "--pct-fault", bad, guest("elf/tests/hello.elf"));
            assertEquals(2, run.status(), run::toString);
            assertTrue(run.err().contains("--pct-fault " + bad), run::toString);
        }
    }
}
