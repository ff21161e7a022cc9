package io.uniform.node.yod;

import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.image.OpenFile;
import io.uniform.process.image.ProcessState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * yod's part in a job's snapshots (docs/ARCHITECTURE.md, "Snapshots"): it starts one, writes the
 * parts the ranks' nodes send into the snapshot file, and gives it up when it cannot complete;
 * and it restores a job from a snapshot file onto new nodes. Runs on yod's thread, as its helper.
 */
final class Snapshots {
    private final Yod yod;
    private final ActorContext<Yod.Command> context;
    private final Serialization serialization;
    private final Duration timeout;
    private final int window;
    private final Path directory;
    private int taken;
    private Taking taking;
    // Requests that came while a snapshot was under way: each gets the next one.
    private final java.util.ArrayDeque<ActorRef<Checkpoint.Taken>> waiting = new java.util.ArrayDeque<>();
    private String last;
    // The last periodic snapshot: the next one written replaces it (those asked for stay).
    private Path lastPeriodic;
    private Restoring restoring;

    /** A snapshot under way. */
    private static final class Taking {
        final String id;
        final Path file;
        final SnapshotFile.Writer writer;
        final ActorRef<Checkpoint.Taken> replyTo;
        final long startedAt = System.nanoTime();
        final SnapshotFile.Rank[] ranks;
        final int[] stored;
        final int[] channelBatches;
        int recorded;
        long channelMessages;

        Taking(String id, Path file, SnapshotFile.Writer writer, ActorRef<Checkpoint.Taken> replyTo, int size) {
            this.id = id;
            this.file = file;
            this.writer = writer;
            this.replyTo = replyTo;
            this.ranks = new SnapshotFile.Rank[size];
            this.stored = new int[size];
            this.channelBatches = new int[size];
        }
    }

    /** A restore under way: the snapshot read record by record, page chunks a window ahead of what the nodes stored. */
    private static final class Restoring {
        final SnapshotFile.Reader reader;
        final boolean[] begun;
        final int[] sent;
        final int[] stored;
        // The OS of the node each rank is placed on, by rank (empty: its own).
        final List<Integer> placedOs;
        boolean read;

        Restoring(SnapshotFile.Reader reader, int size, List<Integer> placedOs) {
            this.reader = reader;
            this.placedOs = placedOs;
            this.begun = new boolean[size];
            this.sent = new int[size];
            this.stored = new int[size];
        }

        int inFlight() {
            int chunks = 0;
            for (int rank = 0; rank < sent.length; rank++) {
                chunks += sent[rank] - stored[rank];
            }
            return chunks;
        }
    }

    // The Portals job id the ranks' interfaces hold: the id of the job as first launched, kept through restarts.
    private int portalsJid;

    Snapshots(Yod yod, ActorContext<Yod.Command> context) {
        this.yod = yod;
        this.portalsJid = yod.job().jobId();
        this.context = context;
        this.serialization = SerializationExtension.get(context.getSystem());
        com.typesafe.config.Config config = context.getSystem().settings().config().getConfig("uniform.snapshots");
        this.timeout = config.getDuration("timeout");
        this.window = config.getInt("window");
        String dir = yod.job().options().snapshotDir();
        this.directory = Path.of(dir != null ? dir : config.getString("dir")).toAbsolutePath(); // named to people who may be elsewhere
    }

    /** The last snapshot written completely; null if none. */
    String last() {
        return last;
    }

    void schedulePeriodic() {
        long every = yod.job().options().checkpointEveryMillis();
        if (every > 0) {
            context.scheduleOnce(Duration.ofMillis(every), context.getSelf(), Yod.snapshotDue(null));
        }
    }

    /**
     * Starts a snapshot of the job; {@code replyTo} (null: the client, periodically) hears how it
     * went. Asked for while one is under way, it is taken after it (a periodic one is skipped).
     */
    Behavior<Yod.Command> take(ActorRef<Checkpoint.Taken> replyTo) {
        int jobId = yod.job().jobId();
        ActorRef<Checkpoint.Taken> to = replyTo != null ? replyTo : yod.client().narrow();
        int ended = yod.endedRank();
        if (taking != null) {
            if (replyTo != null) {
                waiting.add(replyTo);
            }
            return yod;
        }
        String refusal = restoring != null ? "the job is being restored"
                : ended >= 0 ? "rank " + ended + " has ended" : null;
        if (refusal != null) {
            to.tell(Checkpoint.Taken.refused(jobId, null, refusal, 0));
            return yod;
        }
        String id = jobId + "." + (++taken) + "." + java.util.UUID.randomUUID();
        Path file = directory.resolve("job-" + jobId + "-" + taken + ".snapshot");
        SnapshotFile.Writer writer;
        try {
            writer = new SnapshotFile.Writer(serialization, file);
        } catch (IOException | RuntimeException e) {
            to.tell(Checkpoint.Taken.refused(jobId, file.toString(), "the snapshot directory " + directory + " cannot be written: " + e, 0));
            return yod; // a periodic one is due again a period later (due)
        }
        taking = new Taking(id, file, writer, to, yod.ranks());
        for (int rank = 0; rank < yod.ranks(); rank++) {
            yod.nodeOf(rank).tell(new NodeActor.TakeSnapshot(id, jobId));
        }
        context.scheduleOnce(timeout, context.getSelf(), Yod.snapshotDue(id));
        return yod;
    }

    /** A periodic snapshot is due (null), or snapshot {@code id}'s time is up. */
    Behavior<Yod.Command> due(String id) {
        if (id == null) {
            if (taking == null && restoring == null && yod.endedRank() < 0) {
                take(null);
            }
            if (taking == null || !periodic(taking.replyTo)) {
                schedulePeriodic(); // else once the periodic one under way is over
            }
        } else if (taking != null && taking.id.equals(id)) {
            abandon("not complete within " + timeout.toSeconds() + " s (" + taking.recorded + " of " + yod.ranks() + " ranks recorded)");
        }
        return yod;
    }

    Behavior<Yod.Command> part(Checkpoint.Part part) {
        if (taking == null || !taking.id.equals(part.snapshot()) || part.rank() < 0 || part.rank() >= yod.ranks()) {
            return yod;
        }
        int rank = part.rank();
        try {
            if (part instanceof Checkpoint.RankState state) {
                // Output before the cut came before this (from the node, in order); what comes after it is the rank's after the cut.
                long[] counts = yod.produced(rank);
                ProcessState process = state.state();
                taking.ranks[rank] = new SnapshotFile.Rank(process.os(), yod.launchNids().get(rank), counts[0], counts[1]);
                if (process.os() == UnifiedLibrary.OS_PUMA) {
                    List<OpenFile> files = new ArrayList<>(process.files());
                    files.addAll(yod.files(rank).describe()); // yod serves a Puma process's files
                    process = process.withFiles(files);
                }
                taking.writer.append(new Checkpoint.RankState(state.snapshot(), rank, state.nid(), process, state.portalsInterface(),
                        state.chunks()));
            } else if (part instanceof Checkpoint.RankPages pages) {
                taking.writer.append(pages);
                taking.stored[rank]++;
                yod.nodeOf(rank).tell(new NodeActor.SnapshotStored(taking.id, taking.stored[rank]));
            } else if (part instanceof Checkpoint.RankChannels channels) {
                taking.writer.append(channels);
                taking.channelMessages += channels.wholeMessages();
                taking.channelBatches[rank]++;
            } else if (part instanceof Checkpoint.RankRefused refused) {
                abandon(refused.reason());
            } else if (part instanceof Checkpoint.RankRecorded recorded) {
                if (recorded.channelBatches() != taking.channelBatches[rank]) {
                    abandon("only " + taking.channelBatches[rank] + " of the " + recorded.channelBatches() + " batches of rank " + rank
                            + "'s channel messages came: the others were lost on the way");
                } else if (++taking.recorded == yod.ranks()) {
                    finish();
                }
            }
        } catch (IOException | RuntimeException e) {
            abandon("writing " + taking.file + " failed: " + e);
        }
        return yod;
    }

    private void finish() throws IOException {
        Taking done = taking;
        taking = null;
        SnapshotFile.Header header = SnapshotFile.header(yod.job().program().image(), yod.job().program().argv(), yod.unreadInput(),
                List.of(done.ranks), portalsJid);
        long bytes = done.writer.finish(header);
        last = done.file.toString();
        long nanos = System.nanoTime() - done.startedAt;
        context.getLog().info("job {}: snapshot {} written ({} bytes, {} ms)", yod.job().jobId(), done.file, bytes, nanos / 1_000_000);
        Checkpoint.Taken written = new Checkpoint.Taken(yod.job().jobId(), true, last, null, bytes, nanos, done.channelMessages);
        done.replyTo.tell(written);
        if (!periodic(done.replyTo)) {
            yod.client().tell(written); // the job's keeper recovers it from its last snapshot, whoever asked for it
        }
        if (yod.job().machine() != null) {
            yod.job().machine().tell(new Machine.SnapshotWritten(yod.job().jobId()));
        }
        if (periodic(done.replyTo)) {
            if (lastPeriodic != null) {
                try {
                    Files.deleteIfExists(lastPeriodic);
                } catch (IOException e) {
                    context.getLog().warn("job {}: the replaced snapshot {} stays: {}", yod.job().jobId(), lastPeriodic, e.toString());
                }
            }
            lastPeriodic = done.file;
        }
        schedulePeriodicIfClient(done.replyTo);
        takeWaiting();
    }

    /** The next snapshot someone asked for while one was under way. */
    private void takeWaiting() {
        ActorRef<Checkpoint.Taken> next = waiting.poll();
        if (next != null) {
            take(next);
        }
    }

    /** A periodic snapshot reports to the job's client. */
    private boolean periodic(ActorRef<Checkpoint.Taken> replyTo) {
        return replyTo.equals(yod.client().narrow());
    }

    /** The snapshot under way, if any, is given up for {@code reason}: the nodes stop recording, the file is not written. */
    void abandon(String reason) {
        Taking given = taking;
        if (given == null) {
            return;
        }
        taking = null;
        for (int rank = 0; rank < yod.ranks(); rank++) {
            yod.nodeOf(rank).tell(new NodeActor.AbandonSnapshot(given.id));
        }
        try {
            given.writer.close();
        } catch (IOException e) {
            context.getLog().warn("job {}: the records of an abandoned snapshot stay in {}", yod.job().jobId(), given.file, e);
        }
        context.getLog().warn("job {}: snapshot {} abandoned: {}", yod.job().jobId(), given.file, reason);
        given.replyTo.tell(Checkpoint.Taken.refused(yod.job().jobId(), given.file.toString(), reason, System.nanoTime() - given.startedAt));
        schedulePeriodicIfClient(given.replyTo);
        takeWaiting();
    }

    /** A periodic snapshot (whose report goes to the client) is over: the next one is due a period later. */
    private void schedulePeriodicIfClient(ActorRef<Checkpoint.Taken> replyTo) {
        if (periodic(replyTo)) {
            schedulePeriodic();
        }
    }

    /** yod stops: what is under way ends. */
    void close() {
        abandon("the job ended");
        stopRestore();
    }

    // ---- Restoring a job

    /**
     * Opens {@code restoration}'s snapshot to restore the job from (every rank's state, pages and
     * channel messages go to its node, in the snapshot's order, from {@link #pump}, then each
     * starts). Returns the ranks' Portals ids (the nodes they were first launched on).
     */
    List<Integer> restore(Yod.Restoration restoration) {
        SnapshotFile.Reader reader;
        try {
            reader = SnapshotFile.open(Path.of(restoration.snapshotFile()), serialization);
        } catch (SnapshotFile.BadSnapshot e) {
            throw new IllegalArgumentException(e.getMessage(), e); // the machine checked it just before: it changed under it
        }
        List<SnapshotFile.Rank> ranks = reader.header().ranks();
        for (int rank = 0; rank < ranks.size(); rank++) {
            SnapshotFile.Rank at = ranks.get(rank);
            yod.restoreOutput(rank, at.stdoutBytes(), at.stderrBytes(), shown(restoration.shownStdout(), rank),
                    shown(restoration.shownStderr(), rank));
        }
        portalsJid = reader.header().portalsJid();
        last = restoration.snapshotFile(); // lost again before its next snapshot, the job restarts from this one
        restoring = new Restoring(reader, ranks.size(), restoration.placedOs());
        return ranks.stream().map(SnapshotFile.Rank::launchNid).toList();
    }

    private static long shown(List<Long> counts, int rank) {
        return rank < counts.size() ? counts.get(rank) : 0;
    }

    Behavior<Yod.Command> restored(Checkpoint.Restored restored) {
        if (restoring != null && restored.rank() >= 0 && restored.rank() < restoring.stored.length) {
            restoring.stored[restored.rank()] = Math.max(restoring.stored[restored.rank()], restored.chunks());
            pump();
        }
        return yod;
    }

    /** The job ends while it is restored: the restore stops. Returns the ranks whose restore had not begun (their nodes know nothing of the job). */
    List<Integer> stopRestore() {
        if (restoring == null) {
            return List.of();
        }
        restoring.reader.close();
        List<Integer> unbegun = java.util.stream.IntStream.range(0, restoring.begun.length).filter(rank -> !restoring.begun[rank]).boxed().toList();
        restoring = null;
        return unbegun;
    }

    /** Sends what the snapshot holds next, up to a window of page chunks the nodes have not stored; starts the ranks at its end. */
    void pump() {
        Yod.Job job = yod.job();
        int jobId = job.jobId();
        try {
            while (restoring != null && !restoring.read && restoring.inFlight() < window * Math.max(1, yod.ranks())) {
                Object record = restoring.reader.next();
                if (record == null) {
                    restoring.read = true;
                } else if (record instanceof Checkpoint.RankState state) {
                    restoring.begun[state.rank()] = true;
                    yod.nodeOf(state.rank()).tell(restoreOf(state));
                } else if (record instanceof Checkpoint.RankPages pages) {
                    restoring.sent[pages.rank()]++;
                    yod.nodeOf(pages.rank()).tell(new NodeActor.RestorePages(jobId, pages.index(), pages.chunk()));
                } else if (record instanceof Checkpoint.RankChannels channels) {
                    yod.nodeOf(channels.rank()).tell(new NodeActor.RestoreChannels(jobId, channels.messages()));
                }
            }
        } catch (IOException | RuntimeException | FileSystemException e) {
            failRestore("the snapshot could not be read: " + e);
            return;
        }
        if (restoring != null && restoring.read && restoring.inFlight() == 0) {
            restoring.reader.close();
            restoring = null;
            for (int rank = 0; rank < yod.ranks(); rank++) {
                yod.nodeOf(rank).tell(new NodeActor.RestoreStart(jobId));
            }
            schedulePeriodic();
        }
    }

    private NodeActor.Restore restoreOf(Checkpoint.RankState state) throws FileSystemException {
        Yod.Job job = yod.job();
        ProcessState process = state.state();
        int os = restoring.placedOs.isEmpty() ? process.os() : restoring.placedOs.get(state.rank());
        boolean puma = job.placements().get(state.rank()).nid() >= 0 && os == UnifiedLibrary.OS_PUMA;
        if (puma && !process.files().isEmpty()) {
            // A Puma process's files are yod's to serve, whichever OS recorded them (a Linux rank's move to Puma adopts them so too).
            yod.files(state.rank()).adopt(process.files());
        }
        List<Integer> placed = job.placements().stream().map(Yod.Placement::nid).toList();
        // Each peer's traffic goes to the node actor it is placed on, never to an older actor of its nid.
        NodeActor.JobPeers peers = new NodeActor.JobPeers(yod.launchNids(), job.directory(), job.machine(), portalsJid,
                job.placements().stream().map(Yod.Placement::node).toList());
        return new NodeActor.Restore(job.jobId(), state.rank(), yod.ranks(), peers, placed, process, state.portalsInterface(),
                state.chunks(), context.getSelf().narrow(), job.options().filesRoot());
    }

    private void failRestore(String reason) {
        context.getLog().error("job {}: {}", yod.job().jobId(), reason);
        yod.killOthers(reason);
    }
}
