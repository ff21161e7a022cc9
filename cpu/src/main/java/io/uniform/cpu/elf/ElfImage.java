package io.uniform.cpu.elf;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A parsed and validated executable, ready for a kernel to map and load: its entry point, its
 * loadable segments and, when the file has them, its allocated sections and symbols.
 * Immutable, and so shareable between every process started from the same file.
 *
 * <p>Built only by {@link ElfFile#parse}, which guarantees that the segments do not overlap,
 * lie inside the address range the kernel asked for, and that the entry point is an aligned
 * address in an executable segment.
 */
public final class ElfImage {
    private final int entry;
    private final List<Segment> segments;
    private final Map<String, Integer> symbols;
    private final Map<String, Section> sections;
    /** Built on first use: it has an entry per page, which a large bss makes big. */
    private volatile SortedMap<Integer, Integer> pagePermissions;

    ElfImage(int entry, List<Segment> segments, Map<String, Integer> symbols, Map<String, Section> sections) {
        this.entry = entry;
        this.segments = List.copyOf(segments);
        this.symbols = Collections.unmodifiableMap(new TreeMap<>(symbols));
        this.sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
    }

    public int entry() {
        return entry;
    }

    /** The non-empty PT_LOAD segments, in program header order. */
    public List<Segment> segments() {
        return segments;
    }

    /**
     * Defined symbols from {@code .symtab}, by name, sorted; empty for a stripped file. Where
     * a name is defined more than once (static functions in different files) a global
     * definition wins, otherwise the first one.
     */
    public Map<String, Integer> symbols() {
        return symbols;
    }

    /** Allocated sections by name, in section header order; empty without a section header table. */
    public Map<String, Section> sections() {
        return sections;
    }

    /**
     * The permissions of every 4 KiB page the segments touch, keyed by page address in unsigned
     * order (so 0x80000000 sorts after 0x1000): the union of the flags of every segment on the
     * page, as R=4, W=2, X=1. Linkers put segments with different permissions on one page (the
     * headers and .text, the end of .rodata and the start of .data), and a kernel that maps
     * pages, not segments, must grant the page all of them.
     */
    public SortedMap<Integer, Integer> pagePermissions() {
        SortedMap<Integer, Integer> result = pagePermissions;
        if (result == null) {
            result = computePagePermissions();
            pagePermissions = result;
        }
        return result;
    }

    private SortedMap<Integer, Integer> computePagePermissions() {
        TreeMap<Integer, Integer> permissions = new TreeMap<>(Integer::compareUnsigned);
        for (Segment segment : segments) {
            long firstPage = Integer.toUnsignedLong(segment.virtualAddress()) & ~(long) PhysicalMemory.PAGE_MASK;
            for (long page = firstPage; page < segment.end(); page += PhysicalMemory.PAGE_SIZE) {
                permissions.merge((int) page, segment.flags(), (a, b) -> a | b);
            }
        }
        return Collections.unmodifiableSortedMap(permissions);
    }

    /**
     * Copies every segment into {@code space}, in program header order: its file bytes at its
     * address and zeroes for the rest (bss). The kernel maps the segments writable first; an
     * unmapped page raises a {@code MemoryFault}.
     */
    public void copyInto(AddressSpace space) {
        for (Segment segment : segments) {
            segment.copyInto(space);
        }
    }

    @Override
    public String toString() {
        return String.format("ElfImage[entry 0x%x, %s, %d sections, %d symbols]",
                entry, segments, sections.size(), symbols.size());
    }
}
