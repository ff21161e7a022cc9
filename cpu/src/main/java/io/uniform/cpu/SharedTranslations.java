package io.uniform.cpu;

import io.uniform.cpu.memory.PhysicalMemory;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Translations shared by every hart in the JVM. A region's bytecode depends only on its entry pc
 * and the instructions of its page, so the harts that run the same program (the ranks of a job,
 * a thousand of them on one machine) reuse one class per region: it is generated, loaded and
 * compiled by HotSpot once instead of once per process. Keyed by the whole page's bytes, so a
 * page whose bytes differ in any way (other code, its own data) gets its own translation.
 * Bounded: past {@link #MOST} regions the cache starts again, and harts keep what they hold.
 */
final class SharedTranslations {
    /** Regions kept (each key holds a copy of its 4 KiB page): at most 16 MiB of keys. */
    static final int MOST = 4096;

    private static final ConcurrentHashMap<Key, TranslatedCode> CACHE = new ConcurrentHashMap<>();

    private SharedTranslations() {
    }

    /** A region's identity: its entry pc and a copy of the bytes of its page. */
    static final class Key {
        private final int entryPc;
        private final byte[] page;
        private final int hash;

        Key(int entryPc, PhysicalMemory memory, int frame) {
            this.entryPc = entryPc;
            this.page = new byte[PhysicalMemory.PAGE_SIZE];
            memory.read(frame, page, 0, page.length);
            this.hash = 31 * entryPc + Arrays.hashCode(page);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.entryPc == entryPc && key.hash == hash && Arrays.equals(key.page, page);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The translation some hart made of this region, or null. */
    static TranslatedCode find(Key key) {
        return CACHE.get(key);
    }

    /** Offers a new translation; returns the one to use (another hart's, if it got there first). */
    static TranslatedCode offer(Key key, TranslatedCode translated) {
        if (CACHE.size() >= MOST) {
            CACHE.clear();
        }
        TranslatedCode first = CACHE.putIfAbsent(key, translated);
        return first != null ? first : translated;
    }
}
