package io.uniform.node;

import io.uniform.config.MachineDescription;
import io.uniform.config.NodeAllocator;
import io.uniform.config.Partition;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The root of an embedded machine: spawns one {@link NodeActor} per node of a
 * {@link MachineDescription}, allocates free nodes of a partition to jobs ({@link NodeAllocator}: a
 * compact box of the mesh when one is free, first fit otherwise), and runs
 * each job under its own {@link Yod}. Nodes are addressed by nid through this actor for now; a
 * location-transparent directory comes with clustering.
 */
public final class Machine extends AbstractBehavior<Machine.Command> {
    public sealed interface Command {}

    /**
     * Run {@code program} as a job of {@code size} ranks on free nodes of {@code partition};
     * {@code client} hears {@link JobReport.JobStarted}, every rank's output, and
     * {@link JobReport.JobFinished}.
     */
    public record Run(Program program, Partition partition, int size, ActorRef<JobReport> client, Yod.Options options)
            implements Command, CborSerializable {
        /** A job with no files, whose stdin is the program's bytes. */
        public Run(Program program, Partition partition, int size, ActorRef<JobReport> client) {
            this(program, partition, size, client, Yod.Options.NONE);
        }
    }

    /** Kill job {@code jobId} (every rank still running). */
    public record KillJob(int jobId, String reason) implements Command, CborSerializable {}

    /** Inject a PCT fault into the process on node {@code nid} (see {@link NodeActor.InjectPctFault}). */
    public record InjectPctFault(int nid, String operation, int nth) implements Command, CborSerializable {}

    /** Ask for the node with {@code nid}; the reply's node is null if there is none. */
    public record GetNode(int nid, ActorRef<NodeRef> replyTo) implements Command, CborSerializable {}

    public record NodeRef(int nid, ActorRef<NodeActor.Command> node) implements CborSerializable {}

    /** A job's yod has finished: its nodes are free again (wrapped by a local adapter: never leaves this JVM). */
    private record JobDone(JobReport.JobFinished finished) implements Command, NoSerializationVerificationNeeded {}

    public static Behavior<Command> create(MachineDescription description) {
        return Behaviors.setup(context -> new Machine(context, description));
    }

    private final MachineDescription description;
    private final Map<Integer, ActorRef<NodeActor.Command>> nodes = new TreeMap<>();
    private final Set<Integer> busy = new HashSet<>();
    private final Map<Integer, ActorRef<Yod.Command>> jobs = new HashMap<>();
    private final Map<Integer, List<Integer>> jobNodes = new HashMap<>();
    private final Map<Integer, ActorRef<JobReport>> clients = new HashMap<>();
    private final ActorRef<JobReport.JobFinished> doneAdapter;
    private int nextJobId = 1;

    private Machine(ActorContext<Command> context, MachineDescription description) {
        super(context);
        this.description = description;
        for (Partition partition : Partition.values()) {
            if (!partition.isNode()) {
                continue;
            }
            for (int nid : description.nids(partition)) {
                NodeActor.Settings settings = NodeActor.Settings.of(nid, partition, description.memoryPerNode(),
                        context.getSystem().settings().config());
                nodes.put(nid, context.spawn(NodeActor.create(settings), "node-" + nid));
            }
        }
        this.doneAdapter = context.messageAdapter(JobReport.JobFinished.class, JobDone::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Run.class, this::onRun)
                .onMessage(KillJob.class, this::onKillJob)
                .onMessage(GetNode.class, this::onGetNode)
                .onMessage(InjectPctFault.class, this::onInjectPctFault)
                .onMessage(JobDone.class, this::onJobDone)
                .build();
    }

    private Behavior<Command> onRun(Run run) {
        int jobId = nextJobId++;
        if (run.size() < 1) {
            run.client().tell(new JobReport.JobFinished(jobId, List.of(), "a job needs at least one rank, not " + run.size()));
            return this;
        }
        Set<Integer> free = new HashSet<>();
        int total = 0;
        for (int nid : description.nids(run.partition())) {
            total++;
            if (!busy.contains(nid)) {
                free.add(nid);
            }
        }
        if (total < run.size()) {
            run.client().tell(new JobReport.JobFinished(jobId, List.of(),
                    String.format("the %s partition has %d nodes; the job needs %d", run.partition().label(), total, run.size())));
            return this;
        }
        NodeAllocator.Allocation allocation = NodeAllocator.allocate(description, free, run.size());
        if (!allocation.ok()) {
            run.client().tell(new JobReport.JobFinished(jobId, List.of(),
                    "in the " + run.partition().label() + " partition of " + total + " nodes, " + allocation.error()));
            return this;
        }
        List<Integer> nids = allocation.nids();
        busy.addAll(nids);
        List<Yod.Placement> placements = nids.stream().map(nid -> new Yod.Placement(nid, nodes.get(nid))).toList();
        Yod.Job job = new Yod.Job(jobId, run.program(), placements, run.options());
        ActorRef<Yod.Command> yod = getContext().spawn(Yod.create(job, run.client(), doneAdapter), "yod-" + jobId);
        jobs.put(jobId, yod);
        jobNodes.put(jobId, nids);
        clients.put(jobId, run.client());
        return this;
    }

    private Behavior<Command> onKillJob(KillJob kill) {
        ActorRef<Yod.Command> yod = jobs.get(kill.jobId());
        if (yod != null) {
            yod.tell(new Yod.KillJob(kill.reason()));
        }
        return this;
    }

    private Behavior<Command> onInjectPctFault(InjectPctFault inject) {
        ActorRef<NodeActor.Command> node = nodes.get(inject.nid());
        if (node != null) {
            node.tell(new NodeActor.InjectPctFault(inject.operation(), inject.nth()));
        }
        return this;
    }

    private Behavior<Command> onGetNode(GetNode get) {
        get.replyTo().tell(new NodeRef(get.nid(), nodes.get(get.nid())));
        return this;
    }

    private Behavior<Command> onJobDone(JobDone done) {
        int jobId = done.finished().jobId();
        jobs.remove(jobId);
        List<Integer> freed = jobNodes.remove(jobId);
        if (freed != null) {
            busy.removeAll(freed);
        }
        ActorRef<JobReport> client = clients.remove(jobId);
        if (client != null) {
            client.tell(done.finished());
        }
        return this;
    }
}
