package io.uniform.cpu.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A node's physical memory: one little-endian byte array, addressed by physical offset, plus
 * the cache of decoded instruction pages that belongs with it (decoded code is keyed by
 * physical page, so code shared between address spaces is decoded once).
 *
 * <p>Every write that does not come from the hart's own fast path goes through this class, so
 * that writing over decoded code invalidates it.
 *
 * <p>A {@linkplain #growable growable} memory starts empty and its array is replaced by a
 * larger one as a kernel hands out more of its capacity, so that a JVM hosting many nodes
 * holds only what their processes have committed. The array is replaced only while no hart
 * runs over the memory: a hart reads {@link #bytes()} when it starts executing.
 */
public final class PhysicalMemory {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final int PAGE_MASK = PAGE_SIZE - 1;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int capacity;
    private byte[] bytes;
    private DecodedPage[] decoded;
    private int codeEpoch;
    /** One bit per page written since the round of write tracking began; null while nothing tracks writes. */
    private long[] writtenPages;

    /** A memory of {@code size} bytes, a positive multiple of {@link #PAGE_SIZE}, all allocated now. */
    public PhysicalMemory(int size) {
        this(size, allocate(size));
    }

    private PhysicalMemory(int capacity, byte[] bytes) {
        this.capacity = capacity;
        this.bytes = bytes;
        this.decoded = new DecodedPage[bytes.length >>> PAGE_SHIFT];
    }

    /**
     * An empty memory that {@link #growTo} enlarges up to {@code capacity} bytes, a positive
     * multiple of {@link #PAGE_SIZE}.
     */
    public static PhysicalMemory growable(int capacity) {
        checkSize(capacity);
        return new PhysicalMemory(capacity, new byte[0]);
    }

    private static byte[] allocate(int size) {
        checkSize(size);
        try {
            return new byte[size];
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(String.format(
                    "cannot allocate %d MiB of guest memory: the JVM heap is too small (raise -Xmx, e.g. UNIFORM_JAVA_OPTS=-Xmx4g)",
                    size >> 20), e);
        }
    }

    private static void checkSize(int size) {
        if (size <= 0 || (size & PAGE_MASK) != 0) {
            throw new IllegalArgumentException("physical memory size must be a positive multiple of 4 KiB: " + size);
        }
    }

    /** The bytes addressable now. */
    public int size() {
        return bytes.length;
    }

    /** The most bytes this memory can grow to. */
    public int capacity() {
        return capacity;
    }

    /**
     * Enlarges the memory to {@code size} bytes (a multiple of {@link #PAGE_SIZE}, at most the
     * capacity), keeping its contents; the new bytes are zero. Nothing changes if it is already
     * that large. Must not be called while a hart runs over this memory.
     *
     * @throws OutOfMemoryError if the JVM cannot hold the larger array; the memory is unchanged
     */
    public void growTo(int size) {
        if (size < 0 || size > capacity || (size & PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format(
                    "cannot grow to %d bytes: not a multiple of 4 KiB within the capacity of %d", size, capacity));
        }
        if (size <= bytes.length) {
            return;
        }
        byte[] grownBytes = Arrays.copyOf(bytes, size);
        DecodedPage[] grownDecoded = Arrays.copyOf(decoded, size >>> PAGE_SHIFT);
        bytes = grownBytes;
        decoded = grownDecoded;
    }

    /** The backing array, for the hart's fast path only; {@link #growTo} replaces it. */
    public byte[] bytes() {
        return bytes;
    }

    /**
     * Incremented whenever a page gains decoded code, so harts know to stop writing to it directly,
     * and when a round of write tracking begins, so harts drop every direct write translation.
     */
    public int codeEpoch() {
        return codeEpoch;
    }

    public DecodedPage decodedPage(int frame) {
        return decoded[frame >>> PAGE_SHIFT];
    }

    /** Records a newly decoded page for the frame at physical offset {@code frame}. */
    public DecodedPage installDecodedPage(int frame) {
        DecodedPage page = new DecodedPage(frame);
        decoded[frame >>> PAGE_SHIFT] = page;
        codeEpoch++;
        return page;
    }

    /** Drops the decoded code of the page holding physical offset {@code physical}, if any. */
    public boolean invalidateCode(int physical) {
        int index = physical >>> PAGE_SHIFT;
        DecodedPage page = decoded[index];
        if (page == null) {
            return false;
        }
        page.invalidate();
        decoded[index] = null;
        return true;
    }

    /** FENCE.I: forget every decoded page. */
    public void invalidateAllCode() {
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] != null) {
                decoded[i].invalidate();
                decoded[i] = null;
            }
        }
    }

    /**
     * Begins tracking which pages are written (a pre-copy migration's dirty pages), or a new
     * round of it: every page counts as unwritten from now on. Harts take their next write to
     * any page through {@link #noteWrite}, since the new code epoch empties their write TLBs, and
     * every kernel-side write notes itself. Must not be called while a hart runs over this memory.
     */
    public void beginWriteRound() {
        int words = ((capacity >>> PAGE_SHIFT) + 63) >>> 6;
        if (writtenPages == null) {
            writtenPages = new long[words];
        } else {
            Arrays.fill(writtenPages, 0);
        }
        codeEpoch++;
    }

    /** Stops tracking writes: nothing is noted any more. */
    public void stopTrackingWrites() {
        writtenPages = null;
    }

    /** Whether the page at physical offset {@code frame} was written since the round began (false when nothing tracks writes). */
    public boolean writtenThisRound(int frame) {
        long[] written = writtenPages;
        int index = frame >>> PAGE_SHIFT;
        return written != null && (written[index >>> 6] & 1L << index) != 0;
    }

    /**
     * The page at physical offset {@code physical} is about to be written: a hart calls this when it
     * enters the page in its write TLB, so it costs one test per write-TLB miss when nothing tracks.
     */
    public void noteWrite(int physical) {
        long[] written = writtenPages;
        if (written != null) {
            int index = physical >>> PAGE_SHIFT;
            written[index >>> 6] |= 1L << index;
        }
    }

    /** Every write that does not come from a hart's write TLB: decoded code there is stale, and a round of tracking hears of it. */
    private void beforeWrite(int physical) {
        invalidateCode(physical);
        noteWrite(physical);
    }

    public int read8(int physical) {
        return bytes[physical] & 0xff;
    }

    public int read16(int physical) {
        return (short) SHORT.get(bytes, physical) & 0xffff;
    }

    public int read32(int physical) {
        return (int) INT.get(bytes, physical);
    }

    public void write8(int physical, int value) {
        beforeWrite(physical);
        bytes[physical] = (byte) value;
    }

    public void write16(int physical, int value) {
        beforeWrite(physical);
        SHORT.set(bytes, physical, (short) value);
    }

    public void write32(int physical, int value) {
        beforeWrite(physical);
        INT.set(bytes, physical, value);
    }

    /** Copies within one page. */
    public void read(int physical, byte[] into, int offset, int length) {
        System.arraycopy(bytes, physical, into, offset, length);
    }

    /**
     * A new array of {@code room} zero bytes followed by the {@code length} bytes from physical
     * offset {@code physical}, across pages: one copy into memory the JIT need not zero first
     * (a migration's chunk of pages whose frames lie in one run).
     */
    public byte[] copyOut(int physical, int length, int room) {
        byte[] out = new byte[room + length];
        System.arraycopy(bytes, physical, out, room, length);
        return out;
    }

    /** Copies within one page. */
    public void write(int physical, byte[] from, int offset, int length) {
        beforeWrite(physical);
        System.arraycopy(from, offset, bytes, physical, length);
    }

    /** Copies the page at physical offset {@code from} over the page at {@code to}. */
    public void copyPage(int from, int to) {
        beforeWrite(to);
        System.arraycopy(bytes, from, bytes, to, PAGE_SIZE);
    }

    /** Zeroes within one page. */
    public void zero(int physical, int length) {
        beforeWrite(physical);
        Arrays.fill(bytes, physical, physical + length, (byte) 0);
    }
}
