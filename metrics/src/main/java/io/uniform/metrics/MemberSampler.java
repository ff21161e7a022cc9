package io.uniform.metrics;

import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.directory.NodeDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Samples this member's share of the machine once an interval: asks each node actor of this JVM
 * (those the machine's node listing names with a local address) for its {@link NodeActor.Figures},
 * and its machine, when it hosts one, for the jobs; computes rates from two answers of the same
 * node; once every question of the round is answered, hands the member's whole report to
 * {@code local} (the Prometheus endpoint reads it) and publishes it, trimmed to the busiest nodes,
 * to the cluster's topic. A round still open at the next tick (a node that stopped, or is slow)
 * is reported with what came, the silent nodes' earlier answers standing. The node actors count;
 * the sampler only asks between their slices, never touching a CPU.
 *
 * <p>A report is made of the answers to its own round's questions, never an earlier round's: so
 * {@link SampleNow}, asked after something happened on the nodes (a job's end), is answered with
 * figures that include it.
 */
final class MemberSampler extends AbstractBehavior<MemberSampler.Command> {
    sealed interface Command extends NoSerializationVerificationNeeded {}

    /** Time to report and sample again (local). */
    private enum Tick implements Command { INSTANCE }

    /** The machine's node listing changed (local adapter). */
    private record NodesListed(Receptionist.Listing listing) implements Command {}

    /** A node answered, or (figures null) did not within an interval. */
    private record NodeAnswered(ActorRef<NodeActor.Command> node, NodeActor.Figures figures) implements Command {}

    /** The machine answered with its jobs, or (jobs null) did not within an interval. */
    private record JobsAnswered(Machine.Jobs jobs) implements Command {}

    // What a member that does not run the machine reports of its jobs.
    private static final Machine.Jobs NO_JOBS = new Machine.Jobs(List.of(), List.of(), 0);
    /**
     * The latest jobs reported failed that a report carries (their count carries the rest): each
     * names its nodes, so the machine's 64 could take a frame's worth for jobs of many ranks.
     */
    static final int FAILED_JOBS_REPORTED = 8;

    /** Sample now: {@code replyTo} gets this member's whole report once every node asked now has answered. */
    record SampleNow(ActorRef<MemberReport> replyTo) implements Command {}

    /** How the sampler works: its interval and how many nodes of a member travel to the others. */
    record Settings(Duration interval, int publishedNodes) {}

    private record Timed(NodeSample sample, long atNanos) {}

    static Behavior<Command> create(String machine, Supplier<ActorRef<Machine.Command>> jobsFrom, String member, Settings settings,
                                    ActorRef<Topic.Command<MemberReport>> topic, Consumer<MemberReport> local) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new MemberSampler(context, timers, machine, jobsFrom, member, settings, topic, local)));
    }

    // The machine whose jobs this member reports; null while it reports none.
    private final Supplier<ActorRef<Machine.Command>> jobsFrom;
    private final String member;
    private final Settings settings;
    private final ActorRef<Topic.Command<MemberReport>> topic;
    private final Consumer<MemberReport> local;
    private final ServiceKey<NodeActor.Command> key;
    private final Set<ActorRef<NodeActor.Command>> nodes = new HashSet<>();
    // The latest answer of each node, by the node that gave it (a node that leaves the listing leaves the report).
    private final Map<ActorRef<NodeActor.Command>, Integer> nidOf = new HashMap<>();
    private final Map<Integer, Timed> samples = new TreeMap<>();
    private Machine.Jobs jobs = NO_JOBS;
    // Questions asked and answered (or timed out), by node and to the machine: a node answers in the order asked.
    private final Map<ActorRef<NodeActor.Command>, Long> asked = new HashMap<>();
    private final Map<ActorRef<NodeActor.Command>, Long> answered = new HashMap<>();
    private long jobsAsked;
    private long jobsAnswered;
    // Reports owed once the questions asked for them are answered: this interval's, and those asked for.
    private final List<Owed> owed = new ArrayList<>();
    private boolean sampledOnce;

    /** A report owed once {@code asked} are answered (every one is published): to {@code replyTo} too, or (null) this interval's. */
    private record Owed(Map<ActorRef<NodeActor.Command>, Long> asked, long jobsAsked, ActorRef<MemberReport> replyTo) {}

    private MemberSampler(ActorContext<Command> context, TimerScheduler<Command> timers, String machine,
                          Supplier<ActorRef<Machine.Command>> jobsFrom, String member, Settings settings,
                          ActorRef<Topic.Command<MemberReport>> topic, Consumer<MemberReport> local) {
        super(context);
        this.jobsFrom = jobsFrom;
        this.member = member;
        this.settings = settings;
        this.topic = topic;
        this.local = local;
        ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, NodesListed::new);
        this.key = NodeDirectory.key(machine);
        context.getSystem().receptionist().tell(Receptionist.subscribe(key, listings));
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(NodesListed.class, this::onNodesListed)
                .onMessage(NodeAnswered.class, this::onNodeAnswered)
                .onMessage(JobsAnswered.class, this::onJobsAnswered)
                .onMessage(SampleNow.class, this::onSampleNow)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Behavior<Command> onNodesListed(NodesListed listed) {
        nodes.clear();
        for (ActorRef<NodeActor.Command> node : listed.listing().getServiceInstances(key)) {
            if (node.path().address().hasLocalScope()) {
                nodes.add(node);
            }
        }
        asked.keySet().retainAll(nodes);
        answered.keySet().retainAll(nodes);
        if (!sampledOnce) {
            sampledOnce = true;
            owed.add(ask(null)); // the first figures now, not an interval after start
        }
        nidOf.keySet().removeIf(node -> {
            boolean gone = !nodes.contains(node);
            if (gone) {
                samples.remove(nidOf.get(node));
            }
            return gone;
        });
        payWhatIsAnswered();
        return this;
    }

    private Behavior<Command> onNodeAnswered(NodeAnswered answer) {
        if (nodes.contains(answer.node())) {
            answered.merge(answer.node(), 1L, Long::sum);
            if (answer.figures() != null) {
                nidOf.put(answer.node(), answer.figures().state().nid());
                record(answer.node(), answer.figures());
            }
        }
        payWhatIsAnswered();
        return this;
    }

    private void record(ActorRef<NodeActor.Command> node, NodeActor.Figures figures) {
        int nid = figures.state().nid();
        long now = System.nanoTime();
        Timed before = samples.get(nid);
        double mips = 0;
        double messages = 0;
        if (before != null && now > before.atNanos()) {
            NodeActor.Activity then = before.sample().figures().activity();
            double seconds = (now - before.atNanos()) / 1e9;
            // A node actor that restarted counts from zero again: no rate across that.
            mips = Math.max(0, figures.activity().instructions() - then.instructions()) / seconds / 1e6;
            messages = Math.max(0, figures.activity().messagesIn() - then.messagesIn()) / seconds;
        }
        long mailbox = CountingMailbox.depth(Adapter.toClassic(getContext().getSystem()), Adapter.toClassic(node));
        samples.put(nid, new Timed(new NodeSample(figures, mips, messages, mailbox), now));
    }

    private Behavior<Command> onJobsAnswered(JobsAnswered answer) {
        jobsAnswered++;
        if (answer.jobs() != null) {
            jobs = answer.jobs();
        }
        payWhatIsAnswered();
        return this;
    }

    private Behavior<Command> onTick() {
        // Last interval's report, if a node has not answered yet: with that node's earlier figures.
        owed.removeIf(report -> {
            boolean periodic = report.replyTo() == null;
            if (periodic) {
                publish(report());
            }
            return periodic;
        });
        owed.add(ask(null));
        payWhatIsAnswered();
        return this;
    }

    private Behavior<Command> onSampleNow(SampleNow sample) {
        owed.add(ask(sample.replyTo()));
        payWhatIsAnswered();
        return this;
    }

    /** Asks every node and the machine again, for a report owed to {@code replyTo} (null: the interval's). */
    private Owed ask(ActorRef<MemberReport> replyTo) {
        for (ActorRef<NodeActor.Command> node : nodes) {
            asked.merge(node, 1L, Long::sum);
            getContext().ask(NodeActor.Figures.class, node, settings.interval(), NodeActor.GetFigures::new,
                    (figures, failure) -> new NodeAnswered(node, figures));
        }
        ActorRef<Machine.Command> machineRef = jobsFrom.get();
        if (machineRef == null) {
            jobs = NO_JOBS;
        } else {
            jobsAsked++;
            getContext().ask(Machine.Jobs.class, machineRef, settings.interval(), Machine.GetJobs::new,
                    (answer, failure) -> new JobsAnswered(answer));
        }
        return new Owed(Map.copyOf(asked), jobsAsked, replyTo);
    }

    /** Pays every report whose questions are all answered (a node that left the listing owes nothing). */
    private void payWhatIsAnswered() {
        List<Owed> payable = owed.stream().filter(this::answered).toList();
        if (payable.isEmpty()) {
            return;
        }
        owed.removeAll(payable);
        MemberReport report = report();
        publish(report);
        payable.stream().map(Owed::replyTo).filter(java.util.Objects::nonNull).forEach(replyTo -> replyTo.tell(report));
    }

    private boolean answered(Owed report) {
        return jobsAnswered >= report.jobsAsked() && report.asked().entrySet().stream()
                .allMatch(question -> !nodes.contains(question.getKey()) || answered.getOrDefault(question.getKey(), 0L) >= question.getValue());
    }

    private void publish(MemberReport report) {
        local.accept(report);
        topic.tell(Topic.publish(report.busiest(settings.publishedNodes())));
    }

    /** The member now, from each node's latest answer. */
    private MemberReport report() {
        List<NodeSample> sampled = new ArrayList<>();
        samples.values().forEach(timed -> sampled.add(timed.sample()));
        Map<String, Map<NodeActor.Status, Integer>> counts = new TreeMap<>();
        for (NodeSample sample : sampled) {
            NodeActor.State state = sample.figures().state();
            counts.computeIfAbsent(state.partition().label(), label -> new TreeMap<>()).merge(state.status(), 1, Integer::sum);
        }
        List<MemberReport.StateCount> states = new ArrayList<>();
        counts.forEach((partition, byStatus) -> byStatus.forEach((status, n) -> states.add(new MemberReport.StateCount(partition, status, n))));
        return new MemberReport(member, System.currentTimeMillis(), JvmFigures.now(Adapter.toClassic(getContext().getSystem())), states,
                Activities.sum(sampled.stream().map(sample -> sample.figures().activity()).toList()),
                sampled.stream().mapToDouble(NodeSample::mips).sum(), sampled.stream().mapToDouble(NodeSample::messagesPerSecond).sum(),
                sampled, jobs.jobs(), latest(jobs.failed()), jobs.failedCount());
    }

    /** The {@link #FAILED_JOBS_REPORTED} of {@code failed} that failed last, the latest first. */
    static List<Machine.FailedJob> latest(List<Machine.FailedJob> failed) {
        return failed.stream().sorted(Comparator.comparingLong(Machine.FailedJob::failedAtMillis).reversed()).limit(FAILED_JOBS_REPORTED)
                .toList();
    }
}
