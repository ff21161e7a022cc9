package io.uniform.node;

/**
 * The destination's side of one move: reserved for a process, landing its pre-copied pages,
 * then holding its admitted kernel while its last pages come in; the node actor drives it
 * (docs/ARCHITECTURE.md, "Migration").
 */
final class Immigration {
    final String move;
    final int source;
    /** Counts the steps the source took, so a timeout knows whether it is stale. */
    int progress;
    NodeActor.Immigrate request;
    Kernel kernel;
    int chunksStored;
    /** Where pre-copied pages go before the process is admitted; the admitted kernel owns what it took. */
    final Landing landing;
    /** yod opened the process's files for it (a Linux process arriving on Puma): undone if it does not arrive. */
    boolean filesAdopted;

    Immigration(String move, int source, Landing landing) {
        this.move = move;
        this.source = source;
        this.landing = landing;
    }
}
