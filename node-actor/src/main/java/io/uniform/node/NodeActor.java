package io.uniform.node;

import io.uniform.config.Partition;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.interconnect.CreditGrant;
import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.ChannelMarker;
import io.uniform.interconnect.ChannelReceiver;
import io.uniform.interconnect.ChannelSender;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.Location;
import io.uniform.interconnect.LocationUpdate;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.Yod;
import io.uniform.portals.Identity;
import io.uniform.portals.JobMap;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.Area;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
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
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

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
     * job's processes reach no other node); the machine that places a process which must move
     * (the deficiency routine's); the Portals job id its processes' interfaces hold (0: the job's
     * own; a job restarted from a snapshot keeps the one it was taken with); and the node actor
     * each rank was placed on, in rank order (empty: found through the directory), so that a node
     * never sends the job's traffic to an older actor of the same nid (a node crashed and booted
     * again may still be ending).
     */
    public record JobPeers(List<Integer> nids, ActorRef<NodeDirectory.Command> directory, ActorRef<Machine.Command> machine,
                           int portalsJid, List<ActorRef<Command>> nodes) {
        public static final JobPeers NONE = new JobPeers(List.of(), null, null);

        public JobPeers {
            nids = List.copyOf(nids);
            nodes = List.copyOf(nodes);
            if (!nodes.isEmpty() && nodes.size() != nids.size()) {
                throw new IllegalArgumentException(nodes.size() + " nodes for " + nids.size() + " ranks");
            }
        }

        /** Peers found through the directory, with the job's Portals job id {@code portalsJid}. */
        public JobPeers(List<Integer> nids, ActorRef<NodeDirectory.Command> directory, ActorRef<Machine.Command> machine, int portalsJid) {
            this(nids, directory, machine, portalsJid, List.of());
        }

        /** Peers of a job whose Portals job id is its own, found through the directory. */
        public JobPeers(List<Integer> nids, ActorRef<NodeDirectory.Command> directory, ActorRef<Machine.Command> machine) {
            this(nids, directory, machine, 0);
        }

        /** Peers of a job no machine places (a process of it that lacks a call cannot move). */
        public JobPeers(List<Integer> nids, ActorRef<NodeDirectory.Command> directory) {
            this(nids, directory, null);
        }
    }

    /**
     * A Portals message for a process of job {@code jobId} on this node, in its envelope: the
     * channel from its sender to its receiver and its sequence number there; {@code to} is the
     * stay of the receiver it is addressed to (a stay it has left forwards it).
     */
    public record Packet(int jobId, Location to, Envelope<PortalsMessage> envelope) implements Command, KryoSerializable {}

    /** The receiving node's credit for a channel of job {@code jobId}: its sender may send every sequence below the limit. */
    public record Credit(int jobId, CreditGrant grant) implements Command, CborSerializable {}

    /**
     * A channel of job {@code jobId} re-pointed away from the receiver's stay {@code to} (or its
     * sender ended, or the stay before relayed it): everything sent there before it has arrived.
     */
    public record Marker(int jobId, Location to, ChannelMarker marker) implements Command, CborSerializable {}

    /**
     * A stay of a channel's receiver that has waited a resend interval for the channel's marker,
     * to the sender's node: the marker (and its notice) may have been lost, or the news that the
     * receiver went on to {@code next}. The sender answers with a notice, or re-points. A node
     * the sender left passes the question on, {@code forwards} counting how often that happened:
     * past {@link #MAX_FORWARDS} it is dropped, so that nodes whose views of the sender lead to
     * each other cannot pass it round for ever.
     */
    public record MarkerWanted(int jobId, ChannelId channel, Location stay, Location next, int forwards)
            implements Command, CborSerializable {
        /** How often a question may be passed on: far more stays than a sender leaves between two questions. */
        public static final int MAX_FORWARDS = 64;

        /** A stay's question, as it asks it. */
        public MarkerWanted(int jobId, ChannelId channel, Location stay, Location next) {
            this(jobId, channel, stay, next, 0);
        }

        /** This question, passed on once more. */
        MarkerWanted forwarded() {
            return new MarkerWanted(jobId, channel, stay, next, forwards + 1);
        }
    }

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

    /**
     * yod to every node its job ran on, once every rank has ended: nothing more of the job will
     * need forwarding, so the node lets go of its stays and forwarding addresses of it.
     */
    public record JobEnded(int jobId) implements Command, CborSerializable {}

    /** yod's answer to I/O request {@code sequence} of the node's process of job {@code jobId}. */
    public record IoDone(int jobId, long sequence, IoReply reply) implements Command, CborSerializable {}

    public record GetState(ActorRef<State> replyTo) implements Command, CborSerializable {}

    /** Ask for the node's state and what it has done (the metrics' question). */
    public record GetFigures(ActorRef<Figures> replyTo) implements Command, CborSerializable {}

    /** A node's state and its activity since its actor started. */
    public record Figures(State state, Activity activity) implements CborSerializable {}

    /**
     * What a node has done since its actor started: instructions its processes retired, traps
     * and page faults their kernels took, Portals messages and data bytes they consumed (in) and
     * sent (out), and processes that moved in and out.
     */
    public record Activity(long instructions, long traps, long pageFaults, long messagesIn, long bytesIn, long messagesOut,
                           long bytesOut, long migrationsIn, long migrationsOut) implements CborSerializable {}

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

    /**
     * Move the node's process of job {@code jobId} to node {@code destination}, which must be
     * idle; how it went goes to {@code replyTo}. The process is frozen only between slices and
     * when no I/O call of it waits for yod; a move that fails leaves it running here.
     */
    public record Migrate(int jobId, int destination, ActorRef<MigrationReport> replyTo) implements Command, CborSerializable {}

    /**
     * How a move ended: {@code moved}, or not, and why ({@code reason}). {@code downtimeNanos}
     * runs from the freeze to the restart at the destination, {@code totalNanos} from the
     * request; {@code pages} and {@code bytesSent} count the memory stream.
     */
    public record MigrationReport(int jobId, int rank, int from, int to, boolean moved, String reason, long downtimeNanos,
                                  long totalNanos, int pages, long bytesSent, long streamNanos) implements CborSerializable {}

    /**
     * The steps of a move between two node actors, addressed by nid and named by the move's id
     * (docs/ARCHITECTURE.md, "Migration"). The source asks the destination to reserve itself,
     * freezes the process for the destination's OS, has it admitted, streams its pages, then
     * hands its channels over and lets its peers know; the destination starts it.
     */
    public sealed interface MoveStep extends Command {
        String move();
    }

    /**
     * Source to destination: keep yourself free for rank {@code rank} of job {@code jobId},
     * coming from node {@code source}, which the machine's {@code directory} finds; its memory
     * spans {@code memoryBytes} now (0: unknown), for which the destination makes room.
     */
    public record Reserve(String move, int source, int jobId, int rank, long memoryBytes, ActorRef<NodeDirectory.Command> directory)
            implements MoveStep, CborSerializable {}

    /** Destination to source: reserved; it runs {@code os} ({@code UnifiedLibrary.OS_PUMA} or {@code OS_LINUX}). */
    public record Reserved(String move, int os) implements MoveStep, CborSerializable {}

    /**
     * Either side ({@code from}) to the other: the move cannot go on, and why. Sent again until
     * {@link AbandonHeard} answers it ({@link UnheardAbandons}).
     */
    public record Abandon(String move, int from, String reason) implements MoveStep, CborSerializable {}

    /** The answer to every {@link Abandon}, a copy's too: it was heard. */
    public record AbandonHeard(String move) implements MoveStep, CborSerializable {}

    /**
     * Source to destination: the frozen process's state, its Portals interface block and what its
     * launch said (job, rank, the nid it was launched on, its peers, yod, files); the move has
     * {@code chunks} chunks of pages in all, those pre-copied before it included.
     */
    public record Immigrate(String move, int jobId, int rank, int size, int launchNid, JobPeers peers, ProcessState state,
                            int portalsInterface, int chunks, ActorRef<JobEvent> yod, String filesRoot)
            implements MoveStep, KryoSerializable {}

    /** Destination to source: the process is admitted; send its pages. */
    public record Admitted(String move) implements MoveStep, CborSerializable {}

    /**
     * Source to destination: chunk {@code index} of the process's pages ({@link PageChunk}); one
     * that comes before {@link Immigrate} is pre-copied, and staged until the process is admitted.
     */
    public record Pages(String move, int index, byte[] chunk) implements MoveStep, KryoSerializable {}

    /** Destination to source: the first {@code chunks} chunks are stored. */
    public record PagesStored(String move, int chunks) implements MoveStep, CborSerializable {}

    /**
     * What the source hands over once every page is stored: the process's channels and the
     * messages its kernel had not taken, its directory entry at the destination, and where the source knew
     * the job's other processes to be (the destination may be new to the job). It travels
     * serialized (Kryo) in {@link HandoffPart}s, as it grows with those messages.
     */
    public record Handoff(Channels channels, List<Envelope<PortalsMessage>> inbox, LocationUpdate location, List<LocationUpdate> directory)
            implements KryoSerializable {
        public Handoff {
            inbox = List.copyOf(inbox);
            directory = List.copyOf(directory);
        }
    }

    /**
     * Source to destination: part {@code index} of {@code parts} of the move's serialized
     * {@link Handoff} ({@link HandoffParts}); the last one starts the process.
     */
    public record HandoffPart(String move, int index, int parts, byte[] bytes) implements MoveStep, KryoSerializable {}

    /**
     * The channels of a process that moves, as they travel with it: the receiving ends (expected
     * sequence, consumption, reorder buffer) and the sending ends (next sequence, credit, held
     * messages). The messages its old node had taken off a channel but its kernel had not
     * consumed travel beside them, in the host's hands.
     */
    public record Channels(List<ChannelReceiver.State<PortalsMessage>> receiving, List<ChannelSender.State<PortalsMessage>> sending)
            implements KryoSerializable {
        static final Channels NONE = new Channels(List.of(), List.of());

        public Channels {
            receiving = List.copyOf(receiving);
            sending = List.copyOf(sending);
        }
    }

    /** Destination to source: the process runs here. */
    public record Started(String move) implements MoveStep, CborSerializable {}

    // ---- Snapshots of a job (docs/ARCHITECTURE.md, "Snapshots")

    /**
     * yod to a rank's node: record the node's process of job {@code jobId} for snapshot
     * {@code snapshot} (between slices, when no I/O call of it waits for yod), unless a marker of
     * the snapshot made it do so already.
     */
    public record TakeSnapshot(String snapshot, int jobId) implements Command, CborSerializable {}

    /**
     * A rank's node to another's, after the messages it sent there before: the sender of
     * {@code channel} recorded itself for snapshot {@code snapshot} having sent the sequences
     * below {@code sequence}. The first marker (or {@link TakeSnapshot}) a node gets makes it record.
     */
    public record SnapshotMarker(int jobId, String snapshot, ChannelId channel, long sequence) implements Command, CborSerializable {}

    /** yod has stored the first {@code chunks} page chunks of this node's part of snapshot {@code snapshot}. */
    public record SnapshotStored(String snapshot, int chunks) implements Command, CborSerializable {}

    /** yod gave snapshot {@code snapshot} up: the node stops recording (its process ran on all along). */
    public record AbandonSnapshot(String snapshot) implements Command, CborSerializable {}

    /**
     * yod to a node: take rank {@code rank} of job {@code jobId}, restarted from a snapshot, in
     * {@code state}; its ranks keep their Portals ids ({@code peers.nids()}, where they were
     * launched) and run on {@code placed}; {@code chunks} chunks of pages follow
     * ({@link RestorePages}), then the messages its channels held ({@link RestoreChannels}), then
     * {@link RestoreStart}. A busy node or a kernel that cannot admit it answers {@link JobEvent.LaunchRefused}.
     */
    public record Restore(int jobId, int rank, int size, JobPeers peers, List<Integer> placed, ProcessState state, int portalsInterface,
                          int chunks, ActorRef<JobEvent> yod, String filesRoot) implements Command, KryoSerializable {
        public Restore {
            placed = List.copyOf(placed);
        }
    }

    /** Chunk {@code index} of the restored process's pages ({@link PageChunk}); the node answers {@link Checkpoint.Restored}. */
    public record RestorePages(int jobId, int index, byte[] chunk) implements Command, KryoSerializable {}

    /** Messages on the restored process's channels at the snapshot: its kernel takes them first, in this order. */
    public record RestoreChannels(int jobId, List<Envelope<PortalsMessage>> messages) implements Command, KryoSerializable {
        public RestoreChannels {
            messages = List.copyOf(messages);
        }
    }

    /** Every part of the restored process has come: it runs. */
    public record RestoreStart(int jobId) implements Command, CborSerializable {}

    /** A node's state: {@code jobId} and {@code rank} are meaningful when RUNNING. */
    public record State(int nid, Partition partition, Status status, int jobId, int rank, long slices, int pctReloads,
                        PortalsTraffic portals, long moves) implements CborSerializable {
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
     * a receiver (or given up for a lost one), markers sent (re-pointed and ended channels) and
     * received; stays left here that still forward ({@code openStays}) and those released, the
     * jobs whose directory it keeps, channels closed by a node's failure, envelopes resent
     * because their channel stalled (a message or its acknowledgement was lost), and the
     * forwarding addresses of released stays kept until their job ends.
     */
    public record PortalsTraffic(long sent, long delivered, long forwarded, long dropped, long markersSent, long markersReceived,
                                 int openStays, long staysReleased, int jobsKnown, long closedByFailure, long resent,
                                 int forwardingAddresses)
            implements CborSerializable {}

    /** The answer to a {@link Reboot}: accepted (the node now runs {@code partition}'s OS) or refused with a reason. */
    public record RebootResult(int nid, boolean accepted, Partition partition, String reason) implements CborSerializable {}

    /** A slice ended on the CPU dispatcher (local only: never leaves this JVM). */
    private record SliceDone(Kernel kernel, Kernel.SliceResult result, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** A peer node this node sends to has stopped: its channels are closed by the failure (local: a watch notification). */
    private record PeerLost(int nid, ActorRef<Command> node) implements Command, NoSerializationVerificationNeeded {}

    /**
     * The yod of job {@code jobId}, whose process this node holds, has stopped without ending it
     * (its member died with the machine): the process is killed, so the node is free for whatever
     * the machine that takes over gives it (local: a watch notification).
     */
    private record YodGone(int jobId, ActorRef<JobEvent> yod) implements Command, NoSerializationVerificationNeeded {}

    /** The directory answered, at the {@code attempt}-th question, where node {@code nid} is (local only). */
    private record PeerLocated(int nid, ActorRef<Command> node, int attempt, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** yod described the files it serves the moving process, or could not (local only). */
    private record FilesDescribedForMove(String move, int os, Yod.FilesDescribed files, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    /** yod opened the arriving process's files, or refused: {@code refusal} (local only). */
    private record FilesAdoptedForMove(String move, String refusal) implements Command, NoSerializationVerificationNeeded {}

    /** How the move the machine made for a deficient process went (local only: a message adapter's). */
    private record DeficiencyMoveEnded(MigrationReport report) implements Command, NoSerializationVerificationNeeded {}

    /** Snapshot {@code snapshot} has had its time (local only). */
    private record SnapshotTimeout(String snapshot) implements Command, NoSerializationVerificationNeeded {}

    /** The restore of job {@code jobId}'s rank here has had its time (local only). */
    private record RestoreTimeout(int jobId) implements Command, NoSerializationVerificationNeeded {}

    /** Nothing came for move {@code move} since its {@code progress}-th step (local only). */
    private record MoveTimeout(String move, int progress) implements Command, NoSerializationVerificationNeeded {}

    /** The sleep of {@code kernel}'s processes is over (local only, like {@link SliceDone}). */
    private record Wake(Kernel kernel) implements Command, NoSerializationVerificationNeeded {}

    /** A resend interval has passed since the transport last had packets outstanding, or a move of the process began (local only). */
    private record ResendDue(NodeActor scheduledBy) implements Command, NoSerializationVerificationNeeded {}

    /**
     * How a node is built: not a message, so it may hold PCT factories. {@code bootPct} makes the
     * PCT a compute node boots with for each process; {@code reloadPct} the one it installs after
     * a PCT fault (the PCT rebuilds the policy its processes were loaded under from their PCBs).
     */
    public record Settings(int nid, Partition partition, long memoryBytes, long sliceInstructions, int outputChunkBytes,
                           Function<YodDirectory, PctFactory> bootPct, Function<YodDirectory, PctFactory> reloadPct,
                           MigrationSettings migration, int pumaRegionBytes) {
        public Settings {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(bootPct, "bootPct");
            Objects.requireNonNull(reloadPct, "reloadPct");
            Objects.requireNonNull(migration, "migration");
            if (sliceInstructions <= 0 || outputChunkBytes <= 0 || pumaRegionBytes <= 0 || (pumaRegionBytes & 0xfff) != 0) {
                throw new IllegalArgumentException("slices, output chunks and Puma regions must be positive (regions in whole pages)");
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
                    (int) config.getBytes("uniform.node.output-chunk-bytes").longValue(), standard, standard,
                    MigrationSettings.of(config.getConfig("uniform.migration")), (int) config.getBytes("uniform.node.puma-region-bytes").longValue());
        }

        /** The same node booting its PCTs from {@code factory} (reloads keep their own factory). */
        public Settings withBootPct(Function<YodDirectory, PctFactory> factory) {
            return new Settings(nid, partition, memoryBytes, sliceInstructions, outputChunkBytes, factory, reloadPct, migration, pumaRegionBytes);
        }

        /** The same node reloading a faulted PCT from {@code factory}. */
        public Settings withReloadPct(Function<YodDirectory, PctFactory> factory) {
            return new Settings(nid, partition, memoryBytes, sliceInstructions, outputChunkBytes, bootPct, factory, migration, pumaRegionBytes);
        }
    }

    /**
     * How a node moves its process: pages per chunk, chunks sent before the destination has
     * stored them (the stream's window), whether chunks are deflated, and how long each side
     * waits for the other before it gives the move up; the handoff's largest part, and how long
     * a destination that stored every page waits for the handoff before it reports the process lost.
     */
    public record MigrationSettings(int chunkPages, int window, boolean compress, Duration timeout, boolean preCopy, int preCopyRounds,
                                    long preCopySliceInstructions, int handoffPartBytes, Duration handoffTimeout) {
        public MigrationSettings {
            if (chunkPages <= 0 || window <= 0 || timeout.isNegative() || timeout.isZero() || preCopyRounds <= 0
                    || preCopySliceInstructions <= 0 || handoffPartBytes <= 0) {
                throw new IllegalArgumentException("migration chunks, window, timeout, pre-copy rounds and slices and handoff parts must be positive");
            }
            if (handoffTimeout.isNegative() || handoffTimeout.isZero()) {
                throw new IllegalArgumentException("the migration's handoff-timeout must be positive: " + handoffTimeout);
            }
        }

        public static MigrationSettings of(com.typesafe.config.Config migration) {
            return new MigrationSettings(migration.getInt("chunk-pages"), migration.getInt("window"), migration.getBoolean("compress"),
                    migration.getDuration("timeout"), migration.getBoolean("pre-copy"), migration.getInt("pre-copy-rounds"),
                    migration.getLong("pre-copy-slice-instructions"), (int) migration.getBytes("handoff-part-bytes").longValue(),
                    migration.getDuration("handoff-timeout"));
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
     * fails on the CPU). Supervised: should the actor itself fail, it restarts idle after ending
     * the rank it held, keeping what it forwards for ({@link Kept}); failing on and on (10 times
     * in a minute), it stops, and the yod watching it ends its rank as lost.
     */
    static Behavior<Command> create(Settings settings, UnaryOperator<Kernel> wrap) {
        Objects.requireNonNull(wrap, "wrap");
        return create(settings, new Kernels() {
            @Override
            public Kernel launch(Settings node, Partition partition, Launch launch, ProcessPortals portals)
                    throws ElfFormatException, ExecFailure {
                return wrap.apply(STANDARD_KERNELS.launch(node, partition, launch, portals));
            }

            @Override
            public Landing land(Settings node, Partition partition, long processBytes) throws MigrationRefused {
                return STANDARD_KERNELS.land(node, partition, processBytes);
            }

            @Override
            public Kernel admit(Settings node, Partition partition, Immigrate immigrate, ProcessPortals portals, Landing landing)
                    throws MigrationRefused {
                return wrap.apply(STANDARD_KERNELS.admit(node, partition, immigrate, portals, landing));
            }
        });
    }

    /** How a node builds the kernel for a process: launched from its program, or arriving by migration. */
    interface Kernels {
        Kernel launch(Settings node, Partition partition, Launch launch, ProcessPortals portals) throws ElfFormatException, ExecFailure;

        /** Where an arriving process's pre-copied pages go before it is admitted; staged by address unless the kernel lands them itself. */
        default Landing land(Settings node, Partition partition, long processBytes) throws MigrationRefused {
            return new StagedPages();
        }

        /** Admits the arriving process, with the pages {@code landing} (from {@link #land}) holds. */
        Kernel admit(Settings node, Partition partition, Immigrate immigrate, ProcessPortals portals, Landing landing) throws MigrationRefused;
    }

    /** Puma's QK and PCT on compute nodes, the Linux personality on the others. */
    static final Kernels STANDARD_KERNELS = new Kernels() {
        @Override
        public Kernel launch(Settings node, Partition partition, Launch launch, ProcessPortals portals) throws ElfFormatException, ExecFailure {
            return partition == Partition.COMPUTE
                    ? PumaKernel.load(node.memoryBytes(), node.pumaRegionBytes(), node.bootPct(), node.reloadPct(), launch.jobId(), launch.rank(), launch.size(),
                            launch.program().image(), launch.program().argv(), portals)
                    : LinuxKernel.exec(node.memoryBytes(), launch.program(), launch.filesRoot(), portals);
        }

        /** Pre-copied pages land in place: Linux's in frames of the memory it will boot on, Puma's in the process's region. */
        @Override
        public Landing land(Settings node, Partition partition, long processBytes) throws MigrationRefused {
            return partition == Partition.COMPUTE ? PumaKernel.land(node.memoryBytes(), node.pumaRegionBytes(), processBytes)
                    : LinuxKernel.land(node.memoryBytes(), processBytes);
        }

        @Override
        public Kernel admit(Settings node, Partition partition, Immigrate immigrate, ProcessPortals portals, Landing landing)
                throws MigrationRefused {
            if (partition == Partition.COMPUTE) {
                return PumaKernel.admit(node.memoryBytes(), node.pumaRegionBytes(), node.bootPct(), node.reloadPct(), immigrate.jobId(), immigrate.rank(),
                        immigrate.size(), immigrate.state(), portals, (PumaKernel.Landed) landing);
            }
            return LinuxKernel.admit(node.memoryBytes(), immigrate.filesRoot(), portals, immigrate.state(), (LinuxKernel.Landed) landing);
        }
    };

    static Behavior<Command> create(Settings settings, Kernels kernels) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(kernels, "kernels");
        Kept kept = new Kept(settings.partition());
        return Behaviors.supervise(Behaviors.<Command>setup(context -> new NodeActor(context, settings, kernels, kept)))
                .onFailure(SupervisorStrategy.restart().withLimit(10, Duration.ofMinutes(1)));
    }

    /**
     * What outlives a restart of the node's actor, which otherwise starts empty: the partition the
     * node was re-booted into; its Portals side (once the process it hosted has ended), whose stays
     * left behind go on forwarding to processes that moved away and closing, and whose ended senders
     * still answer for their channels; the machine's directory, which finds the nodes those go to;
     * and a move of its process that had handed it off, which goes on to hear how it ended.
     */
    private static final class Kept {
        final AtomicReference<Partition> partition;
        PortalsTransport transport;
        ActorRef<NodeDirectory.Command> directory;
        Emigration handedOff;

        Kept(Partition partition) {
            this.partition = new AtomicReference<>(partition);
        }
    }

    private final Settings settings;
    private final Kernels kernels;
    private final Executor cpu;
    private final Kept kept;
    private final AtomicReference<Partition> partition;
    // The job on this node, when there is one.
    private Kernel kernel;
    private int jobId;
    private int rank;
    private ActorRef<JobEvent> yod;
    // What the process's launch said, for a move of it: job size, the ranks' launch nids, its files, its Portals state.
    private int jobSize;
    private List<Integer> launchNids = List.of();
    private JobPeers peers = JobPeers.NONE;
    private String filesRoot;
    // The process stopped at a call its kernel lacks, and the machine was asked where it can move;
    // why it could not (it ends once its slice, if one runs, is over).
    private boolean deficiencyPlaced;
    private String deficiencyRefusal;
    private ProcessPortals hostedPortals;
    private boolean sliceRunning;
    private long sliceStartedAt;
    // Answers that came while a slice ran: passed to the kernel when it returns.
    private final List<IoDone> answers = new ArrayList<>();
    // Portals messages that came while a slice ran: delivered when it returns.
    private final List<Envelope<PortalsMessage>> arrived = new ArrayList<>();
    // The channels of the node's processes, with credit flow control so that a fast sender waits
    // on its own node instead of filling its receiver's mailbox, and where each job's processes run.
    private final PortalsTransport transport;
    // Serializes a move's handoff, which travels in parts.
    private final Serialization serialization;
    // The transport's resend interval, and whether its next one is scheduled: only while packets wait for acknowledgement
    // or a move of this node's process waits for answers.
    private final Duration resendInterval;
    private boolean resendScheduled;
    // The process was runnable when its messages ran out of credit: it runs again when credit comes.
    private boolean pausedForCredit;
    // The machine's node directory, as the last launch named it: kept between jobs, for the credit owed to ended ones.
    private ActorRef<NodeDirectory.Command> directory;
    private final Map<Integer, ActorRef<Command>> peerNodes = new HashMap<>();
    // The last answer (Started or Abandon) to each of the latest moves to this node that ended: a source that did not hear it
    // sends its steps again, and hears it again. Moves end one at a time here, so a few cover the sources still asking.
    private final Map<String, EndedArrival> endedArrivals = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, EndedArrival> eldest) {
            return size() > ENDED_ARRIVALS_KEPT;
        }
    };
    private static final int ENDED_ARRIVALS_KEPT = 16;
    private final UnheardAbandons unheardAbandons = new UnheardAbandons();

    private record EndedArrival(int source, MoveStep answer) {}
    // Peer actors a launch replaced by a newer actor of their nid, with the job it placed there.
    private final Map<ActorRef<Command>, Integer> replacedPeers = new HashMap<>();
    // Messages waiting, in order, for the directory to find their node (kept past the end of their job).
    private final Map<Integer, List<Command>> unrouted = new HashMap<>();
    private String pendingKill;
    // The move of this node's process under way, and the process arriving here, if any.
    private Emigration emigration;
    private Immigration immigration;
    private final NodeActivity activity = new NodeActivity();
    // I/O calls of the process that yod has not answered yet (a process frozen with one would lose the answer).
    private final Set<Long> awaitedIo = new java.util.HashSet<>();
    private InjectPctFault pendingInjection;
    // This node's part of a snapshot of its process's job under way, the snapshots it has done with
    // (a late marker of one starts nothing), and a process being restored here from a snapshot.
    private SnapshotRecording recording;
    private final Set<String> snapshotsDone = new java.util.HashSet<>();
    private Restoring restoring;
    private final SnapshotSettings snapshots;
    // PCT reloads of the process the node holds now.
    private int processPctReloads;
    private long slices;
    private int pctReloads;

    private NodeActor(ActorContext<Command> context, Settings settings, Kernels kernels, Kept kept) {
        super(context);
        this.settings = settings;
        this.kernels = kernels;
        this.kept = kept;
        this.partition = kept.partition;
        this.cpu = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(CPU_DISPATCHER));
        this.resendInterval = context.getSystem().settings().config().getDuration("uniform.portals.resend-interval");
        int fragmentBytes = (int) context.getSystem().settings().config().getBytes("uniform.portals.fragment-bytes").longValue();
        // A stay left behind waits for its markers as long as a move's other end waits for its verdict.
        Duration stayBound = settings.migration().timeout().plus(settings.migration().handoffTimeout());
        int quietIntervals = (int) Math.max(1, -Math.floorDiv(-stayBound.toNanos(), resendInterval.toNanos()));
        boolean restarted = kept.transport != null;
        if (!restarted) {
            kept.transport = new PortalsTransport(settings.nid(), this::sendOnLink, fragmentBytes, quietIntervals,
                    context.getSystem().settings().config().getInt("uniform.portals.kept-per-kind"));
        }
        this.transport = kept.transport;
        this.serialization = SerializationExtension.get(Adapter.toClassic(context.getSystem()));
        this.snapshots = SnapshotSettings.of(context.getSystem().settings().config().getConfig("uniform.snapshots"), fragmentBytes);
        if (restarted) {
            transport.relink(this::sendOnLink);
            directory = kept.directory;
            emigration = kept.handedOff;
            kept.handedOff = null;
            scheduleResend(); // the failed actor's ticks are ignored here: stays and a handed-off move go on from this one's
        }
    }

    /**
     * How a node takes part in snapshots: how long it records, page chunks ahead of yod, and the
     * recorded channel messages' batches to yod (at most so many pieces and bytes each) and pieces
     * (a Portals fragment's data at most, and no more than a batch can carry).
     */
    private record SnapshotSettings(Duration timeout, int window, int channelBatch, int channelBatchBytes, int pieceBytes) {
        static SnapshotSettings of(com.typesafe.config.Config config, int fragmentBytes) {
            // The batch's bytes are checked once, when the machine or member starts (MessageBounds).
            int batchBytes = (int) config.getBytes("channel-batch-bytes").longValue();
            return new SnapshotSettings(config.getDuration("timeout"), config.getInt("window"), config.getInt("channel-batch"), batchBytes,
                    Math.min(fragmentBytes, batchBytes - SnapshotRecording.BATCH_BYTES - SnapshotRecording.PIECE_BYTES));
        }
    }

    /** A process being restored here: its kernel, admitted, while its pages and channel messages come. */
    private static final class Restoring {
        final Restore request;
        final Immigrate admitted;
        final Kernel kernel;
        int chunksStored;
        final List<Envelope<PortalsMessage>> inbox = new ArrayList<>();

        Restoring(Restore request, Immigrate admitted, Kernel kernel) {
            this.request = request;
            this.admitted = admitted;
            this.kernel = kernel;
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Launch.class, this::onLaunch)
                .onMessage(IoDone.class, this::onIoDone)
                .onMessage(Packet.class, this::onPacket)
                .onMessage(Credit.class, this::onCredit)
                .onMessage(Marker.class, this::onMarker)
                .onMessage(MarkerWanted.class, this::onMarkerWanted)
                .onMessage(Locations.class, this::onLocations)
                .onMessage(PeerLocated.class, this::onPeerLocated)
                .onMessage(PeerLost.class, this::onPeerLost)
                .onMessage(YodGone.class, this::onYodGone)
                .onMessage(Kill.class, this::onKill)
                .onMessage(JobEnded.class, this::onJobEnded)
                .onMessage(GetState.class, this::onGetState)
                .onMessage(GetFigures.class, this::onGetFigures)
                .onMessage(InjectPctFault.class, this::onInjectPctFault)
                .onMessage(Reboot.class, this::onReboot)
                .onMessage(Migrate.class, this::onMigrate)
                .onMessage(Reserve.class, this::onReserve)
                .onMessage(Reserved.class, this::onReserved)
                .onMessage(Abandon.class, this::onAbandon)
                .onMessage(AbandonHeard.class, this::onAbandonHeard)
                .onMessage(Immigrate.class, this::onImmigrate)
                .onMessage(Admitted.class, this::onAdmitted)
                .onMessage(Pages.class, this::onPages)
                .onMessage(PagesStored.class, this::onPagesStored)
                .onMessage(HandoffPart.class, this::onHandoffPart)
                .onMessage(Started.class, this::onStarted)
                .onMessage(MoveTimeout.class, this::onMoveTimeout)
                .onMessage(DeficiencyMoveEnded.class, this::onDeficiencyMoveEnded)
                .onMessage(FilesDescribedForMove.class, this::onFilesDescribedForMove)
                .onMessage(FilesAdoptedForMove.class, this::onFilesAdoptedForMove)
                .onMessage(TakeSnapshot.class, this::onTakeSnapshot)
                .onMessage(SnapshotMarker.class, this::onSnapshotMarker)
                .onMessage(SnapshotStored.class, this::onSnapshotStored)
                .onMessage(AbandonSnapshot.class, this::onAbandonSnapshot)
                .onMessage(SnapshotTimeout.class, this::onSnapshotTimeout)
                .onMessage(Restore.class, this::onRestore)
                .onMessage(RestorePages.class, this::onRestorePages)
                .onMessage(RestoreChannels.class, this::onRestoreChannels)
                .onMessage(RestoreStart.class, this::onRestoreStart)
                .onMessage(RestoreTimeout.class, this::onRestoreTimeout)
                .onMessage(SliceDone.class, this::onSliceDone)
                .onMessage(Wake.class, this::onWake)
                .onMessage(ResendDue.class, this::onResendDue)
                .onSignal(PreRestart.class, this::onPreRestart)
                .build();
    }

    private Behavior<Command> onLaunch(Launch launch) {
        int nid = settings.nid();
        if (kernel != null || immigration != null || restoring != null) {
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid, busy()));
            return this;
        }
        Kernel loaded;
        ProcessPortals processPortals = portals(launch);
        try {
            loaded = kernels.launch(settings, partition.get(), launch, processPortals);
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
        host(loaded, launch.jobId(), launch.rank(), launch.size(), launchNids(launch), launch.peers(), launch.filesRoot(), processPortals,
                launch.yod());
        usePlacedPeers(jobId, launchNids, launch.peers());
        pendingInjection = launch.pctFault();
        applyInjection();
        transport.host(jobId, name(processPortals.identity().id()), launchNids, Channels.NONE).forEach(this::deliver);
        runSlice();
        return this;
    }

    /** The node holds this process from now on (launched here, or arrived). */
    private void host(Kernel hosted, int job, int jobRank, int size, List<Integer> nids, JobPeers jobPeers, String files,
                      ProcessPortals processPortals, ActorRef<JobEvent> jobYod) {
        kernel = hosted;
        jobId = job;
        rank = jobRank;
        jobSize = size;
        launchNids = nids;
        peers = jobPeers;
        filesRoot = files;
        hostedPortals = processPortals;
        yod = jobYod;
        getContext().watchWith(jobYod, new YodGone(job, jobYod));
        deficiencyPlaced = false;
        deficiencyRefusal = null;
        if (jobPeers.directory() != null) {
            directory = jobPeers.directory();
        }
        pendingKill = null;
    }

    /**
     * The job's traffic goes to the actors its ranks were placed on. A peer cached from an
     * earlier job may be an older actor of the nid, crashed and replaced: still ending, it
     * would take the new job's messages and drop them, and its end would close the channels to
     * the new one. Its end now closes only what was on it (see {@link #onPeerLost}).
     */
    private void usePlacedPeers(int job, List<Integer> placedNids, JobPeers jobPeers) {
        for (int rank = 0; rank < jobPeers.nodes().size(); rank++) {
            int nid = placedNids.get(rank);
            ActorRef<Command> placed = jobPeers.nodes().get(rank);
            ActorRef<Command> cached = peerNodes.get(nid);
            if (nid == settings.nid() || placed.equals(cached)) {
                continue;
            }
            if (cached != null) {
                replacedPeers.put(cached, job);
            }
            usePeer(nid, placed);
        }
    }

    /** Node {@code nid} is {@code node} from now on: what waited for it goes there, and its end is heard. */
    private void usePeer(int nid, ActorRef<Command> node) {
        peerNodes.put(nid, node);
        getContext().watchWith(node, new PeerLost(nid, node));
        List<Command> waiting = unrouted.remove(nid);
        if (waiting != null) {
            waiting.forEach(node::tell);
        }
    }

    /**
     * The Portals identity of a launched rank: process (nid, rank) of job {@code jobId}, in a job
     * whose rank r is process (nid of r, r); a launch that names no peers is a job of its own.
     */
    private ProcessPortals portals(Launch launch) {
        return portals(0, launch.jobId(), launch.rank(), launchNids(launch), settings.nid());
    }

    /** The Portals state of a process that arrives: as its launch made it, its interface block where it was. */
    private static ProcessPortals portals(Immigrate immigrate) {
        // A job restarted from a snapshot keeps the Portals job id its processes' interfaces and access lists hold.
        int jid = immigrate.peers().portalsJid() != 0 ? immigrate.peers().portalsJid() : immigrate.jobId();
        return portals(immigrate.portalsInterface(), jid, immigrate.rank(), immigrate.peers().nids(), immigrate.launchNid());
    }

    /** Rank {@code rank}'s Portals state, its interface block at {@code ni}; a rank of no peers is a job of its own on {@code nid}. */
    private static ProcessPortals portals(int ni, int job, int rank, List<Integer> nids, int nid) {
        JobMap map = nids.isEmpty() ? JobMap.single(new ProcessId(nid, rank))
                : new JobMap(rank, IntStream.range(0, nids.size()).mapToObj(r -> new ProcessId(nids.get(r), r)).toList());
        return new ProcessPortals(ni, new Identity(map.self(), 0, job), map);
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
        // Pre-copy reads pages between slices only: shorter slices keep its stream going while the process runs.
        long budget = emigration != null && emigration.processRuns()
                ? Math.min(settings.sliceInstructions(), settings.migration().preCopySliceInstructions()) : settings.sliceInstructions();
        sliceRunning = true;
        sliceStartedAt = System.nanoTime();
        CompletableFuture<Kernel.SliceResult> slice = CompletableFuture.supplyAsync(() -> running.runSlice(budget), cpu);
        getContext().pipeToSelf(slice, (result, failure) -> new SliceDone(running, result, failure));
    }

    private Behavior<Command> onSliceDone(SliceDone done) {
        if (done.kernel() != kernel) {
            return this; // a slice of a kernel this node has already given up (before a restart)
        }
        sliceRunning = false;
        slices++;
        activity.read(done.kernel());
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
            awaitedIo.add(call.sequence());
            yod.tell(new JobEvent.IoCall(jobId, rank, settings.nid(), call.sequence(), call.request()));
        }
        result.network().forEach(this::send); // sent during the slice: before any answer made since
        boolean runnable = !result.waiting();
        for (IoDone answer : answers) {
            runnable |= kernel.complete(answer.sequence(), answer.reply());
        }
        answers.clear();
        runnable |= cutAndDeliverHeld();
        if (emigration != null && emigration.processRuns() && result.ended() == null && pendingKill == null) {
            // The stream's turn: as long as the slice took, during which the process waits for the stored chunks.
            emigration.turnEndsAt = System.nanoTime() + (System.nanoTime() - sliceStartedAt);
            try {
                sendPreCopy();
            } catch (RuntimeException e) {
                preCopyFailed(e); // the process runs on
            }
        }
        if (result.ended() != null) {
            finish(result.ended());
        } else if (pendingKill != null) {
            killNow(pendingKill);
        } else if (emigration != null && !emigration.processRuns()) {
            advanceEmigration();
        } else if (kernel.deficiency() != null && deficiencyRefusal != null) {
            finish(kernel.deficient(deficiencyRefusal));
        } else if (kernel.deficiency() != null) {
            placeDeficientProcess();
        } else {
            applyInjection();
            if (runnable && transport.heldForCredit()) {
                pausedForCredit = true;
            } else if (runnable && streamsInItsTurn()) {
                emigration.resumeAfterTurn = true;
            } else if (runnable) {
                runSlice();
            } else if (result.sleepNanos() > 0) {
                getContext().scheduleOnce(Duration.ofNanos(result.sleepNanos()), getContext().getSelf(), new Wake(kernel));
            }
        }
        return this;
    }

    /** The transport's link to node {@code nid}: a packet sent makes sure a resend interval is scheduled. */
    private void sendOnLink(int nid, Command command) {
        sendToNode(nid, command);
        if (command instanceof Packet) {
            scheduleResend();
        }
    }

    private void scheduleResend() {
        if (!resendScheduled) {
            resendScheduled = true;
            getContext().scheduleOnce(resendInterval, getContext().getSelf(), new ResendDue(this));
        }
    }

    private Behavior<Command> onResendDue(ResendDue due) {
        if (due.scheduledBy() != this) {
            return this; // an actor's before a restart: this one keeps its own interval
        }
        resendScheduled = false;
        boolean packetsOutstanding = transport.resendOverdue();
        if (emigration != null) {
            emigration.overdue().forEach(step -> sendToNode(emigration.destination(), step));
        }
        unheardAbandons.overdue(System.nanoTime()).forEach(unheard -> sendToNode(unheard.nid(), unheard.abandon()));
        if (packetsOutstanding || emigration != null || !unheardAbandons.isEmpty()) {
            scheduleResend();
        }
        return this;
    }

    private Behavior<Command> onWake(Wake wake) {
        if (wake.kernel() == kernel && mayRun()) {
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
        awaitedIo.remove(done.sequence());
        if (sliceRunning) {
            answers.add(done);
            return this;
        }
        boolean runnable = kernel.complete(done.sequence(), done.reply());
        runnable |= cutAndDeliverHeld();
        if (runnable && mayRun()) {
            runSlice();
        } else if (emigration != null) {
            advanceEmigration();
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
        if (emigration != null) {
            failEmigration("the process ended before it could move", true);
        }
        transport.hostEnded();
        clearProcess();
    }

    /** The node holds no process any more (it ended, or moved). */
    private void clearProcess() {
        kernel = null;
        if (yod != null) {
            getContext().unwatch(yod);
        }
        yod = null;
        hostedPortals = null;
        pendingKill = null;
        pendingInjection = null;
        processPctReloads = 0;
        answers.clear();
        arrived.clear();
        awaitedIo.clear();
        pausedForCredit = false;
        sliceRunning = false;
        recording = null;
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
        if (!unrouted.containsKey(nid)) {
            return this; // a launch named the node meanwhile, and its messages went there
        }
        if (located.node() == null && located.attempt() < PEER_LOOKUP_ATTEMPTS) {
            getContext().getLog().warn("node {}: node {} is not found yet ({}); asking the directory again", settings.nid(), nid,
                    located.failure() == null ? "unknown nid" : describe(located.failure()));
            lookUp(nid, located.attempt() + 1);
            return this;
        }
        if (located.node() == null) {
            getContext().getLog().error("node {}: node {} was not found in {} attempts; {} messages for it are dropped", settings.nid(),
                    nid, PEER_LOOKUP_ATTEMPTS, unrouted.remove(nid).size());
            return this;
        }
        usePeer(nid, located.node());
        return this;
    }

    /**
     * A peer node stopped: nothing waits for it any more (credit, markers); it is looked up again
     * if sent to. An actor a launch had replaced takes only what was on it: the channels of the
     * job placed on its successor stay, and those of the job this node holds now (later still).
     */
    private Behavior<Command> onPeerLost(PeerLost lost) {
        Integer placedOnSuccessor = replacedPeers.remove(lost.node());
        if (placedOnSuccessor != null) {
            getContext().getLog().warn("node {}: an older actor of node {} ended; its channels are closed, job {}'s stay", settings.nid(),
                    lost.nid(), placedOnSuccessor);
            int hosted = jobId;
            transport.nodeLost(lost.nid(), job -> job == placedOnSuccessor || job == hosted);
        } else if (lost.node().equals(peerNodes.get(lost.nid()))) {
            peerNodes.remove(lost.nid());
            getContext().getLog().warn("node {}: node {} was lost; its channels are closed", settings.nid(), lost.nid());
            transport.nodeLost(lost.nid(), job -> false);
            unheardAbandons.nodeLost(lost.nid());
            moveLost(lost.nid());
        } else {
            return this;
        }
        resumeIfCreditCame();
        return this;
    }

    /** A move with node {@code nid} on the other side ends now, as its timeout would have ended it. */
    private void moveLost(int nid) {
        String reason = "node " + nid + " was lost";
        if (emigration != null && emigration.destination() == nid) {
            if (emigration.step == Emigration.Step.HANDED_OFF) {
                lostAfterHandoff(reason + " after the handoff: the process is lost with it");
            } else if (emigration.step != Emigration.Step.WAITING) {
                failEmigration(reason, false);
                resumeAfterMove();
            }
        } else if (immigration != null && immigration.source == nid) {
            if (immigration.awaitsHandoff()) {
                loseArrival(reason + " before its handoff came");
            } else {
                dropImmigration(reason); // the process was lost with its source, whose loss its yod hears of
            }
        }
    }

    /** A Portals message for this node: delivered between slices, in channel order; it may wake the process. */
    private Behavior<Command> onPacket(Packet packet) {
        boolean runnable = false;
        for (Envelope<PortalsMessage> ready : transport.receive(packet)) {
            if (sliceRunning || emigration != null && emigration.frozen() || recording != null && !recording.recorded) {
                // The kernel is the CPU's, or frozen (it takes them later, here or where it goes), or waits for a snapshot's cut.
                arrived.add(ready);
            } else {
                runnable |= deliver(ready);
            }
        }
        if (runnable && mayRun()) {
            runSlice();
        }
        return this;
    }

    /** Whether the process may get a slice now: none runs, none waits for credit, and it is not about to move (pre-copy aside). */
    private boolean mayRun() {
        return kernel != null && !sliceRunning && !pausedForCredit && (emigration == null || emigration.processRuns());
    }

    private String busy() {
        return kernel != null ? "node " + settings.nid() + " is running job " + jobId
                : restoring != null ? "node " + settings.nid() + " is restoring a rank of job " + restoring.request.jobId()
                : "node " + settings.nid() + " is receiving a process from node " + immigration.source;
    }

    /** Hands a message to the kernel, which consumes it (a fragment waits for the rest of its message); true if the process can run. */
    private boolean deliver(Envelope<PortalsMessage> envelope) {
        Envelope<PortalsMessage> whole = transport.assemble(envelope);
        if (whole == null) {
            transport.consumed(envelope);
            return false;
        }
        activity.consumed(whole.payload());
        boolean runnable = kernel.deliver(whole.payload());
        kernel.drainNetwork().forEach(this::send); // its answers leave now, whether or not the process runs
        transport.consumed(envelope);
        if (recording != null && recording.recorded) {
            recording.taken(whole); // whole: the fragments set aside before the cut are in no recorded process
            sendChannelsIfComplete();
        }
        return runnable;
    }

    private void send(PortalsMessage message) {
        activity.sent(message);
        transport.send(message);
    }

    /** Credit for one of this node's channels: held messages go out; a process paused for credit runs again. */
    private Behavior<Command> onCredit(Credit credit) {
        transport.credit(credit);
        resumeIfCreditCame();
        return this;
    }

    /** A process paused for credit runs again once none of its messages waits for it. */
    private void resumeIfCreditCame() {
        if (pausedForCredit && !transport.heldForCredit()) {
            pausedForCredit = false;
            if (mayRun()) {
                runSlice();
            }
        }
    }

    private Behavior<Command> onMarker(Marker marker) {
        transport.marker(marker);
        scheduleResend(); // a stay it opened asks for its markers if they do not come
        return this;
    }

    private Behavior<Command> onMarkerWanted(MarkerWanted wanted) {
        transport.markerWanted(wanted);
        return this;
    }

    private Behavior<Command> onLocations(Locations locations) {
        transport.relocate(locations.jobId(), locations.updates());
        return this;
    }

    private Behavior<Command> onJobEnded(JobEnded ended) {
        transport.jobEnded(ended.jobId());
        return this;
    }

    private Behavior<Command> onKill(Kill kill) {
        if (kernel == null && restoring != null && restoring.request.jobId() == kill.jobId()) {
            failRestore(kill.reason() == null ? "killed" : kill.reason());
            return this;
        }
        if (kernel == null && emigration != null && emigration.request.jobId() == kill.jobId()) {
            sendToNode(emigration.destination(), kill); // handed over: the process is the destination's now
            return this;
        }
        if (kernel == null && immigration != null && immigration.jobId == kill.jobId()) {
            // The machine frees a node reserved for a move whose job ended: it must be free, not still waiting for the process.
            refuseImmigration(kill.reason() == null ? "killed" : kill.reason());
            return this;
        }
        if (kernel == null || kill.jobId() != jobId) {
            return this;
        }
        String reason = kill.reason() == null ? "killed" : kill.reason();
        if (emigration != null) {
            failEmigration("the process was killed: " + reason, true);
        }
        if (sliceRunning) {
            pendingKill = reason; // the kernel belongs to the CPU until the slice returns
        } else {
            killNow(reason);
        }
        return this;
    }

    private Behavior<Command> onYodGone(YodGone gone) {
        return gone.yod().equals(yod) ? onKill(new Kill(gone.jobId(), "the job's yod is gone (its member left or died)")) : this;
    }

    /**
     * The actor failed and restarts empty but for what it keeps ({@link Kept}): the rank it held
     * ends (its channels close as any ended process's do), its slice (if any) is ignored. A move
     * under way before its handoff ends too: the other side hears {@link Abandon} once (resends
     * die with this actor: a lost one leaves it to its own timeout), so that a destination is free
     * at once and a source resumes its process (or, having handed it off, reports it lost); a move
     * this node made before its handoff is reported to whoever asked for it, as failed. A move
     * that had handed the process off goes on in the new actor, which resends the handoff until
     * the destination says how it ended, and reports that.
     */
    private Behavior<Command> onPreRestart(PreRestart signal) {
        String failed = "node " + settings.nid() + " failed and restarted";
        if (kernel != null && yod != null) {
            yod.tell(new JobEvent.Exited(jobId, rank, settings.nid(), ExitStatus.killed(Signal.SIGKILL), failed, processPctReloads));
        }
        if (emigration != null && emigration.step != Emigration.Step.HANDED_OFF) {
            failEmigration(failed + ": the process ended with it", true);
        }
        if (immigration != null) {
            refuseImmigration(failed + " while the process moved here");
        }
        if (kernel != null) {
            transport.hostEnded();
        }
        kept.directory = directory;
        kept.handedOff = emigration; // a move handed off, the only one left by now
        return this;
    }

    private Behavior<Command> onGetState(GetState get) {
        get.replyTo().tell(state());
        return this;
    }

    private Behavior<Command> onGetFigures(GetFigures get) {
        get.replyTo().tell(new Figures(state(), activity.totals()));
        return this;
    }

    private State state() {
        Status status = kernel != null ? Status.RUNNING : Status.IDLE;
        return new State(settings.nid(), partition.get(), status, kernel != null ? jobId : 0, kernel != null ? rank : 0,
                slices, pctReloads, transport.traffic(), activity.totals().migrationsIn());
    }

    private Behavior<Command> onReboot(Reboot reboot) {
        int nid = settings.nid();
        if (reboot.partition() == null || !reboot.partition().isNode()) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition.get(), "a node cannot be re-booted into "
                    + (reboot.partition() == null ? "nothing" : reboot.partition().label())));
        } else if (kernel != null || immigration != null) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition.get(), busy() + ": a node re-boots only when it holds no process"));
        } else {
            // Nothing to do but switch: the node is empty, and its next kernel is built when a process arrives.
            partition.set(reboot.partition());
            reboot.replyTo().tell(new RebootResult(nid, true, reboot.partition(), null));
        }
        return this;
    }

    // ---- Migration: the source's side

    private Behavior<Command> onMigrate(Migrate migrate) {
        int nid = settings.nid();
        String refusal = kernel == null || migrate.jobId() != jobId ? "node " + nid + " runs no process of job " + migrate.jobId()
                : emigration != null ? "the process is already moving to node " + emigration.destination()
                : recording != null ? "a snapshot of job " + jobId + " is being taken"
                : migrate.destination() == nid ? "the process already runs on node " + nid
                : migrate.destination() < 0 ? "no node has nid " + migrate.destination()
                : null;
        if (refusal != null) {
            if (migrate.replyTo() != null) {
                migrate.replyTo().tell(new MigrationReport(migrate.jobId(), kernel == null ? -1 : rank, nid, migrate.destination(), false,
                        refusal, 0, 0, 0, 0, 0));
            }
            return this;
        }
        // Unique across restarts of this actor, so a late step of an older move never matches a new one.
        emigration = new Emigration(jobId + "/" + rank + "/" + nid + "/" + java.util.UUID.randomUUID(), migrate, rank, yod, System.nanoTime());
        armEmigrationTimeout();
        if (!sliceRunning) {
            beginEmigration();
        }
        return this;
    }

    /** Asks the destination to reserve itself once the process is between slices and waits for no answer from yod. */
    private void beginEmigration() {
        if (emigration.step != Emigration.Step.WAITING || sliceRunning || !awaitedIo.isEmpty()) {
            return;
        }
        emigration.step = Emigration.Step.RESERVING;
        emigration.unanswered = new Reserve(emigration.move, settings.nid(), jobId, rank, kernel.memoryBytes(), directory);
        sendToNode(emigration.destination(), emigration.unanswered);
    }

    /** The move goes on where it waited for the process to be between slices and to wait for nothing from yod. */
    private void advanceEmigration() {
        if (emigration.step == Emigration.Step.WAITING) {
            beginEmigration();
        } else if (emigration.step == Emigration.Step.FREEZING && !sliceRunning && awaitedIo.isEmpty()) {
            freezeNow();
        }
    }

    private Behavior<Command> onReserved(Reserved reserved) {
        if (!sourceAt(reserved, Emigration.Step.RESERVING)) {
            return this;
        }
        emigration.destinationOs = reserved.os();
        MigrationSettings migration = settings.migration();
        try {
            emigration.dirty = migration.preCopy() ? kernel.trackWrites() : null;
            List<Integer> written = emigration.dirty == null ? List.of() : emigration.dirty.nextRound();
            if (written.size() > migration.window() * migration.chunkPages()) {
                emigration.step = Emigration.Step.PRECOPYING;
                emigration.beginRound(written, emigration.dirty, migration.chunkPages());
                sendPreCopy();
            } else {
                // No pre-copy: a kernel that cannot track writes, or pages that go in one window anyway.
                emigration.stopTracking();
            }
        } catch (RuntimeException e) {
            preCopyFailed(e);
            resumeAfterMove();
            return this;
        }
        if (emigration.step == Emigration.Step.RESERVING) {
            freezeNow();
        } else if (emigration.processRuns()) {
            resumeAfterMove();
        } else {
            advanceEmigration(); // the pre-copy is over already
        }
        return this;
    }

    /**
     * Pre-copy, between slices: sends the round's chunks up to the window ahead of what the
     * destination stored. A round all stored begins the next with the pages written meanwhile,
     * while their number at least halves from round to round, is more than a chunk, and the
     * rounds last; otherwise those pages wait for the freeze.
     */
    private void sendPreCopy() {
        MigrationSettings migration = settings.migration();
        sendChunks();
        while (emigration.chunksStored == emigration.chunks) {
            List<Integer> written = emigration.dirty.nextRound();
            if (emigration.rounds < migration.preCopyRounds() && written.size() <= emigration.pages.size() / 2
                    && written.size() > migration.chunkPages()) {
                emigration.beginRound(written, emigration.dirty, migration.chunkPages());
                sendChunks();
            } else {
                emigration.unsent = written;
                emigration.step = Emigration.Step.FREEZING;
                return;
            }
        }
    }

    /**
     * Whether pre-copy keeps the process waiting after a slice: the stream and the process take
     * turns of equal length (pages are read between slices only), so a busy process neither
     * starves its move nor stops for it; the stream's turn ends early when its round waits for nothing.
     */
    private boolean streamsInItsTurn() {
        return emigration != null && emigration.processRuns() && emigration.chunksStored < emigration.chunks
                && System.nanoTime() < emigration.turnEndsAt;
    }

    /** Reading the running process's pages failed (a bug, not the process's doing): the move ends, the process runs on. */
    private void preCopyFailed(RuntimeException e) {
        getContext().getLog().error("node {}: pre-copying job {}'s process failed", settings.nid(), jobId, e);
        failEmigration("its pages could not be read on node " + settings.nid() + ": " + describe(e), true);
    }

    /** The process stops now: a Puma process going to Linux first learns from yod which files it serves it; then it freezes. */
    private void freezeNow() {
        int os = emigration.destinationOs;
        if (partition.get() == Partition.COMPUTE && os == UnifiedLibrary.OS_LINUX) {
            // Linux serves files itself: the process takes along those yod serves it now.
            emigration.step = Emigration.Step.DESCRIBING_FILES;
            String move = emigration.move;
            getContext().ask(Yod.FilesDescribed.class, yod.<Yod.Command>unsafeUpcast(), settings.migration().timeout(),
                    replyTo -> new Yod.DescribeFiles(rank, replyTo),
                    (described, failure) -> new FilesDescribedForMove(move, os, described, failure));
        } else {
            freezeAndSend(os, List.of());
        }
    }

    private Behavior<Command> onFilesDescribedForMove(FilesDescribedForMove described) {
        if (emigration == null || !emigration.move.equals(described.move()) || emigration.step != Emigration.Step.DESCRIBING_FILES) {
            return this;
        }
        if (described.files() == null) {
            failEmigration("yod did not describe the files it serves the process: " + describe(described.failure()), true);
            resumeAfterMove();
        } else {
            freezeAndSend(described.os(), described.files().files());
        }
        return this;
    }

    /** Freezes the process for {@code os} and sends its state, with {@code files} yod served it, to the destination. */
    private void freezeAndSend(int os, List<io.uniform.process.image.OpenFile> files) {
        try {
            ProcessStateAndMemory frozen = freeze(os, files);
            FrozenMemory memory = frozen.memory();
            List<Integer> pages = emigration.dirty == null ? memory.pages() : lastDirtyPages(memory, frozen.state().areas());
            emigration.stopTracking();
            emigration.beginRound(pages, memory, settings.migration().chunkPages());
            emigration.step = Emigration.Step.ADMITTING;
            emigration.unanswered = new Immigrate(emigration.move, jobId, rank, jobSize,
                    hostedPortals.identity().id().nid(), new JobPeers(launchNids, directory, peers.machine(), peers.portalsJid()), frozen.state(),
                    hostedPortals.ni(), emigration.chunks, yod, filesRoot);
            sendToNode(emigration.destination(), emigration.unanswered);
        } catch (MigrationRefused refused) {
            abandon(emigration.destination(), emigration.move, refused.getMessage());
            endEmigration(false, refused.getMessage());
            resumeAfterMove();
        }
    }

    private record ProcessStateAndMemory(ProcessState state, FrozenMemory memory) {}

    /**
     * After pre-copy: the pages written since its last round was sent, and those the freeze
     * settled, in order; pages outside the frozen {@code areas} (given up since they were
     * listed) are left out, as the destination drops them.
     */
    private List<Integer> lastDirtyPages(FrozenMemory memory, List<io.uniform.process.image.Area> areas) {
        java.util.SortedSet<Integer> pages = new java.util.TreeSet<>(Integer::compareUnsigned);
        pages.addAll(emigration.unsent);
        pages.addAll(emigration.dirty.nextRound());
        pages.addAll(memory.settledPages());
        return pages.stream().filter(page -> Landing.inAreas(areas, page)).toList();
    }

    private ProcessStateAndMemory freeze(int os, List<io.uniform.process.image.OpenFile> yodFiles) throws MigrationRefused {
        ProcessState state = kernel.freeze(os);
        emigration.frozenAt = System.nanoTime();
        List<io.uniform.process.image.OpenFile> files = new ArrayList<>(state.files());
        files.addAll(yodFiles);
        return new ProcessStateAndMemory(state.withFiles(files), kernel.frozenMemory());
    }

    private Behavior<Command> onAdmitted(Admitted admitted) {
        if (sourceAt(admitted, Emigration.Step.ADMITTING)) {
            emigration.step = Emigration.Step.STREAMING;
            emigration.streamStartedAt = System.nanoTime();
            streamPages();
        }
        return this;
    }

    private Behavior<Command> onPagesStored(PagesStored stored) {
        Emigration.Step step = emigration == null ? null : emigration.step;
        if (step == Emigration.Step.STREAMING && sourceAt(stored, step)) {
            emigration.stored(stored.chunks());
            streamPages();
        } else if (step == Emigration.Step.PRECOPYING && sourceAt(stored, step)) {
            emigration.stored(stored.chunks());
            if (!sliceRunning) { // otherwise the slice's end sends more
                try {
                    sendPreCopy();
                    advanceEmigration();
                } catch (RuntimeException e) {
                    preCopyFailed(e);
                    resumeAfterMove();
                    return this;
                }
                if (emigration != null && emigration.processRuns() && emigration.resumeAfterTurn && !streamsInItsTurn()) {
                    emigration.resumeAfterTurn = false;
                    resumeAfterMove();
                }
            }
        }
        return this;
    }

    /** Sends the frozen process's last chunks; hands the process over once all are stored. */
    private void streamPages() {
        sendChunks();
        if (emigration.chunksStored == emigration.chunks) {
            emigration.streamEndedAt = System.nanoTime();
            handOff();
        }
    }

    /** Sends the round's chunks up to a window ahead of what the destination stored. */
    private void sendChunks() {
        MigrationSettings migration = settings.migration();
        while (emigration.chunksSent < emigration.chunks && emigration.chunksSent < emigration.chunksStored + migration.window()) {
            PageChunk.Encoded chunk = PageChunk.encode(emigration.source, emigration.chunk(emigration.chunksSent, migration.chunkPages()),
                    migration.compress(), emigration.replacing);
            emigration.pagesSent += chunk.pages();
            emigration.bytesSent += chunk.bytes().length;
            Pages pages = new Pages(emigration.move, emigration.chunksSent++, chunk.bytes());
            emigration.unstoredChunks.put(pages.index(), pages);
            sendToNode(emigration.destination(), pages);
        }
    }

    /**
     * Every page is at the destination: the process's channels and the messages its kernel had
     * not taken go there, its peers learn where it is, and this node forwards what still comes.
     */
    private void handOff() {
        int destination = emigration.destination();
        LocationUpdate current = transport.hostedEntry();
        long version = current.version() + 1;
        // The version is new for this process, so it names a stay at the destination no earlier one used.
        LocationUpdate moved = LocationUpdate.at(current.process(), version, new Location(destination, version));
        int job = jobId;
        Set<Integer> peersToTell = transport.nodesOf(job); // before leaving: a stay with nothing to forward lets the job go at once
        List<LocationUpdate> known = transport.directoryOf(job);
        Channels channels = transport.leave(moved);
        // All parts at once: the unread messages are bounded by the channels' credit, and a process waiting for credit sends nothing more.
        List<byte[]> parts = HandoffParts.cut(serialization.serialize(new Handoff(channels, arrived, moved, known)).get(),
                settings.migration().handoffPartBytes());
        emigration.handoff = java.util.stream.IntStream.range(0, parts.size())
                .mapToObj(index -> new HandoffPart(emigration.move, index, parts.size(), parts.get(index))).toList();
        emigration.handoff.forEach(part -> sendToNode(destination, part));
        Locations news = new Locations(job, List.of(moved));
        peersToTell.stream().filter(nid -> nid != settings.nid() && nid != destination).forEach(nid -> sendToNode(nid, news));
        emigration.step = Emigration.Step.HANDED_OFF;
        emigration.progress++;
        armEmigrationTimeout();
        try {
            kernel.release();
        } catch (RuntimeException e) {
            getContext().getLog().warn("node {}: releasing the memory of job {}'s process after its move failed", settings.nid(), job, e);
        }
        clearProcess();
    }

    private Behavior<Command> onStarted(Started started) {
        if (sourceAt(started, Emigration.Step.HANDED_OFF)) {
            endEmigration(true, null);
        }
        return this;
    }

    /**
     * The process stopped at a call its OS lacks (the unified library's deficiency routine): the
     * machine moves it to a node whose OS has the call, where the library's second dispatch
     * succeeds. Without a machine, or when it cannot move, the process ends as a bad system call.
     */
    private void placeDeficientProcess() {
        if (deficiencyPlaced) {
            return;
        }
        deficiencyPlaced = true;
        if (peers.machine() == null) {
            finish(kernel.deficient("no machine places its processes"));
            return;
        }
        getContext().getLog().info("node {}: job {} rank {} needs {}; asking the machine for a Linux node", settings.nid(), jobId, rank,
                kernel.deficiency());
        ActorRef<MigrationReport> outcome = getContext().messageAdapter(MigrationReport.class, DeficiencyMoveEnded::new);
        peers.machine().tell(new Machine.Migrate(jobId, rank, Machine.ANY_NODE, Partition.SERVICE, outcome));
    }

    private Behavior<Command> onDeficiencyMoveEnded(DeficiencyMoveEnded ended) {
        MigrationReport report = ended.report();
        if (report.moved() || kernel == null || report.jobId() != jobId || kernel.deficiency() == null) {
            return this;
        }
        deficiencyRefusal = "it could not move to Linux: " + report.reason();
        if (!sliceRunning) {
            finish(kernel.deficient(deficiencyRefusal));
        }
        return this;
    }

    /** Whether {@code step} is the answer the move under way waits for at {@code expected}; counts it as progress. */
    private boolean sourceAt(MoveStep step, Emigration.Step expected) {
        if (emigration == null || !emigration.move.equals(step.move()) || emigration.step != expected) {
            return false;
        }
        emigration.progress++;
        armEmigrationTimeout();
        return true;
    }

    /** The move failed before the handoff: the destination lets go (told so when {@code tellDestination}), the process runs on here. */
    private void failEmigration(String reason, boolean tellDestination) {
        if (tellDestination && emigration.step != Emigration.Step.WAITING) {
            abandon(emigration.destination(), emigration.move, reason);
        }
        boolean wasFrozen = emigration.frozen();
        endEmigration(false, reason);
        if (wasFrozen) {
            kernel.thaw();
        }
    }

    private void endEmigration(boolean moved, String reason) {
        Emigration ended = emigration;
        emigration = null;
        ended.stopTracking();
        long now = System.nanoTime();
        long downtime = ended.frozenAt == 0 ? 0 : now - ended.frozenAt;
        MigrationReport report = new MigrationReport(ended.request.jobId(), ended.rank, settings.nid(), ended.destination(), moved, reason,
                downtime, now - ended.requestedAt, ended.pagesSent, ended.bytesSent, ended.streamEndedAt - ended.streamStartedAt);
        if (moved && reason == null) {
            getContext().getLog().info("node {}: job {}'s process moved to node {} ({} pages, {} bytes, down {} ms)", settings.nid(),
                    ended.request.jobId(), ended.destination(), ended.pagesSent, ended.bytesSent, downtime / 1_000_000);
        } else {
            getContext().getLog().warn("node {}: job {}'s process did not move to node {}: {}", settings.nid(), ended.request.jobId(),
                    ended.destination(), reason);
        }
        if (moved) {
            activity.migratedOut();
        } else if (ended.step != Emigration.Step.HANDED_OFF) {
            ended.yod.tell(new JobEvent.MoveFailed(ended.request.jobId(), ended.rank, settings.nid(), ended.destination(), reason));
        }
        if (ended.request.replyTo() != null) {
            ended.request.replyTo().tell(report);
        }
    }

    /** The process left with its handoff and is lost where it went: the move failed, and its yod hears that the rank ended. */
    private void lostAfterHandoff(String reason) {
        Emigration ended = emigration;
        ended.yod.tell(new JobEvent.Lost(ended.request.jobId(), ended.rank, ended.destination(),
                "the process was lost in its move to node " + ended.destination() + ": " + reason));
        endEmigration(false, reason);
    }

    /** The process stayed: the messages it missed while frozen reach it, and it runs again. */
    private void resumeAfterMove() {
        if (kernel == null || sliceRunning) {
            return; // a slice that runs goes on as usual when it ends
        }
        arrived.forEach(this::deliver);
        arrived.clear();
        if (transport.heldForCredit()) {
            pausedForCredit = true;
        } else if (mayRun()) {
            runSlice(); // a process that still waits returns from it at once
        }
    }

    // ---- Migration: the destination's side

    private Behavior<Command> onReserve(Reserve reserve) {
        if (directory == null) {
            directory = reserve.directory(); // a node that never ran a job learns the machine's directory here
        }
        if (immigration != null && immigration.move.equals(reserve.move())) {
            sendToNode(reserve.source(), reservedAnswer(reserve.move())); // its answer was lost
            return this;
        }
        if (answeredAsEnded(reserve)) {
            return this;
        }
        if (kernel != null || immigration != null || restoring != null) {
            abandon(reserve.source(), reserve.move(), busy());
            return this;
        }
        Landing landing;
        try {
            landing = kernels.land(settings, partition.get(), reserve.memoryBytes());
        } catch (MigrationRefused refused) {
            abandon(reserve.source(), reserve.move(), refused.getMessage());
            return this;
        }
        immigration = new Immigration(reserve.move(), reserve.source(), reserve.jobId(), landing);
        armImmigrationTimeout();
        sendToNode(reserve.source(), reservedAnswer(reserve.move()));
        return this;
    }

    private Reserved reservedAnswer(String move) {
        return new Reserved(move, partition.get() == Partition.COMPUTE ? UnifiedLibrary.OS_PUMA : UnifiedLibrary.OS_LINUX);
    }

    private Behavior<Command> onImmigrate(Immigrate immigrate) {
        if (!destinationOf(immigrate)) {
            return this;
        }
        if (immigration.request != null) {
            if (immigration.admitted) {
                sendToNode(immigration.source, new Admitted(immigration.move)); // its answer was lost (yod may still be adopting files)
            }
            return this;
        }
        immigration.request = immigrate;
        try {
            immigration.kernel = kernels.admit(settings, partition.get(), immigrate, portals(immigrate), immigration.landing);
            immigration.landing.admitted(immigration.kernel, immigrate.state().areas());
            // Peers may learn of the move and send here before the handoff does: their messages wait for it.
            transport.expect(immigrate.jobId(), name(portals(immigrate).identity().id()));
            List<io.uniform.process.image.OpenFile> files = immigrate.state().files();
            if (partition.get() == Partition.COMPUTE && !files.isEmpty()) {
                // Puma's files are yod's to serve: yod opens them for the process before it is admitted.
                String move = immigration.move;
                getContext().ask(Yod.FilesAdopted.class, immigrate.yod().<Yod.Command>unsafeUpcast(), settings.migration().timeout(),
                        replyTo -> new Yod.AdoptFiles(immigrate.rank(), files, replyTo),
                        (adopted, failure) -> new FilesAdoptedForMove(move, adopted == null
                                ? "yod did not answer: " + describe(failure) : adopted.refusal()));
            } else {
                admitted();
            }
        } catch (MigrationRefused | RuntimeException refused) {
            refuseImmigration(refused instanceof MigrationRefused ? refused.getMessage()
                    : "node " + settings.nid() + " could not admit the process: " + describe(refused));
        }
        return this;
    }

    private Behavior<Command> onFilesAdoptedForMove(FilesAdoptedForMove adopted) {
        if (immigration == null || !immigration.move.equals(adopted.move()) || immigration.kernel == null) {
            return this;
        }
        if (adopted.refusal() != null) {
            refuseImmigration(adopted.refusal());
        } else {
            immigration.filesAdopted = true;
            admitted();
        }
        return this;
    }

    /** Pages before the process is admitted (pre-copy) are staged; after, they go into its kernel. */
    private Behavior<Command> onPages(Pages pages) {
        if (!destinationOf(pages) || immigration.kernel == null && immigration.request != null) {
            return this;
        }
        if (pages.index() != immigration.chunksStored) {
            if (pages.index() < immigration.chunksStored) {
                sendToNode(immigration.source, new PagesStored(immigration.move, immigration.chunksStored)); // a copy: the answer was lost
            }
            return this; // one ahead of a lost chunk is sent again with it
        }
        try {
            PageChunk.decode(pages.chunk(), settings.migration().chunkPages(),
                    immigration.kernel == null ? immigration.landing : new KernelPages(immigration.kernel));
        } catch (RuntimeException e) {
            refuseImmigration("a page of the process could not be stored on node " + settings.nid() + ": " + describe(e));
            return this;
        }
        immigration.chunksStored++;
        sendToNode(immigration.source, new PagesStored(immigration.move, immigration.chunksStored));
        if (immigration.awaitsHandoff()) {
            armImmigrationTimeout();
        }
        return this;
    }

    /** Pages after admission go straight into the kernel; a page of zeros is written as zeros. */
    private record KernelPages(Kernel kernel) implements PageChunk.Sink {
        private static final byte[] ZEROS = new byte[Area.PAGE_SIZE];

        @Override
        public void page(int address, byte[] chunk, int offset) {
            kernel.writePage(address, chunk, offset);
        }

        @Override
        public void zeros(int address) {
            kernel.writePage(address, ZEROS, 0);
        }
    }

    /** A part of the handoff, after every page is stored: the last one restarts the process here. */
    private Behavior<Command> onHandoffPart(HandoffPart part) {
        if (!destinationOf(part) || !immigration.awaitsHandoff()) {
            return this;
        }
        Handoff handoff;
        try {
            if (immigration.handoff == null) {
                immigration.handoff = new HandoffParts(part.parts(), settings.migration().handoffPartBytes());
            }
            byte[] whole = immigration.handoff.add(part.index(), part.parts(), part.bytes());
            if (whole == null) {
                return this;
            }
            handoff = serialization.deserialize(whole, Handoff.class).get();
        } catch (RuntimeException e) {
            getContext().getLog().error("node {}: the handoff of job {}'s process is unreadable", settings.nid(), immigration.request.jobId(), e);
            giveUpArrival("its handoff came unreadable to node " + settings.nid() + ": " + describe(e));
            return this;
        }
        Immigration arrived = immigration;
        Immigrate request = arrived.request;
        try {
            arrived.kernel.start();
        } catch (RuntimeException e) {
            getContext().getLog().error("node {}: the process of job {} that moved here could not start", settings.nid(), request.jobId(), e);
            giveUpArrival("it could not restart on node " + settings.nid() + " after its move: " + describe(e));
            return this;
        }
        immigration = null;
        endedArrivals.put(arrived.move, new EndedArrival(arrived.source, new Started(arrived.move)));
        host(arrived.kernel, request.jobId(), request.rank(), request.size(), request.peers().nids(), request.peers(),
                request.filesRoot(), portals(request), request.yod());
        // Where the source knew the others to be: a node new to the job knows only their launch nodes, and the
        // credit its process grants goes to where it believes each sender is.
        transport.relocate(jobId, handoff.directory());
        transport.relocate(jobId, List.of(handoff.location()));
        List<Envelope<PortalsMessage>> ready = transport.host(jobId, handoff.location().process(), launchNids, handoff.channels());
        handoff.inbox().forEach(this::deliver);
        ready.forEach(this::deliver);
        boolean filesTaken = partition.get() != Partition.COMPUTE && request.state().os() == UnifiedLibrary.OS_PUMA;
        yod.tell(new JobEvent.Moved(jobId, rank, settings.nid(), getContext().getSelf(), filesTaken));
        sendToNode(arrived.source, endedArrivals.get(arrived.move).answer());
        activity.migratedIn();
        if (transport.heldForCredit()) {
            pausedForCredit = true;
        } else {
            runSlice();
        }
        return this;
    }

    /**
     * The process cannot arrive although every page is stored (its handoff did not come whole,
     * or it could not restart): what it held here is freed and the source hears why. Only the
     * source knows whether it let the process go: if it did, it reports the rank lost; if not,
     * it resumes the process, and nothing was lost.
     */
    private void giveUpArrival(String reason) {
        getContext().getLog().warn("node {}: job {} rank {} gave up its move here: {}", settings.nid(), immigration.request.jobId(),
                immigration.request.rank(), reason);
        refuseImmigration(reason);
    }

    /**
     * The process arriving here is lost with its source, which died after its last pages came:
     * its yod hears that the rank ended, and what it held here is freed.
     */
    private void loseArrival(String reason) {
        Immigrate request = immigration.request;
        String report = "the process was lost in its move from node " + immigration.source + ": " + reason;
        getContext().getLog().warn("node {}: job {} rank {}: {}", settings.nid(), request.jobId(), request.rank(), report);
        request.yod().tell(new JobEvent.Lost(request.jobId(), request.rank(), settings.nid(), report));
        refuseImmigration(report);
    }

    /**
     * Whether {@code step} belongs to the process arriving here; counts it as progress until every
     * page is stored. From then on only a handoff part does: a source that did not hear its last
     * pages stored resends them, and those copies must not put off the handoff's bound for ever.
     */
    private boolean destinationOf(MoveStep step) {
        if (immigration == null || !immigration.move.equals(step.move())) {
            answeredAsEnded(step);
            return false;
        }
        if (!immigration.awaitsHandoff() || step instanceof HandoffPart) {
            armImmigrationTimeout();
        }
        return true;
    }

    /** Counts a step of the arriving process; its handoff, once every page is stored, has the shorter bound. */
    private void armImmigrationTimeout() {
        immigration.progress++;
        MigrationSettings migration = settings.migration();
        getContext().scheduleOnce(immigration.awaitsHandoff() ? migration.handoffTimeout() : migration.timeout(), getContext().getSelf(),
                new MoveTimeout(immigration.move, immigration.progress));
    }

    /** Tells the source the process is admitted; once its pages are all stored too, the handoff is due. */
    private void admitted() {
        immigration.admitted = true;
        sendToNode(immigration.source, new Admitted(immigration.move));
        if (immigration.awaitsHandoff()) {
            armImmigrationTimeout();
        }
    }

    /** Whether {@code step} is of a move that ended here; if so, its source hears again how (its answer may have been lost). */
    private boolean answeredAsEnded(MoveStep step) {
        EndedArrival ended = endedArrivals.get(step.move());
        if (ended != null) {
            sendToNode(ended.source(), ended.answer());
        }
        return ended != null;
    }

    private void refuseImmigration(String reason) {
        abandon(immigration.source, immigration.move, reason);
        dropImmigration(reason);
    }

    /** The process will not arrive: what it held here is freed, and a source still sending its steps hears {@code reason}. */
    private void dropImmigration(String reason) {
        endedArrivals.put(immigration.move, new EndedArrival(immigration.source, new Abandon(immigration.move, settings.nid(), reason)));
        Immigrate request = immigration.request;
        if (request != null) {
            transport.unexpect(request.jobId(), name(portals(request).identity().id()));
            if (immigration.filesAdopted) {
                request.yod().<Yod.Command>unsafeUpcast().tell(new Yod.DropFiles(request.rank()));
            }
        }
        try {
            if (immigration.kernel != null) {
                immigration.kernel.release();
            } else {
                immigration.landing.release();
            }
        } catch (RuntimeException e) {
            getContext().getLog().warn("node {}: releasing a process that did not arrive failed", settings.nid(), e);
        }
        immigration = null;
    }

    // ---- Migration: either side

    /** Tells node {@code nid} that {@code move} cannot go on, and why, until it answers. */
    private void abandon(int nid, String move, String reason) {
        Abandon abandon = new Abandon(move, settings.nid(), reason);
        sendToNode(nid, abandon);
        MigrationSettings migration = settings.migration();
        unheardAbandons.sent(nid, abandon, System.nanoTime() + migration.timeout().plus(migration.handoffTimeout()).toNanos());
        scheduleResend();
    }

    private Behavior<Command> onAbandonHeard(AbandonHeard heard) {
        unheardAbandons.heard(heard.move());
        return this;
    }

    /** Either side's: answered every time, as a copy comes when the answer to the first was lost; taken once. */
    private Behavior<Command> onAbandon(Abandon abandon) {
        sendToNode(abandon.from(), new AbandonHeard(abandon.move()));
        if (emigration != null && emigration.move.equals(abandon.move()) && emigration.step == Emigration.Step.HANDED_OFF) {
            lostAfterHandoff(abandon.reason()); // the destination gave it up after this node let it go
        } else if (emigration != null && emigration.move.equals(abandon.move())) {
            failEmigration(abandon.reason(), false);
            resumeAfterMove();
        } else if (immigration != null && immigration.move.equals(abandon.move())) {
            dropImmigration(abandon.reason());
        }
        return this;
    }

    /** After the handoff the source waits for the destination's own bound on it too, so that it hears the destination's verdict. */
    private void armEmigrationTimeout() {
        MigrationSettings migration = settings.migration();
        Duration timeout = emigration.step == Emigration.Step.HANDED_OFF ? migration.timeout().plus(migration.handoffTimeout()) : migration.timeout();
        getContext().scheduleOnce(timeout, getContext().getSelf(), new MoveTimeout(emigration.move, emigration.progress));
        scheduleResend(); // what the destination does not answer goes again

    }

    private Behavior<Command> onMoveTimeout(MoveTimeout timeout) {
        if (emigration != null && emigration.move.equals(timeout.move()) && emigration.progress == timeout.progress()) {
            String silent = "no answer from node " + emigration.destination() + " within " + settings.migration().timeout().toSeconds() + " s";
            if (emigration.step == Emigration.Step.HANDED_OFF) {
                // Alive, the destination would have said within its handoff-timeout whether the process runs there.
                lostAfterHandoff("no answer from node " + emigration.destination() + " after the handoff: the process is lost with it");
            } else if (emigration.step == Emigration.Step.WAITING) {
                endEmigration(false, "the process waited for yod's answer to an I/O call all along");
                resumeAfterMove();
            } else {
                failEmigration(silent, true);
                resumeAfterMove();
            }
        } else if (immigration != null && immigration.move.equals(timeout.move()) && immigration.progress == timeout.progress()) {
            if (immigration.awaitsHandoff()) {
                giveUpArrival("its handoff did not come to node " + settings.nid() + " within "
                        + settings.migration().handoffTimeout().toSeconds() + " s after its last pages");
            } else {
                // The source still holds the process, and resumes it when it gives the move up in turn.
                getContext().getLog().warn("node {}: no answer from node {} within {} s; the process it was sending is dropped here",
                        settings.nid(), immigration.source, settings.migration().timeout().toSeconds());
                dropImmigration("no answer from node " + immigration.source + " within " + settings.migration().timeout().toSeconds() + " s");
            }
        }
        return this;
    }

    // ---- Snapshots: recording this node's part

    private Behavior<Command> onTakeSnapshot(TakeSnapshot take) {
        if (kernel == null || take.jobId() != jobId || snapshotsDone.contains(take.snapshot())
                || recording != null && recording.snapshot.equals(take.snapshot())) {
            return this; // yod hears of an ended process otherwise; a marker began this one already
        }
        String refusal = emigration != null ? "its process is moving to node " + emigration.destination()
                : recording != null ? "it is still recording snapshot " + recording.snapshot : null;
        if (refusal != null) {
            tellYod(new Checkpoint.RankRefused(take.snapshot(), rank, "node " + settings.nid() + " cannot record rank " + rank + ": "
                    + refusal));
            return this;
        }
        beginRecording(take.snapshot());
        return this;
    }

    private Behavior<Command> onSnapshotMarker(SnapshotMarker marker) {
        if (kernel == null || marker.jobId() != jobId || emigration != null || snapshotsDone.contains(marker.snapshot())
                || !marker.channel().receiver().equals(name(hostedPortals.identity().id()))) {
            return this; // yod abandons a snapshot whose rank ended or moves
        }
        if (recording == null) {
            beginRecording(marker.snapshot());
        }
        if (recording != null && recording.snapshot.equals(marker.snapshot())) {
            recording.marker(marker.channel(), marker.sequence());
            sendChannelsIfComplete();
        }
        return this;
    }

    private void beginRecording(String snapshot) {
        recording = new SnapshotRecording(snapshot, jobId, launchNids.isEmpty() ? 0 : jobSize); // itself included
        getContext().scheduleOnce(snapshots.timeout(), getContext().getSelf(), new SnapshotTimeout(snapshot));
        if (cutAndDeliverHeld() && mayRun()) {
            runSlice();
        }
    }

    /**
     * Takes the cut if a snapshot waits for it and it may be taken now (between slices, no I/O
     * call waiting for yod's answer, as a move waits), then hands the kernel the messages held
     * for it. Returns whether the process can run.
     */
    private boolean cutAndDeliverHeld() {
        if (sliceRunning) {
            return false;
        }
        if (recording != null && !recording.recorded) {
            if (!awaitedIo.isEmpty()) {
                return false;
            }
            cut();
        }
        boolean runnable = false;
        List<Envelope<PortalsMessage>> held = List.copyOf(arrived);
        arrived.clear();
        for (Envelope<PortalsMessage> envelope : held) {
            runnable |= deliver(envelope);
        }
        return runnable;
    }

    /** Records the process (freeze, copy its pages, thaw: it runs on) and sends a marker on every channel to its job's other processes. */
    private void cut() {
        String snapshot = recording.snapshot;
        ProcessState state;
        List<byte[]> chunks = new ArrayList<>();
        try {
            state = kernel.freeze(partition.get() == Partition.COMPUTE ? UnifiedLibrary.OS_PUMA : UnifiedLibrary.OS_LINUX);
            try {
                FrozenMemory memory = kernel.frozenMemory();
                List<Integer> pages = memory.pages();
                int chunkPages = settings.migration().chunkPages();
                for (int from = 0; from < pages.size(); from += chunkPages) {
                    chunks.add(PageChunk.encode(memory, pages.subList(from, Math.min(pages.size(), from + chunkPages)),
                            settings.migration().compress(), false).bytes());
                }
            } finally {
                kernel.thaw();
            }
        } catch (MigrationRefused | RuntimeException e) {
            dropRecording("node " + settings.nid() + " could not record rank " + rank + ": " + describe(e));
            return;
        }
        recording.cut(transport.consumedCounts(), chunks);
        tellYod(new Checkpoint.RankState(snapshot, rank, settings.nid(), state, hostedPortals.ni(), chunks.size()));
        io.uniform.interconnect.ProcessId self = name(hostedPortals.identity().id());
        for (PortalsTransport.Cut channel : transport.cuts()) {
            sendToNode(channel.nid(), new SnapshotMarker(jobId, snapshot, new ChannelId(self, channel.receiver()), channel.sequence()));
        }
        sendSnapshotChunks();
        sendChannelsIfComplete();
    }

    private void sendSnapshotChunks() {
        SnapshotRecording part = recording;
        while (part.chunksSent < part.chunks.size() && part.chunksSent < part.chunksStored + snapshots.window()) {
            tellYod(new Checkpoint.RankPages(part.snapshot, rank, part.chunksSent, part.chunks.get(part.chunksSent)));
            part.chunksSent++;
        }
        endRecordingIfSent();
    }

    private void sendChannelsIfComplete() {
        SnapshotRecording part = recording;
        if (part == null || !part.recorded || part.channelsSent || !part.channelsComplete()) {
            return;
        }
        List<List<Envelope<PortalsMessage>>> batches = part.channelBatches(snapshots.channelBatch(), snapshots.channelBatchBytes(),
                snapshots.pieceBytes());
        batches.forEach(batch -> tellYod(new Checkpoint.RankChannels(part.snapshot, rank, batch)));
        part.channelBatchesSent = batches.size();
        part.channelsSent = true;
        endRecordingIfSent();
    }

    private void endRecordingIfSent() {
        if (recording != null && recording.sent()) {
            tellYod(new Checkpoint.RankRecorded(recording.snapshot, rank, recording.channelBatchesSent));
            snapshotsDone.add(recording.snapshot);
            recording = null;
        }
    }

    private Behavior<Command> onSnapshotStored(SnapshotStored stored) {
        if (recording != null && recording.snapshot.equals(stored.snapshot())) {
            recording.chunksStored = Math.max(recording.chunksStored, stored.chunks());
            sendSnapshotChunks();
        }
        return this;
    }

    private Behavior<Command> onAbandonSnapshot(AbandonSnapshot abandon) {
        snapshotsDone.add(abandon.snapshot());
        if (recording != null && recording.snapshot.equals(abandon.snapshot())) {
            dropRecording(null);
        }
        return this;
    }

    private Behavior<Command> onSnapshotTimeout(SnapshotTimeout timeout) {
        if (recording != null && recording.snapshot.equals(timeout.snapshot())) {
            dropRecording("node " + settings.nid() + " did not complete its part of the snapshot within "
                    + snapshots.timeout().toSeconds() + " s");
        }
        return this;
    }

    /** The recording ends unfinished (yod told why, unless {@code reason} is null); the process runs on with what was held for the cut. */
    private void dropRecording(String reason) {
        if (reason != null) {
            tellYod(new Checkpoint.RankRefused(recording.snapshot, rank, reason));
        }
        snapshotsDone.add(recording.snapshot);
        recording = null;
        if (cutAndDeliverHeld() && mayRun()) {
            runSlice();
        }
    }

    private void tellYod(Checkpoint part) {
        yod.<Yod.Command>unsafeUpcast().tell(part);
    }

    // ---- Snapshots: a rank restarted here

    private Behavior<Command> onRestore(Restore restore) {
        int nid = settings.nid();
        if (kernel != null || immigration != null || restoring != null) {
            restore.yod().tell(new JobEvent.LaunchRefused(restore.jobId(), restore.rank(), nid, busy()));
            return this;
        }
        Immigrate admitted = new Immigrate("restore/" + restore.jobId() + "/" + restore.rank(), restore.jobId(), restore.rank(),
                restore.size(), restore.peers().nids().get(restore.rank()), restore.peers(), restore.state(), restore.portalsInterface(),
                restore.chunks(), restore.yod(), restore.filesRoot());
        try {
            // Nothing is pre-copied: the kernel is admitted on an empty landing, and the pages follow into it.
            long processBytes = restore.state().areas().stream().mapToLong(Area::length).sum();
            Landing landing = kernels.land(settings, partition.get(), processBytes);
            Kernel restored = kernels.admit(settings, partition.get(), admitted, portals(admitted), landing);
            landing.admitted(restored, restore.state().areas());
            restoring = new Restoring(restore, admitted, restored);
        } catch (MigrationRefused | RuntimeException e) {
            restore.yod().tell(new JobEvent.LaunchRefused(restore.jobId(), restore.rank(), nid, e instanceof MigrationRefused
                    ? e.getMessage() : "node " + nid + " could not restore the process: " + describe(e)));
            return this;
        }
        if (restore.peers().directory() != null) {
            directory = restore.peers().directory();
        }
        getContext().scheduleOnce(snapshots.timeout(), getContext().getSelf(), new RestoreTimeout(restore.jobId()));
        return this;
    }

    private Behavior<Command> onRestorePages(RestorePages pages) {
        if (restoring == null || restoring.request.jobId() != pages.jobId() || pages.index() != restoring.chunksStored) {
            return this;
        }
        try {
            PageChunk.decode(pages.chunk(), settings.migration().chunkPages(), new KernelPages(restoring.kernel));
        } catch (RuntimeException e) {
            failRestore("a page of the process could not be stored on node " + settings.nid() + ": " + describe(e));
            return this;
        }
        restoring.chunksStored++;
        restoring.request.yod().<Yod.Command>unsafeUpcast().tell(new Checkpoint.Restored(pages.jobId(), restoring.request.rank(),
                restoring.chunksStored));
        return this;
    }

    private Behavior<Command> onRestoreChannels(RestoreChannels channels) {
        if (restoring != null && restoring.request.jobId() == channels.jobId()) {
            restoring.inbox.addAll(channels.messages());
        }
        return this;
    }

    private Behavior<Command> onRestoreStart(RestoreStart start) {
        if (restoring == null || restoring.request.jobId() != start.jobId()) {
            return this;
        }
        Restoring restored = restoring;
        Restore request = restored.request;
        if (restored.chunksStored != request.chunks()) {
            failRestore("only " + restored.chunksStored + " of " + request.chunks() + " page chunks came");
            return this;
        }
        List<PortalsMessage> inbox;
        try {
            inbox = SnapshotRecording.wholeMessages(restored.inbox);
        } catch (IllegalArgumentException e) {
            failRestore("the snapshot's channel messages for rank " + request.rank() + " are not whole: " + e.getMessage());
            return this;
        }
        try {
            restored.kernel.start();
        } catch (RuntimeException e) {
            failRestore("the process could not start on node " + settings.nid() + ": " + describe(e));
            return this;
        }
        restoring = null;
        ProcessPortals processPortals = portals(restored.admitted);
        host(restored.kernel, request.jobId(), request.rank(), request.size(), request.peers().nids(), request.peers(), request.filesRoot(),
                processPortals, request.yod());
        usePlacedPeers(jobId, request.placed(), request.peers()); // its ranks keep their launch nids, but run on the placed nodes
        List<Envelope<PortalsMessage>> ready = transport.host(jobId, name(processPortals.identity().id()), launchNids, request.placed(),
                Channels.NONE);
        for (PortalsMessage message : inbox) {
            kernel.deliver(message); // off the snapshot, not off a channel of this job: no credit to give back
            kernel.drainNetwork().forEach(transport::send);
        }
        ready.forEach(this::deliver);
        if (transport.heldForCredit()) {
            pausedForCredit = true;
        } else {
            runSlice();
        }
        return this;
    }

    private Behavior<Command> onRestoreTimeout(RestoreTimeout timeout) {
        if (restoring != null && restoring.request.jobId() == timeout.jobId()) {
            failRestore("the restore did not complete within " + snapshots.timeout().toSeconds() + " s");
        }
        return this;
    }

    private void failRestore(String reason) {
        Restore request = restoring.request;
        try {
            restoring.kernel.release();
        } catch (RuntimeException e) {
            getContext().getLog().warn("node {}: releasing a process that was not restored failed", settings.nid(), e);
        }
        restoring = null;
        request.yod().tell(new JobEvent.LaunchRefused(request.jobId(), request.rank(), settings.nid(), reason));
    }
}
