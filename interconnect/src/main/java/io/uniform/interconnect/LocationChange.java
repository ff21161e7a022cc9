package io.uniform.interconnect;

import java.util.Objects;

/**
 * What a {@link LocationListener} hears when a directory's entry for a process changes.
 *
 * @param process the process
 * @param version the entry's new version
 * @param from where the directory had it before; null when it knew no running process by that
 *     id (never heard of it, or it had ended)
 * @param to where it runs now; null when it has ended
 */
public record LocationChange(ProcessId process, long version, Location from, Location to) {
    public LocationChange {
        Objects.requireNonNull(process, "process");
        if (from == null && to == null) {
            throw new IllegalArgumentException("a change of " + process + " from nowhere to nowhere");
        }
    }

    /** True when the process was running before and still is: it moved. */
    public boolean isMove() {
        return from != null && to != null;
    }

    /** True when the process was not running before. */
    public boolean isStart() {
        return from == null;
    }

    /** True when the process has ended. */
    public boolean isEnd() {
        return to == null;
    }
}
