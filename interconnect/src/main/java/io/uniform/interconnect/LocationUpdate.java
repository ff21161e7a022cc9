package io.uniform.interconnect;

import java.util.Objects;

/**
 * One versioned fact of the {@link LocationDirectory}: as of {@code version}, {@code process}
 * runs at {@code location}, or, when {@code location} is null, it has ended. Versions count
 * per process from 1 and rise with every change, so an update is newer than another exactly
 * when its version is higher: replicas apply updates in any order, duplicated or late, and keep
 * the newest. An ended process's entry stays (a tombstone) so that a late update from before
 * its end cannot bring it back; a process id used again later starts above the tombstone's
 * version.
 *
 * @param process the process's logical id
 * @param version the entry's version, from 1
 * @param location where it runs as of this version; null when it has ended
 */
public record LocationUpdate(ProcessId process, long version, Location location) {
    public LocationUpdate {
        Objects.requireNonNull(process, "process");
        if (version < 1) {
            throw new IllegalArgumentException("directory versions start at 1: " + version);
        }
    }

    /** {@code process} runs at {@code location} as of {@code version}. */
    public static LocationUpdate at(ProcessId process, long version, Location location) {
        return new LocationUpdate(process, version, Objects.requireNonNull(location, "location"));
    }

    /** {@code process} has ended as of {@code version}. */
    public static LocationUpdate ended(ProcessId process, long version) {
        return new LocationUpdate(process, version, null);
    }

    /** True when this update says the process ended. */
    public boolean isEnd() {
        return location == null;
    }

    @Override
    public String toString() {
        return process + " v" + version + (location == null ? " ended" : " at " + location);
    }
}
