package io.uniform.node;

/**
 * The destination's side of one move: reserved for a process, landing its pre-copied pages,
 * then holding its admitted kernel while its last pages and the handoff come in; the node actor drives it
 * (docs/ARCHITECTURE.md, "Migration").
 */
final class Immigration {
    final String move;
    final int source;
    final int jobId;
    /** Counts the steps the source took, so a timeout knows whether it is stale. */
    int progress;
    NodeActor.Immigrate request;
    Kernel kernel;
    int chunksStored;
    /** Where pre-copied pages go before the process is admitted; the admitted kernel owns what it took. */
    final Landing landing;
    /** yod opened the process's files for it (a Linux process arriving on Puma): undone if it does not arrive. */
    boolean filesAdopted;
    /** The source was told the process is admitted. */
    boolean admitted;
    /** The parts of the handoff that came so far; null before the first. */
    HandoffParts handoff;

    Immigration(String move, int source, int jobId, Landing landing) {
        this.move = move;
        this.source = source;
        this.jobId = jobId;
        this.landing = landing;
    }

    /**
     * Whether the handoff is what comes next: the process is admitted and every page stored. The
     * source let the process go when it sent it, so from here on its silence loses the process.
     */
    boolean awaitsHandoff() {
        return admitted && chunksStored == request.chunks();
    }
}
