package io.uniform.node;

import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.cluster.JobKeeper;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** A job run through the {@link Machine}, its reports taken as they come: its start, its output, its moves, its end. */
final class MachineJob {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    final TestProbe<JobReport> client;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    final List<JobEvent.Moved> moves = new ArrayList<>();
    final List<JobEvent.MoveFailed> failedMoves = new ArrayList<>();
    /** The job's later starts: it restarted from its snapshot (after a loss) as these jobs. */
    final List<JobReport.JobStarted> restarts = new ArrayList<>();
    /** The written snapshots whose reports reached the client (periodic ones). */
    final List<Checkpoint.Taken> snapshots = new ArrayList<>();
    /** What stdout held when the job first restarted. */
    String outBeforeRestart;
    final JobReport.JobStarted started;
    private JobReport.JobFinished finished;

    /** The job {@code client} was given to, once it has started. */
    MachineJob(TestProbe<JobReport> client) {
        this.client = client;
        started = (JobReport.JobStarted) client.receiveMessage(TIMEOUT);
    }

    /**
     * The sequenced all-to-all of {@code ranks} compute ranks and {@code rounds} rounds, run on
     * {@code machine} with {@code options} through a {@link JobKeeper} on {@code member}.
     */
    static MachineJob keptAlltoall(ActorTestKit member, ActorRef<Machine.Command> machine, int ranks, int rounds, Yod.Options options) {
        return new MachineJob(askForKeptAlltoall(member, machine, ranks, rounds, options));
    }

    /** The same job, only asked for: the probe its reports go to. */
    static TestProbe<JobReport> askForKeptAlltoall(ActorTestKit member, ActorRef<Machine.Command> machine, int ranks, int rounds,
                                                   Yod.Options options) {
        TestProbe<JobReport> client = member.createTestProbe();
        Program program = new Program(GuestFiles.elf("mpp/alltoall.elf"), List.of("alltoall", "" + rounds), null);
        member.spawn(JobKeeper.create(machine, keeper -> new Machine.Run(program, JobPlacement.of(Partition.COMPUTE), ranks, keeper, options),
                client.getRef()));
        return client;
    }

    JobReport.JobFinished finish() {
        return finish(TIMEOUT);
    }

    /** The job's end, waiting at most {@code quiet} for each report. */
    JobReport.JobFinished finish(Duration quiet) {
        while (finished == null) {
            take(quiet);
        }
        return finished;
    }

    /** Takes reports until stdout holds {@code line} as a whole line. */
    void awaitLine(String line) {
        awaitLines(line, 1);
    }

    /** Takes reports until stdout holds {@code line} as a whole line {@code count} times. */
    void awaitLines(String line, int count) {
        while (out().lines().filter(line::equals).count() < count) {
            if (finished != null) {
                throw new AssertionError("the job ended without printing \"" + line + "\": " + finished + "\n" + out() + err());
            }
            take(TIMEOUT);
        }
    }

    /** Takes reports until a written snapshot's has come. */
    Checkpoint.Taken awaitSnapshot() {
        return awaitLast(snapshots, "a snapshot was written");
    }

    /** Takes reports until the job has started again from its snapshot; its latest start. */
    JobReport.JobStarted awaitRestart() {
        return awaitLast(restarts, "it restarted");
    }

    /** Takes reports until {@code reports} holds one; the last it holds. */
    private <T> T awaitLast(List<T> reports, String what) {
        while (reports.isEmpty()) {
            if (finished != null) {
                throw new AssertionError("the job ended before " + what + ": " + finished);
            }
            take(TIMEOUT);
        }
        return reports.get(reports.size() - 1);
    }

    private void take(Duration quiet) {
        JobReport report = client.receiveMessage(quiet);
        if (report instanceof JobEvent.Output output) {
            (output.fd() == 1 ? stdout : stderr).writeBytes(output.bytes());
        } else if (report instanceof JobEvent.Moved moved) {
            moves.add(moved);
        } else if (report instanceof JobEvent.MoveFailed failed) {
            failedMoves.add(failed);
        } else if (report instanceof JobReport.JobStarted restarted) {
            outBeforeRestart = restarts.isEmpty() ? out() : outBeforeRestart;
            restarts.add(restarted);
        } else if (report instanceof Checkpoint.Taken taken && taken.written()) {
            snapshots.add(taken);
        } else if (report instanceof JobReport.JobFinished end) {
            finished = end;
        }
    }

    /** What the machine answers {@code request}, made with a probe for its answer. */
    static NodeActor.MigrationReport ask(ActorTestKit testKit, ActorRef<Machine.Command> machine,
            Function<ActorRef<NodeActor.MigrationReport>, Machine.Command> request) {
        TestProbe<NodeActor.MigrationReport> reports = testKit.createTestProbe();
        machine.tell(request.apply(reports.getRef()));
        return reports.receiveMessage(TIMEOUT);
    }

    /**
     * Snapshots of running job {@code jobId} until one holds messages in flight on its channels
     * (the first ones may be taken before the ranks have sent any); each is written.
     */
    static Checkpoint.Taken checkpointInFlight(ActorTestKit testKit, ActorRef<Machine.Command> machine, int jobId, Duration timeout) {
        Checkpoint.Taken taken = null;
        for (int attempt = 0; attempt < 20 && (taken == null || taken.channelMessages() == 0); attempt++) {
            TestProbe<Checkpoint.Taken> answer = testKit.createTestProbe();
            machine.tell(new Machine.Checkpoint(jobId, answer.getRef()));
            taken = answer.receiveMessage(timeout);
            if (!taken.written()) {
                throw new AssertionError(taken.toString());
            }
        }
        if (taken.channelMessages() == 0) {
            throw new AssertionError("no snapshot of 20 caught a message in flight: " + taken);
        }
        return taken;
    }

    String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }
}
