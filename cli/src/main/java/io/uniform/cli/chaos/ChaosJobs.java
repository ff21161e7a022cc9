package io.uniform.cli.chaos;

import io.uniform.cli.MachineConnection;
import io.uniform.guest.GuestFiles;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.cluster.JobKeeper;
import io.uniform.node.Program;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The jobs a chaos run keeps running: the shipped parallel programs and the sequenced all-to-all, each heard by a terminal of its own. */
final class ChaosJobs {
    /** A job kind: a program of guest/elf/mpp with its arguments, where its ranks run and how many. */
    record Kind(String program, List<String> arguments, JobPlacement placement, int size) {
        Kind {
            arguments = List.copyOf(arguments);
        }

        String label() {
            return program + (arguments.isEmpty() ? "" : " " + String.join(" ", arguments)) + " x" + size + " on "
                    + placement.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What runs, sized for the smallest preset (12 compute and 4 service nodes): two jobs at a
     * time fit even while a member's share is down. The all-to-all sends 1000 rounds, beyond the
     * credit window, and its receivers check every sender's sequence; mixed jobs span both kernels.
     * Each runs for seconds once the members' JIT is warm, so faults and moves hit running ranks.
     */
    static final List<Kind> KINDS = List.of(
            new Kind("alltoall", List.of("1000"), JobPlacement.COMPUTE, 4),
            new Kind("alltoall", List.of("1000"), JobPlacement.MIXED, 4),
            new Kind("token_ring", List.of("3000"), JobPlacement.COMPUTE, 4),
            new Kind("heat2d", List.of("24", "600"), JobPlacement.COMPUTE, 4),
            new Kind("allreduce", List.of("40"), JobPlacement.SERVICE, 3),
            new Kind("dsort", List.of("20000", "7"), JobPlacement.MIXED, 4));

    /** A rank of a running job and the node it runs on now. */
    record RankAt(int jobId, int rank, int nid) {}

    /** A launched job: where its ranks run now (once started), and its end. */
    static final class Running {
        private volatile int jobId = -1;
        private final Map<Integer, Integer> nids = new ConcurrentHashMap<>();
        private final CompletableFuture<ChaosHistory.JobEnded> ended = new CompletableFuture<>();

        /** Its ranks by rank, empty until it has started. */
        List<RankAt> ranks() {
            int id = jobId;
            List<RankAt> ranks = new ArrayList<>();
            new TreeMap<>(nids).forEach((rank, nid) -> ranks.add(new RankAt(id, rank, nid)));
            return ended.isDone() ? List.of() : ranks;
        }

        CompletableFuture<ChaosHistory.JobEnded> ended() {
            return ended;
        }

        /** True once its job has started: a job the machine refused never does. */
        boolean started() {
            return jobId >= 0;
        }
    }

    /** Output yod may send ahead of the terminal's acknowledgements (the terminal acknowledges every chunk at once). */
    private static final long OUTPUT_WINDOW = 1 << 20;

    private final MachineConnection client;
    private final ChaosHistory history;
    private final LongSupplier clock;
    private final AtomicInteger terminals = new AtomicInteger();

    ChaosJobs(MachineConnection client, ChaosHistory history, LongSupplier clock) {
        this.client = client;
        this.history = history;
        this.clock = clock;
    }

    /**
     * Launches a job of {@code kind} on the connection's machine, a cluster's or one in this JVM; a
     * {@code sequence} below 0 is a reference run, kept out of the history's jobs.
     */
    Running launch(Kind kind, int sequence) {
        Running job = new Running();
        if (sequence >= 0) {
            history.add(new ChaosHistory.JobSubmitted(clock.getAsLong(), sequence, kind.label()));
        }
        List<String> argv = new ArrayList<>(List.of(kind.program()));
        argv.addAll(kind.arguments());
        Program program = new Program(GuestFiles.elf("mpp/" + kind.program() + ".elf"), argv, null);
        ActorRef<JobReport> terminal = client.system().systemActorOf(terminal(kind, sequence, job),
                "chaos-terminal-" + terminals.incrementAndGet(), Props.empty());
        Yod.Options options = new Yod.Options(null, false, null, OUTPUT_WINDOW);
        if (client.clustered()) {
            // Through a keeper: a job whose yod dies with the oldest member is recovered from its snapshot (or reported failed).
            client.system().systemActorOf(JobKeeper.create(client.machine(), keeper -> new Machine.Run(program, kind.placement(), kind.size(),
                    keeper, options), terminal), "chaos-keeper-" + terminals.get(), Props.empty());
        } else {
            // A machine in this JVM (the references'): no member of its can die, and a keeper needs a cluster to watch.
            client.machine().tell(new Machine.Run(program, kind.placement(), kind.size(), terminal, options));
        }
        return job;
    }

    /** Hears one job: where its ranks run, every rank's stdout (acknowledged at once), and its end. */
    private Behavior<JobReport> terminal(Kind kind, int sequence, Running job) {
        ByteArrayOutputStream[] stdout = new ByteArrayOutputStream[kind.size()];
        for (int rank = 0; rank < stdout.length; rank++) {
            stdout[rank] = new ByteArrayOutputStream();
        }
        List<ActorRef<Yod.Command>> yod = new ArrayList<>(1);
        return Behaviors.receive((context, report) -> {
            if (report instanceof JobReport.JobStarted started) {
                yod.clear();
                yod.add(started.yod());
                job.jobId = started.jobId();
                for (int rank = 0; rank < started.nids().size(); rank++) {
                    job.nids.put(rank, started.nids().get(rank));
                }
                if (sequence >= 0) {
                    history.add(new ChaosHistory.JobStarted(clock.getAsLong(), sequence, started.jobId(), started.nids()));
                }
            } else if (report instanceof JobEvent.Output output) {
                if (output.fd() == 1 && output.rank() >= 0 && output.rank() < stdout.length) {
                    stdout[output.rank()].writeBytes(output.bytes());
                }
                yod.get(0).tell(new Yod.OutputAck(output.bytes().length));
            } else if (report instanceof JobEvent.Moved moved) {
                job.nids.put(moved.rank(), moved.nid());
            } else if (report instanceof JobReport.InputWanted) {
                yod.get(0).tell(new Yod.Input(new byte[0])); // no input: end of file
            } else if (report instanceof JobReport.JobFinished finished) {
                List<ChaosHistory.RankEnd> ranks = finished.statuses().stream().map(status -> new ChaosHistory.RankEnd(status.rank(),
                        status.nid(), status.shellStatus(), status.status() != null && status.status().signal() == null, status.report(),
                        status.pctReloads())).toList();
                List<String> out = java.util.Arrays.stream(stdout).map(bytes -> bytes.toString(StandardCharsets.UTF_8)).toList();
                ChaosHistory.JobEnded ended = new ChaosHistory.JobEnded(clock.getAsLong(), sequence, finished.jobId(), finished.error(), ranks, out);
                if (sequence >= 0) {
                    history.add(ended);
                }
                job.ended.complete(ended);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }
}
