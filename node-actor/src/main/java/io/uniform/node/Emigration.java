package io.uniform.node;

import io.uniform.node.yod.JobEvent;
import io.uniform.process.image.FrozenMemory;
import java.util.List;
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
    FrozenMemory memory;
    List<Integer> pages = List.of();
    int chunks;
    int chunksSent;
    int chunksStored;
    int pagesSent;
    long bytesSent;

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

    /** The page addresses of chunk {@code index}. */
    List<Integer> chunk(int index, int chunkPages) {
        return pages.subList(index * chunkPages, Math.min(pages.size(), (index + 1) * chunkPages));
    }
}
