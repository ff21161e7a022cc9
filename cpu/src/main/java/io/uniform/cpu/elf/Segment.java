package io.uniform.cpu.elf;

import io.uniform.cpu.memory.AddressSpace;
import java.util.Arrays;

/**
 * A loadable (PT_LOAD) segment: {@code memorySize} bytes at {@code virtualAddress}, of which
 * the first {@code fileBytes.length} come from the file and the rest are zero (bss).
 *
 * <p>Immutable: the constructor and {@link #fileBytes()} copy the array, so neither the caller
 * nor a kernel that loads the segment can change the image another process is started from.
 *
 * @param virtualAddress where the segment starts (an unsigned 32-bit address)
 * @param memorySize     its size in memory, at least the file size, with the segment ending
 *                       at or below 2<sup>32</sup>
 * @param fileBytes      the bytes the file supplies for the start of the segment
 * @param flags          the permission bits {@link #READ}, {@link #WRITE}, {@link #EXECUTE}
 */
public record Segment(int virtualAddress, long memorySize, byte[] fileBytes, int flags) {
    /** Permission bits, with the values of ELF's {@code p_flags}. */
    public static final int EXECUTE = 1;
    public static final int WRITE = 2;
    public static final int READ = 4;

    /** Zeroing is done in chunks because {@link AddressSpace#zero} takes an int length. */
    private static final int ZERO_CHUNK = 1 << 30;

    public Segment {
        fileBytes = fileBytes.clone();
        if (memorySize < fileBytes.length) {
            throw new IllegalArgumentException(String.format(
                    "memory size 0x%x smaller than file size 0x%x", memorySize, fileBytes.length));
        }
        if (Integer.toUnsignedLong(virtualAddress) + memorySize > 0x1_0000_0000L) {
            throw new IllegalArgumentException(String.format(
                    "segment at 0x%x + 0x%x wraps around the 32-bit address space", virtualAddress, memorySize));
        }
        if ((flags & ~(READ | WRITE | EXECUTE)) != 0) {
            throw new IllegalArgumentException("flags other than R, W and X: 0x" + Integer.toHexString(flags));
        }
    }

    /** A copy of the bytes the file supplies. */
    @Override
    public byte[] fileBytes() {
        return fileBytes.clone();
    }

    /** How many bytes the file supplies, without copying them. */
    public int fileSize() {
        return fileBytes.length;
    }

    /** The first address past the segment, up to 2<sup>32</sup>. */
    public long end() {
        return Integer.toUnsignedLong(virtualAddress) + memorySize;
    }

    public boolean readable() {
        return (flags & READ) != 0;
    }

    public boolean writable() {
        return (flags & WRITE) != 0;
    }

    public boolean executable() {
        return (flags & EXECUTE) != 0;
    }

    /** Whether the unsigned address lies inside the segment. */
    public boolean contains(int address) {
        long offset = Integer.toUnsignedLong(address) - Integer.toUnsignedLong(virtualAddress);
        return offset >= 0 && offset < memorySize;
    }

    /**
     * Writes the file bytes at the segment's address and zeroes the rest of it. The kernel
     * must have mapped the whole segment writable first; otherwise a {@code MemoryFault}
     * escapes, possibly after part of the segment was written.
     */
    public void copyInto(AddressSpace space) {
        space.write(virtualAddress, fileBytes, 0, fileBytes.length);
        int address = virtualAddress + fileBytes.length;
        for (long remaining = memorySize - fileBytes.length; remaining > 0; ) {
            int chunk = (int) Math.min(remaining, ZERO_CHUNK);
            space.zero(address, chunk);
            address += chunk;
            remaining -= chunk;
        }
    }

    /** Compares contents, not array identity: two images parsed from one file are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Segment that
                && virtualAddress == that.virtualAddress
                && memorySize == that.memorySize
                && flags == that.flags
                && Arrays.equals(fileBytes, that.fileBytes);
    }

    @Override
    public int hashCode() {
        return ((Integer.hashCode(virtualAddress) * 31 + Long.hashCode(memorySize)) * 31 + flags) * 31
                + Arrays.hashCode(fileBytes);
    }

    @Override
    public String toString() {
        return String.format("Segment[0x%x + 0x%x %c%c%c, 0x%x bytes from the file]", virtualAddress, memorySize,
                readable() ? 'R' : '-', writable() ? 'W' : '-', executable() ? 'X' : '-', fileBytes.length);
    }
}
