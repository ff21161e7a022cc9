package io.uniform.cli;

import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.guest.GuestFiles;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code uniform bench-snapshot}: snapshots of a running allreduce.elf (or alltoall.elf) job of each size on the
 * machine embedded in this JVM: the time from the request to the snapshot file's rename, its size,
 * the messages recorded in flight, against writing as many bytes to a file in the same directory
 * plainly, measured right after each snapshot.
 */
@Command(name = "bench-snapshot",
        description = {"Benchmark job snapshots on the machine in this JVM: allreduce.elf (or alltoall.elf) of each size, several snapshots while it runs;",
                "per snapshot the time from the request to the file written, its size (and per rank), the messages in flight,",
                "against the time to write as many bytes to a file plainly, measured right after it."})
final class SnapshotBenchCommand implements Callable<Integer> {
    /** The programs a job may run: argv for {@code size} ranks. */
    enum Workload {
        /** Collectives round after round: few messages in flight at any time; runs until killed. */
        allreduce {
            @Override
            List<String> argv(int size, int messagesPerRank) {
                return List.of("elf/mpp/allreduce.elf", "1000000000");
            }
        },
        /** Every rank sends all its messages at once: most are held for credit by their senders when a snapshot begins. */
        alltoall {
            @Override
            List<String> argv(int size, int messagesPerRank) {
                return List.of("elf/mpp/alltoall.elf", Integer.toString(messagesPerRank / size));
            }
        };

        abstract List<String> argv(int size, int messagesPerRank);
    }

    private static final Duration TAKING = Duration.ofMinutes(10);
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    @Option(names = "--sizes", split = ",", paramLabel = "RANKS", defaultValue = "4,16,64",
            description = "Job sizes, a job each (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--machine", paramLabel = "PRESET", defaultValue = "paragon", description = "The machine (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--snapshots", paramLabel = "N", defaultValue = "3", description = "Snapshots of each job, one after the other (default: ${DEFAULT-VALUE}).")
    int snapshots;

    @Option(names = "--program", paramLabel = "NAME", defaultValue = "allreduce",
            description = "The job: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; allreduce runs until the snapshots are taken).")
    Workload workload;

    @Option(names = "--messages-per-rank", paramLabel = "N", defaultValue = "64000",
            description = "alltoall: messages each rank sends (its rounds: N / size; its receive buffer is N x 256 bytes, within a Puma "
                    + "region for the default) (default: ${DEFAULT-VALUE}).")
    int messagesPerRank;

    @Option(names = "--after", paramLabel = "MS", defaultValue = "1000",
            description = "Milliseconds from the job's start to its first snapshot (default: ${DEFAULT-VALUE}).")
    long afterMillis;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the snapshots go (default: a temporary directory, deleted at the end).")
    Path dir;

    /** One snapshot's figures, and the plain write of as many bytes. */
    private record Figures(int ranks, double requestToReplySeconds, double takenSeconds, long bytes, long inFlight, double plainSeconds) {}

    @Override
    public Integer call() throws Exception {
        if (sizes.isEmpty() || sizes.stream().anyMatch(size -> size < 1) || snapshots < 1 || afterMillis < 0
                || sizes.stream().anyMatch(size -> messagesPerRank < size)) {
            System.err.println("uniform: bench-snapshot: --sizes and --snapshots must be at least 1, --after at least 0, "
                    + "--messages-per-rank at least the largest size");
            return 2;
        }
        MachineDescription description;
        try {
            description = MachineDescriptions.preset(machine);
        } catch (MachineConfigException e) {
            System.err.println("uniform: bench-snapshot: " + e.getMessage());
            return 2;
        }
        byte[] elf;
        try {
            elf = ProgramFile.read(GuestFiles.directory().resolve(workload.argv(1, messagesPerRank).get(0)));
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: bench-snapshot: " + e.getMessage());
            return e.exitStatus();
        }
        Path directory = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("uniform-bench-snapshot");
        List<Figures> figures = new ArrayList<>();
        ActorSystem<Machine.Command> system = MachineBenchCommand.start(description);
        try {
            for (int size : sizes) {
                Program program = new Program(elf, workload.argv(size, messagesPerRank), null);
                figures.addAll(snapshotsOfJob(system, program, size, directory));
            }
        } catch (IllegalStateException | ExecutionException e) {
            System.err.println("uniform: bench-snapshot: " + (e instanceof ExecutionException ? e.getCause() : e).getMessage());
            return 1;
        } finally {
            MachineBenchCommand.stop(system);
            if (dir == null) {
                deleteSnapshots(directory);
            }
        }
        print(description, directory, figures);
        return 0;
    }

    /** Runs {@code program} as {@code size} ranks, takes the snapshots one after the other while it runs, then ends it. */
    private List<Figures> snapshotsOfJob(ActorSystem<Machine.Command> system, Program program, int size, Path directory) throws Exception {
        CompletableFuture<JobReport.JobStarted> started = new CompletableFuture<>();
        CompletableFuture<JobReport.JobFinished> finished = new CompletableFuture<>();
        ActorRef<JobReport> client = system.systemActorOf(MachineBenchCommand.client(new ByteArrayOutputStream(), finished, started::complete),
                "bench-snapshot-client-" + CLIENTS.incrementAndGet(), Props.empty());
        system.tell(new Machine.Run(program, JobPlacement.COMPUTE, size, client, Yod.Options.NONE.withSnapshots(0, directory.toString())));
        int jobId = CompletableFuture.anyOf(started, finished).thenApply(first -> {
            if (first instanceof JobReport.JobFinished end) {
                throw new IllegalStateException("the " + size + "-rank job ended before it started: " + end);
            }
            return ((JobReport.JobStarted) first).jobId();
        }).get(TAKING.toMinutes(), TimeUnit.MINUTES);
        Thread.sleep(afterMillis); // the command's own thread: the job runs meanwhile
        List<Figures> taken = new ArrayList<>();
        for (int index = 0; index < snapshots; index++) {
            long start = System.nanoTime();
            Checkpoint.Taken snapshot = AskPattern.<Machine.Command, Checkpoint.Taken>ask(system,
                    replyTo -> new Machine.Checkpoint(jobId, replyTo), TAKING, system.scheduler()).toCompletableFuture().get();
            double requestToReply = (System.nanoTime() - start) / 1e9;
            if (!snapshot.written()) {
                throw new IllegalStateException("snapshot " + (index + 1) + " of the " + size + "-rank job was not written: " + snapshot.reason()
                        + (finished.isDone() ? " (the job ended first)" : ""));
            }
            taken.add(new Figures(size, requestToReply, snapshot.nanos() / 1e9, snapshot.bytes(), snapshot.channelMessages(),
                    plainWrite(directory, snapshot.bytes())));
        }
        system.tell(new Machine.KillJob(jobId, "the benchmark took its snapshots"));
        finished.get(TAKING.toMinutes(), TimeUnit.MINUTES);
        return taken;
    }

    /** Seconds to write {@code bytes} bytes to a new file in {@code directory} through a buffered stream and close it, as a snapshot is written. */
    private static double plainWrite(Path directory, long bytes) throws IOException {
        byte[] block = new byte[64 * 1024];
        new java.util.Random(bytes).nextBytes(block);
        Path file = directory.resolve("plain-write.bin");
        long start = System.nanoTime();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            for (long left = bytes; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(file);
        return seconds;
    }

    private static void deleteSnapshots(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
    }

    private void print(MachineDescription description, Path directory, List<Figures> figures) {
        List<String> argv = workload.argv(1, messagesPerRank);
        System.out.printf(Locale.ROOT, "snapshots of %s on %s in this JVM, %d per job, written to %s; "
                        + "plain: as many bytes written to a file there right after%n",
                argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1) + (workload == Workload.alltoall ? " (" + messagesPerRank + " messages per rank)" : ""),
                description.name(), snapshots, directory);
        System.out.printf(Locale.ROOT, "%-6s %9s %9s %12s %12s %10s %9s %9s%n", "ranks", "reply s", "taken s", "bytes", "bytes/rank",
                "in flight", "plain s", "ratio");
        for (Figures snapshot : figures) {
            System.out.printf(Locale.ROOT, "%-6d %9.3f %9.3f %12d %12d %10d %9.4f %9.1f%n", snapshot.ranks(), snapshot.requestToReplySeconds(),
                    snapshot.takenSeconds(), snapshot.bytes(), snapshot.bytes() / snapshot.ranks(), snapshot.inFlight(), snapshot.plainSeconds(),
                    snapshot.takenSeconds() / snapshot.plainSeconds());
        }
        System.out.println("median per size: taken s, bytes, in flight, ratio taken / plain");
        for (int size : sizes) {
            List<Figures> ofSize = figures.stream().filter(snapshot -> snapshot.ranks() == size).toList();
            System.out.printf(Locale.ROOT, "%-6d %9.3f %12.0f %10.0f %9.1f%n", size,
                    median(ofSize, Figures::takenSeconds), median(ofSize, snapshot -> (double) snapshot.bytes()),
                    median(ofSize, snapshot -> (double) snapshot.inFlight()),
                    median(ofSize, snapshot -> snapshot.takenSeconds() / snapshot.plainSeconds()));
        }
    }

    private static double median(List<Figures> figures, java.util.function.ToDoubleFunction<Figures> value) {
        return BenchCommand.median(figures.stream().mapToDouble(value).toArray());
    }
}
