package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code yod --checkpoint-every} and {@code uniform restart}: a job snapshotted periodically
 * keeps its last snapshot, and restarted from it on a fresh machine prints what the job printed;
 * bad snapshots and bad options are refused clearly.
 */
@Isolated
class SnapshotCommandTest {
    private static final Pattern SNAPSHOT = Pattern.compile("uniform: snapshot of job \\d+: (\\S+), [0-9,]+ bytes, [0-9.]+ ms, \\d+ message\\(s\\) in flight");
    private static final String ROUNDS = "3000";

    @TempDir
    Path directory;

    @Test
    void aPeriodicallySnapshottedJobKeepsItsLastSnapshotAndRestartsFromItToTheSameOutput() throws Exception {
        Path snapshots = directory.resolve("snapshots");
        // Long enough for two snapshots on a quiet host too, where 3,000 rounds ended during the first (which took 2 s).
        String rounds = "12000";
        CommandRun run = uniform("yod", "-sz", "4", "--checkpoint-every", "0.2", "--snapshots", snapshots.toString(),
                guest("elf/mpp/alltoall.elf"), rounds);
        assertEquals(0, run.status(), run::toString);
        assertEquals("[0] alltoall: 4 ranks, " + rounds + " rounds, " + (16 * Integer.parseInt(rounds)) + " messages, ok\n", run.out());
        List<String> written = run.err().lines().map(SNAPSHOT::matcher).filter(Matcher::matches).map(matcher -> matcher.group(1)).toList();
        assertTrue(written.size() >= 2, () -> "at least two periodic snapshots: " + run);
        try (Stream<Path> kept = Files.list(snapshots)) {
            assertEquals(List.of(Path.of(written.get(written.size() - 1))), kept.toList(), "a newer snapshot replaces the last");
        }

        CommandRun restarted = uniform("restart", written.get(written.size() - 1));
        assertEquals(0, restarted.status(), restarted::toString);
        assertEquals(run.out(), restarted.out());
    }

    @Test
    void aSnapshotThatIsTruncatedMissingOrNoSnapshotAtAllIsRefusedClearly() throws Exception {
        Path notASnapshot = Path.of(guest("elf/mpp/alltoall.elf"));
        CommandRun other = uniform("restart", notASnapshot.toString());
        assertEquals(1, other.status(), other::toString);
        assertTrue(other.err().contains("uniform: restart: " + notASnapshot + " is not a uniform snapshot"), other::toString);

        Path snapshots = directory.resolve("snapshots");
        CommandRun run = uniform("yod", "-sz", "2", "--checkpoint-every", "0.2", "--snapshots", snapshots.toString(),
                guest("elf/mpp/alltoall.elf"), ROUNDS);
        assertEquals(0, run.status(), run::toString);
        Path snapshot;
        try (Stream<Path> kept = Files.list(snapshots)) {
            snapshot = kept.findFirst().orElseThrow(() -> new AssertionError("no snapshot: " + run));
        }
        byte[] whole = Files.readAllBytes(snapshot);
        Path truncated = Files.write(directory.resolve("truncated.snapshot"), Arrays.copyOf(whole, whole.length - 100));
        CommandRun cut = uniform("restart", truncated.toString());
        assertEquals(1, cut.status(), cut::toString);
        assertTrue(cut.err().contains("uniform: restart: the snapshot " + truncated + " is truncated or damaged"), cut::toString);

        CommandRun missing = uniform("restart", directory.resolve("none.snapshot").toString());
        assertEquals(1, missing.status(), missing::toString);
        assertTrue(missing.err().contains("uniform: restart: cannot read the snapshot"), missing::toString);
    }

    @Test
    void badSnapshotOptionsAreUsageErrors() {
        CommandRun period = uniform("yod", "--checkpoint-every", "0", guest("elf/tests/hello.elf"));
        assertEquals(2, period.status(), period::toString);
        assertTrue(period.err().contains("--checkpoint-every must be from 0.1 to 86400 seconds, not 0.0"), period::toString);
        CommandRun checkpoint = uniform("checkpoint", "1");
        assertEquals(2, checkpoint.status(), checkpoint::toString);
        assertTrue(checkpoint.err().contains("uniform: checkpoint: needs a running cluster"), checkpoint::toString);
    }
}
