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
 */
public final class PhysicalMemory {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final int PAGE_MASK = PAGE_SIZE - 1;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] bytes;
    private final DecodedPage[] decoded;
    private int codeEpoch;

    /** @param size bytes, a positive multiple of {@link #PAGE_SIZE} */
    public PhysicalMemory(int size) {
        if (size <= 0 || (size & PAGE_MASK) != 0) {
            throw new IllegalArgumentException("physical memory size must be a positive multiple of 4 KiB: " + size);
        }
        try {
            this.bytes = new byte[size];
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(String.format(
                    "cannot allocate %d MiB of guest memory: the JVM heap is too small (raise -Xmx, e.g. UNIFORM_JAVA_OPTS=-Xmx4g)",
                    size >> 20), e);
        }
        this.decoded = new DecodedPage[size >>> PAGE_SHIFT];
    }

    public int size() {
        return bytes.length;
    }

    /** The backing array, for the hart's fast path only. */
    public byte[] bytes() {
        return bytes;
    }

    /** Incremented whenever a page gains decoded code, so harts know to stop writing to it directly. */
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
        invalidateCode(physical);
        bytes[physical] = (byte) value;
    }

    public void write16(int physical, int value) {
        invalidateCode(physical);
        SHORT.set(bytes, physical, (short) value);
    }

    public void write32(int physical, int value) {
        invalidateCode(physical);
        INT.set(bytes, physical, value);
    }

    /** Copies within one page. */
    public void read(int physical, byte[] into, int offset, int length) {
        System.arraycopy(bytes, physical, into, offset, length);
    }

    /** Copies within one page. */
    public void write(int physical, byte[] from, int offset, int length) {
        invalidateCode(physical);
        System.arraycopy(from, offset, bytes, physical, length);
    }

    /** Zeroes within one page. */
    public void zero(int physical, int length) {
        invalidateCode(physical);
        Arrays.fill(bytes, physical, physical + length, (byte) 0);
    }
}
