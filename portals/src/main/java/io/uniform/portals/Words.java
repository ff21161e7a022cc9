package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;

/** The 64-bit fields of the Portals structures, as two little-endian words through the validated accessors. */
final class Words {
    private Words() {
    }

    static long load64(AddressSpace space, int address) {
        return Integer.toUnsignedLong(space.load32(address)) | (long) space.load32(address + 4) << 32;
    }

    static void store64(AddressSpace space, int address, long value) {
        space.store32(address, (int) value);
        space.store32(address + 4, (int) (value >>> 32));
    }
}
