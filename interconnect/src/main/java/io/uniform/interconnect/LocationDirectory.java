package io.uniform.interconnect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where each process runs now: a map from the {@link ProcessId} guest code holds, which never
 * changes, to the process's current {@link Location}. Guest code names its peers by process
 * id; the kernel resolves the id here when it routes a message, so ids stay valid when a
 * process migrates (the migration issue relies on this indirection).
 *
 * <h2>Versions</h2>
 * Every entry has a version, from 1, that every change raises ({@link LocationUpdate}). One
 * directory is the authority for a process: it changes entries with {@link #place} and
 * {@link #end}, which raise the version and return the update to publish. Every other copy is
 * a replica that {@link #apply applies} published updates as they come, in any order, twice or
 * late: a newer version replaces the entry, an older one is {@link Outcome#STALE} and ignored,
 * so replicas converge on the authority's entries whatever the order of delivery. An ended
 * process keeps a tombstone, so a late move cannot bring it back.
 *
 * <h2>Listeners</h2>
 * {@link #subscribe} registers a {@link LocationListener}, told of every applied change after
 * the entry has changed (a listener reads the new state). Listeners subscribed during a
 * notification hear the next one; one closed during a notification is not called again. A
 * listener that throws does not stop the others; the first exception is rethrown to the
 * caller once all have been told.
 *
 * <p>Plain, single-threaded Java: an actor hosts the authority, and each node actor a replica.
 * The updates and changes it hands out are immutable records.
 */
public final class LocationDirectory {
    /** What became of an update given to {@link #apply}. */
    public enum Outcome {
        /** Newer than the entry (or the first for its process): the entry is replaced and listeners told. */
        APPLIED,
        /** The entry's own version with the same content: already known. */
        DUPLICATE,
        /** Older than the entry: ignored. */
        STALE,
        /**
         * The entry's version with other content: two authorities gave one version different
         * meanings. Ignored (the first one stays), and reported so the host can raise it.
         */
        CONFLICT
    }

    /** A listener's registration; closing it stops the notifications. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<ProcessId, LocationUpdate> entries = new HashMap<>();
    private final List<LocationListener> listeners = new ArrayList<>();
    private int running;

    /**
     * As the authority: {@code process} runs at {@code location} from now on (it started, or it
     * moved). Returns the update to publish; placing a process where it already is changes
     * nothing and returns its current entry.
     */
    public LocationUpdate place(ProcessId process, Location location) {
        Objects.requireNonNull(location, "location");
        LocationUpdate current = entries.get(Objects.requireNonNull(process, "process"));
        if (current != null && location.equals(current.location())) {
            return current;
        }
        LocationUpdate update = LocationUpdate.at(process, nextVersion(current), location);
        store(current, update);
        return update;
    }

    /**
     * As the authority: {@code process} has ended. Returns the update to publish.
     *
     * @throws IllegalStateException when the directory knows no running process by that id
     */
    public LocationUpdate end(ProcessId process) {
        LocationUpdate current = entries.get(Objects.requireNonNull(process, "process"));
        if (current == null || current.isEnd()) {
            throw new IllegalStateException("process " + process + " is not running: "
                    + (current == null ? "never placed" : "ended at version " + current.version()));
        }
        LocationUpdate update = LocationUpdate.ended(process, nextVersion(current));
        store(current, update);
        return update;
    }

    /** As a replica: takes a published update if it is newer than what this directory has. */
    public Outcome apply(LocationUpdate update) {
        LocationUpdate current = entries.get(update.process());
        if (current != null && update.version() <= current.version()) {
            if (update.version() < current.version()) {
                return Outcome.STALE;
            }
            return update.equals(current) ? Outcome.DUPLICATE : Outcome.CONFLICT;
        }
        store(current, update);
        return Outcome.APPLIED;
    }

    /** Where {@code process} runs now; empty when it is unknown here or has ended. */
    public Optional<Location> lookup(ProcessId process) {
        LocationUpdate current = entries.get(process);
        return current == null ? Optional.empty() : Optional.ofNullable(current.location());
    }

    /** The entry of {@code process}, tombstones included; empty when never heard of. */
    public Optional<LocationUpdate> entry(ProcessId process) {
        return Optional.ofNullable(entries.get(process));
    }

    /** The version of {@code process}'s entry; 0 when never heard of. */
    public long version(ProcessId process) {
        LocationUpdate current = entries.get(process);
        return current == null ? 0 : current.version();
    }

    /** How many processes are running (entries that are not tombstones). */
    public int size() {
        return running;
    }

    /**
     * Every entry, tombstones included, ordered by nid then pid: what a new replica applies to
     * catch up with this one.
     */
    public List<LocationUpdate> snapshot() {
        List<LocationUpdate> all = new ArrayList<>(entries.values());
        all.sort(Comparator.comparingInt((LocationUpdate u) -> u.process().nid()).thenComparingInt(u -> u.process().pid()));
        return List.copyOf(all);
    }

    /** Tells {@code listener} of every change from now on, until the subscription is closed. */
    public Subscription subscribe(LocationListener listener) {
        Objects.requireNonNull(listener, "listener");
        LocationListener registered = listener::changed; // a new identity: the same listener may subscribe twice
        listeners.add(registered);
        return () -> listeners.remove(registered);
    }

    private static long nextVersion(LocationUpdate current) {
        return current == null ? 1 : Math.addExact(current.version(), 1);
    }

    private void store(LocationUpdate current, LocationUpdate update) {
        entries.put(update.process(), update);
        Location from = current == null ? null : current.location();
        if (from == null && update.location() == null) {
            return; // a tombstone for a process this replica never saw running: nothing to tell
        }
        running += (update.location() == null ? 0 : 1) - (from == null ? 0 : 1);
        notify(new LocationChange(update.process(), update.version(), from, update.location()));
    }

    private void notify(LocationChange change) {
        RuntimeException failure = null;
        for (LocationListener listener : List.copyOf(listeners)) {
            if (!listeners.contains(listener)) {
                continue; // closed by an earlier listener of this round
            }
            try {
                listener.changed(change);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
