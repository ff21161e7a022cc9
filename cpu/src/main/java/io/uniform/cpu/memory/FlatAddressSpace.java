package io.uniform.cpu.memory;

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
}
