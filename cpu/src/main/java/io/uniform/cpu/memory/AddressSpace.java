package io.uniform.cpu.memory;

import java.nio.charset.StandardCharsets;

/**
 * A virtual address space over a node's {@link PhysicalMemory}. Implementations: a flat
 * contiguous region (Puma, bare machines) and the Linux kernel's two-level paged space.
 *
 * <p>The hart caches translations per 4 KiB page in its own TLB, so {@link #translate} is
 * called only on a miss; implementations bump {@link #mappingEpoch()} whenever an existing
 * translation changes or disappears, and harts flush their TLB when they see a new epoch.
 * Kernels use the default methods here to read and write user memory: each access is
 * validated and a bad address raises {@link MemoryFault}, never an index exception.
 */
public interface AddressSpace {
    /** {@link #translate} result: the address is outside the space or the access is not permitted. */
    int ACCESS_FAULT = -1;
    /** {@link #translate} result: a page fault (paged spaces), the address is not mapped. */
    int PAGE_FAULT = -2;

    PhysicalMemory physical();

    /**
     * The physical offset of the page holding {@code virtualAddress} for {@code access}, or
     * {@link #ACCESS_FAULT} / {@link #PAGE_FAULT}. May change the mapping (demand-zero fill,
     * copy-on-write), which is why it is called with the access kind.
     */
    int translate(int virtualAddress, Access access);

    /** Changes whenever a translation handed out earlier may no longer be valid. */
    int mappingEpoch();

    /** The physical offset of one byte, or a {@link MemoryFault}. */
    default int physicalAddress(int virtualAddress, Access access) {
        int frame = translate(virtualAddress, access);
        if (frame < 0) {
            throw new MemoryFault(virtualAddress, access);
        }
        return frame | (virtualAddress & PhysicalMemory.PAGE_MASK);
    }

    default int load8(int va) {
        return physical().read8(physicalAddress(va, Access.READ));
    }

    default int load16(int va) {
        if ((va & PhysicalMemory.PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - 2) {
            return physical().read16(physicalAddress(va, Access.READ));
        }
        return load8(va) | load8(va + 1) << 8;
    }

    default int load32(int va) {
        if ((va & PhysicalMemory.PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - 4) {
            return physical().read32(physicalAddress(va, Access.READ));
        }
        return load16(va) | load16(va + 2) << 16;
    }

    default void store8(int va, int value) {
        physical().write8(physicalAddress(va, Access.WRITE), value);
    }

    default void store16(int va, int value) {
        if ((va & PhysicalMemory.PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - 2) {
            physical().write16(physicalAddress(va, Access.WRITE), value);
        } else {
            store8(va, value);
            store8(va + 1, value >>> 8);
        }
    }

    default void store32(int va, int value) {
        if ((va & PhysicalMemory.PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - 4) {
            physical().write32(physicalAddress(va, Access.WRITE), value);
        } else {
            store16(va, value);
            store16(va + 2, value >>> 16);
        }
    }

    /** Copies {@code length} bytes of user memory at {@code va} into {@code into}. */
    default void read(int va, byte[] into, int offset, int length) {
        forEachPage(va, length, Access.READ, (physical, done, chunk) -> physical().read(physical, into, offset + done, chunk));
    }

    /** Copies {@code length} bytes from {@code from} into user memory at {@code va}. */
    default void write(int va, byte[] from, int offset, int length) {
        forEachPage(va, length, Access.WRITE, (physical, done, chunk) -> physical().write(physical, from, offset + done, chunk));
    }

    /** Zeroes {@code length} bytes of user memory at {@code va}. */
    default void zero(int va, int length) {
        forEachPage(va, length, Access.WRITE, (physical, done, chunk) -> physical().zero(physical, chunk));
    }

    /** Copies {@code length} bytes of user memory into a new array, validated before anything is allocated. */
    default byte[] read(int va, int length) {
        validate(va, length, Access.READ);
        byte[] bytes = new byte[length];
        read(va, bytes, 0, length);
        return bytes;
    }

    /** Reads a NUL-terminated string of at most {@code maxLength} bytes (UTF-8). */
    default String readCString(int va, int maxLength) {
        byte[] bytes = new byte[Math.min(maxLength, 256)];
        int length = 0;
        while (true) {
            if (length == maxLength) {
                throw new MemoryFault(va + length, Access.READ);
            }
            int b = load8(va + length);
            if (b == 0) {
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (length == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.min(maxLength, bytes.length * 2));
            }
            bytes[length++] = (byte) b;
        }
    }

    /** Checks that all of {@code [va, va + length)} allows {@code access}, or throws {@link MemoryFault}. */
    default void validate(int va, int length, Access access) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (Integer.toUnsignedLong(va) + length > 0x1_0000_0000L) {
            throw new MemoryFault(va, access);
        }
        for (int done = 0; done < length; ) {
            int address = va + done;
            physicalAddress(address, access);
            done += Math.min(length - done, PhysicalMemory.PAGE_SIZE - (address & PhysicalMemory.PAGE_MASK));
        }
    }

    /** Visits {@code [va, va + length)} page by page, validating every page before any is touched. */
    private void forEachPage(int va, int length, Access access, PageChunk chunk) {
        validate(va, length, access);
        for (int done = 0; done < length; ) {
            int address = va + done;
            int chunkLength = Math.min(length - done, PhysicalMemory.PAGE_SIZE - (address & PhysicalMemory.PAGE_MASK));
            chunk.apply(physicalAddress(address, access), done, chunkLength);
            done += chunkLength;
        }
    }

    @FunctionalInterface
    interface PageChunk {
        void apply(int physical, int done, int length);
    }
}
