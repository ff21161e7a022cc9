package io.uniform.node;

import io.uniform.interconnect.ResendBackoff;
import io.uniform.node.yod.JobEvent;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.PageReader;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The source's side of one move of its process, step by step; the node actor drives it
 * (docs/ARCHITECTURE.md, "Migration").
 */
final class Emigration {
    /** Where the move is. */
    enum Step {
        /** Asked for: waits for the slice to end and for yod's answers to the process's I/O calls. */
        WAITING,
        /** The destination is asked to keep itself free. */
        RESERVING,
        /** Pre-copy: the process runs on while rounds of its pages go to the destination, which stages them. */
        PRECOPYING,
        /** Pre-copy is done: waits for the slice to end and for yod's answers, then freezes. */
        FREEZING,
        /** Stopped: yod describes the files it serves the process (which goes to Linux, and takes them along). */
        DESCRIBING_FILES,
        /** Frozen; the destination is admitting the process. */
        ADMITTING,
        /** Frozen; its pages are on their way. */
        STREAMING,
        /** Its channels went to the destination, which is starting it; the source only forwards now. */
        HANDED_OFF
    }

    final String move;
    final NodeActor.Migrate request;
    final int rank;
    /** The job's yod, told when the move fails (the destination tells it when the process arrives). */
    final ActorRef<JobEvent> yod;
    final long requestedAt;
    Step step = Step.WAITING;
    /** Counts the steps the other side took, so a timeout knows whether it is stale. */
    int progress;
    long frozenAt;
    /** The frozen round's stream: its first chunk sent, and its last one stored (0 until then). */
    long streamStartedAt;
    long streamEndedAt;
    /** The OS of the destination, known once it has reserved itself. */
    int destinationOs;
    /** Pre-copy: the pages the process writes, tracked while it runs; null when it moves frozen only. */
    DirtyPages dirty;
    /** Pre-copy: rounds sent, and the pages of the last round listed but not sent (the freeze sends them). */
    int rounds;
    List<Integer> unsent = List.of();
    /** Pre-copy: when the stream's turn after the last slice ends, and whether the process waits for that to run again. */
    long turnEndsAt;
    boolean resumeAfterTurn;
    /** Where the round's pages are read: the running process's memory while pre-copying, then the frozen one's. */
    PageReader source;
    /** Whether a page of zeros must travel (it may replace what an earlier round sent). */
    boolean replacing;
    /** The pages of the round under way, and the index of its first chunk among all the move's chunks. */
    List<Integer> pages = List.of();
    int roundFirstChunk;
    /** Chunks of the move planned so far (every round's). */
    int chunks;
    int chunksSent;
    int chunksStored;
    int pagesSent;
    long bytesSent;
    /**
     * What the destination has not answered yet, sent again when a resend interval passes
     * without progress (Artery drops messages under load): the request that waits for its
     * answer (Reserve, Immigrate), the chunks sent but not stored, the handoff's parts.
     */
    NodeActor.MoveStep unanswered;
    final SortedMap<Integer, NodeActor.Pages> unstoredChunks = new TreeMap<>();
    List<NodeActor.HandoffPart> handoff = List.of();
    /** Resends back off while the destination stays silent, as a channel's do. */
    private final ResendBackoff backoff = new ResendBackoff();

    Emigration(String move, NodeActor.Migrate request, int rank, ActorRef<JobEvent> yod, long requestedAt) {
        this.move = move;
        this.request = request;
        this.rank = rank;
        this.yod = yod;
        this.requestedAt = requestedAt;
    }

    int destination() {
        return request.destination();
    }

    /** Whether the process is frozen here: between the freeze and the handoff. */
    boolean frozen() {
        return step == Step.ADMITTING || step == Step.STREAMING;
    }

    /** Whether the process runs on meanwhile. */
    boolean processRuns() {
        return step == Step.PRECOPYING;
    }

    /** Begins a round of {@code roundPages}, read from {@code from}, in chunks of {@code chunkPages}. */
    void beginRound(List<Integer> roundPages, PageReader from, int chunkPages) {
        pages = roundPages;
        source = from;
        replacing = rounds > 0;
        roundFirstChunk = chunks;
        chunks += (roundPages.size() + chunkPages - 1) / chunkPages;
        rounds++;
    }

    /** The page addresses of chunk {@code index} (of the round under way). */
    List<Integer> chunk(int index, int chunkPages) {
        int first = (index - roundFirstChunk) * chunkPages;
        return pages.subList(first, Math.min(pages.size(), first + chunkPages));
    }

    /** The first {@code stored} chunks are stored: they need not be sent again. */
    void stored(int stored) {
        chunksStored = Math.max(chunksStored, stored);
        unstoredChunks.headMap(chunksStored).clear();
    }

    /**
     * A resend interval has passed: what the destination has not answered, if it made no
     * progress since the last interval (the destination ignores what it has, answering again);
     * while it stays silent, at growing intervals ({@link ResendBackoff}).
     */
    List<NodeActor.MoveStep> overdue() {
        if (!backoff.dueAt(progress)) {
            return List.of();
        }
        List<NodeActor.MoveStep> overdue = new ArrayList<>();
        switch (step) {
            case RESERVING, ADMITTING -> overdue.add(unanswered);
            case PRECOPYING, STREAMING -> overdue.addAll(unstoredChunks.values());
            case HANDED_OFF -> overdue.addAll(handoff);
            default -> { } // nothing is on its way: the source waits for the process or for yod
        }
        return overdue;
    }

    /** Stops tracking the pages the process writes, if it was. */
    void stopTracking() {
        if (dirty != null) {
            dirty.stop();
            dirty = null;
        }
    }
}
