package io.uniform.node.yod;

import io.uniform.node.CborSerializable;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.directory.NodeDirectory;
import io.uniform.node.Program;
import io.uniform.process.ExitStatus;
import io.uniform.process.Errno;
import io.uniform.process.Signal;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.FileTable;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.image.OpenFile;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.nio.file.Path;
import java.util.Arrays;
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
 * tells the requester, so a next job finds them free), then stops.
 *
 * <p>yod is the I/O service of a Puma job: its processes have no file system, so every write,
 * read, open, close, lseek, stat, fstat and unlink they make comes here as a {@link JobEvent.IoCall}
 * and is answered with {@link NodeActor.IoDone}. stdout and stderr go to the client; stdin is
 * rank 0's, pulled from the client as the program reads it; files live on the service
 * partition's file system, confined to its root.
 */
public final class Yod extends AbstractBehavior<Yod.Command> {
    /** The protocol of yod: the nodes' {@link JobEvent}s, and a kill from the machine. */
    public sealed interface Command permits JobEvent, KillJob, Input, OutputAck, DescribeFiles, AdoptFiles, DropFiles, NodeLost, Checkpoint,
            SnapshotDue {}

    /** A periodic snapshot is due, or snapshot {@code snapshot} has had its time (local only). */
    private record SnapshotDue(String snapshot) implements Command, NoSerializationVerificationNeeded {}

    static Command snapshotDue(String snapshot) {
        return new SnapshotDue(snapshot);
    }

    /** Kill every rank still running. */
    public record KillJob(String reason) implements Command, CborSerializable {}

    /**
     * Standard input for rank 0, sent by the client after {@link JobReport.InputWanted};
     * empty bytes end the input.
     */
    public record Input(byte[] bytes) implements Command, CborSerializable {
        public Input {
            bytes = bytes == null ? new byte[0] : bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** The client has written out {@code bytes} of the job's output (see {@link Options#outputWindow}). */
    public record OutputAck(long bytes) implements Command, CborSerializable {}

    /**
     * The files yod serves to {@code rank}, as a kernel of its own would open them again: its
     * process is moving to Linux, which serves its files itself.
     */
    public record DescribeFiles(int rank, ActorRef<FilesDescribed> replyTo) implements Command, CborSerializable {}

    public record FilesDescribed(List<OpenFile> files) implements CborSerializable {
        public FilesDescribed {
            files = List.copyOf(files);
        }
    }

    /**
     * {@code rank}'s process arrives on Puma from Linux with {@code files} open: yod opens them
     * for it, at the same descriptors and offsets, or answers why it cannot.
     */
    public record AdoptFiles(int rank, List<OpenFile> files, ActorRef<FilesAdopted> replyTo) implements Command, CborSerializable {
        public AdoptFiles {
            files = List.copyOf(files);
        }
    }

    /** The answer to {@link AdoptFiles}: null when every file is open, else why not (none is then). */
    public record FilesAdopted(String refusal) implements CborSerializable {}

    /** A move that had yod open {@code rank}'s files failed: yod closes them again. */
    public record DropFiles(int rank) implements Command, CborSerializable {}

    /** A node some rank ran on stopped (local: a watch notification, never leaves this JVM). */
    private record NodeLost(ActorRef<NodeActor.Command> node) implements Command, NoSerializationVerificationNeeded {}

    /** One rank's placement. */
    public record Placement(int nid, ActorRef<NodeActor.Command> node) {}

    /**
     * How yod runs a job: {@code filesRoot}, the host directory that is the service partition's
     * file system (null: the job has no files); whether stdin is interactive (yod asks the
     * client for more with {@link JobReport.InputWanted} once the program's stdin bytes are used
     * up) or ends with them; a PCT fault each rank's node injects from the start (null: none);
     * and {@code outputWindow}, the most output bytes yod sends the client ahead of its
     * {@link OutputAck}s: a rank whose write would pass it waits, so a slow terminal slows the
     * job instead of filling a mailbox (0: the client does not acknowledge, no limit).
     */
    public record Options(String filesRoot, boolean interactiveInput, NodeActor.InjectPctFault pctFault, long outputWindow,
                          long checkpointEveryMillis, String snapshotDir) {
        /** No files; stdin is the program's bytes; no fault; no output window. */
        public static final Options NONE = new Options(null, false, null, 0);

        public Options {
            if (outputWindow < 0 || checkpointEveryMillis < 0) {
                throw new IllegalArgumentException("the output window and the snapshot period cannot be negative");
            }
        }

        /** No periodic snapshots; snapshots (if asked for) go to {@code uniform.snapshots.dir}. */
        public Options(String filesRoot, boolean interactiveInput, NodeActor.InjectPctFault pctFault, long outputWindow) {
            this(filesRoot, interactiveInput, pctFault, outputWindow, 0, null);
        }

        /**
         * The same options with a snapshot every {@code millis} ms (0: none) written under {@code dir}
         * (null: {@code uniform.snapshots.dir}); a job with a snapshot restarts from its last one when it loses a node.
         */
        public Options withSnapshots(long millis, String dir) {
            return new Options(filesRoot, interactiveInput, pctFault, outputWindow, millis, dir);
        }
    }

    /**
     * A job restarted from {@code snapshotFile}: the output its ranks had produced past the
     * snapshot's counts and the user has seen already ({@code shownStdout}, {@code shownStderr},
     * per rank; empty: none) is not forwarded again. {@code placedOs} is the OS of the node each
     * rank is placed on, by rank (empty: each on the OS its snapshot was taken on).
     */
    public record Restoration(String snapshotFile, List<Long> shownStdout, List<Long> shownStderr, List<Integer> placedOs) {
        public Restoration {
            Objects.requireNonNull(snapshotFile, "snapshotFile");
            shownStdout = List.copyOf(shownStdout);
            shownStderr = List.copyOf(shownStderr);
            placedOs = List.copyOf(placedOs);
        }

        public Restoration(String snapshotFile, List<Long> shownStdout, List<Long> shownStderr) {
            this(snapshotFile, shownStdout, shownStderr, List.of());
        }

        /** This restoration with its ranks placed on nodes of {@code os}, by rank. */
        public Restoration placedOn(List<Integer> os) {
            return new Restoration(snapshotFile, shownStdout, shownStderr, os);
        }
    }

    /** What the job is; {@code directory} finds the nodes of the other ranks for Portals traffic (null: none). */
    public record Job(int jobId, Program program, List<Placement> placements, Options options,
                      ActorRef<NodeDirectory.Command> directory, ActorRef<Machine.Command> machine) {
        public Job {
            Objects.requireNonNull(program, "program");
            placements = List.copyOf(placements);
            options = options == null ? Options.NONE : options;
        }

        /** A job of no machine: its ranks find their peers through {@code directory}, and none can move. */
        public Job(int jobId, Program program, List<Placement> placements, Options options, ActorRef<NodeDirectory.Command> directory) {
            this(jobId, program, placements, options, directory, null);
        }

        public Job(int jobId, Program program, List<Placement> placements) {
            this(jobId, program, placements, Options.NONE, null);
        }
    }

    public static Behavior<Command> create(Job job, ActorRef<JobReport> client, ActorRef<JobReport.JobFinished> done) {
        return Behaviors.setup(context -> new Yod(context, job, client, done, null));
    }

    /** yod for a job restarted from a snapshot ({@code job.placements()} are its new nodes): it restores every rank, then runs as usual. */
    public static Behavior<Command> restore(Job job, Restoration restoration, ActorRef<JobReport> client,
                                            ActorRef<JobReport.JobFinished> done) {
        return Behaviors.setup(context -> new Yod(context, job, client, done, Objects.requireNonNull(restoration)));
    }

    /** What fstat says of stdio: a character device (S_IFCHR, rw--w----), like a terminal. */
    private static final FileStatus TERMINAL = new FileStatus(0, 0020620, 1, 0, 0, 1024, 0, 0, 0);

    private final Job job;
    private final ActorRef<JobReport> client;
    private final ActorRef<JobReport.JobFinished> done;
    private final JobReport.RankStatus[] statuses;
    // Where each rank runs now: its launch placement until it migrates; the nodes watched.
    private final Placement[] placements;
    private final java.util.Set<ActorRef<NodeActor.Command>> watched = new java.util.HashSet<>();
    // Why the job's ranks were told to end, if they were: a rank that moves meanwhile is told again.
    private String killReason;
    // Nodes lost with ranks on them, and the snapshot the job restarts from (null: it does not).
    private final java.util.SortedSet<Integer> lostNids = new java.util.TreeSet<>();
    private String restartFrom;
    private int ended;
    private final FileTable[] files;
    // Exactly-once I/O: per rank, the last request answered and its answer (resent to a retry).
    private final long[] answeredSequence;
    // Per rank, the request yod holds unanswered (a held write, a read waiting for input); -1: none.
    private final long[] pendingSequence;
    private final IoReply[] lastAnswer;
    // Rank 0's standard input: unread bytes, whether it has ended, a read waiting for more.
    private byte[] input;
    private int inputPosition;
    private boolean inputEnded;
    private boolean inputWanted;
    private JobEvent.IoCall waitingRead;
    // Output sent to the client and not yet acknowledged, and the writes waiting for room.
    private long unacknowledged;
    private final java.util.ArrayDeque<JobEvent.IoCall> heldWrites = new java.util.ArrayDeque<>();
    // Snapshots: the Portals ids of the ranks (the nodes they were first launched on), the output each
    // rank has produced and the output the user has seen, per fd (stdout, stderr), since the job first started.
    private final List<Integer> launchNids;
    private final long[][] produced;
    private final long[][] shown;
    private final Snapshots snapshots;

    private Yod(ActorContext<Command> context, Job job, ActorRef<JobReport> client, ActorRef<JobReport.JobFinished> done,
                Restoration restoration) {
        super(context);
        this.job = Objects.requireNonNull(job);
        this.client = client;
        this.done = done;
        this.statuses = new JobReport.RankStatus[job.placements().size()];
        this.placements = job.placements().toArray(Placement[]::new);
        this.answeredSequence = new long[statuses.length];
        Arrays.fill(answeredSequence, -1);
        this.pendingSequence = new long[statuses.length];
        Arrays.fill(pendingSequence, -1);
        this.lastAnswer = new IoReply[statuses.length];
        this.input = job.program().stdin();
        this.inputEnded = !job.options().interactiveInput();
        ServiceFileSystem fileSystem = fileSystem(job.options().filesRoot());
        this.files = new FileTable[statuses.length];
        Arrays.setAll(files, rank -> new FileTable(fileSystem));
        ActorRef<JobEvent> self = context.getSelf().narrow();
        this.produced = new long[statuses.length][2];
        this.shown = new long[statuses.length][2];
        this.snapshots = new Snapshots(this, context);
        this.launchNids = restoration != null ? snapshots.restore(restoration) : job.placements().stream().map(Placement::nid).toList();
        for (Placement placement : placements) {
            watch(placement.node()); // a node that stops never reports its rank
        }
        if (restoration != null) {
            snapshots.pump();
        } else {
            snapshots.schedulePeriodic();
            NodeActor.JobPeers peers = new NodeActor.JobPeers(launchNids, job.directory(), job.machine(), 0,
                    job.placements().stream().map(Placement::node).toList());
            for (int rank = 0; rank < statuses.length; rank++) {
                job.placements().get(rank).node().tell(new NodeActor.Launch(job.jobId(), rank, statuses.length, job.program(), self,
                        job.options().pctFault(), job.options().filesRoot(), peers));
            }
        }
        // After the launches: whatever the client does about the job once it hears of it comes after them.
        client.tell(new JobReport.JobStarted(job.jobId(), job.placements().stream().map(Placement::nid).toList(), context.getSelf()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(JobEvent.Output.class, this::onOutput)
                .onMessage(JobEvent.IoCall.class, this::onIoCall)
                .onMessage(Input.class, this::onInput)
                .onMessage(OutputAck.class, this::onOutputAck)
                .onMessage(JobEvent.Exited.class, this::onExited)
                .onMessage(JobEvent.Lost.class, this::onLost)
                .onMessage(JobEvent.LaunchRefused.class, this::onLaunchRefused)
                .onMessage(JobEvent.Moved.class, this::onMoved)
                .onMessage(JobEvent.MoveFailed.class, this::onMoveFailed)
                .onMessage(DescribeFiles.class, this::onDescribeFiles)
                .onMessage(AdoptFiles.class, this::onAdoptFiles)
                .onMessage(KillJob.class, this::onKillJob)
                .onMessage(NodeLost.class, this::onNodeLost)
                .onMessage(DropFiles.class, this::onDropFiles)
                .onMessage(Checkpoint.Take.class, take -> snapshots.take(take.replyTo()))
                .onMessage(Checkpoint.Part.class, snapshots::part)
                .onMessage(Checkpoint.Restored.class, snapshots::restored)
                .onMessage(SnapshotDue.class, due -> snapshots.due(due.snapshot()))
                .build();
    }

    private Behavior<Command> onOutput(JobEvent.Output output) {
        forward(output.rank(), output.fd(), output.bytes()); // a Linux node's console: counted, not held
        return this;
    }

    /**
     * Passes a rank's output to the client, but for the bytes the user has seen already: a job
     * restarted from a snapshot produces again what it produced after the snapshot, and the
     * bytes up to what was shown before are left out (per rank and fd, by position in the stream).
     */
    private void forward(int rank, int fd, byte[] bytes) {
        if (rank < 0 || rank >= produced.length || fd < 1 || fd > 2) {
            client.tell(new JobEvent.Output(job.jobId(), rank, fd, bytes));
            unacknowledged += bytes.length;
            return;
        }
        long start = produced[rank][fd - 1];
        long end = start + bytes.length;
        int seen = (int) Math.max(0, Math.min(bytes.length, shown[rank][fd - 1] - start));
        produced[rank][fd - 1] = end;
        shown[rank][fd - 1] = Math.max(shown[rank][fd - 1], end);
        if (seen < bytes.length) {
            byte[] fresh = seen == 0 ? bytes : Arrays.copyOfRange(bytes, seen, bytes.length);
            client.tell(new JobEvent.Output(job.jobId(), rank, fd, fresh));
            unacknowledged += fresh.length;
        }
    }

    /**
     * A rank's I/O call: stdio here, files through {@link FileTable}. A call repeated with the
     * sequence number last answered (a trap retried after a PCT fault) gets the same answer
     * again and is not performed twice.
     */
    private Behavior<Command> onIoCall(JobEvent.IoCall call) {
        int rank = call.rank();
        if (rank < 0 || rank >= statuses.length || statuses[rank] != null) {
            return this;
        }
        if (call.sequence() == answeredSequence[rank]) {
            node(rank).tell(new NodeActor.IoDone(job.jobId(), call.sequence(), lastAnswer[rank]));
            return this;
        }
        if (call.sequence() == pendingSequence[rank]) {
            return this; // a retry of a request yod holds: it is answered once, when its time comes
        }
        IoRequest request = call.request();
        int fd = request.fd();
        if (fd < 0 || fd >= FileTable.FIRST_FD) {
            answer(call, files[rank].perform(request));
        } else if (request instanceof IoRequest.Read read && fd == 0) {
            readInput(call, read.maxBytes());
        } else if (request instanceof IoRequest.Write write && fd != 0 && !roomFor(write.length())) {
            heldWrites.add(call); // answered when the client has caught up
            pendingSequence[rank] = call.sequence();
        } else {
            answer(call, stdio(call, fd));
        }
        return this;
    }

    /** stdin (0), stdout (1) and stderr (2), which yod holds for every rank. */
    private IoReply stdio(JobEvent.IoCall call, int fd) {
        IoRequest request = call.request();
        if (request instanceof IoRequest.Write write) {
            if (fd == 0) {
                return IoReply.error(Errno.EBADF);
            }
            forward(call.rank(), fd, write.bytes());
            return IoReply.of(write.length());
        }
        if (request instanceof IoRequest.Read) {
            return IoReply.error(Errno.EBADF); // reading stdout or stderr
        }
        if (request instanceof IoRequest.Fstat) {
            return new IoReply(0, TERMINAL.toStatx());
        }
        if (request instanceof IoRequest.Seek) {
            return IoReply.error(Errno.ESPIPE);
        }
        return IoReply.of(0); // close: yod keeps serving the stream, as a terminal would
    }

    /** Whether {@code bytes} more output fit the client's window (one write always goes when nothing is outstanding). */
    private boolean roomFor(int bytes) {
        long window = job.options().outputWindow();
        return window == 0 || unacknowledged == 0 || (heldWrites.isEmpty() && unacknowledged + bytes <= window);
    }

    private Behavior<Command> onOutputAck(OutputAck ack) {
        unacknowledged = Math.max(0, unacknowledged - ack.bytes());
        while (!heldWrites.isEmpty()) {
            JobEvent.IoCall held = heldWrites.peek();
            IoRequest.Write write = (IoRequest.Write) held.request();
            if (unacknowledged != 0 && unacknowledged + write.length() > job.options().outputWindow()) {
                break;
            }
            heldWrites.poll();
            if (statuses[held.rank()] == null) {
                answer(held, stdio(held, write.fd()));
            }
        }
        return this;
    }

    /** rank 0 reads stdin; other ranks read end-of-file, as under the real yod. */
    private void readInput(JobEvent.IoCall call, int maxBytes) {
        if (maxBytes < 0) {
            answer(call, IoReply.error(Errno.EINVAL));
            return;
        }
        int available = input.length - inputPosition;
        if (call.rank() != 0 || available > 0 || inputEnded || maxBytes == 0) {
            int n = call.rank() != 0 ? 0 : Math.min(maxBytes, available);
            answer(call, IoReply.bytes(Arrays.copyOfRange(input, inputPosition, inputPosition + n)));
            inputPosition += n;
            return;
        }
        waitingRead = call;
        pendingSequence[call.rank()] = call.sequence();
        if (!inputWanted) {
            inputWanted = true;
            client.tell(new JobReport.InputWanted(job.jobId()));
        }
    }

    private Behavior<Command> onInput(Input more) {
        inputWanted = false;
        if (more.bytes().length == 0) {
            inputEnded = true;
        } else {
            input = more.bytes();
            inputPosition = 0;
        }
        JobEvent.IoCall waiting = waitingRead;
        waitingRead = null;
        if (waiting != null && statuses[0] == null) {
            readInput(waiting, ((IoRequest.Read) waiting.request()).maxBytes());
        }
        return this;
    }

    private void answer(JobEvent.IoCall call, IoReply reply) {
        answeredSequence[call.rank()] = call.sequence();
        pendingSequence[call.rank()] = -1;
        lastAnswer[call.rank()] = reply;
        node(call.rank()).tell(new NodeActor.IoDone(job.jobId(), call.sequence(), reply));
    }

    private ActorRef<NodeActor.Command> node(int rank) {
        return placements[rank].node();
    }

    // ---- What the snapshots (Snapshots) use of yod's state

    Job job() {
        return job;
    }

    ActorRef<JobReport> client() {
        return client;
    }

    int ranks() {
        return statuses.length;
    }

    /** The first rank that has ended, or -1. */
    int endedRank() {
        for (int rank = 0; rank < statuses.length; rank++) {
            if (statuses[rank] != null) {
                return rank;
            }
        }
        return -1;
    }

    List<Integer> launchNids() {
        return launchNids;
    }

    long[] produced(int rank) {
        return produced[rank].clone();
    }

    /** The output rank {@code rank} has produced and the user has seen, once restored from a snapshot. */
    void restoreOutput(int rank, long stdout, long stderr, long shownStdout, long shownStderr) {
        produced[rank][0] = stdout;
        produced[rank][1] = stderr;
        shown[rank][0] = Math.max(stdout, shownStdout);
        shown[rank][1] = Math.max(stderr, shownStderr);
    }

    List<Long> shown(int fd) {
        return Arrays.stream(shown).map(counts -> counts[fd - 1]).toList();
    }

    /** Standard input not read yet (rank 0's). */
    byte[] unreadInput() {
        return Arrays.copyOfRange(input, inputPosition, input.length);
    }

    FileTable files(int rank) {
        return files[rank];
    }

    ActorRef<NodeActor.Command> nodeOf(int rank) {
        return node(rank);
    }

    private Behavior<Command> onMoveFailed(JobEvent.MoveFailed failed) {
        client.tell(failed);
        return this;
    }

    private Behavior<Command> onDescribeFiles(DescribeFiles describe) {
        int rank = describe.rank();
        describe.replyTo().tell(new FilesDescribed(rank >= 0 && rank < files.length ? files[rank].describe() : List.of()));
        return this;
    }

    private Behavior<Command> onAdoptFiles(AdoptFiles adopt) {
        int rank = adopt.rank();
        String refusal = null;
        if (rank < 0 || rank >= files.length) {
            refusal = "job " + job.jobId() + " has no rank " + rank;
        } else {
            try {
                files[rank].adopt(adopt.files());
            } catch (FileSystemException e) {
                refusal = "yod cannot open its files again: " + e.getMessage();
            }
        }
        adopt.replyTo().tell(new FilesAdopted(refusal));
        return this;
    }

    /** A rank migrated: its I/O answers and kills go to its new node, whose loss ends it from now on. */
    private Behavior<Command> onMoved(JobEvent.Moved moved) {
        int rank = moved.rank();
        if (rank < 0 || rank >= statuses.length || statuses[rank] != null) {
            return this;
        }
        placements[rank] = new Placement(moved.nid(), moved.node());
        watch(moved.node());
        snapshots.abandon("rank " + rank + " moved to node " + moved.nid());
        if (killReason != null) {
            moved.node().tell(new NodeActor.Kill(job.jobId(), killReason)); // the kill may have gone to the node it left
        }
        if (moved.filesTaken()) {
            files[rank].closeAll(); // its kernel serves them now
        }
        client.tell(moved);
        return this;
    }

    private ServiceFileSystem fileSystem(String root) {
        if (root == null) {
            return null;
        }
        try {
            return new ServiceFileSystem(Path.of(root));
        } catch (IllegalArgumentException e) {
            getContext().getLog().warn("job {}: no file system: {}", job.jobId(), e.getMessage());
            return null;
        }
    }

    private Behavior<Command> onExited(JobEvent.Exited exited) {
        snapshots.abandon("rank " + exited.rank() + " ended");
        return record(exited.rank(), new JobReport.RankStatus(exited.rank(), exited.nid(), exited.status(), exited.report(), exited.pctReloads()));
    }

    private Behavior<Command> onLaunchRefused(JobEvent.LaunchRefused refused) {
        // The other ranks cannot finish a job one rank of which never started.
        killOthers("rank " + refused.rank() + " could not start: " + refused.reason());
        return record(refused.rank(), new JobReport.RankStatus(refused.rank(), refused.nid(), null, refused.reason()));
    }

    /** Watches {@code node} once, whichever ranks run on it over time. */
    private void watch(ActorRef<NodeActor.Command> node) {
        if (watched.add(node)) {
            getContext().watchWith(node, new NodeLost(node));
        }
    }

    /** A node stopped: the ranks still running on it are lost. */
    private Behavior<Command> onNodeLost(NodeLost lost) {
        Behavior<Command> next = this;
        for (int rank = 0; rank < statuses.length; rank++) {
            if (statuses[rank] == null && placements[rank].node().equals(lost.node())) {
                lostNids.add(placements[rank].nid());
                next = lose(rank, placements[rank].nid(), "node " + placements[rank].nid() + " was lost" + memberOf(lost.node()));
            }
        }
        return next;
    }

    private Behavior<Command> onLost(JobEvent.Lost lost) {
        if (lost.rank() < 0 || lost.rank() >= statuses.length || statuses[lost.rank()] != null) {
            return this;
        }
        return lose(lost.rank(), lost.nid(), lost.report());
    }

    /**
     * Rank {@code rank} is lost (last on node {@code nid}): the job restarts from its last snapshot
     * if it has one, else it ends. Only a node that stopped counts as lost for the restart's
     * placement: a rank lost in a move leaves both its nodes running.
     */
    private Behavior<Command> lose(int rank, int nid, String report) {
        snapshots.abandon(report);
        boolean restart = snapshots.last() != null && job.machine() != null;
        if (restart && restartFrom == null) {
            restartFrom = snapshots.last();
            getContext().getLog().warn("job {}: {}; restarting from {}", job.jobId(), report, restartFrom);
        }
        killOthers(restart ? "the job restarts from its snapshot: " + report : "rank " + rank + " ended: " + report);
        return record(rank, new JobReport.RankStatus(rank, nid, ExitStatus.killed(Signal.SIGKILL), report));
    }

    /** " with its member HOST:PORT" for a node of another member; "" for one of this JVM. */
    private static String memberOf(ActorRef<?> node) {
        org.apache.pekko.actor.Address address = node.path().address();
        return address.hasGlobalScope() ? " with its member " + address.host().getOrElse(() -> "?") + ":" + address.port().getOrElse(() -> 0) : "";
    }

    private Behavior<Command> onDropFiles(DropFiles drop) {
        if (drop.rank() >= 0 && drop.rank() < files.length) {
            files[drop.rank()].closeAll();
        }
        return this;
    }

    private Behavior<Command> onKillJob(KillJob kill) {
        killOthers(kill.reason());
        return this;
    }

    /** Ends every rank still running or being restored; a rank whose restore had not begun yet ends as not started. */
    void killOthers(String reason) {
        killReason = reason;
        for (int rank = 0; rank < statuses.length; rank++) {
            if (statuses[rank] == null) {
                node(rank).tell(new NodeActor.Kill(job.jobId(), reason));
            }
        }
        for (int rank : snapshots.stopRestore()) {
            getContext().getSelf().tell(new JobEvent.LaunchRefused(job.jobId(), rank, placements[rank].nid(),
                    "the job ended before the rank was restored: " + reason));
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
        Arrays.stream(files).forEach(FileTable::closeAll);
        snapshots.close();
        if (restartFrom != null) {
            // The machine frees this job's nodes and runs it again from its snapshot, for the same client; this yod is done.
            client.tell(new JobReport.Restarting(job.jobId(), restartFrom)); // before this yod stops: its client waits for the next
            job.machine().tell(new Machine.RestartJob(job.jobId(), restartFrom, shown(1), shown(2), job.options(), List.copyOf(lostNids)));
            return Behaviors.stopped();
        }
        // Not on a restart above: the machine tells these nodes then, with its own word of the old job's end.
        watched.forEach(node -> node.tell(new NodeActor.JobEnded(job.jobId())));
        JobReport.JobFinished finished = new JobReport.JobFinished(job.jobId(), List.of(statuses), null);
        done.tell(finished); // the allocator frees the nodes, then passes it on to the client
        return Behaviors.stopped();
    }
}
