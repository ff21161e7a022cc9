package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineDescription;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code uniform bench-migration}: moves guest/bench/bench_migrate (N MiB touched, then a 64 KiB
 * working set rewritten while it computes) between nodes of a machine embedded in this JVM and
 * reports what each move's {@link NodeActor.MigrationReport} says: downtime (freeze to restart at
 * the destination), total time (request to restart) and bytes sent; for Linux processes of
 * several sizes, a Puma process with a 1 GiB region and 1 MiB touched moved to Linux, and a
 * Puma process with 64 MiB touched moved to Linux and to another compute node (a Puma destination), with and without
 * compression and pre-copy (a machine each, the four taking turns), and a plain Pekko actor pair
 * moving the same bytes in chunks of the same size with the same window in the same run
 * ({@link ActorChunkStream}, chunk buffer to chunk buffer and memory to memory), the reference for throughput.
 */
@Command(name = "bench-migration",
        description = {"Benchmark process migration: bench_migrate moved between nodes of an embedded machine, Linux to Linux",
                "with N MiB touched, Puma to Linux with 1 MiB touched in a 1 GiB region, Puma to Linux and to Puma with 64 MiB touched;",
                "downtime, total time and bytes sent,",
                "with and without compression and pre-copy, against a plain Pekko actor pair moving the same bytes (median of the runs)."})
final class MigrationBenchCommand implements Callable<Integer> {
    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Measured runs of each case (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--sizes", split = ",", paramLabel = "MIB", defaultValue = "1,16,64,256",
            description = "MiB the Linux processes touch, a row each (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--working-set", paramLabel = "KIB", defaultValue = "64",
            description = "KiB the process keeps rewriting while it computes (default: ${DEFAULT-VALUE}).")
    int workingSetKib;

    private static final String PROGRAM = "elf/bench/bench_migrate.elf";
    /** The guest's rounds: more than any move waits for; the job is killed once moved. */
    private static final String FOREVER = "2000000000";
    /** A node holds the largest process, and a Puma region of all of Puma's user space. */
    private static final long NODE_MEMORY = 1L << 30;
    /** nids 0 and 4 are compute nodes (Puma), the others service nodes (Linux). */
    private static final int NODES = 5;
    /** MiB the Puma process moved to either OS touches: enough that the stream's rate shows. */
    private static final int PUMA_MIB = 64;
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** One way of moving: a machine configured for it. */
    private record Mode(String name, boolean preCopy, boolean compress) {}

    private static final Mode STOP_AND_COPY = new Mode("stop-and-copy", false, false);
    private static final Mode PRE_COPY = new Mode("pre-copy", true, false);
    private static final List<Mode> MODES = List.of(STOP_AND_COPY, new Mode("stop-and-copy+deflate", false, true), PRE_COPY,
            new Mode("pre-copy+deflate", true, true));

    @Option(names = "--without-deflate", description = "Leave out the two modes that deflate (the slowest by far).")
    boolean withoutDeflate;

    private List<Mode> modes = MODES;

    /** One row: a process of {@code mib} MiB touched, started in {@code from} and moved to a node of {@code to}. */
    private record Case(String name, Partition from, Partition to, int mib) {}

    /**
     * What one move measured (the stream: its frozen round's first chunk sent to its last one
     * stored), and the reference pair's seconds for its bytes, chunk buffer to chunk buffer and
     * memory to memory.
     */
    private record Measured(double downtimeMs, double totalMs, double streamMs, long bytes, int pages, double pairSeconds,
                            double pairWholeSeconds) {}

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || workingSetKib < 1 || sizes.isEmpty() || sizes.stream().anyMatch(mib -> mib < 1 || mib > 512)) {
            System.err.println("uniform: --runs and --working-set must be at least 1, --sizes from 1 to 512 MiB");
            return 2;
        }
        byte[] elf;
        try {
            elf = ProgramFile.read(GuestFiles.directory().resolve(PROGRAM));
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        }
        if (withoutDeflate) {
            modes = MODES.stream().filter(mode -> !mode.compress()).toList();
        }
        List<Case> cases = new ArrayList<>();
        sizes.forEach(mib -> cases.add(new Case("linux " + mib + " MiB", Partition.SERVICE, Partition.SERVICE, mib)));
        cases.add(new Case("puma 1 MiB of 1 GiB", Partition.COMPUTE, Partition.SERVICE, 1));
        cases.add(new Case("puma " + PUMA_MIB + " MiB to linux", Partition.COMPUTE, Partition.SERVICE, PUMA_MIB));
        cases.add(new Case("puma " + PUMA_MIB + " MiB to puma", Partition.COMPUTE, Partition.COMPUTE, PUMA_MIB));
        MachineDescription description = MachineDescription.of("bench-migration", NODES, 1, 1, 1, NODE_MEMORY, 1L << 30);
        for (int nid = 1; nid < NODES - 1; nid++) {
            description = description.withPartition(nid, Partition.SERVICE);
        }
        List<ActorSystem<Machine.Command>> machines = new ArrayList<>();
        // [case][mode][run]
        Measured[][][] figures = new Measured[cases.size()][modes.size()][runs];
        try {
            for (Mode mode : modes) {
                machines.add(ActorSystem.create(Machine.create(description), "uniform-bench-migration-" + machines.size(), config(mode)));
            }
            for (int run = 0; run < runs; run++) {
                for (int c = 0; c < cases.size(); c++) {
                    for (int turn = 0; turn < modes.size(); turn++) {
                        // The modes take turns, each starting a run in turn, so that the host's load hits them alike.
                        int m = (turn + run + c) % modes.size();
                        Measured measured = move(machines.get(m), elf, cases.get(c), settings(machines.get(m)));
                        figures[c][m][run] = measured;
                        System.err.printf("run %d, %s, %s: %s%n", run + 1, cases.get(c).name(), modes.get(m).name(), measured);
                    }
                }
            }
        } finally {
            for (ActorSystem<Machine.Command> machine : machines) {
                MachineBenchCommand.stop(machine);
            }
        }
        print(cases, figures);
        return 0;
    }

    private static Config config(Mode mode) {
        return ConfigFactory.parseString("uniform.migration.pre-copy = " + mode.preCopy() + "\nuniform.migration.compress = " + mode.compress()
                + "\nuniform.node.puma-region-bytes = 1 GiB").withFallback(JobSession.quietConfig());
    }

    private static NodeActor.MigrationSettings settings(ActorSystem<?> machine) {
        return NodeActor.MigrationSettings.of(machine.settings().config().getConfig("uniform.migration"));
    }

    /**
     * Starts the case's process, waits until it has touched its memory, moves it to a node of the
     * case's destination partition, kills it there, and times the pair moving the bytes the move sent.
     */
    private Measured move(ActorSystem<Machine.Command> machine, byte[] elf, Case row, NodeActor.MigrationSettings migration)
            throws Exception {
        Program program = new Program(elf, List.of("bench_migrate", Integer.toString(row.mib()), FOREVER, Integer.toString(workingSetKib)),
                new byte[0]);
        CompletableFuture<Integer> touched = new CompletableFuture<>();
        CompletableFuture<JobReport.JobFinished> finished = new CompletableFuture<>();
        ActorRef<JobReport> client = machine.systemActorOf(client(touched, finished), "bench-migration-client-" + CLIENTS.incrementAndGet(),
                Props.empty());
        machine.tell(new Machine.Run(program, JobPlacement.of(row.from()), 1, client, Yod.Options.NONE));
        int jobId = touched.get(30, TimeUnit.MINUTES);
        NodeActor.MigrationReport report = AskPattern.<Machine.Command, NodeActor.MigrationReport>ask(machine,
                replyTo -> new Machine.Migrate(jobId, 0, Machine.ANY_NODE, row.to(), replyTo), java.time.Duration.ofMinutes(10),
                machine.scheduler()).toCompletableFuture().get(10, TimeUnit.MINUTES);
        machine.tell(new Machine.KillJob(jobId, "measured"));
        finished.get(10, TimeUnit.MINUTES);
        if (!report.moved() || report.reason() != null) {
            throw new IllegalStateException(row.name() + ": the move failed: " + report);
        }
        int chunkBytes = migration.chunkPages() * 4096;
        double pair = ActorChunkStream.seconds(machine, report.bytesSent(), chunkBytes, migration.window(), ActorChunkStream.Memory.ONE_CHUNK);
        double pairWhole = ActorChunkStream.seconds(machine, report.bytesSent(), chunkBytes, migration.window(), ActorChunkStream.Memory.WHOLE);
        return new Measured(report.downtimeNanos() / 1e6, report.totalNanos() / 1e6, report.streamNanos() / 1e6, report.bytesSent(),
                report.pages(), pair, pairWhole);
    }

    /** Completes {@code touched} with the job's id once its process says it touched its memory, {@code finished} at its end. */
    private static Behavior<JobReport> client(CompletableFuture<Integer> touched, CompletableFuture<JobReport.JobFinished> finished) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int[] jobId = {-1};
        return Behaviors.receiveMessage(report -> {
            if (report instanceof JobReport.JobStarted started) {
                jobId[0] = started.jobId();
            } else if (report instanceof JobEvent.Output output && output.fd() == 1) {
                stdout.write(output.bytes(), 0, output.bytes().length);
                if (stdout.toString(StandardCharsets.UTF_8).contains("touched")) {
                    touched.complete(jobId[0]);
                }
            } else if (report instanceof JobReport.JobFinished done) {
                touched.completeExceptionally(new IllegalStateException("bench_migrate ended before it touched its memory: " + done
                        + "\n" + stdout.toString(StandardCharsets.UTF_8)));
                finished.complete(done);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }

    private void print(List<Case> cases, Measured[][][] figures) {
        System.out.printf("bench-migration: %s moved to a Linux node (the last row to a Puma node), %d KiB rewritten while it runs; median of %d runs; "
                        + "pekko: a Pekko actor pair moving the same bytes in %d KiB chunks with the same window, "
                        + "chunk buffer to chunk buffer (1 chunk) and memory to memory (whole)%n",
                PROGRAM.substring(PROGRAM.lastIndexOf('/') + 1), workingSetKib, runs, 64);
        for (int m = 0; m < modes.size(); m++) {
            int mode = m;
            System.out.println(modes.get(m).name());
            System.out.printf("%-22s %12s %12s %12s %12s %8s %14s %14s%n", "process", "downtime ms", "total ms", "stream ms", "sent KiB",
                    "pages", "pekko 1 ch ms", "pekko whole ms");
            for (int c = 0; c < cases.size(); c++) {
                Measured[] runs = figures[c][mode];
                System.out.printf("%-22s %12.1f %12.1f %12.1f %12.0f %8.0f %14.1f %14.1f%n", cases.get(c).name(),
                        median(runs, Measured::downtimeMs), median(runs, Measured::totalMs), median(runs, Measured::streamMs),
                        median(runs, run -> run.bytes() / 1024.0), median(runs, Measured::pages), median(runs, run -> run.pairSeconds() * 1e3),
                        median(runs, run -> run.pairWholeSeconds() * 1e3));
            }
        }
        System.out.println("ratios (median of the per-run ratios, range): stop-and-copy's rate against the pair's, "
                + "its bytes over the whole downtime or over the stream alone; pre-copy's downtime");
        System.out.printf("%-22s %20s %20s %20s %20s %20s %20s%n", "process", "down/pekko 1 ch", "down/pekko whole", "stream/pekko 1 ch",
                "stream/pekko whole", "pre down/s-a-c's", "pre down/1st row's");
        for (int c = 0; c < cases.size(); c++) {
            int row = c;
            // Stop-and-copy streams every page while the process is down: its bytes over its downtime or its stream, against the pair's rate.
            Measured[] stopAndCopy = figures[row][modes.indexOf(STOP_AND_COPY)];
            Measured[] preCopy = figures[row][modes.indexOf(PRE_COPY)];
            Measured[] firstPreCopy = figures[0][modes.indexOf(PRE_COPY)];
            System.out.printf("%-22s %20s %20s %20s %20s %20s %20s%n", cases.get(c).name(),
                    ratio(r -> stopAndCopy[r].pairSeconds() * 1e3 / stopAndCopy[r].downtimeMs()),
                    ratio(r -> stopAndCopy[r].pairWholeSeconds() * 1e3 / stopAndCopy[r].downtimeMs()),
                    ratio(r -> stopAndCopy[r].pairSeconds() * 1e3 / stopAndCopy[r].streamMs()),
                    ratio(r -> stopAndCopy[r].pairWholeSeconds() * 1e3 / stopAndCopy[r].streamMs()),
                    ratio(r -> preCopy[r].downtimeMs() / stopAndCopy[r].downtimeMs()),
                    ratio(r -> preCopy[r].downtimeMs() / firstPreCopy[r].downtimeMs()));
        }
    }

    private static double median(Measured[] runs, ToDoubleFunction<Measured> value) {
        return BenchCommand.median(Arrays.stream(runs).mapToDouble(value).toArray());
    }

    /** The median of a per-run ratio, with its range over the runs. */
    private String ratio(java.util.function.IntToDoubleFunction perRun) {
        double[] values = new double[runs];
        for (int run = 0; run < runs; run++) {
            values[run] = perRun.applyAsDouble(run);
        }
        return String.format("%.2f (%.2f-%.2f)", BenchCommand.median(values), Arrays.stream(values).min().orElseThrow(),
                Arrays.stream(values).max().orElseThrow());
    }
}
