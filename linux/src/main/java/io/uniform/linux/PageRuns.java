package io.uniform.linux;

import io.uniform.cpu.memory.PhysicalMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Pages visited in increasing address order, gathered into runs of consecutive pages with the
 * same flags: the ELF's pages as mappings to make, a task's mapped pages as the areas a
 * migration carries.
 */
final class PageRuns {
    /** Consecutive pages from {@code start}, {@code length} bytes, all with {@code flags}. */
    record Run(int start, int length, int flags) {}

    private final List<Run> runs = new ArrayList<>();
    private int start;
    private int length;
    private int flags;

    /** The next page, above every page added before. */
    void add(int page, int pageFlags) {
        if (length > 0 && page == start + length && pageFlags == flags) {
            length += PhysicalMemory.PAGE_SIZE;
            return;
        }
        close();
        start = page;
        length = PhysicalMemory.PAGE_SIZE;
        flags = pageFlags;
    }

    /** The runs of every page added. */
    List<Run> runs() {
        close();
        return List.copyOf(runs);
    }

    private void close() {
        if (length > 0) {
            runs.add(new Run(start, length, flags));
            length = 0;
        }
    }
}
