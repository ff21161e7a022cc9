package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The shipped parallel programs (guest/mpp) as yod jobs whose ranks talk through Portals: on
 * compute nodes (Puma), on service nodes (Linux), and mixed, one job across both kernels. Each
 * program checks its own result exactly; only rank 0 prints, and its last line is the exact
 * result for the job's size, after nothing but "PASS group" lines. The arguments are small
 * (MppProgramsTest runs the programs at full size without actors): a job costs mostly the
 * machine's boot.
 */
@Isolated
class ParallelJobsTest {
    private record Placement(String on, int size) {}

    private static final List<Placement> PLACEMENTS = List.of(new Placement("compute", 4), new Placement("service", 3),
            new Placement("mixed", 4));

    /** A program, its arguments, and rank 0's last line for a job of a given size. */
    private record ParallelProgram(String name, List<String> arguments, IntFunction<String> result) {}

    /** dsort's checksum of 300 keys per rank, seed 7, by job size (MppProgramsTest checks that it does not depend on the kernels). */
    private static final Map<Integer, String> DSORT_CHECKSUMS = Map.of(3, "0xbe59fb04e80b64c6", 4, "0x639aa55ab3095d50");

    private static final List<ParallelProgram> PROGRAMS = List.of(
            new ParallelProgram("token_ring", List.of("20"), size -> "token_ring: " + size + " ranks, 20 laps, " + 20 * size + " hops, ok"),
            new ParallelProgram("heat2d", List.of("24", "30"),
                    size -> "heat2d: 24x24 grid, 30 steps, " + size + " ranks, checksum 0x6efb8bf40133f580, ok"),
            new ParallelProgram("alltoall", List.of("5"), size -> "alltoall: " + size + " ranks, 5 rounds, " + size * size * 5 + " messages, ok"),
            new ParallelProgram("allreduce", List.of("6"), size -> "allreduce: " + size + " ranks, 6 rounds, 66 collectives, ok"),
            new ParallelProgram("dsort", List.of("300", "7"),
                    size -> "dsort: " + size + " ranks, " + 300 * size + " keys, checksum " + DSORT_CHECKSUMS.get(size) + ", sorted, ok"),
            new ParallelProgram("portals_semantics", List.of(), size -> "portals_semantics: " + size + " ranks, 145 checks, ok"));

    @TestFactory
    Stream<DynamicTest> everyParallelProgramGetsItsExactResultWhereverItsRanksRun() {
        return PROGRAMS.stream().flatMap(program -> PLACEMENTS.stream().map(placement ->
                DynamicTest.dynamicTest(program.name() + " on " + placement.on() + " x" + placement.size(), () -> {
                    List<String> command = new ArrayList<>(List.of("yod", "--on", placement.on(), "-sz", Integer.toString(placement.size()),
                            guest("elf/mpp/" + program.name() + ".elf")));
                    command.addAll(program.arguments());
                    CommandRun run = uniform(command.toArray(String[]::new));
                    assertEquals(0, run.status(), run::toString);
                    assertRankZeroPrinted(program.result().apply(placement.size()), run);
                })));
    }

    /**
     * Issue 5's stress: 64 ranks of the Paragon preset's compute partition put each other sequenced messages, all to all,
     * 70 rounds without waiting. A rank sends all its rounds in one slice, 70 on each channel, beyond the credit window (64):
     * every sender is held for credit and resumed. Every receiver checks that nothing of any sender is lost, duplicated,
     * reordered, damaged or dropped.
     */
    @Test
    void sixtyFourRanksExchangeSequencedMessagesAllToAllBeyondTheirCreditWindows() {
        CommandRun run = uniform("yod", "--machine", "paragon", "-sz", "64", guest("elf/mpp/alltoall.elf"), "70");
        assertEquals(0, run.status(), run::toString);
        assertRankZeroPrinted("alltoall: 64 ranks, 70 rounds, 286720 messages, ok", run);
    }

    /** Only rank 0 printed: "PASS group" lines, if any, then {@code result}. */
    private static void assertRankZeroPrinted(String result, CommandRun run) {
        List<String> lines = run.out().lines().toList();
        assertFalse(lines.isEmpty(), run::toString);
        assertTrue(lines.stream().allMatch(line -> line.startsWith("[0] ")), run::toString);
        assertEquals("[0] " + result, lines.get(lines.size() - 1), run::toString);
        assertTrue(lines.subList(0, lines.size() - 1).stream().allMatch(line -> line.startsWith("[0] PASS ")), run::toString);
    }
}
