package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 5's scale proof: a 1,024-rank allreduce job on the ASCI Red preset, in this one JVM,
 * every rank checking every collective's result against its closed form. It takes minutes on
 * two cores, so it runs only with the {@code scale} profile ({@code -Pscale}, which also bounds
 * the heap with {@code -Xmx1g}); it prints its time and heap for docs/BENCHMARKS.md.
 */
@Isolated
@EnabledIfSystemProperty(named = "uniform.scale", matches = "true")
class AsciRedAllreduceTest {
    @Test
    void aThousandAndTwentyFourRanksAllreduceToTheExactResult() {
        long start = System.nanoTime();
        CommandRun run = uniform("yod", "--machine", "asci-red", "-sz", "1024", guest("elf/mpp/allreduce.elf"));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().lines().anyMatch("[0] allreduce: 1024 ranks, 20 rounds, 220 collectives, ok"::equals), run::toString);
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf("1,024-rank allreduce on asci-red: %.1f s; heap used after the run and a GC %d MiB of at most %d MiB%n",
                seconds, heap.getUsed() >> 20, heap.getMax() >> 20);
    }
}
