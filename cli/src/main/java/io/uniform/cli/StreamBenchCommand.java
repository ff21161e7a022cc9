package io.uniform.cli;

import io.uniform.node.PageStreamBench;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code uniform bench-stream}: the migration's page stream without actors or guest
 * ({@link PageStreamBench}), encode and landing of N MiB of pages with the source read in runs
 * and page by page, taking turns with the memory-to-memory pair's copies of the same bytes;
 * medians of the runs and of the per-run ratios.
 */
@Command(name = "bench-stream",
        description = {"Benchmark the migration page stream alone: N MiB of a process's pages encoded into chunks and landed in a",
                "destination space, in a loop, the source read in runs and page by page, against copying the same bytes out of one",
                "array and into another in chunks."})
final class StreamBenchCommand implements Callable<Integer> {
    @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "Measured runs of each size, after as many to warm up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--sizes", split = ",", paramLabel = "MIB", defaultValue = "64,256", description = "MiB of pages, a row each (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--chunk-pages", paramLabel = "N", defaultValue = "16", description = "Pages per chunk (default: ${DEFAULT-VALUE}).")
    int chunkPages;

    /** What takes turns: the stream with the source read in runs, page by page, and the pair. */
    private static final int IN_RUNS = 0;
    private static final int PAGE_BY_PAGE = 1;
    private static final int PAIR = 2;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || chunkPages < 1 || sizes.isEmpty() || sizes.stream().anyMatch(mib -> mib < 1 || mib > 512)) {
            System.err.println("uniform: --runs and --chunk-pages must be at least 1, --sizes from 1 to 512 MiB");
            return 2;
        }
        System.out.printf("bench-stream: %d pages per chunk; median of %d runs after %d to warm up; ratio: the pair's time over the stream's%n",
                chunkPages, runs, runs);
        System.out.printf("%-6s %14s %16s %10s %22s %22s%n", "MiB", "in runs ms", "page by page ms", "pair ms", "pair/in runs", "pair/page by page");
        for (int mib : sizes) {
            PageStreamBench bench = new PageStreamBench(mib, chunkPages);
            double[][] seconds = new double[3][runs];
            for (int run = -runs; run < runs; run++) {
                for (int turn = 0; turn < 3; turn++) {
                    // Each run starts with another of the three, so the host's load hits them alike.
                    int what = Math.floorMod(turn + run, 3);
                    double taken = what == PAIR ? bench.pairSeconds() : bench.streamSeconds(what == IN_RUNS);
                    if (run >= 0) {
                        seconds[what][run] = taken;
                    }
                }
            }
            System.out.printf("%-6d %14.1f %16.1f %10.1f %22s %22s%n", mib, BenchCommand.median(seconds[IN_RUNS]) * 1e3,
                    BenchCommand.median(seconds[PAGE_BY_PAGE]) * 1e3, BenchCommand.median(seconds[PAIR]) * 1e3,
                    ratio(seconds[PAIR], seconds[IN_RUNS]), ratio(seconds[PAIR], seconds[PAGE_BY_PAGE]));
        }
        return 0;
    }

    /** The median of the per-run ratios {@code over / under}, with their range. */
    private String ratio(double[] over, double[] under) {
        double[] ratios = new double[runs];
        Arrays.setAll(ratios, run -> over[run] / under[run]);
        return String.format("%.2f (%.2f-%.2f)", BenchCommand.median(ratios), Arrays.stream(ratios).min().orElseThrow(),
                Arrays.stream(ratios).max().orElseThrow());
    }
}
