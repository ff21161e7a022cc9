package io.uniform.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounded maps of the machine's request ids and a job keeper's removed members drop what was used longest ago. */
class RecentMapTest {
    @Test
    void anEntryPutAgainOrReadCountsAsTheNewestAndTheOneUsedLongestAgoGoesFirst() {
        Map<String, Integer> recent = new RecentMap<>(3);
        recent.put("a", 1);
        recent.put("b", 2);
        recent.put("c", 3);
        recent.put("a", 4); // a request carried on by a restarted job: it is in use again
        recent.put("d", 5);
        assertEquals(List.of("c", "a", "d"), List.copyOf(recent.keySet()), "b, used longest ago, went first");
        recent.get("c"); // a copy of the request answered
        recent.put("e", 6);
        assertEquals(List.of("d", "c", "e"), List.copyOf(recent.keySet()), "a, used longest ago now, went");
    }

    @Test
    void aSetOfItStaysWithinItsBound() {
        Set<Integer> removed = Collections.newSetFromMap(new RecentMap<>(64));
        for (int member = 0; member < 10_000; member++) {
            removed.add(member);
        }
        assertEquals(64, removed.size());
        assertEquals(Set.copyOf(java.util.stream.IntStream.range(10_000 - 64, 10_000).boxed().toList()), removed, "the latest");
    }

    @Test
    void aMapOfNoEntriesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecentMap<String, String>(0));
    }
}
