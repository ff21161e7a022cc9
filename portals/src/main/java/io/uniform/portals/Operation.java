package io.uniform.portals;

import java.util.ArrayList;
import java.util.List;

/**
 * One operation on one memory descriptor, between checking and committing: what the descriptor
 * becomes (threshold consumed, unlinked or not) and the events it logs. {@link #prepare}
 * decides and checks everything that will be written (the event queue, the unlink); the caller
 * then writes the data, and {@link #commit} writes the descriptor and its events.
 */
final class Operation {
    private final OpenInterface nif;
    private final int md;
    private final MemoryDescriptor after;
    private final boolean unlink;
    private final EventSink sink;

    private Operation(OpenInterface nif, int md, MemoryDescriptor after, boolean unlink, EventSink sink) {
        this.nif = nif;
        this.md = md;
        this.after = after;
        this.unlink = unlink;
        this.sink = sink;
    }

    /**
     * Prepares one operation on the live descriptor {@code md}, which looked like
     * {@code before} and whose local offset becomes {@code localOffsetAfter};
     * {@code startAndEnd} says whether the operation has START and END events (an ACK has
     * neither: it is one event).
     */
    static Operation prepare(OpenInterface nif, int md, int unlinkOp, MemoryDescriptor before, long localOffsetAfter,
                             boolean startAndEnd, int maxEvents) {
        MemoryDescriptor after = before.withThreshold(OpenInterface.consume(before.threshold()));
        boolean unlink = unlinkOp == Ptl.PTL_UNLINK && !OpenInterface.isActive(after, localOffsetAfter);
        if (unlink) {
            nif.checkMdUnlinkable(md);
        }
        int events = (unlink ? 1 : 0) + (startAndEnd ? eventsOf(before) : 1);
        return new Operation(nif, md, after, unlink, nif.events(before.eqHandle(), events, maxEvents));
    }

    private static int eventsOf(MemoryDescriptor descriptor) {
        return (descriptor.has(Ptl.PTL_MD_EVENT_START_DISABLE) ? 0 : 1)
                + (descriptor.has(Ptl.PTL_MD_EVENT_END_DISABLE) ? 0 : 1);
    }

    /** The descriptor as it is after the operation (what its events carry). */
    MemoryDescriptor after() {
        return after;
    }

    /**
     * Writes the descriptor's new threshold, logs {@code start} and {@code end} (or, when
     * {@code start} is -1, the single event {@code end}) unless the descriptor's options disable
     * them, unlinks the descriptor if the operation exhausted it, logs UNLINK, and adds the
     * event queue to {@code woken} if it got anything.
     */
    void commit(Event template, int start, int end, List<Integer> woken) {
        if (after.threshold() != Ptl.PTL_MD_THRESH_INF) {
            nif.storeThreshold(md, after.threshold());
        }
        if (sink != null) {
            int link = -1;
            if (start != -1 && !after.has(Ptl.PTL_MD_EVENT_START_DISABLE)) {
                link = sink.post(template.withType(start), -1);
            }
            if (start == -1 || !after.has(Ptl.PTL_MD_EVENT_END_DISABLE)) {
                int sequence = sink.post(template.withType(end), link);
                link = link == -1 ? sequence : link;
            }
            if (unlink) {
                sink.post(template.withType(Ptl.PTL_EVENT_UNLINK), link);
            }
            if (sink.close() && !woken.contains(sink.handle())) {
                woken.add(sink.handle());
            }
        }
        if (unlink) {
            nif.unlinkMd(md);
        }
    }

    static List<Integer> woken() {
        return new ArrayList<>(1);
    }
}
