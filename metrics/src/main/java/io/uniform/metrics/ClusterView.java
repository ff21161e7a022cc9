package io.uniform.metrics;

import com.typesafe.config.Config;
import io.uniform.node.CborSerializable;
import io.uniform.node.Machine;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The whole machine's figures on one member: starts this member's {@link MemberSampler}, which
 * publishes the member's report on the machine's metrics topic once an interval, and keeps the
 * latest report every member published there (itself included), so that any member can show every
 * other. A member not heard from for {@code staleAfter} (it left, or died) drops out of the view.
 *
 * <p>Pub-sub rather than Distributed Data: each member is the only writer of its own figures,
 * which are replaced whole every interval and worthless after a few, so there is nothing to merge
 * and nothing to keep; a replicated map would gossip the whole machine's figures to every member
 * and hold a dead member's entry until pruned. The topic also works unchanged in one JVM.
 */
public final class ClusterView extends AbstractBehavior<ClusterView.Command> {
    public sealed interface Command {}

    /** Ask for the machine as this member sees it now. */
    public record GetView(ActorRef<MachineView> replyTo) implements Command, CborSerializable {}

    /**
     * Ask for this member's whole report, sampled now: its nodes' answers to a question asked after
     * this request came, so it includes whatever they did before it (a job's last messages).
     */
    public record SampleMember(ActorRef<MemberReport> replyTo) implements Command, CborSerializable {}

    /** A member's report came over the topic (local adapter). */
    private record Heard(MemberReport report) implements Command, NoSerializationVerificationNeeded {}

    /**
     * How often members sample and publish, how long a silent member stays in the view, and how
     * many of a member's nodes (the busiest) travel to the others.
     */
    public record Settings(Duration interval, Duration staleAfter, int publishedNodes) {
        public Settings {
            if (interval.isNegative() || interval.isZero() || staleAfter.compareTo(interval) <= 0 || publishedNodes < 0) {
                throw new IllegalArgumentException("uniform.metrics: interval must be positive, stale-after longer than it, "
                        + "published-nodes at least 0");
            }
        }

        /** From {@code uniform.metrics} in {@code config}. */
        public static Settings of(Config config) {
            Config metrics = config.getConfig("uniform.metrics");
            return new Settings(metrics.getDuration("interval"), metrics.getDuration("stale-after"), metrics.getInt("published-nodes"));
        }
    }

    /** The topic a machine's members publish their figures on. */
    static String topicName(String machine) {
        return "uniform-metrics-" + machine;
    }

    /**
     * The view of machine {@code machine} (the name its nodes are listed under) on this member;
     * {@code machineRef}, if not null, is the machine this member hosts (for its jobs);
     * {@code local} receives this member's full report at every sampling.
     */
    public static Behavior<Command> create(String machine, ActorRef<Machine.Command> machineRef, Settings settings,
                                           Consumer<MemberReport> local) {
        return Behaviors.setup(context -> new ClusterView(context, machine, machineRef, settings, local));
    }

    private record Received(MemberReport report, long atNanos) {}

    private final Duration staleAfter;
    private final Map<String, Received> members = new HashMap<>();
    private final ActorRef<MemberSampler.Command> sampler;

    private ClusterView(ActorContext<Command> context, String machine, ActorRef<Machine.Command> machineRef, Settings settings,
                        Consumer<MemberReport> local) {
        super(context);
        this.staleAfter = settings.staleAfter();
        ActorRef<Topic.Command<MemberReport>> topic = context.spawn(Topic.create(MemberReport.class, topicName(machine)), "topic");
        topic.tell(Topic.subscribe(context.messageAdapter(MemberReport.class, Heard::new)));
        String member = context.getSystem().address().hostPort();
        this.sampler = context.spawn(MemberSampler.create(machine, machineRef, member,
                new MemberSampler.Settings(settings.interval(), settings.publishedNodes()), topic, local), "sampler");
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Heard.class, this::onHeard)
                .onMessage(GetView.class, this::onGetView)
                .onMessage(SampleMember.class, this::onSampleMember)
                .build();
    }

    private Behavior<Command> onHeard(Heard heard) {
        members.put(heard.report().member(), new Received(heard.report(), System.nanoTime()));
        return this;
    }

    private Behavior<Command> onSampleMember(SampleMember sample) {
        sampler.tell(new MemberSampler.SampleNow(sample.replyTo()));
        return this;
    }

    private Behavior<Command> onGetView(GetView get) {
        long now = System.nanoTime();
        members.values().removeIf(received -> now - received.atNanos() > staleAfter.toNanos());
        get.replyTo().tell(new MachineView(members.values().stream().map(Received::report)
                .sorted(java.util.Comparator.comparing(MemberReport::member)).toList()));
        return this;
    }
}
