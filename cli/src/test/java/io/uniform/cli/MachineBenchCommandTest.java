package io.uniform.cli;

import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code uniform bench-machine} with the smallest settings: every part runs and prints its table
 * (no timing is asserted: the figures belong to docs/BENCHMARKS.md, not to a test).
 */
@Isolated
class MachineBenchCommandTest {
    @Test
    void everyPartPrintsItsTableOnTheDefaultMachine() {
        CommandRun run = uniform("bench-machine", "--runs", "1", "--boot-machine", "default",
                "--arg", "3", "--launch-machine", "default", "--sizes", "1,4", "--launches", "2", "--warm-up", "1");
        assertEquals(0, run.status(), run::toString);
        for (String line : new String[] {"boot:", "ratio default/default:", "slicing:", "(one rank on a compute node of default: Puma, flat memory)",
                "against uniform exec (Linux, paged memory)", "bench_crc.elf", "bench_matmul.elf",
                "target: ratio run/exec <= 1.10", "launch:"}) {
            assertTrue(run.out().contains(line), () -> "stdout has '" + line + "':\n" + run);
        }
        assertTrue(run.out().lines().anyMatch(line -> line.matches("4\\s+\\d+\\.\\d+\\s+\\d+\\.\\d+")), run::toString);
    }

    @Test
    void onlyRunsTheNamedPart() {
        CommandRun run = uniform("bench-machine", "--only", "launch", "--launch-machine", "default", "--sizes", "1",
                "--launches", "1", "--warm-up", "0");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("launch:"), run::toString);
    }

    @Test
    void aJobLargerThanTheMachineFails() {
        CommandRun run = uniform("bench-machine", "--only", "launch", "--launch-machine", "default", "--sizes", "1,1000");
        assertEquals(1, run.status(), run::toString);
        assertTrue(run.err().contains("the job could not run"), run::toString);
    }
}
