package io.uniform.cli;

import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code uniform bench-portals} with the smallest settings: both parts print a row for every size
 * from 1 KiB to 1 MiB with positive, finite figures (no timing is asserted: the figures belong
 * to docs/BENCHMARKS.md, not to a test).
 */
@Isolated
class PortalsBenchCommandTest {
    private static final String NUMBER = "(\\d+(?:\\.\\d+)?(?:e-?\\d+)?)";
    private static final String RATIO = NUMBER + " \\(" + NUMBER + "-" + NUMBER + "\\)";

    @Test
    void bothPartsPrintEverySizeWithSaneFigures() {
        CommandRun run = uniform("bench-portals", "--runs", "1", "--warm-up", "0", "--on", "compute,mixed", "--rounds", "2",
                "--stream", "2", "--deposit-mib", "1");
        assertEquals(0, run.status(), run::toString);
        String out = run.out();
        assertTrue(out.startsWith("transport: pingpong.elf as 2 ranks of default on one actor system, against a Pekko actor pair in it "
                + "(serialize-messages on); 2 round trips and 2 streamed per size; median of 1 runs"), run::toString);
        // Two tables of the transport (latency, bandwidth): two placements and the pair, and a ratio per placement.
        assertEquals(2, rows(out, "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + RATIO + "\\s+" + RATIO));
        assertTrue(out.contains("deposit: 1 MiB of puts per size"), run::toString);
        assertEquals(1, rows(out, "\\s+(\\d+)\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + RATIO));
    }

    @Test
    void acrossMembersPutsAndThePairCrossArteryBetweenTwoMembers() {
        CommandRun run = uniform("bench-portals", "--only", "transport", "--across-members", "--on", "compute", "--runs", "1", "--warm-up", "0",
                "--rounds", "2", "--stream", "2");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("transport: pingpong.elf as 2 ranks of default on 2 cluster members"), run::toString);
        // The command checks that the job's two ranks ran on different members; a table each for latency and bandwidth.
        assertEquals(2, rows(run.out(), "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + RATIO));
    }

    /** How many tables have a row for each size from 1 KiB to 1 MiB whose cells after the size match {@code cells}; every number positive. */
    private static int rows(String out, String cells) {
        int rows = 0;
        for (String line : out.lines().toList()) {
            Matcher row = Pattern.compile("(\\d+)" + cells).matcher(line);
            if (row.matches()) {
                assertEquals(1024 << (rows % 11), Integer.parseInt(row.group(1)), () -> "sizes in order:\n" + out);
                for (int group = 2; group <= row.groupCount(); group++) {
                    double figure = Double.parseDouble(row.group(group));
                    assertTrue(figure > 0 && Double.isFinite(figure), () -> "positive figures:\n" + line);
                }
                rows++;
            }
        }
        assertEquals(0, rows % 11, () -> "every size has its row:\n" + out);
        return rows / 11;
    }

    @Test
    void onlyRunsTheNamedPart() {
        CommandRun run = uniform("bench-portals", "--only", "deposit", "--runs", "1", "--warm-up", "0", "--deposit-mib", "1");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("deposit:"), run::toString);
        assertTrue(List.of(run.out().split("\n")).stream().noneMatch(line -> line.startsWith("transport:")), run::toString);
    }

    @Test
    void zeroRoundsIsAUsageError() {
        CommandRun run = uniform("bench-portals", "--rounds", "0");
        assertEquals(2, run.status(), run::toString);
    }
}
