package io.uniform.cpu.elf;

/** Reads little-endian fields of a file whose bounds the caller has already checked. */
final class LittleEndian {
    private LittleEndian() {
    }

    static int u8(byte[] bytes, long offset) {
        return bytes[(int) offset] & 0xff;
    }

    static int u16(byte[] bytes, long offset) {
        return u8(bytes, offset) | u8(bytes, offset + 1) << 8;
    }

    /** A 32-bit word as the int it encodes (addresses stay ints, like everywhere in the cpu). */
    static int i32(byte[] bytes, long offset) {
        return u16(bytes, offset) | u16(bytes, offset + 2) << 16;
    }

    /** A 32-bit word as an unsigned size or offset, so that sums of them cannot overflow. */
    static long u32(byte[] bytes, long offset) {
        return Integer.toUnsignedLong(i32(bytes, offset));
    }
}
