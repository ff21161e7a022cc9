package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.portals.Layout.MdT;

/**
 * {@code ptl_md_t} as a value: a region of user memory ({@code start}, {@code length}), how many
 * operations it may still take ({@code threshold}, {@link Ptl#PTL_MD_THRESH_INF} for no bound),
 * {@code max_size}, the {@code PTL_MD_*} options, the user's pointer and the event queue
 * ({@link Ptl#PTL_EQ_NONE} for none). Lengths are the specification's unsigned 64 bits.
 */
public record MemoryDescriptor(int start, long length, int threshold, long maxSize, int options, int userPtr, int eqHandle) {

    public boolean has(int option) {
        return (options & option) != 0;
    }

    public MemoryDescriptor withThreshold(int newThreshold) {
        return new MemoryDescriptor(start, length, newThreshold, maxSize, options, userPtr, eqHandle);
    }

    public static MemoryDescriptor read(AddressSpace space, int address) {
        return new MemoryDescriptor(space.load32(MdT.START.at(address)), Words.load64(space, MdT.LENGTH.at(address)),
                space.load32(MdT.THRESHOLD.at(address)), Words.load64(space, MdT.MAX_SIZE.at(address)),
                space.load32(MdT.OPTIONS.at(address)), space.load32(MdT.USER_PTR.at(address)),
                space.load32(MdT.EQ_HANDLE.at(address)));
    }

    public void write(AddressSpace space, int address) {
        space.zero(address, MdT.SIZE);
        space.store32(MdT.START.at(address), start);
        Words.store64(space, MdT.LENGTH.at(address), length);
        space.store32(MdT.THRESHOLD.at(address), threshold);
        Words.store64(space, MdT.MAX_SIZE.at(address), maxSize);
        space.store32(MdT.OPTIONS.at(address), options);
        space.store32(MdT.USER_PTR.at(address), userPtr);
        space.store32(MdT.EQ_HANDLE.at(address), eqHandle);
    }
}
