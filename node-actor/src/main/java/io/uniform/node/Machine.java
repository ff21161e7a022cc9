package io.uniform.node;

import io.uniform.config.MachineDescription;
import io.uniform.config.NodeAllocator;
import io.uniform.config.NodeState;
import io.uniform.config.Partition;
import io.uniform.interconnect.Mesh;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.directory.NodeHost;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
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
 * each job under its own {@link Yod}. Nodes are found by nid through a {@link NodeDirectory},
 * wherever they run; the machine owns the partition map (re-boots go through it).
 */
public final class Machine extends AbstractBehavior<Machine.Command> {
    public sealed interface Command {}

    /**
     * Run {@code program} as a job of {@code size} ranks on free nodes of the partitions
     * {@code placement} names (compute ranks first, then service ranks); {@code client} hears
     * {@link JobReport.JobStarted}, every rank's output, and {@link JobReport.JobFinished}.
     */
    public record Run(Program program, JobPlacement placement, int size, ActorRef<JobReport> client, Yod.Options options)
            implements Command, KryoSerializable {
        /** A job with no files, whose stdin is the program's bytes, all in {@code partition}. */
        public Run(Program program, Partition partition, int size, ActorRef<JobReport> client) {
            this(program, JobPlacement.of(partition), size, client, Yod.Options.NONE);
        }
    }

    /** Take a snapshot of job {@code jobId} now (its yod does); how it went goes to {@code replyTo}. */
    public record Checkpoint(int jobId, ActorRef<io.uniform.node.yod.Checkpoint.Taken> replyTo) implements Command, CborSerializable {}

    /**
     * Run a job again from the snapshot in {@code snapshotFile}: each rank on a free node of its
     * OS's partition, from where the snapshot left it. {@code expected}, if not null, is the
     * program the snapshot must be of. {@code client} hears the job as for {@link Run}.
     */
    public record Restart(String snapshotFile, Program expected, ActorRef<JobReport> client, Yod.Options options)
            implements Command, KryoSerializable {}

    /**
     * From a job's yod that lost a node: free the job's nodes ({@code lost} are down) and run it
     * again from {@code snapshotFile} for the same client; the output it had shown past the
     * snapshot ({@code shownStdout}, {@code shownStderr} per rank) is not shown again.
     */
    public record RestartJob(int jobId, String snapshotFile, List<Long> shownStdout, List<Long> shownStderr, Yod.Options options,
                             List<Integer> lost) implements Command, CborSerializable {}

    /** Kill job {@code jobId} (every rank still running). */
    public record KillJob(int jobId, String reason) implements Command, CborSerializable {}

    /** Inject a PCT fault into the process on node {@code nid} (see {@link NodeActor.InjectPctFault}). */
    public record InjectPctFault(int nid, String operation, int nth) implements Command, CborSerializable {}

    /**
     * Re-boot node {@code nid} into {@code partition}'s operating system: refused while it holds
     * a job or is down; once the node accepts, the machine allocates it in its new partition.
     */
    public record Reboot(int nid, Partition partition, ActorRef<NodeActor.RebootResult> replyTo) implements Command, CborSerializable {}

    /** Ask for every node's partition and state. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command, CborSerializable {}

    /** The machine now: each nid's partition (as re-booted) and state. */
    public record Status(String machine, Map<Integer, Partition> partitions, Map<Integer, NodeState> states) implements CborSerializable {
        public Status {
            partitions = Map.copyOf(partitions);
            states = Map.copyOf(states);
        }

        /** {@code description} with this status's partitions. */
        public MachineDescription applyTo(MachineDescription description) {
            MachineDescription current = description;
            for (Map.Entry<Integer, Partition> entry : new TreeMap<>(partitions).entrySet()) {
                if (current.partition(entry.getKey()) != entry.getValue()) {
                    current = current.withPartition(entry.getKey(), entry.getValue());
                }
            }
            return current;
        }
    }

    /** A {@link Migrate} with this destination lets the machine choose the node. */
    public static final int ANY_NODE = -1;

    /**
     * Move rank {@code rank} of job {@code jobId} to node {@code destination}, or, when it is
     * {@link #ANY_NODE}, to the free node of {@code partition} nearest to it on the mesh (fewest
     * router hops: the placement policy); how it went goes to {@code replyTo}.
     */
    public record Migrate(int jobId, int rank, int destination, Partition partition, ActorRef<NodeActor.MigrationReport> replyTo)
            implements Command, CborSerializable {
        public Migrate {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /**
     * Move the process off node {@code nid} (a node holds one) to the free node of its partition
     * nearest to it, so that the node can be re-booted while its job runs on; the report says
     * how it went, and is a refusal when the node holds none or cannot be drained.
     */
    public record Drain(int nid, ActorRef<NodeActor.MigrationReport> replyTo) implements Command, CborSerializable {
        public Drain {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Ask for the node with {@code nid}; the reply's node is null if there is none. */
    public record GetNode(int nid, ActorRef<NodeRef> replyTo) implements Command, CborSerializable {}

    public record NodeRef(int nid, ActorRef<NodeActor.Command> node) implements CborSerializable {}

    /** A node accepted or refused a re-boot the machine asked for (local). */
    private record Rebooted(NodeActor.RebootResult result, ActorRef<NodeActor.RebootResult> replyTo)
            implements Command, NoSerializationVerificationNeeded {}

    /** The directory resolved {@code nids} (or could not): then the machine does {@code then} (local). */
    private record Resolved(Set<Integer> nids, NodeDirectory.Known known, Throwable failure, Consumer<String> then)
            implements Command, NoSerializationVerificationNeeded {}

    /** A job's yod stopped (local: a watch notification); a failure if the job had not finished. */
    private record YodStopped(int jobId) implements Command, NoSerializationVerificationNeeded {}

    /** A node actor stopped for good (local: a watch notification). */
    private record NodeDown(int nid) implements Command, NoSerializationVerificationNeeded {}

    /** A move the machine asked a node for has ended (local: a message adapter's). */
    private record MoveEnded(NodeActor.MigrationReport report) implements Command, NoSerializationVerificationNeeded {}

    /** A move under way from a node: the rank, the node reserved for it, and whom to tell how it went. */
    private record PendingMove(int jobId, int rank, int to, ActorRef<NodeActor.MigrationReport> replyTo) {}

    /** A job's yod has finished: its nodes are free again (wrapped by a local adapter: never leaves this JVM). */
    private record JobDone(JobReport.JobFinished finished) implements Command, NoSerializationVerificationNeeded {}

    /** How long the machine waits for the directory to find a node. */
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(30);

    public static Behavior<Command> create(MachineDescription description) {
        return Behaviors.setup(context -> new Machine(context, description));
    }

    // The partition of every node as re-booted at run time: what jobs are allocated from.
    private MachineDescription description;
    private final ActorRef<NodeDirectory.Command> directory;
    // The nodes the directory has resolved so far (watched).
    private final Map<Integer, ActorRef<NodeActor.Command>> nodes = new TreeMap<>();
    private final Set<Integer> busy = new HashSet<>();
    private final Set<Integer> down = new HashSet<>();
    // nids with a re-boot under way: not allocated until the node answers.
    private final Set<Integer> rebooting = new HashSet<>();
    private final Map<Integer, ActorRef<Yod.Command>> jobs = new HashMap<>();
    private final Map<Integer, List<Integer>> jobNodes = new HashMap<>();
    private final Map<Integer, ActorRef<JobReport>> clients = new HashMap<>();
    // Jobs killed while their nodes were still being found: they never start.
    private final Map<Integer, String> killedBeforeStart = new HashMap<>();
    // The mesh, for the placement policy's hop counts.
    private final Mesh mesh;
    // Moves under way, by the nid they leave (a node holds one process, so it makes one move at a time).
    private final Map<Integer, PendingMove> moving = new HashMap<>();
    private final ActorRef<NodeActor.MigrationReport> moveEnded;
    private final ActorRef<JobReport.JobFinished> doneAdapter;
    private int nextJobId = 1;

    private Machine(ActorContext<Command> context, MachineDescription description) {
        super(context);
        this.description = description;
        List<NodeHost.HostedNode> hosted = new ArrayList<>();
        for (Partition partition : Partition.values()) {
            if (partition.isNode()) {
                for (int nid : description.nids(partition)) {
                    hosted.add(new NodeHost.HostedNode(nid, partition));
                }
            }
        }
        // This JVM hosts every node for now; the machine finds them, wherever they run, by nid.
        String machine = context.getSelf().path().name();
        context.spawn(NodeHost.create(machine, hosted, description.memoryPerNode()), "nodes");
        this.directory = context.spawn(NodeDirectory.create(machine), "directory");
        this.doneAdapter = context.messageAdapter(JobReport.JobFinished.class, JobDone::new);
        this.mesh = Mesh.of(description);
        this.moveEnded = context.messageAdapter(NodeActor.MigrationReport.class, MoveEnded::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Run.class, this::onRun)
                .onMessage(KillJob.class, this::onKillJob)
                .onMessage(GetNode.class, this::onGetNode)
                .onMessage(Reboot.class, this::onReboot)
                .onMessage(Rebooted.class, this::onRebooted)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(NodeDown.class, this::onNodeDown)
                .onMessage(Resolved.class, this::onResolved)
                .onMessage(YodStopped.class, this::onYodStopped)
                .onMessage(InjectPctFault.class, this::onInjectPctFault)
                .onMessage(JobDone.class, this::onJobDone)
                .onMessage(Migrate.class, this::onMigrate)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(MoveEnded.class, this::onMoveEnded)
                .onMessage(Checkpoint.class, this::onCheckpoint)
                .onMessage(Restart.class, this::onRestart)
                .onMessage(RestartJob.class, this::onRestartJob)
                .build();
    }

    private Behavior<Command> onRun(Run run) {
        int jobId = nextJobId++;
        if (run.size() < 1) {
            run.client().tell(new JobReport.JobFinished(jobId, List.of(), "a job needs at least one rank, not " + run.size()));
            return this;
        }
        int serviceRanks = run.placement().serviceRanks(run.size(), description.count(Partition.SERVICE));
        if (run.placement() == JobPlacement.MIXED && (serviceRanks == 0 || serviceRanks == run.size())) {
            run.client().tell(new JobReport.JobFinished(jobId, List.of(),
                    "a mixed job needs at least 2 ranks and a service node (it has " + run.size() + " ranks, the service partition "
                            + description.count(Partition.SERVICE) + " nodes)"));
            return this;
        }
        List<Integer> nids = new ArrayList<>();
        for (Map.Entry<Partition, Integer> part : List.of(Map.entry(Partition.COMPUTE, run.size() - serviceRanks),
                Map.entry(Partition.SERVICE, serviceRanks))) {
            if (part.getValue() == 0) {
                continue;
            }
            String refusal = allocate(part.getKey(), part.getValue(), nids);
            if (refusal != null) {
                run.client().tell(new JobReport.JobFinished(jobId, List.of(), refusal));
                return this;
            }
        }
        busy.addAll(nids);
        jobNodes.put(jobId, nids);
        resolve(nids, failure -> {
            String killed = killedBeforeStart.remove(jobId);
            if (failure != null || killed != null) {
                jobNodes.remove(jobId);
                busy.removeAll(nids);
                run.client().tell(new JobReport.JobFinished(jobId, List.of(), failure != null ? failure : "killed before it started: " + killed));
                return;
            }
            List<Yod.Placement> placements = nids.stream().map(nid -> new Yod.Placement(nid, nodes.get(nid))).toList();
            Yod.Job job = new Yod.Job(jobId, run.program(), placements, run.options(), directory, getContext().getSelf());
            ActorRef<Yod.Command> yod = getContext().spawn(Yod.create(job, run.client(), doneAdapter), "yod-" + jobId);
            getContext().watchWith(yod, new YodStopped(jobId));
            jobs.put(jobId, yod);
            clients.put(jobId, run.client());
        });
        return this;
    }

    /** Adds {@code count} free nodes of {@code partition} to {@code nids}; returns why it cannot, or null. */
    private String allocate(Partition partition, int count, List<Integer> nids) {
        Set<Integer> free = new HashSet<>();
        int total = 0;
        for (int nid : description.nids(partition)) {
            total++;
            if (!busy.contains(nid) && !down.contains(nid) && !rebooting.contains(nid)) {
                free.add(nid);
            }
        }
        if (total < count) {
            return String.format("the %s partition has %d nodes; the job needs %d", partition.label(), total, count);
        }
        NodeAllocator.Allocation allocation = NodeAllocator.allocate(description, free, count);
        if (!allocation.ok()) {
            return "in the " + partition.label() + " partition of " + total + " nodes, " + allocation.error();
        }
        nids.addAll(allocation.nids());
        return null;
    }

    /** Finds {@code nids} through the directory, then runs {@code then} with null, or with why they cannot be found. */
    private void resolve(Collection<Integer> nids, Consumer<String> then) {
        Set<Integer> wanted = Set.copyOf(nids);
        if (nodes.keySet().containsAll(wanted)) {
            then.accept(null);
            return;
        }
        getContext().ask(NodeDirectory.Known.class, directory, RESOLVE_TIMEOUT, replyTo -> new NodeDirectory.WaitFor(wanted, replyTo),
                (known, failure) -> new Resolved(wanted, known, failure, then));
    }

    private Behavior<Command> onResolved(Resolved resolved) {
        if (resolved.known() == null) {
            resolved.then().accept("nodes " + new TreeSet<>(resolved.nids()) + " were not found in the node directory within "
                    + RESOLVE_TIMEOUT.toSeconds() + " s");
            return this;
        }
        resolved.known().nodes().forEach((nid, node) -> {
            if (nodes.putIfAbsent(nid, node) == null) {
                down.remove(nid);
                getContext().watchWith(node, new NodeDown(nid));
            }
        });
        resolved.then().accept(null);
        return this;
    }

    private Behavior<Command> onKillJob(KillJob kill) {
        ActorRef<Yod.Command> yod = jobs.get(kill.jobId());
        if (yod != null) {
            yod.tell(new Yod.KillJob(kill.reason()));
        } else if (jobNodes.containsKey(kill.jobId())) {
            killedBeforeStart.put(kill.jobId(), kill.reason()); // its nodes are still being found
        }
        return this;
    }

    /**
     * yod is the job's only keeper: if it stops before reporting the end (it failed), the
     * machine kills what runs on the job's nodes, frees them, and tells the client.
     */
    private Behavior<Command> onYodStopped(YodStopped stopped) {
        int jobId = stopped.jobId();
        if (jobs.remove(jobId) == null) {
            return this; // it finished and reported first
        }
        List<Integer> nids = jobNodes.remove(jobId);
        String reason = "the job's yod failed";
        nids.forEach(nid -> {
            ActorRef<NodeActor.Command> node = nodes.get(nid);
            if (node != null) {
                node.tell(new NodeActor.Kill(jobId, reason));
            }
        });
        busy.removeAll(nids);
        ActorRef<JobReport> client = clients.remove(jobId);
        if (client != null) {
            client.tell(new JobReport.JobFinished(jobId, List.of(), reason + "; its ranks were killed"));
        }
        return this;
    }

    private Behavior<Command> onInjectPctFault(InjectPctFault inject) {
        if (description.contains(inject.nid()) && description.partition(inject.nid()).isNode()) {
            resolve(List.of(inject.nid()), failure -> {
                if (failure == null) {
                    nodes.get(inject.nid()).tell(new NodeActor.InjectPctFault(inject.operation(), inject.nth()));
                }
            });
        }
        return this;
    }

    private Behavior<Command> onReboot(Reboot reboot) {
        int nid = reboot.nid();
        String refusal = !description.contains(nid) || !description.partition(nid).isNode() ? "there is no node " + nid
                : down.contains(nid) ? "node " + nid + " is down"
                : busy.contains(nid) ? "node " + nid + " is running a job: a node re-boots only when it holds no process"
                : rebooting.contains(nid) ? "node " + nid + " is already re-booting" : null;
        if (refusal != null) {
            reboot.replyTo().tell(new NodeActor.RebootResult(nid, false, description.contains(nid) ? description.partition(nid) : null, refusal));
            return this;
        }
        rebooting.add(nid);
        resolve(List.of(nid), failure -> {
            if (failure != null) {
                rebooting.remove(nid);
                reboot.replyTo().tell(new NodeActor.RebootResult(nid, false, description.partition(nid), failure));
            } else {
                askReboot(nodes.get(nid), reboot);
            }
        });
        return this;
    }

    private void askReboot(ActorRef<NodeActor.Command> node, Reboot reboot) {
        int nid = reboot.nid();
        getContext().ask(NodeActor.RebootResult.class, node, java.time.Duration.ofSeconds(10),
                replyTo -> new NodeActor.Reboot(reboot.partition(), replyTo),
                (result, failure) -> new Rebooted(result != null ? result
                        : new NodeActor.RebootResult(nid, false, description.partition(nid), "node " + nid + " did not answer: " + failure),
                        reboot.replyTo()));
    }

    private Behavior<Command> onRebooted(Rebooted rebooted) {
        NodeActor.RebootResult result = rebooted.result();
        rebooting.remove(result.nid());
        if (result.accepted()) {
            description = description.withPartition(result.nid(), result.partition());
        }
        rebooted.replyTo().tell(result);
        return this;
    }

    private Behavior<Command> onGetStatus(GetStatus get) {
        Map<Integer, Partition> partitions = new HashMap<>();
        Map<Integer, NodeState> states = new HashMap<>();
        Map<Integer, Integer> jobOf = new HashMap<>();
        jobNodes.forEach((job, nids) -> nids.forEach(nid -> jobOf.put(nid, job)));
        for (int nid = 0; nid < description.positionCount(); nid++) {
            if (!description.contains(nid) || !description.partition(nid).isNode()) {
                continue;
            }
            partitions.put(nid, description.partition(nid));
            states.put(nid, down.contains(nid) ? NodeState.DOWN : jobOf.containsKey(nid) ? NodeState.running(jobOf.get(nid)) : NodeState.IDLE);
        }
        get.replyTo().tell(new Status(description.name(), partitions, states));
        return this;
    }

    private Behavior<Command> onNodeDown(NodeDown nodeDown) {
        getContext().getLog().warn("node {} is down", nodeDown.nid());
        down.add(nodeDown.nid());
        nodes.remove(nodeDown.nid()); // found again through the directory if it comes back
        return this;
    }

    private Behavior<Command> onGetNode(GetNode get) {
        if (!description.contains(get.nid()) || !description.partition(get.nid()).isNode()) {
            get.replyTo().tell(new NodeRef(get.nid(), null));
            return this;
        }
        resolve(List.of(get.nid()), failure -> get.replyTo().tell(new NodeRef(get.nid(), nodes.get(get.nid()))));
        return this;
    }

    private Behavior<Command> onJobDone(JobDone done) {
        int jobId = done.finished().jobId();
        if (jobs.remove(jobId) == null) {
            return this; // already ended as failed
        }
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

    private Behavior<Command> onMigrate(Migrate migrate) {
        List<Integer> nids = jobNodes.get(migrate.jobId());
        if (nids == null || !jobs.containsKey(migrate.jobId())) {
            return refuseMove(migrate, -1, "there is no running job " + migrate.jobId());
        }
        if (migrate.rank() < 0 || migrate.rank() >= nids.size()) {
            return refuseMove(migrate, -1, "job " + migrate.jobId() + " has no rank " + migrate.rank());
        }
        int from = nids.get(migrate.rank());
        if (moving.containsKey(from)) {
            return refuseMove(migrate, from, "the process on node " + from + " is already moving");
        }
        int to = migrate.destination() == ANY_NODE ? nearestFree(migrate.partition(), from) : migrate.destination();
        String refusal = to == ANY_NODE ? "no node of the " + (migrate.partition() == null ? "?" : migrate.partition().label())
                        + " partition is free"
                : !description.contains(to) || !description.partition(to).isNode() ? "there is no node " + to
                : down.contains(to) ? "node " + to + " is down"
                : rebooting.contains(to) ? "node " + to + " is re-booting"
                : busy.contains(to) ? "node " + to + " is running a job" : null;
        if (refusal != null) {
            return refuseMove(migrate, from, refusal);
        }
        busy.add(to); // reserved for the move
        moving.put(from, new PendingMove(migrate.jobId(), migrate.rank(), to, migrate.replyTo()));
        resolve(List.of(from, to), failure -> {
            if (failure != null) {
                moveEnded.tell(new NodeActor.MigrationReport(migrate.jobId(), migrate.rank(), from, to, false, failure, 0, 0, 0, 0));
            } else {
                nodes.get(from).tell(new NodeActor.Migrate(migrate.jobId(), to, moveEnded));
            }
        });
        return this;
    }

    private Behavior<Command> refuseMove(Migrate migrate, int from, String reason) {
        migrate.replyTo().tell(new NodeActor.MigrationReport(migrate.jobId(), migrate.rank(), from, migrate.destination(), false, reason,
                0, 0, 0, 0));
        return this;
    }

    /** The free node of {@code partition} fewest router hops from {@code nid} (the lowest nid of equals); ANY_NODE if none. */
    private int nearestFree(Partition partition, int nid) {
        if (partition == null || !partition.isNode()) {
            return ANY_NODE;
        }
        int best = ANY_NODE;
        int bestHops = Integer.MAX_VALUE;
        for (int candidate : description.nids(partition)) {
            if (busy.contains(candidate) || down.contains(candidate) || rebooting.contains(candidate)) {
                continue;
            }
            int hops = mesh.hops(nid, candidate);
            if (hops < bestHops) {
                best = candidate;
                bestHops = hops;
            }
        }
        return best;
    }

    private Behavior<Command> onDrain(Drain drain) {
        int nid = drain.nid();
        for (Map.Entry<Integer, List<Integer>> job : jobNodes.entrySet()) {
            int rank = job.getValue().indexOf(nid);
            if (rank >= 0 && jobs.containsKey(job.getKey())) {
                return onMigrate(new Migrate(job.getKey(), rank, ANY_NODE, description.partition(nid), drain.replyTo()));
            }
        }
        drain.replyTo().tell(new NodeActor.MigrationReport(0, -1, nid, ANY_NODE, false,
                description.contains(nid) && description.partition(nid).isNode() ? "node " + nid + " holds no process"
                        : "there is no node " + nid, 0, 0, 0, 0));
        return this;
    }

    /** A move ended: a moved rank's job holds its new node and lets the old one go; a failed move frees the reserved one. */
    private Behavior<Command> onMoveEnded(MoveEnded ended) {
        NodeActor.MigrationReport report = ended.report();
        PendingMove move = moving.remove(report.from());
        if (move == null) {
            return this;
        }
        List<Integer> nids = jobNodes.get(move.jobId());
        if (report.moved() && nids != null) {
            nids.set(move.rank(), move.to());
            busy.remove(report.from());
        } else {
            busy.remove(move.to()); // it did not move, or its job ended meanwhile and let its other nodes go
        }
        move.replyTo().tell(report);
        return this;
    }

    private Behavior<Command> onCheckpoint(Checkpoint checkpoint) {
        ActorRef<Yod.Command> yod = jobs.get(checkpoint.jobId());
        if (yod == null) {
            checkpoint.replyTo().tell(new io.uniform.node.yod.Checkpoint.Taken(checkpoint.jobId(), false, null,
                    "there is no running job " + checkpoint.jobId(), 0, 0));
        } else {
            yod.tell(new io.uniform.node.yod.Checkpoint.Take(checkpoint.replyTo()));
        }
        return this;
    }

    private Behavior<Command> onRestart(Restart restart) {
        restart(restart.snapshotFile(), restart.expected(), restart.client(),
                new Yod.Restoration(restart.snapshotFile(), List.of(), List.of()), restart.options());
        return this;
    }

    private Behavior<Command> onRestartJob(RestartJob restart) {
        ActorRef<JobReport> client = clients.remove(restart.jobId());
        if (jobs.remove(restart.jobId()) == null || client == null) {
            return this;
        }
        down.addAll(restart.lost()); // before the machine's own watch may tell it
        List<Integer> freed = jobNodes.remove(restart.jobId());
        if (freed != null) {
            busy.removeAll(freed);
        }
        getContext().getLog().warn("job {} lost node(s) {}: restarting it from {}", restart.jobId(), restart.lost(), restart.snapshotFile());
        restart(restart.snapshotFile(), null, client,
                new Yod.Restoration(restart.snapshotFile(), restart.shownStdout(), restart.shownStderr()), restart.options());
        return this;
    }

    /**
     * Places every rank of a snapshot on a free node of its OS's partition (Puma: compute, Linux:
     * service) and has a yod restore the job there; a snapshot that cannot be read, is of another
     * program, or does not fit the free nodes ends the job at once with the reason.
     */
    private void restart(String file, Program expected, ActorRef<JobReport> client, Yod.Restoration restoration, Yod.Options options) {
        int jobId = nextJobId++;
        io.uniform.node.yod.SnapshotFile.Header header;
        try {
            header = io.uniform.node.yod.SnapshotFile.header(java.nio.file.Path.of(file));
        } catch (io.uniform.node.yod.SnapshotFile.BadSnapshot e) {
            client.tell(new JobReport.JobFinished(jobId, List.of(), e.getMessage()));
            return;
        }
        if (expected != null && !java.util.Arrays.equals(header.programDigest(), io.uniform.node.yod.SnapshotFile.digest(expected.image()))) {
            client.tell(new JobReport.JobFinished(jobId, List.of(), "the snapshot " + file + " is of another program ("
                    + String.join(" ", header.argv()) + "), not of this one (" + String.join(" ", expected.argv()) + ")"));
            return;
        }
        List<io.uniform.node.yod.SnapshotFile.Rank> ranks = header.ranks();
        Integer[] placed = new Integer[ranks.size()];
        for (Partition partition : List.of(Partition.COMPUTE, Partition.SERVICE)) {
            int os = partition == Partition.COMPUTE ? io.uniform.process.UnifiedLibrary.OS_PUMA : io.uniform.process.UnifiedLibrary.OS_LINUX;
            List<Integer> ofOs = java.util.stream.IntStream.range(0, ranks.size()).filter(rank -> ranks.get(rank).os() == os).boxed().toList();
            if (ofOs.isEmpty()) {
                continue;
            }
            List<Integer> nids = new ArrayList<>();
            String refusal = allocate(partition, ofOs.size(), nids);
            if (refusal != null) {
                client.tell(new JobReport.JobFinished(jobId, List.of(), "the snapshot's " + ofOs.size() + " " + (partition == Partition.COMPUTE ? "Puma" : "Linux")
                        + " rank(s) cannot be placed (a rank restarts on its own OS): " + refusal));
                java.util.Arrays.stream(placed).filter(Objects::nonNull).forEach(busy::remove);
                return;
            }
            for (int i = 0; i < ofOs.size(); i++) {
                placed[ofOs.get(i)] = nids.get(i);
                busy.add(nids.get(i));
            }
        }
        List<Integer> nids = List.of(placed);
        jobNodes.put(jobId, new ArrayList<>(nids));
        Program program = new Program(header.image(), header.argv(), header.stdin());
        resolve(nids, failure -> {
            if (failure != null) {
                jobNodes.remove(jobId);
                busy.removeAll(nids);
                client.tell(new JobReport.JobFinished(jobId, List.of(), failure));
                return;
            }
            List<Yod.Placement> placements = nids.stream().map(nid -> new Yod.Placement(nid, nodes.get(nid))).toList();
            Yod.Job job = new Yod.Job(jobId, program, placements, options, directory, getContext().getSelf());
            ActorRef<Yod.Command> yod = getContext().spawn(Yod.restore(job, restoration, client, doneAdapter), "yod-" + jobId);
            getContext().watchWith(yod, new YodStopped(jobId));
            jobs.put(jobId, yod);
            clients.put(jobId, client);
        });
    }
}
