package io.uniform.node;

import io.uniform.portals.PortalsMessage;

/**
 * What one node has done since its actor started, for the metrics: the work of its kernels
 * (read between slices, as the difference since the last reading of the same kernel, so a kernel
 * replaced by the next process's adds only its own work), the Portals messages and data bytes its
 * processes sent and consumed, and the processes that moved in and out. Owned by the node actor
 * and touched on its thread only.
 */
final class NodeActivity {
    private Kernel counted;
    private Kernel.Counters seen = Kernel.Counters.NONE;
    private long instructions;
    private long traps;
    private long pageFaults;
    private long messagesIn;
    private long bytesIn;
    private long messagesOut;
    private long bytesOut;
    private long migrationsIn;
    private long migrationsOut;

    /** Adds what {@code kernel} did since it was last read (between slices). */
    void read(Kernel kernel) {
        if (kernel != counted) {
            counted = kernel;
            seen = Kernel.Counters.NONE;
        }
        Kernel.Counters now = kernel.counters();
        instructions += now.instructions() - seen.instructions();
        traps += now.traps() - seen.traps();
        pageFaults += now.pageFaults() - seen.pageFaults();
        seen = now;
    }

    void sent(PortalsMessage message) {
        messagesOut++;
        bytesOut += message.dataLength();
    }

    void consumed(PortalsMessage message) {
        messagesIn++;
        bytesIn += message.dataLength();
    }

    void migratedIn() {
        migrationsIn++;
    }

    void migratedOut() {
        migrationsOut++;
    }

    NodeActor.Activity totals() {
        return new NodeActor.Activity(instructions, traps, pageFaults, messagesIn, bytesIn, messagesOut, bytesOut, migrationsIn,
                migrationsOut);
    }
}
