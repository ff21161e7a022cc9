package io.uniform.node.cluster;

import io.uniform.node.Machine;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps a cluster client's job alive across the loss of the machine's member. A job's yod lives
 * with the machine singleton on the oldest host member; when that member dies, the yod dies with
 * it, and the next machine knows of the job only to report it failed if no one re-claims it
 * ({@link UnclaimedJobs}). The keeper, on the client's member, stands
 * between the machine and the client: it passes every report on, and remembers what a new
 * machine needs to run the job again: the job's last snapshot (a periodic one's report, the one
 * a restart came from) and how much of each rank's output the client has been shown. When the
 * yod stops without the job's end (after {@link #END_GRACE}: the end travels on Artery's
 * ordinary lane, the death notice on its control lane), the keeper waits until the yod's member
 * has left the membership (the singleton moves to the next oldest only then: the keeper follows
 * the membership's events, and knows a member by its {@link UniqueAddress}, so that a member
 * restarted on the same HOST:PORT is a new one and its yod's loss is not hidden) and asks the
 * machine, through its proxy, to {@link Machine.RecoverJob recover} the job from that snapshot,
 * again every {@link #RECOVER_RETRY} until a new yod answers (the proxy drops what it sends
 * while it still knows the old singleton). Without a snapshot the job ends with an error naming
 * the member and the job's nodes. A request the machine took but never answered (its member died
 * before the job started) is sent again once that member has left, to the machine after it. Every
 * request goes again under its first id, so a machine that gets it twice runs it once.
 */
public final class JobKeeper extends AbstractBehavior<JobKeeper.Command> {
    /** How long the keeper waits for the job's end after its yod stopped. */
    public static final Duration END_GRACE = Duration.ofSeconds(5);
    /** How often a recovery is asked for again until a new yod takes the job. */
    static final Duration RECOVER_RETRY = Duration.ofSeconds(5);
    // A removal matters while the membership's state may still show the member: the latest ones suffice.
    private static final int REMOVALS_REMEMBERED = 64;

    public sealed interface Command {}

    /** A report of the job from its yod or the machine (local: the keeper's adapter wraps it). */
    private record Report(JobReport report) implements Command, NoSerializationVerificationNeeded {}

    /** The job's yod stopped (local: a watch notification). */
    private record YodStopped(ActorRef<Yod.Command> yod) implements Command, NoSerializationVerificationNeeded {}

    /** The grace for the end of a job whose yod stopped is over (local). */
    private record GraceOver(ActorRef<Yod.Command> yod) implements Command, NoSerializationVerificationNeeded {}

    /** The membership changed (local: the cluster's event, wrapped). */
    private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command, NoSerializationVerificationNeeded {}

    /** Time to send the unanswered request again, to the machine after the one that left (local). */
    private enum ResendDue implements Command { INSTANCE }

    /** Time to ask for the lost yod's job's recovery (again), once that yod's member has left (local). */
    private record RecoverDue(ActorRef<Yod.Command> yod) implements Command, NoSerializationVerificationNeeded {}

    /**
     * A keeper of the job {@code job} makes of the keeper's report address (a {@link Machine.Run}
     * or {@link Machine.Restart}), sent to {@code machine} at once; {@code client} hears the job's
     * reports as from the machine. A recovered job keeps the request's options.
     */
    public static Behavior<Command> create(ActorRef<Machine.Command> machine, Function<ActorRef<JobReport>, Machine.Command> job,
                                           ActorRef<JobReport> client) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new JobKeeper(context, timers, machine, job, client)));
    }

    private final TimerScheduler<Command> timers;
    private final ActorRef<Machine.Command> machine;
    private final Yod.Options options;
    private final ActorRef<JobReport> client;
    private final ActorRef<JobReport> reports;
    private final Machine.Command request;
    // The ids of the job's requests taken so far (its Run or Restart, then each recovery), and of the recovery asked for now.
    private final List<String> requestIds = new ArrayList<>();
    private String recoveryId;
    private boolean answered;
    // The member the machine ran on when the request went (the oldest host member), and whether a resend is due.
    private final UniqueAddress requestedOf;
    private boolean resending;
    // The members removed from the membership lately, as its events tell (the state may show one a moment longer).
    private final Set<UniqueAddress> removed = java.util.Collections.newSetFromMap(new RecentMap<>(REMOVALS_REMEMBERED));
    private JobReport.JobStarted current;
    // The member of the current job's yod, and the recovery waiting for that member to leave.
    private UniqueAddress yodMember;
    private RecoverDue awaitingRemoval;
    // The yod that said it restarts its job under another: its stop is not a loss.
    private ActorRef<Yod.Command> restarting;
    private String lastSnapshot;
    // Output passed to the client, per rank: stdout and stderr bytes.
    private final List<long[]> shown = new ArrayList<>();

    private JobKeeper(ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<Machine.Command> machine,
                      Function<ActorRef<JobReport>, Machine.Command> job, ActorRef<JobReport> client) {
        super(context);
        this.timers = timers;
        this.machine = machine;
        this.client = client;
        this.reports = context.messageAdapter(JobReport.class, Report::new);
        this.request = job.apply(reports);
        if (request instanceof Machine.Restart restart) {
            lastSnapshot = restart.snapshotFile();
            options = restart.options();
            requestIds.add(restart.requestId());
        } else if (request instanceof Machine.Run run) {
            options = run.options();
            requestIds.add(run.requestId());
        } else {
            throw new IllegalArgumentException("a keeper keeps a Run or a Restart, not " + request);
        }
        machine.tell(request);
        requestedOf = machineMember();
        Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
    }

    /** The oldest Up member with the host role: the machine singleton's; null if none is up. */
    private UniqueAddress machineMember() {
        Member oldest = null;
        for (Member member : Cluster.get(getContext().getSystem()).state().getMembers()) {
            if (member.hasRole(MachineCluster.HOST_ROLE) && member.status().equals(MemberStatus.up())
                    && (oldest == null || member.isOlderThan(oldest))) {
                oldest = member;
            }
        }
        return oldest == null ? null : oldest.uniqueAddress();
    }

    /** The member {@code actor} runs on now (this one for a local ref); null if none has its address. */
    private UniqueAddress memberOf(ActorRef<?> actor) {
        Cluster cluster = Cluster.get(getContext().getSystem());
        Address address = actor.path().address();
        if (!address.hasGlobalScope()) {
            return cluster.selfMember().uniqueAddress();
        }
        return java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .filter(member -> member.address().equals(address) && !removed.contains(member.uniqueAddress()))
                .map(Member::uniqueAddress).findFirst().orElse(null);
    }

    /**
     * True once {@code member} has left the membership: its removal's event came, or the
     * membership no longer holds it (it went before the keeper followed the events). A new
     * member on the same address is another member.
     */
    private boolean gone(UniqueAddress member) {
        return member == null || removed.contains(member)
                || java.util.stream.StreamSupport.stream(Cluster.get(getContext().getSystem()).state().getMembers().spliterator(), false)
                        .noneMatch(present -> present.uniqueAddress().equals(member));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Report.class, this::onReport)
                .onMessage(YodStopped.class, this::onYodStopped)
                .onMessage(GraceOver.class, this::onGraceOver)
                .onMessage(RecoverDue.class, this::onRecoverDue)
                .onMessage(MembershipChanged.class, this::onMembershipChanged)
                .onMessageEquals(ResendDue.INSTANCE, this::onResendDue)
                .build();
    }

    private Behavior<Command> onReport(Report wrapped) {
        JobReport report = wrapped.report();
        if (report instanceof JobReport.JobFinished finished && current != null && finished.jobId() != current.jobId()) {
            // An end of the job under an id it ran under before (a machine reporting a replica of it failed): it runs on.
            getContext().getLog().warn("job {} runs on as job {}: not ended by {}", finished.jobId(), current.jobId(), finished);
            return this;
        }
        answered = true; // from here the yod's watch keeps the job
        if (report instanceof JobReport.JobStarted started) {
            if (current != null && current.yod().equals(started.yod())) {
                return this; // a machine's answer to a copy of the request: the client knows it
            }
            timers.cancelAll(); // a lost job runs again
            awaitingRemoval = null;
            if (current != null) {
                getContext().unwatch(current.yod());
            }
            if (recoveryId != null) {
                requestIds.add(recoveryId);
                recoveryId = null;
            }
            current = started;
            yodMember = memberOf(started.yod());
            getContext().watchWith(started.yod(), new YodStopped(started.yod()));
        } else if (report instanceof JobReport.Restarting restart && current != null) {
            restarting = current.yod();
            lastSnapshot = restart.snapshot();
        } else if (report instanceof Checkpoint.Taken taken && taken.written()) {
            lastSnapshot = taken.file();
        } else if (report instanceof JobEvent.Output output && output.rank() >= 0 && output.fd() >= 1 && output.fd() <= 2) {
            while (shown.size() <= output.rank()) {
                shown.add(new long[2]);
            }
            shown.get(output.rank())[output.fd() - 1] += output.bytes().length;
        }
        client.tell(report);
        return report instanceof JobReport.JobFinished ? Behaviors.stopped() : this;
    }

    private Behavior<Command> onYodStopped(YodStopped stopped) {
        if (!stopped.yod().equals(restarting)) {
            timers.startSingleTimer(new GraceOver(stopped.yod()), END_GRACE);
        } else {
            // It handed its job to the machine to restart: if the machine dies with it before the new yod
            // starts, the job is recovered from the snapshot it named (a new JobStarted ends the polling).
            timers.startSingleTimer(new RecoverDue(stopped.yod()), END_GRACE);
        }
        return this;
    }

    private Behavior<Command> onGraceOver(GraceOver over) {
        if (current == null || !current.yod().equals(over.yod())) {
            return this; // the job runs on under another yod
        }
        Address address = over.yod().path().address();
        String member = address.host().getOrElse(() -> "?") + ":" + address.port().getOrElse(() -> 0);
        if (lastSnapshot == null) {
            client.tell(new JobReport.JobFinished(current.jobId(), List.of(), "the job's yod is gone with its member " + member
                    + " (it left or died): the job ended with it (it had no snapshot to restart from; its ranks on nodes "
                    + current.nids() + " were killed), and its output may be incomplete"));
            return Behaviors.stopped();
        }
        getContext().getLog().warn("job {} lost its yod with member {}: recovering it from {}", current.jobId(), member, lastSnapshot);
        return onRecoverDue(new RecoverDue(over.yod()));
    }

    /**
     * On any change (the first events replay the membership as it is), looks whether the members
     * the keeper waits for have left: the machine's that took the request unanswered, the lost yod's.
     */
    private Behavior<Command> onMembershipChanged(MembershipChanged changed) {
        if (changed.event() instanceof ClusterEvent.MemberRemoved removal) {
            removed.add(removal.member().uniqueAddress());
        }
        if (!answered && !resending && requestedOf != null && gone(requestedOf)) {
            // After a while: the singleton's proxy drops what it gets while it still knows the old machine.
            getContext().getLog().warn("the machine on {} left before it answered a job's request: asking the machine after it", requestedOf);
            resending = true;
            timers.startSingleTimer(ResendDue.INSTANCE, RECOVER_RETRY);
        }
        if (awaitingRemoval != null && gone(yodMember)) {
            RecoverDue due = awaitingRemoval;
            awaitingRemoval = null;
            return onRecoverDue(due);
        }
        return this;
    }

    /** Sends the request again, and again every {@link #RECOVER_RETRY} until the machine answers (it takes a request id once). */
    private Behavior<Command> onResendDue() {
        if (!answered) {
            machine.tell(request);
            timers.startSingleTimer(ResendDue.INSTANCE, RECOVER_RETRY);
        }
        return this;
    }

    /** Asks for the recovery once the lost yod's member has left the membership, and again until a new yod answers. */
    private Behavior<Command> onRecoverDue(RecoverDue due) {
        if (current == null || !current.yod().equals(due.yod())) {
            return this;
        }
        if (!gone(yodMember)) {
            awaitingRemoval = due; // the singleton moves once the member has left: its removal's event asks
            return this;
        }
        if (recoveryId == null) {
            recoveryId = Machine.newRequestId();
        }
        machine.tell(new Machine.RecoverJob(current.jobId(), lastSnapshot, shown(0), shown(1), options, reports, recoveryId, requestIds));
        timers.startSingleTimer(due, RECOVER_RETRY);
        return this;
    }

    private List<Long> shown(int fd) {
        return shown.stream().map(counts -> counts[fd]).toList();
    }
}
