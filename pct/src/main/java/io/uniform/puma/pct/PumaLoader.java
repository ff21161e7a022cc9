package io.uniform.puma.pct;

import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.process.UnifiedLibrary;
import io.uniform.puma.qk.PumaAbi;

/**
 * Loads an image whole into a Puma region (no demand paging): validates the ELF against the
 * part of the region below the stack, copies it (zeroing bss) and writes the unified library's
 * OS flag (2 = PUMA). The initial stack is {@link io.uniform.process.InitialStack}'s, the same
 * as under Linux.
 */
final class PumaLoader {
    private PumaLoader() {}

    /** Where a loaded image ends up: entry point and the page-aligned end of its memory image. */
    record Loaded(int entry, int imageEnd) {}

    static Loaded loadImage(byte[] elf, AddressSpace space, int stackBottom) throws ElfFormatException {
        ElfImage image = ElfFile.parse(elf, PumaAbi.IMAGE_LOW, Integer.toUnsignedLong(stackBottom));
        image.copyInto(space);
        UnifiedLibrary.writeOsFlag(image, space, UnifiedLibrary.OS_PUMA);
        long end = image.segments().stream().mapToLong(segment -> segment.end()).max().orElseThrow();
        return new Loaded(image.entry(), (int) ((end + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK));
    }

}
