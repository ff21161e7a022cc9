package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code uniform bench --flat}: the flat side runs the very instructions {@code uniform exec}
 * runs, only over flat memory, and the table gains the paged/flat ratio. Small scales only; no
 * timing is asserted (the figures belong to docs/BENCHMARKS.md).
 */
@Isolated
class BenchCommandTest {
    @Test
    void theFlatSidePrintsWhatExecPrintsAndRetiresTheSameInstructions() throws Exception {
        Path program = Path.of(guest("elf/bench/bench_crc.elf"));
        byte[] elf = ProgramFile.read(program);
        BenchCommand.Measured paged = BenchCommand.execInProcess(program, elf, List.of("1"));
        BenchCommand.Measured flat = BenchCommand.execFlat(program, elf, List.of("1"));
        assertEquals(0, flat.status());
        assertTrue(new String(flat.output()).startsWith("bench_crc passes 1 crc "), new String(flat.output()));
        assertArrayEquals(paged.output(), flat.output());
        assertEquals(paged.status(), flat.status());
        assertTrue(flat.instructions() > 1_000_000, () -> "instructions: " + flat.instructions());
        assertEquals(paged.instructions(), flat.instructions());
    }

    @Test
    void theFlatSideRefusesAProgramThatMakesOtherCallsAndNamesTheCall() throws Exception {
        Path program = Path.of(guest("elf/posix/fork_rate.elf"));
        byte[] elf = ProgramFile.read(program);
        BenchCommand.FlatUnsupported refused = assertThrows(BenchCommand.FlatUnsupported.class,
                () -> BenchCommand.execFlat(program, elf, List.of("1")));
        assertTrue(refused.getMessage().contains("serves write and exit_group, not clone"), refused::getMessage);
    }

    @Test
    void benchWithFlatReportsThePagedFlatRatio() {
        Reference.require("qemu-riscv32");
        CommandRun run = uniform("bench", "--flat", "--runs", "2", "--arg", "1", guest("elf/bench/bench_crc.elf"));
        assertEquals(0, run.status(), run::toString);
        assertTrue(Pattern.compile("(?m)^program\\s+instructions\\s.*\\sflat s\\s+paged/flat$").matcher(run.out()).find(),
                () -> "the header names the flat columns:\n" + run);
        assertTrue(Pattern.compile("(?m)^bench_crc\\.elf(\\s+\\d+(\\.\\d+)?){7}$").matcher(run.out()).find(),
                () -> "the program's row has eight columns:\n" + run);
        assertTrue(Pattern.compile("(?m)^geometric mean ratio paged/flat: \\d+\\.\\d+ ").matcher(run.out()).find(),
                () -> "the geometric mean paged/flat is reported:\n" + run);
        assertFalse(run.err().contains("differs"), run::toString);
    }

    @Test
    void benchWithFlatOfAProgramTheFlatSideCannotRunFailsAndSaysWhy() {
        CommandRun run = uniform("bench", "--flat", "--runs", "1", "--arg", "1", guest("elf/posix/fork_rate.elf"));
        assertEquals(1, run.status(), run::toString);
        assertTrue(run.err().contains("uniform: ") && run.err().contains("not clone (leave out --flat"), run::toString);
    }
}
