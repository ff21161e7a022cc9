package io.uniform.metrics;

import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.directory.NodeDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
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
 * node; hands the member's whole report to {@code local} (the Prometheus endpoint reads it) and
 * publishes it, trimmed to the busiest nodes, to the cluster's topic. The node actors count; the
 * sampler only asks between their slices, never touching a CPU.
 */
final class MemberSampler extends AbstractBehavior<MemberSampler.Command> {
    sealed interface Command extends NoSerializationVerificationNeeded {}

    /** Time to report and sample again (local). */
    private enum Tick implements Command { INSTANCE }

    /** The machine's node listing changed (local adapter). */
    private record NodesListed(Receptionist.Listing listing) implements Command {}

    /** A node answered (local adapter). */
    private record NodeAnswered(NodeActor.Figures figures) implements Command {}

    /** The machine answered with its jobs (local adapter). */
    private record JobsAnswered(Machine.Jobs jobs) implements Command {}

    /** How the sampler works: its interval and how many nodes of a member travel to the others. */
    record Settings(Duration interval, int publishedNodes) {}

    private record Timed(NodeSample sample, long atNanos) {}

    static Behavior<Command> create(String machine, ActorRef<Machine.Command> machineRef, String member, Settings settings,
                                    ActorRef<Topic.Command<MemberReport>> topic, Consumer<MemberReport> local) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new MemberSampler(context, timers, machine, machineRef, member, settings, topic, local)));
    }

    private final ActorRef<Machine.Command> machineRef;
    private final String member;
    private final Settings settings;
    private final ActorRef<Topic.Command<MemberReport>> topic;
    private final Consumer<MemberReport> local;
    private final ActorRef<NodeActor.Figures> nodeAnswers;
    private final ActorRef<Machine.Jobs> jobAnswers;
    private final ServiceKey<NodeActor.Command> key;
    private final Set<ActorRef<NodeActor.Command>> nodes = new HashSet<>();
    // The latest answer of each node, by the node that gave it (a node that leaves the listing leaves the report).
    private final Map<ActorRef<NodeActor.Command>, Integer> nidOf = new HashMap<>();
    private final Map<Integer, Timed> samples = new TreeMap<>();
    private List<Machine.JobFigures> jobs = List.of();

    private MemberSampler(ActorContext<Command> context, TimerScheduler<Command> timers, String machine,
                          ActorRef<Machine.Command> machineRef, String member, Settings settings,
                          ActorRef<Topic.Command<MemberReport>> topic, Consumer<MemberReport> local) {
        super(context);
        this.machineRef = machineRef;
        this.member = member;
        this.settings = settings;
        this.topic = topic;
        this.local = local;
        this.nodeAnswers = context.messageAdapter(NodeActor.Figures.class, NodeAnswered::new);
        this.jobAnswers = context.messageAdapter(Machine.Jobs.class, JobsAnswered::new);
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
        nidOf.keySet().removeIf(node -> {
            boolean gone = !nodes.contains(node);
            if (gone) {
                samples.remove(nidOf.get(node));
            }
            return gone;
        });
        return this;
    }

    private Behavior<Command> onNodeAnswered(NodeAnswered answered) {
        NodeActor.Figures figures = answered.figures();
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
        samples.put(nid, new Timed(new NodeSample(figures, mips, messages), now));
        return this;
    }

    private Behavior<Command> onJobsAnswered(JobsAnswered answered) {
        jobs = answered.jobs().jobs();
        return this;
    }

    private Behavior<Command> onTick() {
        MemberReport report = report();
        local.accept(report);
        topic.tell(Topic.publish(report.busiest(settings.publishedNodes())));
        for (ActorRef<NodeActor.Command> node : nodes) {
            node.tell(new NodeActor.GetFigures(nodeAnswers.narrow()));
        }
        if (machineRef != null) {
            machineRef.tell(new Machine.GetJobs(jobAnswers));
        }
        return this;
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
        return new MemberReport(member, System.currentTimeMillis(), JvmFigures.now(), states,
                Activities.sum(sampled.stream().map(sample -> sample.figures().activity()).toList()),
                sampled.stream().mapToDouble(NodeSample::mips).sum(), sampled.stream().mapToDouble(NodeSample::messagesPerSecond).sum(),
                sampled, jobs);
    }
}
