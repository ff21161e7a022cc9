package io.uniform.interconnect;

import static io.uniform.interconnect.LocationDirectory.Outcome.APPLIED;
import static io.uniform.interconnect.LocationDirectory.Outcome.CONFLICT;
import static io.uniform.interconnect.LocationDirectory.Outcome.DUPLICATE;
import static io.uniform.interconnect.LocationDirectory.Outcome.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocationDirectoryTest {
    private static final ProcessId P = new ProcessId(3, 1);
    private static final ProcessId Q = new ProcessId(3, 2);
    private static final Location L3 = new Location(3, 0);
    private static final Location L7 = new Location(7, 1);
    private static final Location L9 = new Location(9, 2);

    @Test
    void anUnknownProcessHasNoLocation() {
        LocationDirectory directory = new LocationDirectory();
        assertEquals(Optional.empty(), directory.lookup(P));
        assertEquals(Optional.empty(), directory.entry(P));
        assertEquals(0, directory.version(P));
        assertEquals(0, directory.size());
        assertEquals(List.of(), directory.snapshot());
    }

    @Test
    void placingAndMovingRaiseTheVersion() {
        LocationDirectory directory = new LocationDirectory();
        List<LocationChange> heard = new ArrayList<>();
        directory.subscribe(heard::add);
        assertEquals(LocationUpdate.at(P, 1, L3), directory.place(P, L3));
        assertEquals(LocationUpdate.at(P, 2, L7), directory.place(P, L7));
        assertEquals(Optional.of(L7), directory.lookup(P));
        assertEquals(2, directory.version(P));
        assertEquals(1, directory.size());
        assertEquals(List.of(new LocationChange(P, 1, null, L3), new LocationChange(P, 2, L3, L7)), heard);
        assertTrue(heard.get(0).isStart());
        assertTrue(heard.get(1).isMove());
        assertFalse(heard.get(1).isEnd());
    }

    @Test
    void placingAProcessWhereItIsChangesNothing() {
        LocationDirectory directory = new LocationDirectory();
        directory.place(P, L3);
        List<LocationChange> heard = new ArrayList<>();
        directory.subscribe(heard::add);
        assertEquals(LocationUpdate.at(P, 1, L3), directory.place(P, L3));
        assertEquals(List.of(), heard);
        // The same node, another incarnation: a move.
        assertEquals(LocationUpdate.at(P, 2, new Location(3, 5)), directory.place(P, new Location(3, 5)));
    }

    @Test
    void anEndedProcessLeavesATombstoneAndItsIdMayComeBack() {
        LocationDirectory directory = new LocationDirectory();
        List<LocationChange> heard = new ArrayList<>();
        directory.subscribe(heard::add);
        directory.place(P, L3);
        directory.place(Q, L7);
        assertEquals(LocationUpdate.ended(P, 2), directory.end(P));
        assertEquals(Optional.empty(), directory.lookup(P));
        assertEquals(Optional.of(LocationUpdate.ended(P, 2)), directory.entry(P));
        assertEquals(1, directory.size());
        assertTrue(heard.get(2).isEnd());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> directory.end(P));
        assertTrue(twice.getMessage().contains("ended at version 2"), twice.getMessage());
        IllegalStateException never = assertThrows(IllegalStateException.class, () -> directory.end(new ProcessId(0, 0)));
        assertTrue(never.getMessage().contains("never placed"), never.getMessage());
        // A new job's process takes the id again: its versions go on above the tombstone.
        assertEquals(LocationUpdate.at(P, 3, L9), directory.place(P, L9));
        assertEquals(new LocationChange(P, 3, null, L9), heard.get(heard.size() - 1));
        assertEquals(2, directory.size());
    }

    @Test
    void aReplicaIgnoresStaleDuplicateAndConflictingUpdates() {
        LocationDirectory replica = new LocationDirectory();
        List<LocationChange> heard = new ArrayList<>();
        replica.subscribe(heard::add);
        assertEquals(APPLIED, replica.apply(LocationUpdate.at(P, 3, L9)), "a gap: versions 1 and 2 never came");
        assertEquals(STALE, replica.apply(LocationUpdate.at(P, 2, L7)));
        assertEquals(STALE, replica.apply(LocationUpdate.at(P, 1, L3)));
        assertEquals(DUPLICATE, replica.apply(LocationUpdate.at(P, 3, L9)));
        assertEquals(CONFLICT, replica.apply(LocationUpdate.at(P, 3, L7)));
        assertEquals(Optional.of(L9), replica.lookup(P), "the first of two conflicting updates stays");
        assertEquals(List.of(new LocationChange(P, 3, null, L9)), heard, "only the applied update is heard");
    }

    @Test
    void aLateMoveCannotRaiseTheDead() {
        LocationDirectory replica = new LocationDirectory();
        List<LocationChange> heard = new ArrayList<>();
        replica.subscribe(heard::add);
        assertEquals(APPLIED, replica.apply(LocationUpdate.ended(P, 4)));
        assertEquals(List.of(), heard, "a replica that never saw it run has nothing to tell");
        assertEquals(0, replica.size());
        assertEquals(STALE, replica.apply(LocationUpdate.at(P, 3, L7)));
        assertEquals(Optional.empty(), replica.lookup(P));
        assertEquals(APPLIED, replica.apply(LocationUpdate.at(P, 5, L3)));
        assertEquals(1, replica.size());
    }

    @Test
    void replicasConvergeWhateverTheOrderOfDelivery() {
        Random random = new Random(11);
        LocationDirectory authority = new LocationDirectory();
        List<LocationUpdate> published = new ArrayList<>();
        List<ProcessId> processes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            processes.add(new ProcessId(i % 5, i));
        }
        long incarnation = 0;
        for (int step = 0; step < 2_000; step++) {
            ProcessId process = processes.get(random.nextInt(processes.size()));
            if (authority.lookup(process).isPresent() && random.nextInt(10) == 0) {
                published.add(authority.end(process));
            } else {
                published.add(authority.place(process, new Location(random.nextInt(16), incarnation++)));
            }
        }
        for (int trial = 0; trial < 20; trial++) {
            List<LocationUpdate> delivery = new ArrayList<>(published);
            delivery.addAll(published.subList(0, published.size() / 3)); // some twice
            Collections.shuffle(delivery, random);
            LocationDirectory replica = new LocationDirectory();
            for (LocationUpdate update : delivery) {
                assertTrue(replica.apply(update) != CONFLICT);
            }
            assertEquals(authority.snapshot(), replica.snapshot(), "trial " + trial);
            assertEquals(authority.size(), replica.size());
        }
    }

    @Test
    void aSnapshotCatchesANewReplicaUp() {
        LocationDirectory authority = new LocationDirectory();
        authority.place(Q, L7);
        authority.place(P, L3);
        authority.place(new ProcessId(1, 9), L9);
        authority.end(Q);
        List<LocationUpdate> snapshot = authority.snapshot();
        assertEquals(List.of(new ProcessId(1, 9), P, Q), snapshot.stream().map(LocationUpdate::process).toList());
        assertThrows(UnsupportedOperationException.class, () -> snapshot.remove(0));
        LocationDirectory replica = new LocationDirectory();
        snapshot.forEach(replica::apply);
        assertEquals(snapshot, replica.snapshot());
        assertEquals(2, replica.size());
    }

    @Test
    void listenersSeeTheNewStateAndCanLeave() {
        LocationDirectory directory = new LocationDirectory();
        List<Optional<Location>> seen = new ArrayList<>();
        LocationDirectory.Subscription subscription = directory.subscribe(change -> seen.add(directory.lookup(P)));
        directory.place(P, L3);
        subscription.close();
        directory.place(P, L7);
        assertEquals(List.of(Optional.of(L3)), seen);
        subscription.close(); // closing twice is harmless
    }

    @Test
    void theSameListenerMaySubscribeTwiceAndLeaveOnce() {
        LocationDirectory directory = new LocationDirectory();
        List<LocationChange> heard = new ArrayList<>();
        LocationListener listener = heard::add;
        LocationDirectory.Subscription first = directory.subscribe(listener);
        directory.subscribe(listener);
        directory.place(P, L3);
        assertEquals(2, heard.size());
        first.close();
        directory.place(P, L7);
        assertEquals(3, heard.size());
    }

    @Test
    void aThrowingListenerDoesNotSilenceTheOthers() {
        LocationDirectory directory = new LocationDirectory();
        List<String> calls = new ArrayList<>();
        directory.subscribe(change -> {
            calls.add("first");
            throw new IllegalStateException("first fails");
        });
        directory.subscribe(change -> calls.add("second"));
        directory.subscribe(change -> {
            calls.add("third");
            throw new IllegalArgumentException("third fails");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> directory.place(P, L3));
        assertEquals("first fails", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertEquals(List.of("first", "second", "third"), calls);
        assertEquals(Optional.of(L3), directory.lookup(P), "the change stands");
    }

    @Test
    void listenersJoiningOrLeavingDuringANotificationAreHandled() {
        LocationDirectory directory = new LocationDirectory();
        List<String> calls = new ArrayList<>();
        LocationDirectory.Subscription[] later = new LocationDirectory.Subscription[1];
        directory.subscribe(change -> {
            calls.add("a" + change.version());
            if (change.version() == 1) {
                later[0].close();
                directory.subscribe(c -> calls.add("late" + c.version()));
            }
        });
        later[0] = directory.subscribe(change -> calls.add("b" + change.version()));
        directory.place(P, L3);
        directory.place(P, L7);
        assertEquals(List.of("a1", "a2", "late2"), calls);
    }

    @Test
    void aListenerMayUpdateTheDirectory() {
        LocationDirectory directory = new LocationDirectory();
        List<LocationChange> heard = new ArrayList<>();
        directory.subscribe(change -> {
            if (change.process().equals(P) && change.isStart()) {
                directory.place(Q, L9); // a start that triggers another
            }
        });
        directory.subscribe(heard::add);
        directory.place(P, L3);
        assertEquals(Optional.of(L9), directory.lookup(Q));
        assertEquals(2, heard.size());
    }

    @Test
    void updatesAndChangesRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> LocationUpdate.at(P, 0, L3));
        assertThrows(NullPointerException.class, () -> LocationUpdate.at(P, 1, null));
        assertThrows(NullPointerException.class, () -> new LocationUpdate(null, 1, L3));
        assertThrows(IllegalArgumentException.class, () -> new LocationChange(P, 1, null, null));
        assertTrue(LocationUpdate.ended(P, 1).isEnd());
        assertEquals("3:1 v2 at nid 7#1", LocationUpdate.at(P, 2, L7).toString());
        assertEquals("3:1 v3 ended", LocationUpdate.ended(P, 3).toString());
        LocationDirectory directory = new LocationDirectory();
        assertThrows(NullPointerException.class, () -> directory.place(P, null));
        assertThrows(NullPointerException.class, () -> directory.subscribe(null));
        LocationUpdate update = directory.place(P, L3);
        assertSame(update, directory.entry(P).orElseThrow());
    }
}
