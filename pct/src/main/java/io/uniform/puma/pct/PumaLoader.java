package io.uniform.puma.pct;

import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.elf.Segment;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.Area;
import io.uniform.puma.qk.ImageLayout;
import io.uniform.puma.qk.PumaAbi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads an image whole into a Puma region (no demand paging): validates the ELF against the
 * part of the region below the stack, copies it (zeroing bss) and writes the unified library's
 * OS flag (2 = PUMA). The initial stack is {@link io.uniform.process.InitialStack}'s, the same
 * as under Linux. What a migration carries of the image (its pages' permissions, the OS word)
 * is remembered in the {@link ImageLayout} it returns.
 */
final class PumaLoader {
    private PumaLoader() {}

    /** Where a loaded image ends up: entry point, the page-aligned end of its memory image, and its layout. */
    record Loaded(int entry, int imageEnd, ImageLayout layout) {}

    static Loaded loadImage(byte[] elf, AddressSpace space, int stackBottom) throws ElfFormatException {
        ElfImage image = ElfFile.parse(elf, PumaAbi.IMAGE_LOW, Integer.toUnsignedLong(stackBottom));
        image.copyInto(space);
        UnifiedLibrary.writeOsFlag(image, space, UnifiedLibrary.OS_PUMA);
        int osFlagAddress = UnifiedLibrary.osFlagAddress(image);
        long end = image.segments().stream().mapToLong(segment -> segment.end()).max().orElseThrow();
        return new Loaded(image.entry(), (int) ((end + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK),
                new ImageLayout(areas(image), osFlagAddress));
    }

    /** The image's pages as areas: consecutive pages of one protection together, a page having every right of its segments. */
    private static List<Area> areas(ElfImage image) {
        List<Area> areas = new ArrayList<>();
        int start = 0;
        int end = 0;
        int protection = -1;
        for (Map.Entry<Integer, Integer> page : image.pagePermissions().entrySet()) {
            int pageProtection = protection(page.getValue());
            if (page.getKey() != end || pageProtection != protection) {
                if (protection >= 0) {
                    areas.add(new Area(start, end - start, protection));
                }
                start = page.getKey();
                protection = pageProtection;
            }
            end = page.getKey() + PhysicalMemory.PAGE_SIZE;
        }
        areas.add(new Area(start, end - start, protection));
        return areas;
    }

    /** Linux's PROT bits for ELF segment flags. */
    private static int protection(int flags) {
        return ((flags & Segment.READ) != 0 ? ImageLayout.PROT_READ : 0)
                | ((flags & Segment.WRITE) != 0 ? ImageLayout.PROT_WRITE : 0)
                | ((flags & Segment.EXECUTE) != 0 ? ImageLayout.PROT_EXEC : 0);
    }
}
