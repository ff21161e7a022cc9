package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;
import java.util.HashMap;
import java.util.Map;

/**
 * The receive path Portals exists to avoid, kept only for the benchmark that prices it
 * ({@code uniform bench-portals --only deposit}); the kernels never take it. An incoming put's
 * data first lands in a buffer of the kernel, as in a kernel that takes a message off the network
 * before it knows where it goes, and is copied from there into the user's buffer when the engine
 * matches it. Everything else is {@link PortalsEngine#deliver} itself: the same checks, matching
 * and events on the same engine, so the difference is the one extra copy and its buffer.
 */
public final class KernelBufferDelivery {
    private final PortalsEngine engine;
    // The kernel's receive buffers, one per message size (as a kernel's slab caches), reused.
    private final Map<Integer, byte[]> buffers = new HashMap<>();

    public KernelBufferDelivery(PortalsEngine engine) {
        this.engine = engine;
    }

    /** Delivers {@code arrived} to the process whose interface block is {@code ni}, through the kernel's buffer. */
    public Outcome deliver(AddressSpace space, int ni, PutRequest arrived) {
        Payload data = arrived.payload();
        byte[] buffer = buffers.computeIfAbsent(data.length(), byte[]::new);
        data.copyTo(buffer); // the extra copy: off the network into kernel memory
        PutRequest staged = new PutRequest(arrived.initiator(), arrived.uid(), arrived.jid(), arrived.target(),
                arrived.ptIndex(), arrived.acIndex(), arrived.matchBits(), arrived.remoteOffset(), arrived.hdrData(),
                arrived.ackRequested(), arrived.initiatorMd(), Payload.over(buffer));
        // A put answers with an acknowledgment at most, which carries no data: the buffer is free again after this.
        return engine.deliver(space, ni, staged);
    }
}
