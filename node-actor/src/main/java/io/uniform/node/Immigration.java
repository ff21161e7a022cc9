package io.uniform.node;

import io.uniform.process.image.Area;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The destination's side of one move: reserved for a process, then holding its admitted kernel
 * while its pages come in; the node actor drives it (docs/ARCHITECTURE.md, "Migration").
 */
final class Immigration {
    final String move;
    final int source;
    /** Counts the steps the source took, so a timeout knows whether it is stale. */
    int progress;
    NodeActor.Immigrate request;
    Kernel kernel;
    int chunksStored;
    /** Pre-copied pages that came before the process was admitted, by address: a later round's replaces an earlier's. */
    private final Map<Integer, byte[]> staged = new HashMap<>();
    /** yod opened the process's files for it (a Linux process arriving on Puma): undone if it does not arrive. */
    boolean filesAdopted;

    Immigration(String move, int source) {
        this.move = move;
        this.source = source;
    }

    /** Keeps a pre-copied page until the process is admitted; a page of zeros only drops what an earlier round sent. */
    void stage(PageChunk.Page page) {
        if (page.zeros()) {
            staged.remove(page.address());
        } else {
            staged.put(page.address(), page.bytes());
        }
    }

    /**
     * Stores the staged pages into the admitted kernel and forgets them; pages outside
     * {@code areas} (memory the process gave up since they were sent) are dropped.
     */
    void applyStaged(List<Area> areas) {
        staged.forEach((address, bytes) -> {
            if (inAreas(areas, address)) {
                kernel.writePage(address, bytes);
            }
        });
        staged.clear();
    }

    /** Whether the page at {@code address} lies in one of {@code areas}. */
    static boolean inAreas(List<Area> areas, int address) {
        long at = Integer.toUnsignedLong(address);
        return areas.stream().anyMatch(area -> Integer.toUnsignedLong(area.start()) <= at && at < area.end());
    }
}
