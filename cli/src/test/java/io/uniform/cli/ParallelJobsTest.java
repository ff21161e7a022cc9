package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The shipped parallel programs (guest/mpp) as yod jobs whose ranks talk through Portals: on
 * compute nodes (Puma), on service nodes (Linux), and mixed, one job across both kernels. Each
 * program checks its own result exactly and says "ok" on rank 0's line.
 */
@Isolated
class ParallelJobsTest {
    private record Placement(String on, int size) {}

    private static final List<Placement> PLACEMENTS = List.of(new Placement("compute", 4), new Placement("service", 3),
            new Placement("mixed", 4));

    @TestFactory
    Stream<DynamicTest> everyParallelProgramGetsItsExactResultWhereverItsRanksRun() {
        return Stream.of("token_ring", "heat2d", "alltoall").flatMap(program -> PLACEMENTS.stream().map(placement ->
                DynamicTest.dynamicTest(program + " on " + placement.on() + " x" + placement.size(), () -> {
                    CommandRun run = uniform("yod", "--on", placement.on(), "-sz", Integer.toString(placement.size()),
                            guest("elf/mpp/" + program + ".elf"));
                    assertEquals(0, run.status(), run::toString);
                    String line = run.out().lines().filter(l -> l.startsWith("[0] " + program + ": ")).findFirst().orElse("");
                    assertTrue(line.contains(placement.size() + " ranks") && line.endsWith("ok"), run::toString);
                })));
    }
}
