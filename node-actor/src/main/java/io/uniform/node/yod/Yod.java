package io.uniform.node.yod;

import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * yod for one job: launches every rank on its node, forwards the ranks' output to the job's
 * requester as it arrives, and when every rank has ended (or was refused) reports
 * {@link JobReport.JobFinished} to {@code done}, whoever allocated the nodes (it frees them, then
 * tells the requester, so a next job finds them free), then stops. stdin travels with the launch for now (interactive stdin comes later).
 */
public final class Yod extends AbstractBehavior<Yod.Command> {
    /** The protocol of yod: the nodes' {@link JobEvent}s, and a kill from the machine. */
    public sealed interface Command permits JobEvent, KillJob, RankLost {}

    /** Kill every rank still running. */
    public record KillJob(String reason) implements Command, CborSerializable {}

    /** The node of {@code rank} stopped (local: a watch notification, never leaves this JVM). */
    private record RankLost(int rank) implements Command, NoSerializationVerificationNeeded {}

    /** One rank's placement. */
    public record Placement(int nid, ActorRef<NodeActor.Command> node) {}

    /** What the job is. */
    public record Job(int jobId, Program program, List<Placement> placements) {
        public Job {
            Objects.requireNonNull(program, "program");
            placements = List.copyOf(placements);
        }
    }

    public static Behavior<Command> create(Job job, ActorRef<JobReport> client, ActorRef<JobReport.JobFinished> done) {
        return Behaviors.setup(context -> new Yod(context, job, client, done));
    }

    private final Job job;
    private final ActorRef<JobReport> client;
    private final ActorRef<JobReport.JobFinished> done;
    private final JobReport.RankStatus[] statuses;
    private int ended;

    private Yod(ActorContext<Command> context, Job job, ActorRef<JobReport> client, ActorRef<JobReport.JobFinished> done) {
        super(context);
        this.job = Objects.requireNonNull(job);
        this.client = client;
        this.done = done;
        this.statuses = new JobReport.RankStatus[job.placements().size()];
        ActorRef<JobEvent> self = context.getSelf().narrow();
        client.tell(new JobReport.JobStarted(job.jobId(), job.placements().stream().map(Placement::nid).toList()));
        for (int rank = 0; rank < statuses.length; rank++) {
            ActorRef<NodeActor.Command> node = job.placements().get(rank).node();
            context.watchWith(node, new RankLost(rank)); // a node that stops never reports its rank
            node.tell(new NodeActor.Launch(job.jobId(), rank, statuses.length, job.program(), self));
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(JobEvent.Output.class, this::onOutput)
                .onMessage(JobEvent.Exited.class, this::onExited)
                .onMessage(JobEvent.LaunchRefused.class, this::onLaunchRefused)
                .onMessage(KillJob.class, this::onKillJob)
                .onMessage(RankLost.class, this::onRankLost)
                .build();
    }

    private Behavior<Command> onOutput(JobEvent.Output output) {
        client.tell(output);
        return this;
    }

    private Behavior<Command> onExited(JobEvent.Exited exited) {
        return record(exited.rank(), new JobReport.RankStatus(exited.rank(), exited.nid(), exited.status(), exited.report()));
    }

    private Behavior<Command> onLaunchRefused(JobEvent.LaunchRefused refused) {
        // The other ranks cannot finish a job one rank of which never started.
        killOthers("rank " + refused.rank() + " could not start: " + refused.reason());
        return record(refused.rank(), new JobReport.RankStatus(refused.rank(), refused.nid(), null, refused.reason()));
    }

    private Behavior<Command> onRankLost(RankLost lost) {
        int nid = job.placements().get(lost.rank()).nid();
        if (statuses[lost.rank()] != null) {
            return this;
        }
        String report = "node " + nid + " was lost";
        killOthers("rank " + lost.rank() + " ended: " + report);
        return record(lost.rank(), new JobReport.RankStatus(lost.rank(), nid, ExitStatus.killed(Signal.SIGKILL), report));
    }

    private Behavior<Command> onKillJob(KillJob kill) {
        killOthers(kill.reason());
        return this;
    }

    private void killOthers(String reason) {
        for (int rank = 0; rank < statuses.length; rank++) {
            if (statuses[rank] == null) {
                job.placements().get(rank).node().tell(new NodeActor.Kill(job.jobId(), reason));
            }
        }
    }

    private Behavior<Command> record(int rank, JobReport.RankStatus status) {
        if (rank < 0 || rank >= statuses.length || statuses[rank] != null) {
            return this;
        }
        statuses[rank] = status;
        if (++ended < statuses.length) {
            return this;
        }
        JobReport.JobFinished finished = new JobReport.JobFinished(job.jobId(), List.of(statuses), null);
        done.tell(finished); // the allocator frees the nodes, then passes it on to the client
        return Behaviors.stopped();
    }
}
