package io.uniform.cpu.memory;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One contiguous virtual region {@code [base, base + size)} mapped linearly onto physical
 * memory starting at {@code physicalBase}: Puma's address space (no demand paging, the image
 * loaded whole) and the bare machine's RAM. Every page inside is readable, writable and
 * executable; everything outside is an access fault.
 */
public final class FlatAddressSpace implements AddressSpace {
    private final PhysicalMemory physical;
    private final int base;
    private final int size;
    private final int physicalBase;

    public FlatAddressSpace(PhysicalMemory physical, int base, int size, int physicalBase) {
        if (((base | size | physicalBase) & PhysicalMemory.PAGE_MASK) != 0) {
            throw new IllegalArgumentException("flat region must be page aligned");
        }
        if (size <= 0 || physicalBase < 0 || (long) physicalBase + size > physical.size()) {
            throw new IllegalArgumentException(String.format(
                    "flat region of %d bytes at physical 0x%x does not fit in %d bytes of memory",
                    size, physicalBase, physical.size()));
        }
        if (Integer.toUnsignedLong(base) + size > 0x1_0000_0000L) {
            throw new IllegalArgumentException("flat region wraps around the 32-bit address space");
        }
        this.physical = physical;
        this.base = base;
        this.size = size;
        this.physicalBase = physicalBase;
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
        return physicalBase + (offset & ~PhysicalMemory.PAGE_MASK);
    }

    @Override
    public int mappingEpoch() {
        return 0;
    }

    /**
     * The region's contents as they are now, for migration and checkpoints: only pages that
     * hold a non-zero byte are kept, so an image costs what the program has touched.
     */
    public Image capture() {
        SortedMap<Integer, byte[]> pages = new TreeMap<>();
        byte[] page = new byte[PhysicalMemory.PAGE_SIZE];
        for (int offset = 0; offset < size; offset += PhysicalMemory.PAGE_SIZE) {
            physical.read(physicalBase + offset, page, 0, page.length);
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
        for (int offset = 0; offset < size; offset += PhysicalMemory.PAGE_SIZE) {
            byte[] page = image.pages().get(offset);
            if (page == null) {
                physical.zero(physicalBase + offset, PhysicalMemory.PAGE_SIZE);
            } else {
                physical.write(physicalBase + offset, page, 0, PhysicalMemory.PAGE_SIZE);
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
