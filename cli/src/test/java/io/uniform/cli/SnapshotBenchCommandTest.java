package io.uniform.cli;

import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code uniform bench-snapshot} with the smallest settings: a row per snapshot whose figures
 * agree with the file it wrote (no timing is asserted: the figures belong to docs/BENCHMARKS.md).
 */
@Isolated
class SnapshotBenchCommandTest {
    private static final Pattern ROW = Pattern.compile(
            "(\\d+) +(\\d+\\.\\d+) +(\\d+\\.\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+\\.\\d+) +(\\d+\\.\\d+)");

    @TempDir
    Path snapshots;

    @Test
    void twoSnapshotsOfATwoRankJobPrintTheirRowsAndLeaveTheirFiles() throws Exception {
        CommandRun run = uniform("bench-snapshot", "--machine", "default", "--sizes", "2", "--snapshots", "2", "--after", "0",
                "--dir", snapshots.toString());
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("snapshots of allreduce.elf on default in this JVM, 2 per job"), run::toString);
        List<Matcher> rows = run.out().lines().map(ROW::matcher).filter(Matcher::matches).toList();
        assertEquals(2, rows.size(), run::toString);
        // The file asked for last is kept (a checkpoint asked for stays); its size is the row's.
        List<Path> files = Files.list(snapshots).filter(file -> file.toString().endsWith(".snapshot")).toList();
        assertTrue(!files.isEmpty(), () -> "snapshot files in " + snapshots + ": " + run);
        for (Matcher row : rows) {
            assertEquals(2, Integer.parseInt(row.group(1)));
            long bytes = Long.parseLong(row.group(4));
            assertEquals(bytes / 2, Long.parseLong(row.group(5)), run::toString);
            assertTrue(Double.parseDouble(row.group(3)) > 0 && Double.parseDouble(row.group(7)) > 0, run::toString);
        }
        long sizeOfAFile = Files.size(files.get(0));
        assertTrue(rows.stream().anyMatch(row -> Long.parseLong(row.group(4)) == sizeOfAFile), () -> sizeOfAFile + " bytes: " + run);
    }

    @Test
    void noSnapshotsIsAUsageError() {
        CommandRun run = uniform("bench-snapshot", "--snapshots", "0");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().startsWith("uniform: bench-snapshot: --sizes and --snapshots must be at least 1"), run::toString);
    }

    @Test
    void aJobLargerThanTheMachineIsReported() {
        CommandRun run = uniform("bench-snapshot", "--machine", "default", "--sizes", "64", "--snapshots", "1");
        assertEquals(1, run.status(), run::toString);
        assertTrue(run.err().startsWith("uniform: bench-snapshot: "), run::toString);
    }
}
