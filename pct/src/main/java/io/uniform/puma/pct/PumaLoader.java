package io.uniform.puma.pct;

import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.elf.Section;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.puma.qk.PumaAbi;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Loads an image whole into a Puma region (no demand paging): validates the ELF against the
 * part of the region below the stack, copies it (zeroing bss) and writes the unified library's
 * OS flag (2 = PUMA). The initial stack is {@link io.uniform.process.InitialStack}'s, the same
 * as under Linux.
 */
final class PumaLoader {
    private PumaLoader() {}

    static final String ABI_SECTION = ".uniform";
    private static final byte[] ABI_MAGIC = "UNFM".getBytes(StandardCharsets.US_ASCII);
    private static final int ABI_OS_FLAG_OFFSET = 8;

    /** Where a loaded image ends up: entry point and the page-aligned end of its memory image. */
    record Loaded(int entry, int imageEnd) {}

    static Loaded loadImage(byte[] elf, AddressSpace space, int stackBottom) throws ElfFormatException {
        ElfImage image = ElfFile.parse(elf, PumaAbi.IMAGE_LOW, Integer.toUnsignedLong(stackBottom));
        image.copyInto(space);
        writeOsFlag(image, space);
        long end = image.segments().stream().mapToLong(segment -> segment.end()).max().orElseThrow();
        return new Loaded(image.entry(), (int) ((end + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK));
    }

    private static void writeOsFlag(ElfImage image, AddressSpace space) throws ElfFormatException {
        Section section = image.sections().get(ABI_SECTION);
        if (section == null || section.size() < ABI_OS_FLAG_OFFSET + 4) {
            return; // not linked with the unified library
        }
        boolean inWritableSegment = image.segments().stream().anyMatch(segment -> segment.writable()
                && segment.contains(section.address())
                && Integer.toUnsignedLong(section.address()) + section.size() <= segment.end());
        if (!inWritableSegment) {
            throw new ElfFormatException(String.format(
                    "the unified library's %s section at 0x%08x is not inside a writable segment", ABI_SECTION, section.address()));
        }
        if (Arrays.equals(space.read(section.address(), ABI_MAGIC.length), ABI_MAGIC)) {
            space.store32(section.address() + ABI_OS_FLAG_OFFSET, PumaAbi.OS_PUMA);
        }
    }
}
