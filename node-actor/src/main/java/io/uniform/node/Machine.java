package io.uniform.node;

import com.typesafe.config.Config;
import io.uniform.config.MachineDescription;
import io.uniform.config.NodeAllocator;
import io.uniform.config.NodeState;
import io.uniform.config.Partition;
import io.uniform.interconnect.Mesh;
import io.uniform.node.cluster.HighestJobId;
import io.uniform.node.cluster.MachineCluster;
import io.uniform.node.cluster.RecentMap;
import io.uniform.node.cluster.RunningJobs;
import io.uniform.node.cluster.UnclaimedJobs;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.directory.NodeHost;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.SnapshotFile;
import io.uniform.node.yod.Yod;
import io.uniform.process.UnifiedLibrary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.ReplicatedData;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * The root of an embedded machine: spawns one {@link NodeActor} per node of a
 * {@link MachineDescription}, allocates free nodes of a partition to jobs ({@link NodeAllocator}: a
 * compact box of the mesh when one is free, first fit otherwise), and runs
 * each job under its own {@link Yod}. Nodes are found by nid through a {@link NodeDirectory},
 * wherever they run; the machine owns the partition map (re-boots go through it).
 *
 * <p>The nodes run in {@link NodeHost}s: in one JVM ({@link #create}) a host of the machine's
 * own; on a cluster ({@link #onCluster}, run as the cluster's singleton) the host of every Up
 * member that hosts nodes, found through the receptionist. The description's
 * {@link io.uniform.config.MemberPlacement} says which host runs which node; when the hosts
 * change, idle nodes are handed over (stopped on the old host, booted on the new one), busy ones
 * once their job lets them go, and the busy nodes of a member that is leaving are drained first.
 */
public final class Machine extends AbstractBehavior<Machine.Command> {
    public sealed interface Command {}

    /**
     * Run {@code program} as a job of {@code size} ranks on free nodes of the partitions
     * {@code placement} names (compute ranks first, then service ranks); {@code client} hears
     * {@link JobReport.JobStarted}, every rank's output, and {@link JobReport.JobFinished}. A copy
     * of it (the same {@code requestId}) is answered as the first was, never run again.
     */
    public record Run(Program program, JobPlacement placement, int size, ActorRef<JobReport> client, Yod.Options options, String requestId)
            implements Command, KryoSerializable {
        public Run {
            Objects.requireNonNull(requestId, "requestId");
        }

        /** A request of its own id. */
        public Run(Program program, JobPlacement placement, int size, ActorRef<JobReport> client, Yod.Options options) {
            this(program, placement, size, client, options, newRequestId());
        }

        /** A job with no files, whose stdin is the program's bytes, all in {@code partition}. */
        public Run(Program program, Partition partition, int size, ActorRef<JobReport> client) {
            this(program, JobPlacement.of(partition), size, client, Yod.Options.NONE);
        }
    }

    /** A new request id: the requester chooses it, and sends a request again under the same one. */
    public static String newRequestId() {
        return java.util.UUID.randomUUID().toString();
    }

    /** Take a snapshot of job {@code jobId} now (its yod does); how it went goes to {@code replyTo}. */
    public record Checkpoint(int jobId, ActorRef<io.uniform.node.yod.Checkpoint.Taken> replyTo) implements Command, CborSerializable {}

    /**
     * Run a job again from the snapshot in {@code snapshotFile}: each rank on a free node of its
     * OS's partition, from where the snapshot left it. {@code expected}, if not null, is the
     * program the snapshot must be of. {@code client} hears the job as for {@link Run}, and a copy
     * (the same {@code requestId}) is answered as the first was.
     */
    public record Restart(String snapshotFile, Program expected, ActorRef<JobReport> client, Yod.Options options, String requestId)
            implements Command, KryoSerializable {
        public Restart {
            Objects.requireNonNull(requestId, "requestId");
        }

        /** A request of its own id. */
        public Restart(String snapshotFile, Program expected, ActorRef<JobReport> client, Yod.Options options) {
            this(snapshotFile, expected, client, options, newRequestId());
        }
    }

    /**
     * From a job's yod that lost a node: free the job's nodes ({@code lost} are down) and run it
     * again from {@code snapshotFile} for the same client; the output it had shown past the
     * snapshot ({@code shownStdout}, {@code shownStderr} per rank) is not shown again.
     */
    public record RestartJob(int jobId, String snapshotFile, List<Long> shownStdout, List<Long> shownStderr, Yod.Options options,
                             List<Integer> lost) implements Command, CborSerializable {}

    /**
     * From the keeper of a job ({@link io.uniform.node.cluster.JobKeeper}) whose yod was lost with
     * the machine's member: run job {@code jobId} of the machine before this one again from
     * {@code snapshotFile} for {@code client}, not showing again what it had shown
     * ({@code shownStdout}, {@code shownStderr} per rank). The keeper sends it again under the
     * same {@code requestId} until it hears of the job; {@code earlierRequests} are the ids of the
     * job's requests before (its {@link Run} or {@link Restart}, earlier recoveries), which this
     * machine, rebuilt without them, remembers as taken too.
     */
    public record RecoverJob(int jobId, String snapshotFile, List<Long> shownStdout, List<Long> shownStderr, Yod.Options options,
                             ActorRef<JobReport> client, String requestId, List<String> earlierRequests) implements Command, CborSerializable {
        public RecoverJob {
            Objects.requireNonNull(requestId, "requestId");
            shownStdout = List.copyOf(shownStdout);
            shownStderr = List.copyOf(shownStderr);
            earlierRequests = List.copyOf(earlierRequests);
        }
    }

    /** Kill job {@code jobId} (every rank still running). */
    public record KillJob(int jobId, String reason) implements Command, CborSerializable {}

    /** Inject a PCT fault into the process on node {@code nid} (see {@link NodeActor.InjectPctFault}). */
    public record InjectPctFault(int nid, String operation, int nth) implements Command, CborSerializable {}

    /**
     * Crash node {@code nid} as a hardware fault would (a fault an operator or a chaos run
     * injects): its actor stops, so a rank on it is lost to its job, and its host boots it afresh.
     */
    public record CrashNode(int nid) implements Command, CborSerializable {}

    /**
     * Re-boot node {@code nid} into {@code partition}'s operating system: refused while it holds
     * a job or is down; once the node accepts, the machine allocates it in its new partition.
     */
    public record Reboot(int nid, Partition partition, ActorRef<NodeActor.RebootResult> replyTo) implements Command, CborSerializable {}

    /** Ask for every node's partition and state. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command, CborSerializable {}

    /** The machine now: each nid's partition (as re-booted), state, and the member that hosts it ({@link #LOCAL} in one JVM). */
    public record Status(String machine, Map<Integer, Partition> partitions, Map<Integer, NodeState> states, Map<Integer, String> members)
            implements CborSerializable {
        /** The member of every node of a machine in one JVM. */
        public static final String LOCAL = "local";
        /** The member of a node no member runs now: none is there to host it, or it is being handed over. */
        public static final String NONE = "none";

        public Status {
            partitions = Map.copyOf(partitions);
            states = Map.copyOf(states);
            members = Map.copyOf(members);
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

    /** No job id: a claim by a request's id alone. */
    private static final int NO_JOB = -1;

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

    /**
     * The cluster member at {@code member} (its address) is about to leave: its busy nodes are
     * drained to other members and its idle ones handed over; {@code replyTo} hears when it
     * holds none (or why it cannot be released).
     */
    public record Release(String member, ActorRef<Released> replyTo) implements Command, CborSerializable {}

    /** The answer to a {@link Release}: {@code problem} is null once the member holds no node. */
    public record Released(String member, String problem) implements CborSerializable {}

    /** Ask for the jobs the machine has placed and not yet seen end, and those it reported failed. */
    public record GetJobs(ActorRef<Jobs> replyTo) implements Command, CborSerializable {}

    /**
     * The jobs running, the latest of those this machine reported failed (jobs of a lost machine
     * that no client re-claimed), and how many it reported failed in all.
     */
    public record Jobs(List<JobFigures> jobs, List<FailedJob> failed, long failedCount) implements CborSerializable {
        public Jobs {
            jobs = List.copyOf(jobs);
            failed = List.copyOf(failed);
        }
    }

    /**
     * A job of the machine before this one that was lost with members ({@code lostMembers},
     * HOST:PORT) and that no client re-claimed: its ranks' nodes, when it was reported failed, and
     * why (its ranks and what each lost member held of it).
     */
    public record FailedJob(int jobId, String program, List<Integer> nids, List<String> lostMembers, long failedAtMillis, String reason)
            implements CborSerializable {
        public FailedJob {
            nids = List.copyOf(nids);
            lostMembers = List.copyOf(lostMembers);
        }
    }

    /**
     * A job: its id, its program's name (argv[0]), its ranks, when it was first placed
     * (milliseconds since the epoch; a restarted job keeps its first placing), the snapshots
     * written of it, and how often it was restarted from one (a restart gives it a new id).
     */
    public record JobFigures(int jobId, String program, int ranks, long placedAtMillis, int snapshots, int restarts)
            implements CborSerializable {
        JobFigures withSnapshot() {
            return new JobFigures(jobId, program, ranks, placedAtMillis, snapshots + 1, restarts);
        }
    }

    /** yod wrote a snapshot of job {@code jobId} (the figures count it). */
    public record SnapshotWritten(int jobId) implements Command, CborSerializable {}

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
    private record NodeDown(int nid, ActorRef<NodeActor.Command> node) implements Command, NoSerializationVerificationNeeded {}

    /** The receptionist's listing of the members' hosts changed (local: an adapter's). */
    private record HostsListed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

    /** A member joined, left or changed status (local: an adapter's). */
    private record MembersChanged(ClusterEvent.MemberEvent event) implements Command, NoSerializationVerificationNeeded {}

    /** A host answered an assignment (local: an adapter's). */
    private record HostAnswered(NodeHost.Hosting hosting) implements Command, NoSerializationVerificationNeeded {}

    /** Stop waiting for every host member's host before the first placement (local: sent to itself). */
    private enum StopWaitingForHosts implements Command, NoSerializationVerificationNeeded { INSTANCE }

    /** The highest job id given was read (local: the replicator's answer, wrapped). */
    private record JobIdsRead(Replicator.GetResponse<LWWRegister<Integer>> response, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** The jobs the machines before ran were read (local: the replicator's answer, wrapped). */
    private record RunningJobsRead(Replicator.GetResponse<LWWMap<Integer, RunningJobs.Job>> response, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** {@code what} was written, or not, to a majority of the host members (local: the replicator's answer, wrapped). */
    private record Replicated(String what, Replicator.UpdateResponse<?> response, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /**
     * A restart's new job, waiting for its snapshot to be read: what it is and what it carries on,
     * and the nodes of the job it restarts, kept busy until then so that it has the first pick of them.
     */
    private record Restoring(int jobId, String file, Program expected, ActorRef<JobReport> client, Yod.Restoration restoration,
                             Yod.Options options, JobFigures before, List<Integer> heldNodes) {}

    /**
     * A restart's snapshot was read off the actor thread (local: piped to itself): its header, and
     * why each of its Linux ranks would not fit a Puma node (null: not read, as none had to go
     * there when the read began), or why it could not be read.
     */
    private record SnapshotRead(Restoring restoring, SnapshotFile.Header header, Map<Integer, String> pumaRefusals, String failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** The jobs of the machines before that no client has re-claimed by now are reported failed (local: sent to itself). */
    private enum UnclaimedBoundOver implements Command, NoSerializationVerificationNeeded { INSTANCE }

    /** How long a majority read or write of the machine's replicated data (job ids, running jobs) may take. */
    private static final Duration MAJORITY_TIMEOUT = Duration.ofSeconds(5);
    /** How long a machine on a cluster waits for a host on every Up host member before it places its nodes on those there are. */
    private static final Duration HOSTS_SETTLE = Duration.ofSeconds(5);
    // A request's copies come within seconds of it (a keeper's, while the machine moves): this many suffice.
    private static final int REQUESTS_REMEMBERED = 1024;

    /** What became of a request taken: its job, and the job's end once it has one. */
    private record Taken(int jobId, JobReport.JobFinished end) {}

    /** A {@link Release} waiting for its member to hold no node. */
    private record PendingRelease(Address member, ActorRef<Released> replyTo) {}

    /** A move the machine asked a node for has ended (local: a message adapter's). */
    private record MoveEnded(NodeActor.MigrationReport report) implements Command, NoSerializationVerificationNeeded {}

    /** A move under way from a node: the rank, the node reserved for it, and whom to tell how it went. */
    private record PendingMove(int jobId, int rank, int to, ActorRef<NodeActor.MigrationReport> replyTo) {}

    /** A job's yod has finished: its nodes are free again (wrapped by a local adapter: never leaves this JVM). */
    private record JobDone(JobReport.JobFinished finished) implements Command, NoSerializationVerificationNeeded {}

    /** How long the machine waits for the directory to find a node. */
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A machine in this JVM: one host of its own runs every node.
     *
     * @throws IllegalArgumentException (at its start) if the sizes of what its nodes send each other do not fit Artery's frame ({@link MessageBounds})
     */
    public static Behavior<Command> create(MachineDescription description) {
        return Behaviors.setup(context -> {
            MessageBounds.check(context.getSystem().settings().config());
            return new Machine(context, description, null, null);
        });
    }

    /**
     * Machine {@code machine} over the members of this JVM's cluster (run it as the cluster's
     * singleton): its nodes run in the {@link NodeHost}s listed under {@link NodeHost#key} of
     * {@code machine} on Up members; {@code replicator} (this member's replicator of the
     * machine's data) keeps the highest job id given ({@link HighestJobId}) and the running jobs
     * ({@link RunningJobs}) for the machine after it. The member's
     * message bounds were checked once, when it started ({@link io.uniform.node.cluster.MachineCluster#startMember}),
     * not at every start of the singleton.
     */
    public static Behavior<Command> onCluster(String machine, MachineDescription description, ActorRef<Replicator.Command> replicator) {
        return Behaviors.setup(context -> new Machine(context, description, Objects.requireNonNull(machine, "machine"),
                Objects.requireNonNull(replicator, "replicator")));
    }

    // The partition of every node as re-booted at run time: what jobs are allocated from.
    private MachineDescription description;
    // As described, before any re-boot: what the hosts must agree on (its fingerprint) and the placement.
    private final MachineDescription baseline;
    private final String machineName;
    private final Cluster cluster; // null in one JVM
    private final ActorRef<NodeDirectory.Command> directory;
    // The hosts listed (every one in one JVM); those that have accepted this machine's description
    // (only they get nodes), and those that refused it.
    private Set<ActorRef<NodeHost.Command>> listedHosts = Set.of();
    private final Set<ActorRef<NodeHost.Command>> acceptedHosts = new HashSet<>();
    private final Set<ActorRef<NodeHost.Command>> refusedHosts = new HashSet<>();
    // Members asked to be released (about to leave): they get no nodes.
    private final Set<Address> releasing = new HashSet<>();
    // The members as the events this machine has handled tell them: Cluster.state() is updated apart
    // from the events, so a MemberUp handled before it shows there would place nothing on the member.
    private final Map<Address, Member> members = new HashMap<>();
    private final List<PendingRelease> releases = new ArrayList<>();
    // The host each node runs on (or is being booted on), and the nids being handed from one host to another.
    private final Map<Integer, ActorRef<NodeHost.Command>> hostOf = new HashMap<>();
    // False until every Up host member's host has answered (or HOSTS_SETTLE passed): placing on the
    // first host listed would hand most nodes over again a moment later.
    private boolean hostsSettled;
    private final Set<Integer> handingOver = new HashSet<>();
    private final ActorRef<NodeHost.Hosting> hostAnswers;
    // Who hears how a move off a leaving member went: no one (the machine logs a failed move).
    private final ActorRef<NodeActor.MigrationReport> leavingDrained;
    // The nodes the directory has resolved so far (watched).
    private final Map<Integer, ActorRef<NodeActor.Command>> nodes = new TreeMap<>();
    private final Set<Integer> busy = new HashSet<>();
    private final Set<Integer> down = new HashSet<>();
    // nids with a re-boot under way: not allocated until the node answers.
    private final Set<Integer> rebooting = new HashSet<>();
    private final Map<Integer, ActorRef<Yod.Command>> jobs = new HashMap<>();
    private final Map<Integer, List<Integer>> jobNodes = new HashMap<>();
    // The nodes each job's ranks have left (moves): with jobNodes, every node a stay of the job can be on.
    private final Map<Integer, Set<Integer>> jobNodesLeft = new HashMap<>();
    // What the metrics say of each job in jobNodes.
    private final Map<Integer, JobFigures> jobFigures = new HashMap<>();
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
    // On a cluster: this member's replicator of the machine's data (null in one JVM): the highest job
    // id given, read before the first job (new ids go above every one the machine before gave) and
    // raised as ids are given; and the jobs running, read before the first job too (those of the
    // machine before wait for their clients to re-claim them), each put as it starts and removed as it ends.
    private final ActorRef<Replicator.Command> replicator;
    private boolean jobIdsRead;
    private boolean runningJobsRead;
    private long runningJobsReadAtNanos;
    // This machine among those that ran on the cluster: the jobs it did not put are the machines' before.
    private final String machineId = newRequestId();
    private final UnclaimedJobs unclaimed = new UnclaimedJobs();
    // How long the jobs of the machine before wait for a client to re-claim them (uniform.cluster.unclaimed-job-timeout).
    private final Duration unclaimedTimeout;
    // Jobs asked for before the first placement on a cluster: they would find no node free yet.
    private final List<Command> waitingForPlacement = new ArrayList<>();
    // The latest requests taken (or answered, or carried on by a restarted job), by id, so that a copy
    // (in whatever order it comes) is answered, not run.
    private final Map<String, Taken> taken = new RecentMap<>(REQUESTS_REMEMBERED);

    /**
     * {@code clusterMachine} is the machine's name on a cluster, null for a machine in one JVM
     * (named as its actor is); {@code replicator} the replicator of its data (null in one JVM).
     */
    private Machine(ActorContext<Command> context, MachineDescription description, String clusterMachine,
                    ActorRef<Replicator.Command> replicator) {
        super(context);
        this.description = description;
        this.baseline = description;
        boolean clustered = clusterMachine != null;
        this.machineName = clustered ? clusterMachine : context.getSelf().path().name();
        this.cluster = clustered ? Cluster.get(context.getSystem()) : null;
        this.directory = context.spawn(NodeDirectory.create(machineName), "directory");
        this.doneAdapter = context.messageAdapter(JobReport.JobFinished.class, JobDone::new);
        this.mesh = Mesh.of(description);
        this.moveEnded = context.messageAdapter(NodeActor.MigrationReport.class, MoveEnded::new);
        this.hostAnswers = context.messageAdapter(NodeHost.Hosting.class, HostAnswered::new);
        this.leavingDrained = context.getSystem().ignoreRef(); // not an adapter: one per message class, moveEnded's
        this.replicator = replicator;
        this.jobIdsRead = !clustered;
        this.runningJobsRead = !clustered;
        this.unclaimedTimeout = context.getSystem().settings().config().getDuration("uniform.cluster.unclaimed-job-timeout");
        if (clustered) {
            readHighestJobId(new Replicator.ReadMajority(MAJORITY_TIMEOUT));
            readRunningJobs(new Replicator.ReadMajority(MAJORITY_TIMEOUT));
            context.scheduleOnce(HOSTS_SETTLE, context.getSelf(), StopWaitingForHosts.INSTANCE);
            cluster.state().getMembers().forEach(member -> members.put(member.address(), member));
            context.getSystem().receptionist().tell(Receptionist.subscribe(NodeHost.key(machineName),
                    context.messageAdapter(Receptionist.Listing.class, HostsListed::new)));
            cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberEvent.class, MembersChanged::new),
                    ClusterEvent.MemberEvent.class));
        } else {
            listedHosts = Set.of(context.spawn(NodeHost.create(machineName, List.of(), description.memoryPerNode()), "nodes"));
            acceptedHosts.addAll(listedHosts); // its own: the same description
            hostsSettled = true;
            rebalance();
        }
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
                .onMessage(GetJobs.class, this::onGetJobs)
                .onMessage(SnapshotWritten.class, this::onSnapshotWritten)
                .onMessage(NodeDown.class, this::onNodeDown)
                .onMessage(Resolved.class, this::onResolved)
                .onMessage(YodStopped.class, this::onYodStopped)
                .onMessage(InjectPctFault.class, this::onInjectPctFault)
                .onMessage(CrashNode.class, this::onCrashNode)
                .onMessage(JobDone.class, this::onJobDone)
                .onMessage(SnapshotRead.class, this::onSnapshotRead)
                .onMessage(Migrate.class, this::onMigrate)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(MoveEnded.class, this::onMoveEnded)
                .onMessage(Checkpoint.class, this::onCheckpoint)
                .onMessage(Restart.class, this::onRestart)
                .onMessage(RestartJob.class, this::onRestartJob)
                .onMessage(RecoverJob.class, this::onRecoverJob)
                .onMessage(HostsListed.class, this::onHostsListed)
                .onMessage(MembersChanged.class, this::onMembersChanged)
                .onMessage(HostAnswered.class, this::onHostAnswered)
                .onMessage(Release.class, this::onRelease)
                .onMessageEquals(StopWaitingForHosts.INSTANCE, this::onStopWaitingForHosts)
                .onMessage(JobIdsRead.class, this::onJobIdsRead)
                .onMessage(RunningJobsRead.class, this::onRunningJobsRead)
                .onMessage(Replicated.class, this::onReplicated)
                .onMessageEquals(UnclaimedBoundOver.INSTANCE, this::onUnclaimedBoundOver)
                .build();
    }

    /**
     * True (and {@code command} kept for later) while a machine on a cluster has not placed its
     * nodes yet, or not read the highest job id given before it and the jobs running then.
     */
    private boolean heldForPlacement(Command command) {
        boolean held = !hostsSettled || !jobIdsRead || !runningJobsRead;
        if (held) {
            waitingForPlacement.add(command);
        }
        return held;
    }

    /** Takes the jobs held for the first placement once it is made and the job ids and running jobs are read. */
    private void takeHeldJobs() {
        if (hostsSettled && jobIdsRead && runningJobsRead) {
            waitingForPlacement.forEach(getContext().getSelf()::tell);
            waitingForPlacement.clear();
        }
    }

    /**
     * The highest job id given on the cluster is read (by a majority of the host members, or,
     * if they did not answer in time, as this member's replica has it): new ids go above it.
     */
    private Behavior<Command> onJobIdsRead(JobIdsRead read) {
        if (noMajority(read.response(), read.failure(), "the highest job id given")) {
            readHighestJobId(Replicator.readLocal());
            return this;
        }
        if (read.response() instanceof Replicator.GetSuccess<LWWRegister<Integer>> success) {
            int highest = success.get(HighestJobId.KEY).getValue();
            nextJobId = Math.max(nextJobId, highest + 1);
            getContext().getLog().info("the machines before this one gave job ids up to {}: this one numbers from {}", highest, nextJobId);
        }
        jobIdsRead = true; // NotFound: no job was ever given
        takeHeldJobs();
        return this;
    }

    /**
     * True, with a warning, when a majority of the host members did not answer the read of {@code
     * what} (the caller then reads this member's replica).
     */
    private boolean noMajority(Replicator.GetResponse<?> response, Throwable failure, String what) {
        if (response != null && !(response instanceof Replicator.GetFailure<?>)) {
            return false;
        }
        getContext().getLog().warn("a majority of the host members did not tell {}: reading this member's ({})", what,
                failure != null ? failure.toString() : response);
        return true;
    }

    /**
     * The jobs the machines before this one ran are read: each that is not re-claimed within
     * {@code uniform.cluster.unclaimed-job-timeout} is reported failed.
     */
    private Behavior<Command> onRunningJobsRead(RunningJobsRead read) {
        if (noMajority(read.response(), read.failure(), "the jobs running")) {
            readRunningJobs(Replicator.readLocal());
            return this;
        }
        if (read.response() instanceof Replicator.GetSuccess<LWWMap<Integer, RunningJobs.Job>> success) {
            List<RunningJobs.Job> adopted = unclaimed.adopt(success.get(RunningJobs.KEY).getEntries().values(), machineId);
            if (!adopted.isEmpty()) {
                getContext().getLog().warn("the machine before this one ran job(s) {}: each not re-claimed by its client within {} s is reported failed",
                        adopted.stream().map(RunningJobs.Job::jobId).toList(), unclaimedTimeout.toSeconds());
                getContext().scheduleOnce(unclaimedTimeout, getContext().getSelf(), UnclaimedBoundOver.INSTANCE);
            }
        }
        runningJobsRead = true; // NotFound: no job ever ran
        runningJobsReadAtNanos = System.nanoTime();
        takeHeldJobs();
        return this;
    }

    /** A new job id, above every one given; on a cluster, written to a majority of the host members for the machine after this one. */
    private int newJobId() {
        int jobId = nextJobId;
        nextJobId++;
        if (replicator != null) {
            SelfUniqueAddress self = selfUniqueAddress();
            writeMajority(HighestJobId.KEY, HighestJobId.none(self), register -> HighestJobId.raisedTo(register, jobId, self), "job id " + jobId);
        }
        return jobId;
    }

    private SelfUniqueAddress selfUniqueAddress() {
        return new SelfUniqueAddress(cluster.selfMember().uniqueAddress());
    }

    private Behavior<Command> onReplicated(Replicated written) {
        if (!(written.response() instanceof Replicator.UpdateSuccess<?>)) {
            // It is written here, and gossip carries it to the others.
            getContext().getLog().warn("{} was not written to a majority of the host members in {}: {}", written.what(), MAJORITY_TIMEOUT,
                    written.failure() != null ? written.failure().toString() : written.response());
        }
        return this;
    }

    /**
     * Has this member's replicator apply {@code modify} to {@code key} and write it to a majority of
     * the host members; {@code what} names it in a warning if a majority does not answer.
     */
    @SuppressWarnings("unchecked")
    private <T extends ReplicatedData> void writeMajority(Key<T> key, T initial, Function<T, T> modify, String what) {
        Class<Replicator.UpdateResponse<T>> answer = (Class<Replicator.UpdateResponse<T>>) (Class<?>) Replicator.UpdateResponse.class;
        getContext().ask(answer, replicator, MAJORITY_TIMEOUT.multipliedBy(2),
                replyTo -> new Replicator.Update<>(key, initial, new Replicator.WriteMajority(MAJORITY_TIMEOUT), replyTo, modify),
                (response, failure) -> new Replicated(what, response, failure));
    }

    /**
     * Asks this member's replicator for {@code key} as {@code consistency} reads it (asked, not
     * through Pekko's message adapter, which fails its actor if the answer is late).
     */
    @SuppressWarnings("unchecked")
    private <T extends ReplicatedData> void read(Key<T> key, Replicator.ReadConsistency consistency,
                                                 BiFunction<Replicator.GetResponse<T>, Throwable, Command> answered) {
        Class<Replicator.GetResponse<T>> answer = (Class<Replicator.GetResponse<T>>) (Class<?>) Replicator.GetResponse.class;
        getContext().ask(answer, replicator, MAJORITY_TIMEOUT.multipliedBy(2), replyTo -> new Replicator.Get<>(key, consistency, replyTo),
                answered::apply);
    }

    private void readHighestJobId(Replicator.ReadConsistency consistency) {
        read(HighestJobId.KEY, consistency, JobIdsRead::new);
    }

    private void readRunningJobs(Replicator.ReadConsistency consistency) {
        read(RunningJobs.KEY, consistency, RunningJobsRead::new);
    }

    /** On a cluster, puts job {@code jobId} as it runs now (its nodes, their members, its client) among the running jobs. */
    private void replicateRunning(int jobId) {
        if (replicator == null) {
            return;
        }
        List<Integer> nids = jobNodes.get(jobId);
        ActorRef<JobReport> client = clients.get(jobId);
        List<RunningJobs.Member> rankMembers = nids.stream().map(nid -> {
            ActorRef<NodeHost.Command> host = hostOf.get(nid);
            return host == null ? new RunningJobs.Member(Status.NONE, 0) : member(memberAddress(host));
        }).toList();
        List<String> requests = taken.entrySet().stream().filter(request -> request.getValue().jobId() == jobId).map(Map.Entry::getKey).toList();
        RunningJobs.Job job = new RunningJobs.Job(jobId, jobFigures.get(jobId).program(), nids, rankMembers, machineId,
                member(cluster.selfMember().address()), client, member(memberAddress(client)), requests);
        SelfUniqueAddress self = selfUniqueAddress();
        writeMajority(RunningJobs.KEY, RunningJobs.none(), running -> running.put(self, jobId, job), "running job " + jobId);
    }

    /** On a cluster, removes job {@code jobId} from the running jobs: it ended, or goes on under another id. */
    private void replicateEnded(int jobId) {
        if (replicator != null) {
            SelfUniqueAddress self = selfUniqueAddress();
            writeMajority(RunningJobs.KEY, RunningJobs.none(), running -> running.remove(self, jobId), "the end of job " + jobId);
        }
    }

    /** The member at {@code address} as the running jobs name it (uid 0 if it is no longer a member). */
    private RunningJobs.Member member(Address address) {
        Member known = members.get(address);
        return new RunningJobs.Member(hostPort(address), known == null ? 0 : known.uniqueAddress().longUid());
    }

    /** True while {@code member} (that very one, not a new one on its HOST:PORT) is in the cluster and not down. */
    private boolean present(RunningJobs.Member member) {
        return members.values().stream().anyMatch(candidate -> hostPort(candidate.address()).equals(member.hostPort())
                && candidate.uniqueAddress().longUid() == member.uid() && !candidate.status().equals(MemberStatus.down()));
    }

    /**
     * The bound is over: every job of the machines before that no client re-claimed is reported
     * failed (an error naming its ranks and the members lost, the metrics, {@link GetJobs}), its
     * client, if still there, is told, and whatever still holds it on this machine's nodes ends it.
     */
    private Behavior<Command> onUnclaimedBoundOver() {
        for (UnclaimedJobs.Reported reported : unclaimed.reportWaiting(this::present, unclaimedTimeout, System.currentTimeMillis())) {
            FailedJob failed = reported.failure();
            getContext().getLog().error("job {} ({}) failed: {}", failed.jobId(), failed.program(), failed.reason());
            JobReport.JobFinished end = new JobReport.JobFinished(failed.jobId(), List.of(), "the job failed: " + failed.reason());
            reported.job().client().tell(end);
            // A copy of its request that comes later is answered with this end, not run: a failure, once reported, stays one.
            reported.job().requests().forEach(requestId -> taken.put(requestId, new Taken(failed.jobId(), end)));
            for (int nid : failed.nids()) {
                ActorRef<NodeActor.Command> node = nodes.get(nid);
                if (node != null) {
                    node.tell(new NodeActor.Kill(failed.jobId(), "job " + failed.jobId() + " failed: its machine was lost"));
                    node.tell(new NodeActor.JobEnded(failed.jobId()));
                }
            }
            replicateEnded(failed.jobId());
        }
        return this;
    }

    private Behavior<Command> onRun(Run run) {
        if (heldForPlacement(run) || repeated(run.requestId(), run.client())) {
            return this;
        }
        claimed(NO_JOB, List.of(run.requestId()));
        int jobId = newJobId();
        taken.put(run.requestId(), new Taken(jobId, null));
        if (run.size() < 1) {
            finish(run.client(), new JobReport.JobFinished(jobId, List.of(), "a job needs at least one rank, not " + run.size()));
            return this;
        }
        int serviceRanks = run.placement().serviceRanks(run.size(), description.count(Partition.SERVICE));
        if (run.placement() == JobPlacement.MIXED && (serviceRanks == 0 || serviceRanks == run.size())) {
            finish(run.client(), new JobReport.JobFinished(jobId, List.of(),
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
                finish(run.client(), new JobReport.JobFinished(jobId, List.of(), refusal));
                return this;
            }
        }
        busy.addAll(nids);
        jobNodes.put(jobId, nids);
        jobFigures.put(jobId, new JobFigures(jobId, programName(run.program().argv()), nids.size(), System.currentTimeMillis(), 0, 0));
        resolve(nids, failure -> {
            String killed = killedBeforeStart.remove(jobId);
            if (failure != null || killed != null) {
                forget(jobId);
                busy.removeAll(nids);
                finish(run.client(), new JobReport.JobFinished(jobId, List.of(), failure != null ? failure : "killed before it started: " + killed));
                return;
            }
            startYod(jobId, run.program(), nids, run.options(), run.client(), job -> Yod.create(job, run.client(), doneAdapter));
        });
        return this;
    }

    /**
     * True if the request {@code requestId} was taken already (its copy may come before or after
     * it): {@code client} is then answered as the first was, by the job's end, or else by its start
     * again (a job still being placed is answered by its start to come).
     */
    private boolean repeated(String requestId, ActorRef<JobReport> client) {
        Taken first = taken.get(requestId);
        if (first == null) {
            return false;
        }
        ActorRef<Yod.Command> yod = jobs.get(first.jobId());
        if (first.end() != null) {
            client.tell(first.end());
        } else if (yod != null) {
            client.tell(new JobReport.JobStarted(first.jobId(), jobNodes.get(first.jobId()), yod));
        }
        getContext().getLog().info("request {} was taken already, as job {}: answered, not run again", requestId, first.jobId());
        return true;
    }

    /** Tells {@code client} its job's end, and keeps it as the answer to a copy of the job's request. */
    private void finish(ActorRef<JobReport> client, JobReport.JobFinished end) {
        taken.replaceAll((requestId, request) -> request.jobId() == end.jobId() ? new Taken(end.jobId(), end) : request);
        client.tell(end);
    }

    /** Adds {@code count} free nodes of {@code partition} to {@code nids}; returns why it cannot, or null. */
    private String allocate(Partition partition, int count, List<Integer> nids) {
        Set<Integer> free = freeNids(partition);
        int total = description.nids(partition).length;
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

    /** The nodes of {@code partition} that can take a job now. */
    private Set<Integer> freeNids(Partition partition) {
        return Arrays.stream(description.nids(partition)).filter(this::free).boxed().collect(Collectors.toSet());
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
                getContext().watchWith(node, new NodeDown(nid, node));
            }
        });
        resolved.then().accept(null);
        return this;
    }

    /** The job is over for the machine: returns the nodes it had. */
    private List<Integer> forget(int jobId) {
        if (clients.containsKey(jobId)) {
            replicateEnded(jobId); // its yod had started
        }
        endMoves(jobId, "job " + jobId + " ended before the move did");
        jobFigures.remove(jobId);
        jobNodesLeft.remove(jobId);
        return jobNodes.remove(jobId);
    }

    /**
     * Tells every node job {@code jobId} ran on that it has ended, as its yod does at its end: here
     * the yod stopped first, or ends it to restart it under a new id, and says nothing. Stays of the
     * job left on those nodes let go now rather than after their bounds.
     */
    private void tellJobEnded(int jobId) {
        Set<Integer> ranOn = new HashSet<>(jobNodes.getOrDefault(jobId, List.of()));
        ranOn.addAll(jobNodesLeft.getOrDefault(jobId, Set.of()));
        ranOn.stream().map(nodes::get).filter(Objects::nonNull).forEach(node -> node.tell(new NodeActor.JobEnded(jobId)));
    }

    private Behavior<Command> onGetJobs(GetJobs get) {
        get.replyTo().tell(new Jobs(jobFigures.values().stream().sorted(java.util.Comparator.comparingInt(JobFigures::jobId)).toList(),
                unclaimed.recentFailures(), unclaimed.failedCount()));
        return this;
    }

    /**
     * A client claims the job of the machine before that {@code jobId} or one of {@code requestIds}
     * names (a keeper's recovery, or its copy of a request the lost machine took): that job is not
     * reported failed, and is no longer among the running jobs under its old id.
     */
    private void claimed(int jobId, List<String> requestIds) {
        RunningJobs.Job job = unclaimed.claim(jobId, requestIds);
        if (job != null) {
            getContext().getLog().warn("job {} of the machine before this one was re-claimed by its client {} ms after this machine read it",
                    job.jobId(), (System.nanoTime() - runningJobsReadAtNanos) / 1_000_000);
            replicateEnded(job.jobId());
        }
    }

    private Behavior<Command> onSnapshotWritten(SnapshotWritten written) {
        jobFigures.computeIfPresent(written.jobId(), (jobId, figures) -> figures.withSnapshot());
        return this;
    }

    private static String programName(List<String> argv) {
        return argv.isEmpty() ? "" : argv.get(0);
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
        String reason = "the job's yod failed";
        jobNodes.get(jobId).forEach(nid -> {
            ActorRef<NodeActor.Command> node = nodes.get(nid);
            if (node != null) {
                node.tell(new NodeActor.Kill(jobId, reason));
            }
        });
        tellJobEnded(jobId); // after the kills, on the same links: a node ends its rank first
        List<Integer> nids = forget(jobId);
        busy.removeAll(nids);
        ActorRef<JobReport> client = clients.remove(jobId);
        if (client != null) {
            finish(client, new JobReport.JobFinished(jobId, List.of(), reason + "; its ranks were killed"));
        }
        rebalance();
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

    private Behavior<Command> onCrashNode(CrashNode crash) {
        int nid = crash.nid();
        ActorRef<NodeHost.Command> host = hostOf.get(nid);
        if (host == null || handingOver.contains(nid) || !listedHosts.contains(host)) {
            getContext().getLog().warn("node {} is not crashed: no host runs it now", nid);
            return this;
        }
        getContext().getLog().warn("node {} crashes (injected)", nid);
        // Out of use until its host answers with the new actor, as in a hand-over.
        handingOver.add(nid);
        ActorRef<NodeActor.Command> node = nodes.remove(nid);
        if (node != null) {
            getContext().unwatch(node);
        }
        // A host stops the nodes it is no longer assigned and boots those it lacks as a new actor.
        hostOf.remove(nid);
        assign(host);
        hostOf.put(nid, host);
        assign(host);
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
        Map<Integer, String> members = new HashMap<>();
        Map<Integer, Integer> jobOf = new HashMap<>();
        jobNodes.forEach((job, nids) -> nids.forEach(nid -> jobOf.put(nid, job)));
        for (int nid = 0; nid < description.positionCount(); nid++) {
            if (!description.contains(nid) || !description.partition(nid).isNode()) {
                continue;
            }
            partitions.put(nid, description.partition(nid));
            states.put(nid, down.contains(nid) || onUnreachableMember(nid) ? NodeState.DOWN
                    : jobOf.containsKey(nid) ? NodeState.running(jobOf.get(nid)) : NodeState.IDLE);
            ActorRef<NodeHost.Command> host = hostOf.get(nid);
            members.put(nid, host == null || handingOver.contains(nid) ? Status.NONE : cluster == null ? Status.LOCAL : hostPort(memberAddress(host)));
        }
        get.replyTo().tell(new Status(description.name(), partitions, states, members));
        return this;
    }

    private Behavior<Command> onNodeDown(NodeDown nodeDown) {
        if (!nodeDown.node().equals(nodes.get(nodeDown.nid()))) {
            return this; // a node handed over to another host, or one the directory still listed
        }
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
        List<Integer> freed = forget(jobId);
        if (freed != null) {
            busy.removeAll(freed);
        }
        ActorRef<JobReport> client = clients.remove(jobId);
        if (client != null) {
            finish(client, done.finished());
        }
        rebalance(); // nodes the job held may have been waiting to be handed over
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
                : busy.contains(to) ? "node " + to + " is running a job"
                : handingOver.contains(to) ? "node " + to + " is being handed over to another member"
                : !onUsableHost(to) ? "node " + to + "'s member is leaving" : null;
        if (refusal != null) {
            return refuseMove(migrate, from, refusal);
        }
        busy.add(to); // reserved for the move
        moving.put(from, new PendingMove(migrate.jobId(), migrate.rank(), to, migrate.replyTo()));
        resolve(List.of(from, to), failure -> {
            if (failure != null) {
                moveEnded.tell(new NodeActor.MigrationReport(migrate.jobId(), migrate.rank(), from, to, false, failure, 0, 0, 0, 0, 0));
            } else {
                nodes.get(from).tell(new NodeActor.Migrate(migrate.jobId(), to, moveEnded));
            }
        });
        return this;
    }

    private Behavior<Command> refuseMove(Migrate migrate, int from, String reason) {
        migrate.replyTo().tell(new NodeActor.MigrationReport(migrate.jobId(), migrate.rank(), from, migrate.destination(), false, reason,
                0, 0, 0, 0, 0));
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
            if (!free(candidate)) {
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
                        : "there is no node " + nid, 0, 0, 0, 0, 0));
        return this;
    }

    /**
     * Answers the moves of job {@code jobId} still under way as not made, for {@code reason}, and
     * frees the nodes reserved for them: a source lost with its member never reports, and a report
     * that comes later finds no move and is dropped.
     */
    private void endMoves(int jobId, String reason) {
        for (Iterator<Map.Entry<Integer, PendingMove>> pending = moving.entrySet().iterator(); pending.hasNext(); ) {
            Map.Entry<Integer, PendingMove> entry = pending.next();
            PendingMove move = entry.getValue();
            if (move.jobId() == jobId) {
                pending.remove();
                ActorRef<NodeActor.Command> destination = nodes.get(move.to());
                if (destination != null) {
                    destination.tell(new NodeActor.Kill(jobId, reason)); // in case it took the process before its source went
                }
                busy.remove(move.to());
                move.replyTo().tell(new NodeActor.MigrationReport(jobId, move.rank(), entry.getKey(), move.to(), false, reason, 0, 0, 0, 0, 0));
            }
        }
    }

    /** A move ended: a moved rank's job holds its new node and lets the old one go; a failed move frees the reserved one. */
    private Behavior<Command> onMoveEnded(MoveEnded ended) {
        NodeActor.MigrationReport report = ended.report();
        PendingMove move = moving.remove(report.from());
        if (move == null) {
            return this;
        }
        if (!report.moved() && move.replyTo().equals(leavingDrained)) {
            getContext().getLog().warn("rank {} of job {} could not move off a leaving member (node {}): {}", report.rank(), report.jobId(),
                    report.from(), report.reason());
        }
        List<Integer> nids = jobNodes.get(move.jobId());
        if (nids != null) {
            // Moved, or lost after its handoff: either way the rank may have left a stay there.
            jobNodesLeft.computeIfAbsent(move.jobId(), job -> new HashSet<>()).add(report.from());
        }
        if (report.moved() && nids != null) {
            nids.set(move.rank(), move.to());
            busy.remove(report.from());
            replicateRunning(move.jobId()); // the rank's node and member
        } else {
            busy.remove(move.to()); // it did not move, or its job ended meanwhile and let its other nodes go
        }
        move.replyTo().tell(report);
        rebalance();
        return this;
    }

    private Behavior<Command> onCheckpoint(Checkpoint checkpoint) {
        ActorRef<Yod.Command> yod = jobs.get(checkpoint.jobId());
        if (yod == null) {
            checkpoint.replyTo().tell(io.uniform.node.yod.Checkpoint.Taken.refused(checkpoint.jobId(), null,
                    "there is no running job " + checkpoint.jobId(), 0));
        } else {
            yod.tell(new io.uniform.node.yod.Checkpoint.Take(checkpoint.replyTo()));
        }
        return this;
    }

    private Behavior<Command> onRestart(Restart restart) {
        if (heldForPlacement(restart) || repeated(restart.requestId(), restart.client())) {
            return this;
        }
        claimed(NO_JOB, List.of(restart.requestId()));
        restart(restart.snapshotFile(), restart.expected(), restart.client(),
                new Yod.Restoration(restart.snapshotFile(), List.of(), List.of()), restart.options(), null, List.of(restart.requestId()), List.of());
        return this;
    }

    private Behavior<Command> onRestartJob(RestartJob restart) {
        ActorRef<JobReport> client = clients.remove(restart.jobId());
        if (jobs.remove(restart.jobId()) == null || client == null) {
            return this;
        }
        down.addAll(restart.lost()); // before the machine's own watch may tell it
        endMoves(restart.jobId(), "job " + restart.jobId() + " lost node(s) " + restart.lost() + " and restarts from its snapshot");
        tellJobEnded(restart.jobId());
        replicateEnded(restart.jobId()); // it goes on under a new id
        jobNodesLeft.remove(restart.jobId());
        List<Integer> held = jobNodes.remove(restart.jobId()); // freed once its snapshot is read, for the restart first
        JobFigures before = jobFigures.remove(restart.jobId());
        getContext().getLog().warn("job {} lost node(s) {}: restarting it from {}", restart.jobId(), restart.lost(), restart.snapshotFile());
        // The job's request is answered by the job that carries it on.
        List<String> requests = taken.entrySet().stream().filter(request -> request.getValue().jobId() == restart.jobId())
                .map(Map.Entry::getKey).toList();
        restart(restart.snapshotFile(), null, client,
                new Yod.Restoration(restart.snapshotFile(), restart.shownStdout(), restart.shownStderr()), restart.options(), before, requests,
                held == null ? List.of() : held);
        return this;
    }

    private Behavior<Command> onRecoverJob(RecoverJob recover) {
        if (heldForPlacement(recover) || repeated(recover.requestId(), recover.client())) {
            return this;
        }
        FailedJob failed = unclaimed.reported(recover.jobId());
        if (failed != null) {
            // Reported failed already: a failure, once reported, stays one.
            recover.client().tell(new JobReport.JobFinished(recover.jobId(), List.of(), "the job was reported failed before its client re-claimed it ("
                    + unclaimedTimeout.toSeconds() + " s, uniform.cluster.unclaimed-job-timeout): " + failed.reason()));
            return this;
        }
        claimed(recover.jobId(), Stream.concat(recover.earlierRequests().stream(), Stream.of(recover.requestId())).toList());
        // Its ranks kept their Portals job id; new ids stay clear of the lost machine's, as far as its keepers tell.
        nextJobId = Math.max(nextJobId, recover.jobId() + 1);
        getContext().getLog().warn("job {} of the machine before this one lost its yod: recovering it from {}", recover.jobId(),
                recover.snapshotFile());
        restart(recover.snapshotFile(), null, recover.client(),
                new Yod.Restoration(recover.snapshotFile(), recover.shownStdout(), recover.shownStderr()), recover.options(),
                null, // its figures died with the machine before: it counts from this restart
                Stream.concat(recover.earlierRequests().stream(), Stream.of(recover.requestId())).toList(), List.of());
        return this;
    }

    /**
     * Places every rank of a snapshot on a free node, of its own OS where there is one, else of
     * the other OS where it fits ({@link RestartPlacement}), and has a yod restore the job there;
     * a snapshot that cannot be read, is of another program, or does not fit the free nodes ends
     * the job with the reason. The new job's figures carry on {@code before}'s, the job it
     * restarts (null: one from a file or of a lost machine), whose nodes still busy are
     * {@code heldNodes}; it answers a copy of any of {@code requests}. The snapshot is read off
     * the actor thread: reading checks the whole file's checksum, and a large job's file would
     * hold up every other command of the machine.
     */
    private void restart(String file, Program expected, ActorRef<JobReport> client, Yod.Restoration restoration, Yod.Options options,
                         JobFigures before, List<String> requests, List<Integer> heldNodes) {
        int jobId = newJobId();
        requests.forEach(requestId -> taken.put(requestId, new Taken(jobId, null)));
        readSnapshot(new Restoring(jobId, file, expected, client, restoration, options, before, List.copyOf(heldNodes)), false);
    }

    /**
     * Reads {@code restoring}'s snapshot on the blocking dispatcher, with its Linux ranks' Puma
     * refusals if {@code withPumaRefusals} or if the free service nodes cannot take them all now.
     */
    private void readSnapshot(Restoring restoring, boolean withPumaRefusals) {
        busy.removeAll(restoring.heldNodes()); // counted as the restart will find them
        int freeService = freeNids(Partition.SERVICE).size();
        busy.addAll(restoring.heldNodes());
        Config config = getContext().getSystem().settings().config();
        Serialization serialization = SerializationExtension.get(getContext().getSystem());
        int chunkPages = config.getInt("uniform.migration.chunk-pages");
        int regionBytes = (int) config.getBytes("uniform.node.puma-region-bytes").longValue();
        long memoryPerNode = description.memoryPerNode();
        CompletableFuture<SnapshotRead> read = CompletableFuture.supplyAsync(() -> {
            try {
                Path file = Path.of(restoring.file());
                SnapshotFile.Header header = SnapshotFile.header(file);
                List<Integer> linux = IntStream.range(0, header.ranks().size())
                        .filter(rank -> header.ranks().get(rank).os() == UnifiedLibrary.OS_LINUX).boxed().toList();
                Map<Integer, String> refusals = withPumaRefusals || linux.size() > freeService
                        ? pumaRefusals(file, serialization, chunkPages, memoryPerNode, regionBytes, linux, header.ranks().size())
                        : null;
                return new SnapshotRead(restoring, header, refusals, null);
            } catch (SnapshotFile.BadSnapshot e) {
                return new SnapshotRead(restoring, null, null, e.getMessage());
            }
        }, getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
        getContext().pipeToSelf(read, (done, failure) -> failure == null ? done
                : new SnapshotRead(restoring, null, null, "cannot read the snapshot " + restoring.file() + ": "
                        + (failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure)));
    }

    private Behavior<Command> onSnapshotRead(SnapshotRead read) {
        Restoring restoring = read.restoring();
        busy.removeAll(restoring.heldNodes());
        int jobId = restoring.jobId();
        ActorRef<JobReport> client = restoring.client();
        if (read.failure() != null) {
            finish(client, new JobReport.JobFinished(jobId, List.of(), read.failure()));
            return this;
        }
        SnapshotFile.Header header = read.header();
        Program expected = restoring.expected();
        if (expected != null && !Arrays.equals(header.programDigest(), SnapshotFile.digest(expected.image()))) {
            finish(client, new JobReport.JobFinished(jobId, List.of(), "the snapshot " + restoring.file() + " is of another program ("
                    + String.join(" ", header.argv()) + "), not of this one (" + String.join(" ", expected.argv()) + ")"));
            return this;
        }
        List<Integer> snapshotOs = header.ranks().stream().map(SnapshotFile.Rank::os).toList();
        int freeService = freeNids(Partition.SERVICE).size();
        if (read.pumaRefusals() == null && snapshotOs.stream().filter(os -> os == UnifiedLibrary.OS_LINUX).count() > freeService) {
            busy.addAll(restoring.heldNodes()); // held again for the second read
            readSnapshot(restoring, true); // service nodes were taken while it was read: some Linux ranks may have to go to Puma
            return this;
        }
        RestartPlacement.Plan plan = RestartPlacement.plan(snapshotOs, freeNids(Partition.COMPUTE).size(), freeService,
                linuxRanks -> read.pumaRefusals());
        List<Integer> nids = new ArrayList<>();
        String refusal = plan.refusal() != null ? plan.refusal() : place(plan.os(), nids);
        if (refusal != null) {
            finish(client, new JobReport.JobFinished(jobId, List.of(), "the snapshot's ranks cannot be placed: " + refusal));
            return this;
        }
        for (int rank = 0; rank < nids.size(); rank++) {
            if (!plan.os().get(rank).equals(snapshotOs.get(rank))) {
                getContext().getLog().warn("job {}: rank {} restarts on {} node {}, its snapshot was taken on {}", jobId, rank,
                        osName(plan.os().get(rank)), nids.get(rank), osName(snapshotOs.get(rank)));
            }
        }
        JobFigures before = restoring.before();
        jobNodes.put(jobId, new ArrayList<>(nids));
        jobFigures.put(jobId, before == null ? new JobFigures(jobId, programName(header.argv()), nids.size(), System.currentTimeMillis(), 0, 1)
                : new JobFigures(jobId, before.program(), nids.size(), before.placedAtMillis(), before.snapshots(), before.restarts() + 1));
        Program program = new Program(header.image(), header.argv(), header.stdin());
        Yod.Restoration placed = restoring.restoration().placedOn(plan.os());
        resolve(nids, failure -> {
            if (failure != null) {
                forget(jobId);
                busy.removeAll(nids);
                finish(client, new JobReport.JobFinished(jobId, List.of(), failure));
                return;
            }
            startYod(jobId, program, nids, restoring.options(), client, job -> Yod.restore(job, placed, client, doneAdapter));
        });
        return this;
    }

    /** Spawns job {@code jobId}'s yod as {@code yod} makes it of the job on {@code nids}, watched, and (on a cluster) replicates the job. */
    private void startYod(int jobId, Program program, List<Integer> nids, Yod.Options options, ActorRef<JobReport> client,
                          Function<Yod.Job, Behavior<Yod.Command>> yod) {
        List<Yod.Placement> placements = nids.stream().map(nid -> new Yod.Placement(nid, nodes.get(nid))).toList();
        Yod.Job job = new Yod.Job(jobId, program, placements, options, directory, getContext().getSelf());
        ActorRef<Yod.Command> started = getContext().spawn(yod.apply(job), "yod-" + jobId);
        getContext().watchWith(started, new YodStopped(jobId));
        jobs.put(jobId, started);
        clients.put(jobId, client);
        replicateRunning(jobId);
    }

    /**
     * Takes a free node for every rank of {@code os} (by rank) from its OS's partition into
     * {@code nids}, in rank order; returns null, or the allocator's refusal with none taken.
     */
    private String place(List<Integer> os, List<Integer> nids) {
        Integer[] placed = new Integer[os.size()];
        for (Partition partition : List.of(Partition.COMPUTE, Partition.SERVICE)) {
            int partitionOs = partition == Partition.COMPUTE ? UnifiedLibrary.OS_PUMA : UnifiedLibrary.OS_LINUX;
            List<Integer> ranks = IntStream.range(0, os.size()).filter(rank -> os.get(rank) == partitionOs).boxed().toList();
            List<Integer> allocated = new ArrayList<>();
            String refusal = ranks.isEmpty() ? null : allocate(partition, ranks.size(), allocated);
            if (refusal != null) {
                Arrays.stream(placed).filter(Objects::nonNull).forEach(busy::remove);
                return refusal;
            }
            for (int i = 0; i < ranks.size(); i++) {
                placed[ranks.get(i)] = allocated.get(i);
                busy.add(allocated.get(i));
            }
        }
        nids.addAll(List.of(placed));
        return null;
    }

    /**
     * Why each of the Linux {@code ranks} of snapshot {@code file} (of {@code size} ranks) would
     * not run on a compute node of {@code memoryPerNode} bytes (absent: it fits). Blocks: reads the file.
     */
    private static Map<Integer, String> pumaRefusals(Path file, Serialization serialization, int chunkPages, long memoryPerNode,
                                                     int regionBytes, List<Integer> ranks, int size) {
        Map<Integer, RecordedRanks.Recorded> recorded;
        try {
            recorded = RecordedRanks.of(file, serialization, Set.copyOf(ranks), chunkPages);
        } catch (SnapshotFile.BadSnapshot e) {
            return ranks.stream().collect(Collectors.toMap(rank -> rank, rank -> e.getMessage()));
        }
        Map<Integer, String> refusals = new TreeMap<>();
        for (int rank : ranks) {
            RecordedRanks.Recorded at = recorded.get(rank);
            String refusal;
            try {
                refusal = PumaKernel.admissionRefusal(memoryPerNode, regionBytes, rank, size, at.state(), at.nextInstruction());
            } catch (IllegalArgumentException malformed) {
                refusal = "its recorded state is malformed: " + malformed.getMessage();
            }
            if (refusal != null) {
                refusals.put(rank, refusal);
            }
        }
        return refusals;
    }

    private static String osName(int os) {
        return os == UnifiedLibrary.OS_PUMA ? "Puma" : "Linux";
    }

    /** True when {@code nid} can take a job or a process now. */
    private boolean free(int nid) {
        return !busy.contains(nid) && !down.contains(nid) && !rebooting.contains(nid) && !handingOver.contains(nid) && onUsableHost(nid)
                && !onUnreachableMember(nid);
    }

    /**
     * True while the failure detector finds {@code nid}'s member unreachable: its nodes are down
     * on the map (and get no job) from then on, not only once the resolver has removed it.
     */
    private boolean onUnreachableMember(int nid) {
        ActorRef<NodeHost.Command> host = hostOf.get(nid);
        if (cluster == null || host == null) {
            return false;
        }
        Address member = memberAddress(host);
        return cluster.state().getUnreachable().stream().anyMatch(unreachable -> unreachable.address().equals(member));
    }

    private boolean onUsableHost(int nid) {
        ActorRef<NodeHost.Command> host = hostOf.get(nid);
        return host != null && usableHosts().contains(host);
    }

    /**
     * The hosts that get nodes, in the placement's order: every listed host of an Up member that
     * is not being released and has accepted the machine's description, oldest member first.
     */
    private List<ActorRef<NodeHost.Command>> usableHosts() {
        if (cluster == null) {
            return List.copyOf(listedHosts);
        }
        Map<Address, Member> up = new HashMap<>();
        for (Member member : members.values()) {
            if (member.status().equals(MemberStatus.up()) && !releasing.contains(member.address())) {
                up.put(member.address(), member);
            }
        }
        List<ActorRef<NodeHost.Command>> usable = new ArrayList<>();
        for (ActorRef<NodeHost.Command> host : listedHosts) {
            if (up.containsKey(memberAddress(host)) && acceptedHosts.contains(host)) {
                usable.add(host);
            }
        }
        usable.sort((a, b) -> {
            Member first = up.get(memberAddress(a));
            Member second = up.get(memberAddress(b));
            return first.isOlderThan(second) ? -1 : second.isOlderThan(first) ? 1 : first.address().toString().compareTo(second.address().toString());
        });
        return usable;
    }

    /** A member's address as people write it: HOST:PORT. */
    private static String hostPort(Address member) {
        return member.host().getOrElse(() -> "?") + ":" + member.port().getOrElse(() -> 0);
    }

    /** The member {@code host} runs on (this one for a local reference). */
    private Address memberAddress(ActorRef<?> host) {
        Address address = host.path().address();
        return address.hasGlobalScope() || cluster == null ? address : cluster.selfMember().address();
    }

    /**
     * Places the nodes on the usable hosts as the description's placement says: a node whose host
     * changes is handed over (stopped on the old host, booted on the new) once it is idle, at
     * once if its old host is gone; a leaving member's busy nodes are drained first.
     */
    private void rebalance() {
        if (!hostsSettled && !everyHostMemberAnswered()) {
            return;
        }
        hostsSettled = true;
        takeHeldJobs();
        Map<Integer, ActorRef<NodeHost.Command>> placed = baseline.placement().hosts(baseline, usableHosts());
        Set<ActorRef<NodeHost.Command>> changed = new HashSet<>();
        placed.forEach((nid, wanted) -> {
            ActorRef<NodeHost.Command> current = hostOf.get(nid);
            if (wanted.equals(current) || current != null && listedHosts.contains(current) && (busy.contains(nid) || rebooting.contains(nid))) {
                return;
            }
            // A node booted for the first time is found through the directory like any; one
            // handed over is not used until its new host says it runs (the directory may still list the old one).
            if (current != null) {
                changed.add(current);
                handingOver.add(nid);
                ActorRef<NodeActor.Command> node = nodes.remove(nid);
                if (node != null) {
                    getContext().unwatch(node);
                }
            }
            hostOf.put(nid, wanted);
            changed.add(wanted);
        });
        changed.forEach(this::assign);
        drainLeaving();
        answerReleases();
    }

    /** True when every Up member with the host role has a host of this machine that has answered. */
    private boolean everyHostMemberAnswered() {
        Set<Address> answered = new HashSet<>();
        for (ActorRef<NodeHost.Command> host : listedHosts) {
            if (acceptedHosts.contains(host) || refusedHosts.contains(host)) {
                answered.add(memberAddress(host));
            }
        }
        for (Member member : members.values()) {
            if (member.status().equals(MemberStatus.up()) && member.hasRole(MachineCluster.HOST_ROLE) && !answered.contains(member.address())) {
                return false;
            }
        }
        return true;
    }

    private Behavior<Command> onStopWaitingForHosts() {
        hostsSettled = true;
        rebalance();
        return this;
    }

    private void assign(ActorRef<NodeHost.Command> host) {
        List<NodeHost.HostedNode> assigned = new ArrayList<>();
        hostOf.forEach((nid, assignedHost) -> {
            if (assignedHost.equals(host)) {
                assigned.add(new NodeHost.HostedNode(nid, description.partition(nid)));
            }
        });
        host.tell(new NodeHost.Assign(machineName, baseline.fingerprint(), assigned, hostAnswers));
    }

    /** Moves every process off the nodes of hosts whose members are leaving. */
    private void drainLeaving() {
        Set<Address> leaving = new HashSet<>(releasing);
        if (cluster != null) {
            for (Member member : members.values()) {
                if (member.status().equals(MemberStatus.leaving()) || member.status().equals(MemberStatus.exiting())) {
                    leaving.add(member.address());
                }
            }
        }
        jobNodes.forEach((jobId, nids) -> {
            for (int rank = 0; rank < nids.size(); rank++) {
                int nid = nids.get(rank);
                ActorRef<NodeHost.Command> host = hostOf.get(nid);
                if (host != null && listedHosts.contains(host) && leaving.contains(memberAddress(host)) && !moving.containsKey(nid)
                        && jobs.containsKey(jobId)) {
                    onMigrate(new Migrate(jobId, rank, ANY_NODE, description.partition(nid), leavingDrained));
                }
            }
        });
    }

    private Behavior<Command> onHostsListed(HostsListed listed) {
        listedHosts = Set.copyOf(listed.listing().getAllServiceInstances(NodeHost.key(machineName)));
        refusedHosts.retainAll(listedHosts);
        acceptedHosts.retainAll(listedHosts);
        for (ActorRef<NodeHost.Command> host : listedHosts) {
            if (!acceptedHosts.contains(host) && !refusedHosts.contains(host)) {
                assign(host); // nothing yet: it answers whether it serves this machine
            }
        }
        rebalance();
        return this;
    }

    private Behavior<Command> onMembersChanged(MembersChanged changed) {
        Member member = changed.event().member();
        if (changed.event() instanceof ClusterEvent.MemberRemoved) {
            members.remove(member.address());
            releasing.remove(member.address()); // the address may come back as a new member
        } else {
            members.put(member.address(), member);
        }
        rebalance();
        return this;
    }

    /** A host booted what it was assigned (its nodes are now the machine's to use), or refused the machine. */
    private Behavior<Command> onHostAnswered(HostAnswered answered) {
        NodeHost.Hosting hosting = answered.hosting();
        if (hosting.refusal() != null) {
            getContext().getLog().error("the host {} refused the machine: {}", hosting.host().path(), hosting.refusal());
            refusedHosts.add(hosting.host());
            return this;
        }
        if (acceptedHosts.add(hosting.host())) {
            rebalance();
        }
        hosting.nodes().forEach((nid, node) -> {
            if (!hosting.host().equals(hostOf.get(nid))) {
                return; // assigned elsewhere since
            }
            handingOver.remove(nid);
            ActorRef<NodeActor.Command> known = nodes.get(nid);
            if (!node.equals(known)) {
                if (known != null) {
                    getContext().unwatch(known);
                }
                nodes.put(nid, node);
                down.remove(nid);
                getContext().watchWith(node, new NodeDown(nid, node));
            }
        });
        return this;
    }

    private Behavior<Command> onRelease(Release release) {
        Address member = null;
        for (Member candidate : members.values()) {
            member = candidate.address().toString().equals(release.member()) ? candidate.address() : member;
        }
        if (member == null) {
            release.replyTo().tell(new Released(release.member(), "no member " + release.member() + " is in the cluster"));
            return this;
        }
        if (member.equals(cluster.selfMember().address())) {
            release.replyTo().tell(new Released(release.member(), "the member runs the machine itself: its jobs end with it"));
            return this;
        }
        releasing.add(member);
        releases.add(new PendingRelease(member, release.replyTo()));
        rebalance();
        return this;
    }

    /** Tells each released member that waits once it holds no node (or once no member is left to take them). */
    private void answerReleases() {
        if (!releases.isEmpty() && usableHosts().isEmpty()) {
            releases.forEach(release -> release.replyTo().tell(new Released(release.member().toString(), "no member is left to take its nodes")));
            releases.clear();
        }
        releases.removeIf(release -> {
            boolean holdsNodes = hostOf.values().stream().anyMatch(host -> memberAddress(host).equals(release.member()));
            if (!holdsNodes) {
                release.replyTo().tell(new Released(release.member().toString(), null));
            }
            return !holdsNodes;
        });
    }
}
