package io.uniform.linux.memory;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.process.Errno;
import java.util.Arrays;

/**
 * A process's virtual memory, paged as the paper's Linux pages it: a page directory of 1024
 * entries, each null or a page table of 1024 entries, each entry describing one 4 KiB page.
 * User space is {@code [0, USER_END)}; nothing is ever mapped above it.
 *
 * <p><b>Mappings</b> are anonymous and private ({@code mmap(MAP_PRIVATE | MAP_ANONYMOUS)}). A
 * mapped page gets a frame full of zeroes on its first access of any kind (demand zero): reads
 * of untouched pages are not served from one shared zero frame, because the frame is charged to
 * the node anyway (see below) and sharing it would cost a TLB flush at the first write.
 *
 * <p><b>Protection</b> takes Linux's {@code PROT_} values. {@link #PROT_WRITE} implies
 * {@link #PROT_READ}, as on every Linux port (RISC-V page tables cannot say write-only);
 * {@link #PROT_EXEC} alone is execute-only, as on RISC-V. {@link #translate} answers
 * {@link #PAGE_FAULT} for an unmapped page and {@link #ACCESS_FAULT} for a mapped page whose
 * protection forbids the access; the kernel turns both into SIGSEGV.
 *
 * <p><b>Commit accounting</b> is Linux's strict overcommit (mode 2, no swap): every mapped page
 * is charged to the {@link NodeMemory} when it is mapped, touched or not; {@link #fork} charges
 * the child every page the parent has mapped; {@link #protect} changes no charge, and unmapping
 * returns it. Running out is an ENOMEM from {@link #map}, {@link #mapAnywhere} or {@link #fork},
 * with nothing changed, and a fault on a mapped page always finds a frame.
 *
 * <p><b>Copy-on-write</b>: {@link #fork} shares every populated frame between parent and child,
 * read-only in both. A write to a shared page copies the frame, unless this page holds its last
 * reference, in which case the page just becomes writable again.
 *
 * <p><b>The mapping epoch</b> changes whenever a translation handed out earlier stops being
 * valid: a populated page unmapped or losing a right, a copy-on-write copy moving a page, fork
 * taking write access from the parent, {@link #release}. Harts cache translations and flush
 * them when the epoch changes; giving a right or populating a page changes nothing cached.
 *
 * <p>Lengths are unsigned 32-bit byte counts (the register a program passed), addresses are
 * unsigned. Not thread-safe: a node's kernel uses it from one thread.
 */
public final class PagedAddressSpace implements AddressSpace {
    public static final int USER_END = 0xC000_0000;
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;

    /**
     * {@link #mapAnywhere} never places a mapping below this address (Linux's vm.mmap_min_addr
     * on common distributions), so a small offset from a null pointer never lands in one.
     */
    public static final int MMAP_MIN_ADDR = 0x1_0000;

    /** The frame {@link #forEachMappedPage} reports for a page never touched: it reads as zeroes. */
    public static final int NOT_POPULATED = -1;

    private static final int PAGE_SHIFT = PhysicalMemory.PAGE_SHIFT;
    private static final int PAGE_SIZE = PhysicalMemory.PAGE_SIZE;
    private static final int PAGE_MASK = PhysicalMemory.PAGE_MASK;
    private static final int TABLE_SHIFT = 10;
    private static final int ENTRIES = 1 << TABLE_SHIFT;
    private static final int ENTRY_MASK = ENTRIES - 1;
    private static final int DIRECTORY_SHIFT = PAGE_SHIFT + TABLE_SHIFT;
    private static final int USER_PAGES = USER_END >>> PAGE_SHIFT;
    private static final int USER_TABLES = USER_END >>> DIRECTORY_SHIFT;

    // A page-table entry: the frame's physical offset in bits 31..12 (when PRESENT), flags below.
    // The protection bits are the PROT_ values, and also 1 << Access.ordinal() (READ, WRITE, EXECUTE).
    private static final int PROT_MASK = PROT_READ | PROT_WRITE | PROT_EXEC;
    /** The page belongs to a mapping; an entry of 0 is an unmapped page. */
    private static final int MAPPED = 1 << 3;
    /** The page has a frame; without it the first access allocates a zeroed one. */
    private static final int PRESENT = 1 << 4;
    /** The frame may be shared with other address spaces: a write must copy it first. */
    private static final int SHARED = 1 << 5;
    private static final int FRAME = ~PAGE_MASK;

    private final NodeMemory memory;
    private final int[][] directory = new int[1 << (32 - DIRECTORY_SHIFT)][];
    private final int[] mappedInTable = new int[USER_TABLES];
    private int mappedPages;
    private int epoch;
    private boolean released;

    public PagedAddressSpace(NodeMemory memory) {
        this.memory = memory;
    }

    public NodeMemory memory() {
        return memory;
    }

    @Override
    public PhysicalMemory physical() {
        return memory.physical();
    }

    @Override
    public int mappingEpoch() {
        return epoch;
    }

    public long mappedBytes() {
        return (long) mappedPages * PAGE_SIZE;
    }

    @Override
    public int translate(int virtualAddress, Access access) {
        int[] table = directory[virtualAddress >>> DIRECTORY_SHIFT];
        if (table != null) {
            int entry = table[(virtualAddress >>> PAGE_SHIFT) & ENTRY_MASK];
            int needed = (1 << access.ordinal()) | PRESENT;
            int checked = access == Access.WRITE ? needed | SHARED : needed;
            if ((entry & checked) == needed) {
                return entry & FRAME;
            }
        }
        return fault(table, virtualAddress, access);
    }

    /** The slow path of {@link #translate}: a fault, a demand-zero fill or a copy-on-write. */
    private int fault(int[] table, int virtualAddress, Access access) {
        if (table == null) {
            return PAGE_FAULT;
        }
        int index = (virtualAddress >>> PAGE_SHIFT) & ENTRY_MASK;
        int entry = table[index];
        if (entry == 0) {
            return PAGE_FAULT;
        }
        if ((entry & (1 << access.ordinal())) == 0) {
            return ACCESS_FAULT;
        }
        memory.faultResolved();
        return ownFrame(table, index);
    }

    /**
     * Gives a mapped page a frame only it may write: a zeroed one if it has none, a copy of a
     * frame it shares copy-on-write (or the frame itself, if this page holds its last reference).
     */
    private int ownFrame(int[] table, int index) {
        int entry = table[index];
        if ((entry & PRESENT) == 0) {
            entry |= memory.allocateFrame() | PRESENT;
        } else if ((entry & SHARED) != 0) {
            int frame = entry & FRAME;
            if (memory.references(frame) > 1) {
                int copy = memory.copyFrame(frame);
                memory.release(frame);
                entry = (entry & ~FRAME) | copy;
                epoch++; // reads of this page were handed the shared frame
            }
            entry &= ~SHARED;
        }
        table[index] = entry;
        return entry & FRAME;
    }

    /**
     * Maps {@code [start, start + length)}, rounded up to whole pages, replacing whatever was
     * mapped there, as {@code mmap(MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)}.
     *
     * @throws MappingException EINVAL if start is not page aligned, the length is 0, the range
     *                          leaves user space or prot has unknown bits; ENOMEM if the node
     *                          cannot commit the pages (the replaced pages count as returned)
     */
    public void map(int start, int length, int prot) throws MappingException {
        checkUsable();
        int rights = rights(prot);
        Pages range = userPages(start, length);
        memory.commit((long) (range.count - countMapped(range)) * PAGE_SIZE);
        clear(range);
        fill(range, MAPPED | rights);
    }

    /**
     * Maps {@code [start, start + length)} as {@link #map} does, but keeps the pages already
     * mapped there with their frames and contents (their protection becomes {@code prot}): for a
     * migration's destination, whose pre-copied pages landed before it knew the final areas.
     *
     * @throws MappingException as {@link #map}; ENOMEM leaves the range as it was
     */
    public void mapKeeping(int start, int length, int prot) throws MappingException {
        checkUsable();
        int rights = rights(prot);
        Pages range = userPages(start, length);
        memory.commit((long) (range.count - countMapped(range)) * PAGE_SIZE);
        int added = 0;
        for (int page = range.first; page < range.end(); page++) {
            int t = page >>> TABLE_SHIFT;
            if (directory[t] == null) {
                directory[t] = new int[ENTRIES];
            }
            int entry = directory[t][page & ENTRY_MASK];
            if (entry == 0) {
                directory[t][page & ENTRY_MASK] = MAPPED | rights;
                mappedInTable[t]++;
                added++;
            } else {
                directory[t][page & ENTRY_MASK] = (entry & ~PROT_MASK) | rights;
            }
        }
        mappedPages += added;
        epoch++; // rights may have been revoked
    }

    /**
     * Maps {@code length} bytes (rounded up to pages) in the highest free gap that ends at or
     * below {@code below} and starts at or above {@link #MMAP_MIN_ADDR}, as Linux's top-down
     * {@code mmap} below its mmap_base; returns the start.
     *
     * @throws MappingException EINVAL for a length of 0, a {@code below} not page aligned or above
     *                          user space, or unknown prot bits; ENOMEM if no gap is large enough
     *                          or the node cannot commit the pages
     */
    public int mapAnywhere(int length, int prot, int below) throws MappingException {
        checkUsable();
        int rights = rights(prot);
        long pages = pageCount(length);
        if (pages == 0) {
            throw invalid("cannot map 0 bytes");
        }
        if ((below & PAGE_MASK) != 0 || Integer.compareUnsigned(below, USER_END) > 0) {
            throw invalid(String.format("0x%08x is not a page boundary in user space", below));
        }
        Pages range = new Pages(highestGap(pages, below >>> PAGE_SHIFT), (int) pages);
        memory.commit(pages * PAGE_SIZE);
        fill(range, MAPPED | rights);
        return range.first << PAGE_SHIFT;
    }

    /**
     * Unmaps {@code [start, start + length)}, rounded up to pages, as {@code munmap}: frames are
     * released and the charge returned; pages not mapped are skipped.
     *
     * @throws MappingException EINVAL if start is not page aligned, the length is 0 or the range
     *                          leaves user space
     */
    public void unmap(int start, int length) throws MappingException {
        checkUsable();
        memory.uncommit((long) clear(userPages(start, length)) * PAGE_SIZE);
    }

    /**
     * Sets the protection of {@code [start, start + length)}, rounded up to pages, as
     * {@code mprotect}; a length of 0 changes nothing. Contents and charge stay.
     *
     * @throws MappingException EINVAL if start is not page aligned or prot has unknown bits;
     *                          ENOMEM if a page of the range is not mapped (then nothing changes)
     */
    public void protect(int start, int length, int prot) throws MappingException {
        checkUsable();
        int rights = rights(prot);
        if ((start & PAGE_MASK) != 0) {
            throw invalid(String.format("address 0x%08x is not page aligned", start));
        }
        long pages = pageCount(length);
        long first = Integer.toUnsignedLong(start) >>> PAGE_SHIFT;
        if (pages == 0) {
            return;
        }
        if (first + pages > USER_PAGES || countMapped(new Pages((int) first, (int) pages)) != pages) {
            throw new MappingException(Errno.ENOMEM, String.format(
                    "0x%08x+0x%x is not entirely mapped", start, pages << PAGE_SHIFT));
        }
        boolean revoked = false;
        for (int page = (int) first; page < first + pages; page++) {
            int[] table = directory[page >>> TABLE_SHIFT];
            int entry = table[page & ENTRY_MASK];
            revoked |= (entry & PRESENT) != 0 && (entry & PROT_MASK & ~rights) != 0;
            table[page & ENTRY_MASK] = (entry & ~PROT_MASK) | rights;
        }
        if (revoked) {
            epoch++;
        }
    }

    /**
     * True if no page touched by {@code [start, start + length)} is mapped and the range lies in
     * user space (so it could be mapped, as brk needs); an empty range is free.
     */
    public boolean isFree(int start, int length) {
        if (length == 0) {
            return true;
        }
        long first = Integer.toUnsignedLong(start) >>> PAGE_SHIFT;
        long end = (Integer.toUnsignedLong(start) + Integer.toUnsignedLong(length) + PAGE_MASK) >>> PAGE_SHIFT;
        return end <= USER_PAGES && countMapped(new Pages((int) first, (int) (end - first))) == 0;
    }

    /**
     * A copy-on-write copy of this space for a forked child: every mapping with its protection,
     * populated frames shared read-only by both until one of them writes.
     *
     * @throws MappingException ENOMEM if the node cannot commit the child's pages; nothing changes then
     */
    public PagedAddressSpace fork() throws MappingException {
        checkUsable();
        memory.commit(mappedBytes());
        forEachEntry((table, index, address) -> {
            int entry = table[index];
            if ((entry & PRESENT) != 0) {
                if ((entry & (PROT_WRITE | SHARED)) == PROT_WRITE) {
                    epoch++; // the page was writable in place
                }
                table[index] = entry | SHARED;
                memory.retain(entry & FRAME);
            }
        });
        PagedAddressSpace child = new PagedAddressSpace(memory);
        for (int t = 0; t < USER_TABLES; t++) {
            if (directory[t] != null) {
                child.directory[t] = directory[t].clone();
            }
        }
        System.arraycopy(mappedInTable, 0, child.mappedInTable, 0, USER_TABLES);
        child.mappedPages = mappedPages;
        return child;
    }

    /**
     * Ends the space (the process exited, or execve replaced it): every frame is released and
     * the whole charge returned. The space must not be used afterwards.
     */
    public void release() {
        checkUsable();
        memory.uncommit((long) clear(new Pages(0, USER_PAGES)) * PAGE_SIZE);
        epoch++;
        released = true;
    }

    /** Receives one mapped page: its address, its {@code PROT_} bits and its frame or {@link #NOT_POPULATED}. */
    @FunctionalInterface
    public interface PageVisitor {
        void visit(int address, int prot, int frame);
    }

    /** Visits every mapped page in address order, for capture and checkpoints; read a frame through {@link #physical()}. */
    public void forEachMappedPage(PageVisitor visitor) {
        forEachEntry((table, index, address) -> {
            int entry = table[index];
            visitor.visit(address, entry & PROT_MASK, (entry & PRESENT) != 0 ? entry & FRAME : NOT_POPULATED);
        });
    }

    /**
     * Copies the mapped page at {@code address} into {@code page} as it is, whatever its
     * protection and without populating it (a page never touched reads as zeroes): for a
     * migration's source, which must not change the memory it reads.
     *
     * @throws IllegalArgumentException if the page is not mapped, or {@code page} is not a page long
     */
    public void readPage(int address, byte[] page) {
        readPage(address, page, 0);
    }

    /** {@link #readPage(int, byte[])} into {@code into} from {@code offset}. */
    public void readPage(int address, byte[] into, int offset) {
        int entry = mappedEntry(address, into, offset);
        if ((entry & PRESENT) == 0) {
            Arrays.fill(into, offset, offset + PAGE_SIZE, (byte) 0);
        } else {
            memory.physical().read(entry & FRAME, into, offset, PAGE_SIZE);
        }
    }

    /**
     * The {@code pages} pages from {@code address} copied as {@link #readPage} copies them, behind
     * {@code room} zero bytes of a new array, in one copy: null unless each is populated and their
     * frames follow one another in the node's memory, as the frames of pages written in order do.
     */
    public byte[] readRun(int address, int pages, int room) {
        int first = 0;
        for (int i = 0; i < pages; i++) {
            int page = address + i * PAGE_SIZE;
            int[] table = directory[page >>> DIRECTORY_SHIFT];
            int entry = table == null ? 0 : table[(page >>> PAGE_SHIFT) & ENTRY_MASK];
            if ((entry & PRESENT) == 0) {
                return null;
            }
            if (i == 0) {
                first = entry & FRAME;
            } else if ((entry & FRAME) != first + i * PAGE_SIZE) {
                return null;
            }
        }
        return memory.physical().copyOut(first, pages * PAGE_SIZE, room);
    }

    /**
     * Stores {@code page} into the mapped page at {@code address}, whatever its protection: for
     * a migration's destination, which fills read-only and execute-only pages too. The page gets
     * a frame of its own (a shared one is copied first), and code decoded from it is dropped.
     *
     * @throws IllegalArgumentException if the page is not mapped, or {@code page} is not a page long
     */
    public void writePage(int address, byte[] page) {
        writePage(address, page, 0);
    }

    /** {@link #writePage(int, byte[])} from {@code from} at {@code offset}. */
    public void writePage(int address, byte[] from, int offset) {
        checkUsable();
        mappedEntry(address, from, offset);
        int frame = ownFrame(directory[address >>> DIRECTORY_SHIFT], (address >>> PAGE_SHIFT) & ENTRY_MASK);
        memory.physical().write(frame, from, offset, PAGE_SIZE);
    }

    /** The entry of the mapped page at {@code address}, for a whole-page copy into or out of {@code bytes} at {@code offset}. */
    private int mappedEntry(int address, byte[] bytes, int offset) {
        if (offset < 0 || bytes.length - offset < PAGE_SIZE || (address & PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format(
                    "a page copy takes a page-aligned address and %d bytes: 0x%08x, %d bytes", PAGE_SIZE, address, bytes.length - offset));
        }
        int[] table = directory[address >>> DIRECTORY_SHIFT];
        int entry = table == null ? 0 : table[(address >>> PAGE_SHIFT) & ENTRY_MASK];
        if (entry == 0) {
            throw new IllegalArgumentException(String.format("no page is mapped at 0x%08x", address));
        }
        return entry;
    }

    @FunctionalInterface
    private interface EntryVisitor {
        void visit(int[] table, int index, int address);
    }

    /** Visits the entry of every mapped page in address order; the visitor may change it. */
    private void forEachEntry(EntryVisitor visitor) {
        for (int t = 0; t < USER_TABLES; t++) {
            int[] table = directory[t];
            if (table == null) {
                continue;
            }
            for (int i = 0; i < ENTRIES; i++) {
                if (table[i] != 0) {
                    visitor.visit(table, i, t << DIRECTORY_SHIFT | i << PAGE_SHIFT);
                }
            }
        }
    }

    /** A run of pages by page number. */
    private record Pages(int first, int count) {
        int end() {
            return first + count;
        }
    }

    /** The pages of a user-space range given to map or unmap. */
    private static Pages userPages(int start, int length) throws MappingException {
        if ((start & PAGE_MASK) != 0) {
            throw invalid(String.format("address 0x%08x is not page aligned", start));
        }
        long pages = pageCount(length);
        if (pages == 0) {
            throw invalid("length 0");
        }
        long first = Integer.toUnsignedLong(start) >>> PAGE_SHIFT;
        if (first + pages > USER_PAGES) {
            throw invalid(String.format("0x%08x+0x%x leaves user space", start, pages << PAGE_SHIFT));
        }
        return new Pages((int) first, (int) pages);
    }

    private static long pageCount(int length) {
        return (Integer.toUnsignedLong(length) + PAGE_MASK) >>> PAGE_SHIFT;
    }

    /** The protection bits a page-table entry keeps for {@code prot}: write implies read. */
    private static int rights(int prot) throws MappingException {
        if ((prot & ~PROT_MASK) != 0) {
            throw invalid("unknown protection bits 0x" + Integer.toHexString(prot));
        }
        return (prot & PROT_WRITE) != 0 ? prot | PROT_READ : prot;
    }

    private static MappingException invalid(String message) {
        return new MappingException(Errno.EINVAL, message);
    }

    private void checkUsable() {
        if (released) {
            throw new IllegalStateException("the address space was released");
        }
    }

    private int countMapped(Pages range) {
        int mapped = 0;
        for (int page = range.first; page < range.end(); page++) {
            int[] table = directory[page >>> TABLE_SHIFT];
            if (table == null) {
                page |= ENTRY_MASK; // skip to the last page of this table's span
            } else if (table[page & ENTRY_MASK] != 0) {
                mapped++;
            }
        }
        return mapped;
    }

    /** Unmaps every mapped page of the range, releasing frames; returns how many were mapped. */
    private int clear(Pages range) {
        int removed = 0;
        boolean populated = false;
        for (int page = range.first; page < range.end(); page++) {
            int t = page >>> TABLE_SHIFT;
            int[] table = directory[t];
            if (table == null) {
                page |= ENTRY_MASK; // skip to the last page of this table's span
                continue;
            }
            int entry = table[page & ENTRY_MASK];
            if (entry == 0) {
                continue;
            }
            if ((entry & PRESENT) != 0) {
                memory.release(entry & FRAME);
                populated = true;
            }
            table[page & ENTRY_MASK] = 0;
            removed++;
            if (--mappedInTable[t] == 0) {
                directory[t] = null;
            }
        }
        mappedPages -= removed;
        if (populated) {
            epoch++;
        }
        return removed;
    }

    /** Maps every page of a range that {@link #clear} left empty. */
    private void fill(Pages range, int entry) {
        for (int page = range.first; page < range.end(); page++) {
            int t = page >>> TABLE_SHIFT;
            if (directory[t] == null) {
                directory[t] = new int[ENTRIES];
            }
            directory[t][page & ENTRY_MASK] = entry;
            mappedInTable[t]++;
        }
        mappedPages += range.count;
    }

    /** The first page of the highest run of {@code pages} free pages ending at or below {@code endPage}. */
    private int highestGap(long pages, int endPage) throws MappingException {
        int lowest = MMAP_MIN_ADDR >>> PAGE_SHIFT;
        int top = endPage; // the free run being measured is [page + 1, top)
        int page = endPage - 1;
        while (page >= lowest) {
            int t = page >>> TABLE_SHIFT;
            int tableStart = t << TABLE_SHIFT;
            int[] table = directory[t];
            if (table == null) {
                page = tableStart - 1;
            } else if (mappedInTable[t] == ENTRIES) {
                top = tableStart;
                page = tableStart - 1;
            } else {
                if (table[page & ENTRY_MASK] != 0) {
                    top = page;
                }
                page--;
            }
            if (top - Math.max(page + 1, lowest) >= pages) {
                return (int) (top - pages);
            }
        }
        throw new MappingException(Errno.ENOMEM, String.format(
                "no gap of 0x%x bytes below 0x%08x", pages << PAGE_SHIFT, endPage << PAGE_SHIFT));
    }
}
