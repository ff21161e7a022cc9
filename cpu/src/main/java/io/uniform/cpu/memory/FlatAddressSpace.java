package io.uniform.cpu.memory;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One contiguous virtual region {@code [base, base + size)}: Puma's address space (the image
 * loaded whole, nothing demand-paged as the process sees it) and the bare machine's RAM. Every
 * page inside is readable, writable and executable and starts zero; everything outside is an
 * access fault.
 *
 * <p>The region is backed in one of two ways. {@linkplain #FlatAddressSpace(PhysicalMemory, int,
 * int, int) Linearly}: onto physical memory from {@code physicalBase}, all of it allocated by
 * whoever made that memory. Or {@linkplain #demandZero on first write}: the space owns a
 * growable memory whose first page stays zero and is what every page reads until it is first
 * written, when it gets a frame of its own (lowest first; the memory doubles when full). A
 * demand-zero region costs the JVM what the process has written, not its size, which is what
 * lets one JVM hold a thousand Puma ranks; the process cannot tell the difference.
 *
 * <p>The memory grows only inside a write translation, and this space then changes its
 * {@linkplain #mappingEpoch() epoch}, as it does when a page a hart may hold as the zero page
 * gets its own frame: a hart flushes its TLB, and leaves the code it runs after that store to
 * pick up the new array (see {@code Hart.storeSlow}).
 */
public final class FlatAddressSpace implements AddressSpace {
    /** Demand-zero: the frame every unwritten page reads, never written. */
    private static final int ZERO_FRAME = 0;
    /** Demand-zero: a page table entry for a page handed out as the zero page (not page aligned, so no frame). */
    private static final int SHOWN_AS_ZERO = 1;
    /** Demand-zero: frames the memory starts with (the zero page included), before it first doubles. */
    private static final int INITIAL_FRAMES = 16;

    private final PhysicalMemory physical;
    private final int base;
    private final int size;
    private final int physicalBase;
    /**
     * Demand-zero only (null when linear): per page of the region, its frame, or 0 while it has
     * never been translated, or {@link #SHOWN_AS_ZERO} once read or fetched as the zero page.
     */
    private final int[] frames;
    private int nextFrame = PhysicalMemory.PAGE_SIZE;
    private int epoch;

    public FlatAddressSpace(PhysicalMemory physical, int base, int size, int physicalBase) {
        this(physical, base, size, physicalBase, null);
    }

    /**
     * A region of {@code size} bytes at {@code base} in memory of its own that is allocated as
     * the region is written ({@link #physical()} grows up to one page more than the region).
     */
    public static FlatAddressSpace demandZero(int base, int size) {
        if (size <= 0 || (size & PhysicalMemory.PAGE_MASK) != 0 || size > Integer.MAX_VALUE - PhysicalMemory.PAGE_MASK) {
            throw new IllegalArgumentException("a demand-zero region must be a positive multiple of 4 KiB below 2 GiB: " + size);
        }
        int capacity = size + PhysicalMemory.PAGE_SIZE;
        PhysicalMemory memory = PhysicalMemory.growable(capacity);
        memory.growTo(Math.min(capacity, INITIAL_FRAMES * PhysicalMemory.PAGE_SIZE));
        return new FlatAddressSpace(memory, base, size, 0, new int[size >>> PhysicalMemory.PAGE_SHIFT]);
    }

    private FlatAddressSpace(PhysicalMemory physical, int base, int size, int physicalBase, int[] frames) {
        if (((base | size | physicalBase) & PhysicalMemory.PAGE_MASK) != 0) {
            throw new IllegalArgumentException("flat region must be page aligned");
        }
        int room = frames == null ? physical.size() : physical.capacity();
        if (size <= 0 || physicalBase < 0 || (long) physicalBase + size > room) {
            throw new IllegalArgumentException(String.format(
                    "flat region of %d bytes at physical 0x%x does not fit in %d bytes of memory",
                    size, physicalBase, room));
        }
        if (Integer.toUnsignedLong(base) + size > 0x1_0000_0000L) {
            throw new IllegalArgumentException("flat region wraps around the 32-bit address space");
        }
        this.physical = physical;
        this.base = base;
        this.size = size;
        this.physicalBase = physicalBase;
        this.frames = frames;
    }

    /** A region covering all of {@code physical}, starting at virtual address {@code base}. */
    public static FlatAddressSpace covering(PhysicalMemory physical, int base) {
        return new FlatAddressSpace(physical, base, physical.size(), 0);
    }

    public int base() {
        return base;
    }

    public int size() {
        return size;
    }

    public boolean contains(int virtualAddress) {
        return Integer.compareUnsigned(virtualAddress - base, size) < 0;
    }

    @Override
    public PhysicalMemory physical() {
        return physical;
    }

    @Override
    public int translate(int virtualAddress, Access access) {
        int offset = virtualAddress - base;
        if (Integer.compareUnsigned(offset, size) >= 0) {
            return ACCESS_FAULT;
        }
        if (frames == null) {
            return physicalBase + (offset & ~PhysicalMemory.PAGE_MASK);
        }
        int page = offset >>> PhysicalMemory.PAGE_SHIFT;
        int frame = frames[page];
        if (frame >= PhysicalMemory.PAGE_SIZE) {
            return frame;
        }
        if (access != Access.WRITE) {
            frames[page] = SHOWN_AS_ZERO;
            return ZERO_FRAME;
        }
        return back(page, frame == SHOWN_AS_ZERO);
    }

    /**
     * Demand-zero: grows the memory at once to hold {@code bytes} of pages still to be written
     * (rounded up to pages, at most the region), so that writing them neither copies the memory
     * nor allocates it again as it fills: a migration's landing, whose pages all come at once.
     *
     * @throws IllegalStateException when the JVM heap cannot hold that memory
     */
    public void reserveFrames(long bytes) {
        if (frames == null) {
            throw new IllegalStateException("a linear region's memory is allocated whole");
        }
        long needed = nextFrame + ((Math.max(0, bytes) + PhysicalMemory.PAGE_MASK) & ~(long) PhysicalMemory.PAGE_MASK);
        growMemory((int) Math.min(physical.capacity(), needed));
    }

    /** Gives a page its own (zero) frame, growing the memory if it is full. */
    private int back(int page, boolean shownAsZero) {
        if (nextFrame == physical.size()) {
            growMemory((int) Math.min(physical.capacity(), 2L * physical.size()));
        } else if (shownAsZero) {
            epoch++; // a hart may hold the zero page for it
        }
        int frame = nextFrame;
        nextFrame += PhysicalMemory.PAGE_SIZE;
        frames[page] = frame;
        return frame;
    }

    private void growMemory(int size) {
        if (size <= physical.size()) {
            return;
        }
        try {
            physical.growTo(size);
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(String.format(
                    "cannot grow a region's memory to %d MiB: the JVM heap is too small (raise -Xmx, e.g. UNIFORM_JAVA_OPTS=-Xmx4g)",
                    size >> 20), e);
        }
        epoch++; // a hart must pick up the new array
    }

    /** The frame holding the page at {@code offset} in the region, or -1 for a demand-zero page never written. */
    private int backingFrame(int offset) {
        if (frames == null) {
            return physicalBase + offset;
        }
        int frame = frames[offset >>> PhysicalMemory.PAGE_SHIFT];
        return frame >= PhysicalMemory.PAGE_SIZE ? frame : -1;
    }

    /**
     * Whether the page holding {@code virtualAddress} (inside the region) may hold a non-zero
     * byte: always when linear; when demand-zero, once it has been written (what a migration
     * sends of the region).
     */
    public boolean written(int virtualAddress) {
        return frameOf(virtualAddress) >= 0;
    }

    /**
     * The physical frame holding the page of {@code virtualAddress} (inside the region), or -1 for
     * a demand-zero page never written: what tells a migration's pre-copy whether the page was
     * written since a round began ({@link PhysicalMemory#writtenThisRound}).
     */
    public int frameOf(int virtualAddress) {
        if (!contains(virtualAddress)) {
            throw new IllegalArgumentException(String.format("0x%08x is outside the region [0x%08x, 0x%08x)",
                    virtualAddress, base, Integer.toUnsignedLong(base) + size));
        }
        return backingFrame((virtualAddress - base) & ~PhysicalMemory.PAGE_MASK);
    }

    /**
     * The {@code pages} pages from {@code virtualAddress} behind {@code room} zero bytes of a new
     * array, in one copy ({@link PhysicalMemory#copyOut}): null unless they lie inside the region
     * in frames that follow one another, as a demand-zero region's pages written in order do
     * (each page written then got the next frame).
     */
    public byte[] readRun(int virtualAddress, int pages, int room) {
        int offset = virtualAddress - base;
        long length = (long) pages * PhysicalMemory.PAGE_SIZE;
        if (pages <= 0 || (offset & PhysicalMemory.PAGE_MASK) != 0 || Integer.toUnsignedLong(offset) + length > size) {
            return null;
        }
        int first = backingFrame(offset);
        for (int i = 1; i < pages && first >= 0; i++) {
            if (backingFrame(offset + i * PhysicalMemory.PAGE_SIZE) != first + i * PhysicalMemory.PAGE_SIZE) {
                return null;
            }
        }
        return first < 0 ? null : physical.copyOut(first, (int) length, room);
    }

    /**
     * Zeroes a range; on a demand-zero region, pages never written are left without a frame
     * (they read zero already), so a loader's bss and a growing heap cost nothing until used.
     */
    @Override
    public void zero(int va, int length) {
        if (frames == null) {
            AddressSpace.super.zero(va, length);
            return;
        }
        validate(va, length, Access.WRITE);
        int end = va + length;
        for (int at = va; at != end; ) {
            int pageEnd = (at & ~PhysicalMemory.PAGE_MASK) + PhysicalMemory.PAGE_SIZE;
            int chunk = Math.min(end - at, pageEnd - at);
            if (written(at)) {
                AddressSpace.super.zero(at, chunk);
            }
            at += chunk;
        }
    }

    /** Bytes of physical memory the region holds now: all of it when linear, the pages written when demand-zero. */
    public long backedBytes() {
        return frames == null ? size : nextFrame - PhysicalMemory.PAGE_SIZE;
    }

    /** Every page inside the region allows every access, so validating is a bounds check: it backs nothing. */
    @Override
    public void validate(int va, int length, Access access) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (length == 0) {
            return;
        }
        if (!contains(va)) {
            throw new MemoryFault(va, access);
        }
        if (Integer.toUnsignedLong(va - base) + length > size) {
            throw new MemoryFault(base + size, access);
        }
    }

    @Override
    public int mappingEpoch() {
        return epoch;
    }

    /**
     * The region's contents as they are now, for migration and checkpoints: only pages that
     * hold a non-zero byte are kept, so an image costs what the program has touched.
     */
    public Image capture() {
        SortedMap<Integer, byte[]> pages = new TreeMap<>();
        byte[] page = new byte[PhysicalMemory.PAGE_SIZE];
        for (int offset = 0; offset < size; offset += PhysicalMemory.PAGE_SIZE) {
            int frame = backingFrame(offset);
            if (frame < 0) {
                continue;
            }
            physical.read(frame, page, 0, page.length);
            if (!isZero(page)) {
                pages.put(offset, page.clone());
            }
        }
        return new Image(base, size, pages);
    }

    /** Fills this region (of the same base and size) from an image; pages absent from it become zero. */
    public void restore(Image image) {
        if (image.base() != base || image.size() != size) {
            throw new IllegalArgumentException(String.format("image of 0x%x bytes at 0x%08x does not fit a region of 0x%x bytes at 0x%08x",
                    image.size(), image.base(), size, base));
        }
        SortedMap<Integer, byte[]> pages = image.pages();
        for (int offset = 0; offset < size; offset += PhysicalMemory.PAGE_SIZE) {
            byte[] page = pages.get(offset);
            int frame = backingFrame(offset);
            if (page != null) {
                write(base + offset, page, 0, PhysicalMemory.PAGE_SIZE);
            } else if (frame >= 0) {
                physical.zero(frame, PhysicalMemory.PAGE_SIZE);
            }
        }
    }

    private static boolean isZero(byte[] page) {
        for (byte b : page) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A captured flat region: its base and size and its non-zero pages, keyed by offset in the
     * region. Immutable: the page arrays are copied in and out.
     */
    public record Image(int base, int size, SortedMap<Integer, byte[]> pages) {
        public Image {
            SortedMap<Integer, byte[]> copy = new TreeMap<>();
            pages.forEach((offset, bytes) -> {
                if (bytes.length != PhysicalMemory.PAGE_SIZE || offset < 0 || offset >= size || (offset & PhysicalMemory.PAGE_MASK) != 0) {
                    throw new IllegalArgumentException("not a page of the region: offset " + offset);
                }
                copy.put(offset, bytes.clone());
            });
            pages = Collections.unmodifiableSortedMap(copy);
        }

        @Override
        public SortedMap<Integer, byte[]> pages() {
            SortedMap<Integer, byte[]> copy = new TreeMap<>();
            pages.forEach((offset, bytes) -> copy.put(offset, bytes.clone()));
            return copy;
        }

        /** Bytes the image holds (non-zero pages only). */
        public long storedBytes() {
            return (long) pages.size() * PhysicalMemory.PAGE_SIZE;
        }
    }
}
