package io.uniform.node;

import io.uniform.config.Partition;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.interconnect.CreditGrant;
import io.uniform.interconnect.ChannelMarker;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.yod.JobEvent;
import io.uniform.portals.Identity;
import io.uniform.portals.JobMap;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import io.uniform.process.io.IoReply;
import io.uniform.puma.pct.SchedulingPolicy;
import io.uniform.puma.pct.YodDirectory;
import io.uniform.puma.qk.PctFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One MPP node: hosts the CPU and the kernel of its partition (Puma's QK + PCT on a compute
 * node, the Linux personality on the others), one process at a time.
 *
 * <p>The CPU runs in bounded slices on {@code uniform.cpu-dispatcher}, never on the actor's
 * thread: the actor submits a slice as a {@link CompletableFuture} on that executor and pipes
 * the result to itself. While a slice runs the actor does not touch the kernel; between slices
 * it handles its mailbox (state queries, kills, reboots), sends the slice's output to the job's
 * yod, and submits the next slice.
 */
public final class NodeActor extends AbstractBehavior<NodeActor.Command> {
    /** The protocol of a node. */
    public sealed interface Command {}

    /**
     * Start rank {@code rank} of job {@code jobId} (of {@code size} ranks); events go to
     * {@code yod}; {@code pctFault}, if not null, is injected before the first instruction runs;
     * {@code filesRoot} is the job's service file system (a host directory; null: none), which
     * a service node's Linux opens itself and a compute node reaches through yod.
     */
    public record Launch(int jobId, int rank, int size, Program program, ActorRef<JobEvent> yod, InjectPctFault pctFault,
                         String filesRoot, JobPeers peers) implements Command, KryoSerializable {
        public Launch {
            Objects.requireNonNull(program, "program");
            Objects.requireNonNull(peers, "peers");
        }

        public Launch(int jobId, int rank, int size, Program program, ActorRef<JobEvent> yod) {
            this(jobId, rank, size, program, yod, null, null, JobPeers.NONE);
        }
    }

    /**
     * Where a job's other ranks are, for the Portals messages of its processes: the nid of each
     * rank, in rank order, and the node directory that finds a node actor by nid (null: the
     * job's processes reach no other node).
     */
    public record JobPeers(List<Integer> nids, ActorRef<NodeDirectory.Command> directory) {
        public static final JobPeers NONE = new JobPeers(List.of(), null);

        public JobPeers {
            nids = List.copyOf(nids);
        }
    }

    /**
     * A Portals message for a process of job {@code jobId} on this node, in its envelope: the
     * channel from its sender to its receiver and its sequence number there.
     */
    public record Packet(int jobId, Envelope<PortalsMessage> envelope) implements Command, KryoSerializable {}

    /** The receiving node's credit for a channel of job {@code jobId}: its sender may send every sequence below the limit. */
    public record Credit(int jobId, CreditGrant grant) implements Command, CborSerializable {}

    /** A channel of job {@code jobId} re-pointed away from this node: everything sent here before it has arrived. */
    public record Marker(int jobId, ChannelMarker marker) implements Command, CborSerializable {}

    /**
     * Where processes of job {@code jobId} run now, as their mover publishes it: every node that
     * talks to them re-points its channels (the logical ids guest code holds do not change).
     */
    public record Locations(int jobId, List<LocationUpdate> updates) implements Command, CborSerializable {
        public Locations {
            updates = List.copyOf(updates);
        }
    }

    /** Kill the node's process of job {@code jobId}, if any (at the end of the running slice). */
    public record Kill(int jobId, String reason) implements Command, CborSerializable {}

    /** yod's answer to I/O request {@code sequence} of the node's process of job {@code jobId}. */
    public record IoDone(int jobId, long sequence, IoReply reply) implements Command, CborSerializable {}

    public record GetState(ActorRef<State> replyTo) implements Command, CborSerializable {}

    /**
     * Makes the PCT of the node's running Puma process fail at its {@code nth} call of
     * {@code operation} from now ("write", "brk", "schedule", ...): the operator's way to watch
     * a PCT fault contained and the PCT reloaded. Ignored, with a warning, on an idle or Linux node.
     */
    public record InjectPctFault(String operation, int nth) implements Command, CborSerializable {}

    /**
     * Re-boot the node into {@code partition}'s operating system; only when it holds no process.
     * The kernel of a node is built when a process arrives, so booting switches the personality
     * at once and the answer comes straight back.
     */
    public record Reboot(Partition partition, ActorRef<RebootResult> replyTo) implements Command, CborSerializable {}

    /** What a node is doing. */
    public enum Status { IDLE, RUNNING }

    /** A node's state: {@code jobId} and {@code rank} are meaningful when RUNNING. */
    public record State(int nid, Partition partition, Status status, int jobId, int rank, long slices, int pctReloads,
                        PortalsTraffic portals) implements CborSerializable {
        @Override
        public String toString() {
            return "nid " + nid + " (" + partition.label() + "): " + switch (status) {
                case IDLE -> "idle";
                case RUNNING -> "running job " + jobId + " rank " + rank;
            };
        }
    }

    /**
     * What a node's Portals transport has done: messages its processes sent, messages they
     * consumed, packets forwarded to where their receiver runs now, packets dropped for want of
     * a receiver, markers sent for re-pointed channels and markers that closed channels here.
     */
    public record PortalsTraffic(long sent, long delivered, long forwarded, long dropped, long markersSent, long markersClosed)
            implements CborSerializable {}

    /** The answer to a {@link Reboot}: accepted (the node now runs {@code partition}'s OS) or refused with a reason. */
    public record RebootResult(int nid, boolean accepted, Partition partition, String reason) implements CborSerializable {}

    /** A slice ended on the CPU dispatcher (local only: never leaves this JVM). */
    private record SliceDone(Kernel kernel, Kernel.SliceResult result, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** The directory answered, at the {@code attempt}-th question, where node {@code nid} is (local only). */
    private record PeerLocated(int nid, ActorRef<Command> node, int attempt, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** The sleep of {@code kernel}'s processes is over (local only, like {@link SliceDone}). */
    private record Wake(Kernel kernel) implements Command, NoSerializationVerificationNeeded {}

    /**
     * How a node is built: not a message, so it may hold PCT factories. {@code bootPct} makes the
     * PCT a compute node boots with for each process; {@code reloadPct} the one it installs after
     * a PCT fault (the PCT rebuilds the policy its processes were loaded under from their PCBs).
     */
    public record Settings(int nid, Partition partition, long memoryBytes, long sliceInstructions, int outputChunkBytes,
                           Function<YodDirectory, PctFactory> bootPct, Function<YodDirectory, PctFactory> reloadPct) {
        public Settings {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(bootPct, "bootPct");
            Objects.requireNonNull(reloadPct, "reloadPct");
            if (sliceInstructions <= 0 || outputChunkBytes <= 0) {
                throw new IllegalArgumentException("slices and output chunks must be positive");
            }
        }

        /**
         * A node with the slice and chunk sizes of {@code uniform.node} in the configuration and
         * the standard PCT with the scheduling policy {@code uniform.pct} chooses for it.
         *
         * @throws IllegalArgumentException the configuration names an unknown policy
         */
        public static Settings of(int nid, Partition partition, long memoryBytes, com.typesafe.config.Config config) {
            com.typesafe.config.Config pct = config.getConfig("uniform.pct");
            String nidKey = "per-node.\"" + nid + "\"";
            SchedulingPolicy policy = SchedulingPolicy.parse(pct.hasPath(nidKey) ? pct.getString(nidKey) : pct.getString("policy"));
            Function<YodDirectory, PctFactory> standard = PumaKernel.standard(policy, pct.getLong("quantum"));
            return new Settings(nid, partition, memoryBytes, config.getLong("uniform.node.slice-instructions"),
                    (int) config.getBytes("uniform.node.output-chunk-bytes").longValue(), standard, standard);
        }

        /** The same node booting its PCTs from {@code factory} (reloads keep their own factory). */
        public Settings withBootPct(Function<YodDirectory, PctFactory> factory) {
            return new Settings(nid, partition, memoryBytes, sliceInstructions, outputChunkBytes, factory, reloadPct);
        }

        /** The same node reloading a faulted PCT from {@code factory}. */
        public Settings withReloadPct(Function<YodDirectory, PctFactory> factory) {
            return new Settings(nid, partition, memoryBytes, sliceInstructions, outputChunkBytes, bootPct, factory);
        }
    }

    public static final String CPU_DISPATCHER = "uniform.cpu-dispatcher";
    /** How long a node waits for the directory to find a peer node, and how many times it asks before giving up. */
    private static final Duration PEER_LOOKUP_TIMEOUT = Duration.ofSeconds(10);
    private static final int PEER_LOOKUP_ATTEMPTS = 6;

    public static Behavior<Command> create(Settings settings) {
        return create(settings, UnaryOperator.identity());
    }

    /**
     * A node whose kernels pass through {@code kernels} once built (a test seam: a kernel that
     * fails on the CPU). Supervised: should the actor itself fail, it restarts empty and idle
     * after ending the rank it held; failing on and on (10 times in a minute), it stops, and the
     * yod watching it ends its rank as lost.
     */
    static Behavior<Command> create(Settings settings, UnaryOperator<Kernel> kernels) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(kernels, "kernels");
        // The partition a node was re-booted into outlives a restart of its actor (which starts empty).
        AtomicReference<Partition> partition = new AtomicReference<>(settings.partition());
        return Behaviors.supervise(Behaviors.<Command>setup(context -> new NodeActor(context, settings, kernels, partition)))
                .onFailure(SupervisorStrategy.restart().withLimit(10, Duration.ofMinutes(1)));
    }

    private final Settings settings;
    private final UnaryOperator<Kernel> kernels;
    private final Executor cpu;
    private final AtomicReference<Partition> partition;
    // The job on this node, when there is one.
    private Kernel kernel;
    private int jobId;
    private int rank;
    private ActorRef<JobEvent> yod;
    private boolean sliceRunning;
    // Answers that came while a slice ran: passed to the kernel when it returns.
    private final List<IoDone> answers = new ArrayList<>();
    // Portals messages that came while a slice ran: delivered when it returns.
    private final List<Envelope<PortalsMessage>> arrived = new ArrayList<>();
    // The channels of the node's processes, with credit flow control so that a fast sender waits
    // on its own node instead of filling its receiver's mailbox, and where each job's processes run.
    private final PortalsTransport transport;
    // The process was runnable when its messages ran out of credit: it runs again when credit comes.
    private boolean pausedForCredit;
    // The machine's node directory, as the last launch named it: kept between jobs, for the credit owed to ended ones.
    private ActorRef<NodeDirectory.Command> directory;
    private final Map<Integer, ActorRef<Command>> peerNodes = new HashMap<>();
    // Messages waiting, in order, for the directory to find their node (kept past the end of their job).
    private final Map<Integer, List<Command>> unrouted = new HashMap<>();
    private String pendingKill;
    private InjectPctFault pendingInjection;
    // PCT reloads of the process the node holds now.
    private int processPctReloads;
    private long slices;
    private int pctReloads;

    private NodeActor(ActorContext<Command> context, Settings settings, UnaryOperator<Kernel> kernels, AtomicReference<Partition> partition) {
        super(context);
        this.settings = settings;
        this.kernels = kernels;
        this.partition = partition;
        this.cpu = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(CPU_DISPATCHER));
        this.transport = new PortalsTransport(settings.nid(), this::sendToNode);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Launch.class, this::onLaunch)
                .onMessage(IoDone.class, this::onIoDone)
                .onMessage(Packet.class, this::onPacket)
                .onMessage(Credit.class, this::onCredit)
                .onMessage(Marker.class, this::onMarker)
                .onMessage(Locations.class, this::onLocations)
                .onMessage(PeerLocated.class, this::onPeerLocated)
                .onMessage(Kill.class, this::onKill)
                .onMessage(GetState.class, this::onGetState)
                .onMessage(InjectPctFault.class, this::onInjectPctFault)
                .onMessage(Reboot.class, this::onReboot)
                .onMessage(SliceDone.class, this::onSliceDone)
                .onMessage(Wake.class, this::onWake)
                .onSignal(PreRestart.class, this::onPreRestart)
                .build();
    }

    private Behavior<Command> onLaunch(Launch launch) {
        int nid = settings.nid();
        if (kernel != null) {
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid,
                    "node " + nid + " is running job " + jobId));
            return this;
        }
        Kernel loaded;
        try {
            loaded = kernels.apply(partition.get() == Partition.COMPUTE
                    ? PumaKernel.load(settings.memoryBytes(), settings.bootPct(), settings.reloadPct(), launch.jobId(), launch.rank(),
                            launch.size(), launch.program().image(), launch.program().argv(), portals(launch))
                    : LinuxKernel.exec(settings.memoryBytes(), launch.program(), launch.filesRoot(), portals(launch)));
        } catch (ElfFormatException | ExecFailure | IllegalArgumentException e) {
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid, e.getMessage()));
            return this;
        } catch (RuntimeException e) {
            // e.g. the node's memory cannot be allocated: refuse the rank, the node stays usable
            getContext().getLog().error("node {}: launching job {} rank {} failed", nid, launch.jobId(), launch.rank(), e);
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid,
                    "node " + nid + " could not start the process: " + describe(e)));
            return this;
        }
        kernel = loaded;
        jobId = launch.jobId();
        if (launch.peers().directory() != null) {
            directory = launch.peers().directory();
        }
        rank = launch.rank();
        yod = launch.yod();
        pendingKill = null;
        pendingInjection = launch.pctFault();
        applyInjection();
        ProcessPortals identity = portals(launch);
        transport.host(jobId, name(identity.identity().id()), launchNids(launch), List.of()).forEach(this::deliver);
        runSlice();
        return this;
    }

    /**
     * The Portals identity of a launched rank: process (nid, rank) of job {@code jobId}, in a job
     * whose rank r is process (nid of r, r); a launch that names no peers is a job of its own.
     */
    private ProcessPortals portals(Launch launch) {
        List<Integer> nids = launchNids(launch);
        JobMap job = nids.isEmpty() ? JobMap.single(new ProcessId(settings.nid(), launch.rank()))
                : new JobMap(launch.rank(), IntStream.range(0, nids.size()).mapToObj(r -> new ProcessId(nids.get(r), r)).toList());
        return new ProcessPortals(new Identity(job.self(), 0, launch.jobId()), job);
    }

    /** The launch node of each of the job's ranks; none when the launch names no consistent peers (a job of its own). */
    private List<Integer> launchNids(Launch launch) {
        List<Integer> nids = launch.peers().nids();
        return nids.size() == launch.size() && nids.get(launch.rank()) == settings.nid() ? nids : List.of();
    }

    private static io.uniform.interconnect.ProcessId name(ProcessId process) {
        return new io.uniform.interconnect.ProcessId(process.nid(), process.pid());
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void runSlice() {
        Kernel running = kernel;
        long budget = settings.sliceInstructions();
        sliceRunning = true;
        CompletableFuture<Kernel.SliceResult> slice = CompletableFuture.supplyAsync(() -> running.runSlice(budget), cpu);
        getContext().pipeToSelf(slice, (result, failure) -> new SliceDone(running, result, failure));
    }

    private Behavior<Command> onSliceDone(SliceDone done) {
        if (done.kernel() != kernel) {
            return this; // a slice of a kernel this node has already given up (before a restart)
        }
        sliceRunning = false;
        slices++;
        if (done.failure() != null) {
            Throwable cause = done.failure() instanceof CompletionException c && c.getCause() != null ? c.getCause() : done.failure();
            getContext().getLog().error("node {}: the emulator failed while running job {}", settings.nid(), jobId, cause);
            sendOutput(drainQuietly());
            finish(new Kernel.Ended(ExitStatus.killed(Signal.SIGKILL), "emulator failure on node " + settings.nid() + ": " + describe(cause)));
            return this;
        }
        Kernel.SliceResult result = done.result();
        pctReloads += result.pctReloads();
        processPctReloads += result.pctReloads();
        if (result.pctReloads() > 0 && kernel instanceof PumaKernel puma) {
            getContext().getLog().warn("node {}: the PCT faulted ({}) and was reloaded", settings.nid(), puma.lastPctFault());
        }
        sendOutput(result.output());
        for (Kernel.IoCall call : result.ioCalls()) {
            yod.tell(new JobEvent.IoCall(jobId, rank, settings.nid(), call.sequence(), call.request()));
        }
        result.network().forEach(transport::send); // sent during the slice: before any answer made since
        boolean runnable = !result.waiting();
        for (IoDone answer : answers) {
            runnable |= kernel.complete(answer.sequence(), answer.reply());
        }
        answers.clear();
        for (Envelope<PortalsMessage> envelope : arrived) {
            runnable |= deliver(envelope);
        }
        arrived.clear();
        if (result.ended() != null) {
            finish(result.ended());
        } else if (pendingKill != null) {
            killNow(pendingKill);
        } else {
            applyInjection();
            if (runnable && transport.heldForCredit()) {
                pausedForCredit = true;
            } else if (runnable) {
                runSlice();
            } else if (result.sleepNanos() > 0) {
                getContext().scheduleOnce(Duration.ofNanos(result.sleepNanos()), getContext().getSelf(), new Wake(kernel));
            }
        }
        return this;
    }

    private Behavior<Command> onWake(Wake wake) {
        if (wake.kernel() == kernel && !sliceRunning && !pausedForCredit) {
            runSlice();
        }
        return this;
    }

    private Behavior<Command> onInjectPctFault(InjectPctFault inject) {
        pendingInjection = inject;
        if (!sliceRunning) {
            applyInjection();
        }
        return this;
    }

    /** Arms an injected PCT fault between slices, when the kernel is the actor's. */
    private void applyInjection() {
        InjectPctFault inject = pendingInjection;
        pendingInjection = null;
        if (inject == null) {
            return;
        }
        if (!(kernel instanceof PumaKernel puma)) {
            getContext().getLog().warn("node {}: no Puma process to inject a PCT fault into", settings.nid());
            return;
        }
        try {
            puma.injectPctFault(inject.operation(), inject.nth());
            getContext().getLog().info("node {}: the PCT will fail at its call {} of {}", settings.nid(), inject.nth(), inject.operation());
        } catch (IllegalArgumentException e) {
            getContext().getLog().warn("node {}: {}", settings.nid(), e.getMessage());
        }
    }

    /** yod answered: the waiting process runs again (or takes the answer when its slice returns). */
    private Behavior<Command> onIoDone(IoDone done) {
        if (kernel == null || done.jobId() != jobId) {
            return this; // the process it was for has ended
        }
        if (sliceRunning) {
            answers.add(done);
        } else if (kernel.complete(done.sequence(), done.reply()) && !pausedForCredit) {
            runSlice();
        }
        return this;
    }

    /** Kills the process between slices; a kernel that fails doing so still ends the rank. */
    private void killNow(String reason) {
        Kernel.Ended ended;
        try {
            ended = kernel.kill(reason);
        } catch (RuntimeException e) {
            getContext().getLog().error("node {}: killing job {} failed", settings.nid(), jobId, e);
            ended = new Kernel.Ended(ExitStatus.killed(Signal.SIGKILL), reason + " (the kill failed on node " + settings.nid() + ": "
                    + describe(e) + ")");
        }
        sendOutput(drainQuietly());
        finish(ended);
    }

    private List<Kernel.Chunk> drainQuietly() {
        try {
            return kernel.drainOutput();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private void sendOutput(List<Kernel.Chunk> chunks) {
        int max = settings.outputChunkBytes();
        for (Kernel.Chunk chunk : chunks) {
            byte[] bytes = chunk.bytes();
            for (int from = 0; from < bytes.length; from += max) {
                yod.tell(new JobEvent.Output(jobId, rank, chunk.fd(), Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + max))));
            }
        }
    }

    private void finish(Kernel.Ended ended) {
        yod.tell(new JobEvent.Exited(jobId, rank, settings.nid(), ended.status(), ended.report(), processPctReloads));
        try {
            kernel.release();
        } catch (RuntimeException e) {
            getContext().getLog().warn("node {}: releasing job {} failed", settings.nid(), jobId, e);
        }
        kernel = null;
        yod = null;
        pendingKill = null;
        pendingInjection = null;
        processPctReloads = 0;
        answers.clear();
        arrived.clear();
        transport.hostEnded();
        pausedForCredit = false;
        sliceRunning = false;
    }

    /**
     * Sends {@code command} to node {@code nid}, in order with what was sent to it before; the
     * directory finds the node the first time, asked again while it does not know it yet.
     */
    private void sendToNode(int nid, Command command) {
        if (nid == settings.nid()) {
            getContext().getSelf().tell(command);
            return;
        }
        ActorRef<Command> node = peerNodes.get(nid);
        if (node != null) {
            node.tell(command);
            return;
        }
        if (directory == null) {
            getContext().getLog().debug("node {}: no directory to find node {}; a {} is dropped", settings.nid(), nid,
                    command.getClass().getSimpleName());
            return;
        }
        List<Command> waiting = unrouted.computeIfAbsent(nid, ignored -> new ArrayList<>());
        waiting.add(command);
        if (waiting.size() == 1) {
            lookUp(nid, 1);
        }
    }

    private void lookUp(int nid, int attempt) {
        getContext().ask(NodeDirectory.Known.class, directory, PEER_LOOKUP_TIMEOUT,
                replyTo -> new NodeDirectory.WaitFor(Set.of(nid), replyTo),
                (known, failure) -> new PeerLocated(nid, known == null ? null : known.nodes().get(nid), attempt, failure));
    }

    private Behavior<Command> onPeerLocated(PeerLocated located) {
        int nid = located.nid();
        if (located.node() == null && located.attempt() < PEER_LOOKUP_ATTEMPTS) {
            getContext().getLog().warn("node {}: node {} is not found yet ({}); asking the directory again", settings.nid(), nid,
                    located.failure() == null ? "unknown nid" : describe(located.failure()));
            lookUp(nid, located.attempt() + 1);
            return this;
        }
        List<Command> waiting = unrouted.remove(nid);
        if (located.node() == null) {
            getContext().getLog().error("node {}: node {} was not found in {} attempts; {} messages for it are dropped", settings.nid(),
                    nid, PEER_LOOKUP_ATTEMPTS, waiting.size());
            return this;
        }
        peerNodes.put(nid, located.node());
        waiting.forEach(located.node()::tell);
        return this;
    }

    /** A Portals message for this node: delivered between slices, in channel order; it may wake the process. */
    private Behavior<Command> onPacket(Packet packet) {
        boolean runnable = false;
        for (Envelope<PortalsMessage> ready : transport.receive(packet)) {
            if (sliceRunning) {
                arrived.add(ready);
            } else {
                runnable |= deliver(ready);
            }
        }
        if (runnable && !pausedForCredit) {
            runSlice();
        }
        return this;
    }

    /** Hands a message to the kernel, which consumes it; true if the process can run. */
    private boolean deliver(Envelope<PortalsMessage> envelope) {
        boolean runnable = kernel.deliver(envelope.payload());
        kernel.drainNetwork().forEach(transport::send); // its answers leave now, whether or not the process runs
        transport.consumed(envelope);
        return runnable;
    }

    /** Credit for one of this node's channels: held messages go out; a process paused for credit runs again. */
    private Behavior<Command> onCredit(Credit credit) {
        transport.credit(credit);
        if (pausedForCredit && !transport.heldForCredit()) {
            pausedForCredit = false;
            if (!sliceRunning && kernel != null) {
                runSlice();
            }
        }
        return this;
    }

    private Behavior<Command> onMarker(Marker marker) {
        transport.marker(marker);
        return this;
    }

    private Behavior<Command> onLocations(Locations locations) {
        transport.relocate(locations.jobId(), locations.updates());
        return this;
    }

    private Behavior<Command> onKill(Kill kill) {
        if (kernel == null || kill.jobId() != jobId) {
            return this;
        }
        String reason = kill.reason() == null ? "killed" : kill.reason();
        if (sliceRunning) {
            pendingKill = reason; // the kernel belongs to the CPU until the slice returns
        } else {
            killNow(reason);
        }
        return this;
    }

    /** The actor failed and restarts empty: the rank it held ends, its slice (if any) is ignored. */
    private Behavior<Command> onPreRestart(PreRestart signal) {
        if (kernel != null && yod != null) {
            yod.tell(new JobEvent.Exited(jobId, rank, settings.nid(), ExitStatus.killed(Signal.SIGKILL),
                    "node " + settings.nid() + " failed and restarted", processPctReloads));
        }
        return this;
    }

    private Behavior<Command> onGetState(GetState get) {
        Status status = kernel != null ? Status.RUNNING : Status.IDLE;
        get.replyTo().tell(new State(settings.nid(), partition.get(), status, kernel != null ? jobId : 0, kernel != null ? rank : 0,
                slices, pctReloads, transport.traffic()));
        return this;
    }

    private Behavior<Command> onReboot(Reboot reboot) {
        int nid = settings.nid();
        if (reboot.partition() == null || !reboot.partition().isNode()) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition.get(), "a node cannot be re-booted into "
                    + (reboot.partition() == null ? "nothing" : reboot.partition().label())));
        } else if (kernel != null) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition.get(),
                    "node " + nid + " is running job " + jobId + ": a node re-boots only when it holds no process"));
        } else {
            // Nothing to do but switch: the node is empty, and its next kernel is built when a process arrives.
            partition.set(reboot.partition());
            reboot.replyTo().tell(new RebootResult(nid, true, reboot.partition(), null));
        }
        return this;
    }
}
