package io.uniform.node;

import io.uniform.process.image.Area;
import java.util.List;

/**
 * Where a destination puts a process's pre-copied pages while its source still runs it, until
 * the process is admitted (docs/ARCHITECTURE.md, "Migration"): a later round's page replaces an
 * earlier one's, a page of zeros drops it.
 */
interface Landing extends PageChunk.Sink {
    /**
     * The process was admitted into {@code kernel} with {@code areas}: the landed pages inside
     * them are its now, those outside are dropped.
     */
    void admitted(Kernel kernel, List<Area> areas);

    /** The process will not be admitted here: everything landed, committed memory included, goes back. */
    void release();

    /** Whether the page at {@code address} lies in one of {@code areas}. */
    static boolean inAreas(List<Area> areas, int address) {
        long at = Integer.toUnsignedLong(address);
        return areas.stream().anyMatch(area -> Integer.toUnsignedLong(area.start()) <= at && at < area.end());
    }
}
