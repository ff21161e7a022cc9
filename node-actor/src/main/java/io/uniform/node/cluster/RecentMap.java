package io.uniform.node.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map of at most {@code capacity} entries that drops the one used longest ago when it grows
 * past that: an entry put again, or read, counts as the newest (access order), so that what is
 * still in use outlives what is not.
 */
public final class RecentMap<K, V> extends LinkedHashMap<K, V> {
    private final int capacity;

    public RecentMap(int capacity) {
        super(16, 0.75f, true);
        if (capacity < 1) {
            throw new IllegalArgumentException("a recent map holds at least one entry, not " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
