package io.uniform.puma.qk;

import io.uniform.process.image.Area;
import java.util.List;

/**
 * What the QK keeps of a process's image, for a migration to carry: the areas below its heap
 * (the ELF's segments by page, with Linux PROT bits; or the image areas it arrived with), and
 * the address of the unified library's OS word, 0 for a program without one.
 */
public record ImageLayout(List<Area> areas, int osFlagAddress) {
    /** Linux's protection bits, which {@link Area} carries. */
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;

    public ImageLayout {
        areas = List.copyOf(areas);
    }

    /**
     * Checks that the areas are in address order without overlap inside
     * [{@link PumaAbi#IMAGE_LOW}, {@code heapStart}), and that the OS word, if any, is a
     * 4-aligned word of a writable area.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public void requireBelow(int heapStart) {
        long low = PumaAbi.IMAGE_LOW;
        for (Area area : areas) {
            if (Integer.toUnsignedLong(area.start()) < low || area.end() > Integer.toUnsignedLong(heapStart)) {
                throw new IllegalArgumentException(String.format("image area [0x%08x, 0x%08x) is not in address order inside "
                        + "[0x%08x, 0x%08x), the image's part of the region", area.start(), area.end(), PumaAbi.IMAGE_LOW, heapStart));
            }
            low = area.end();
        }
        if (areas.isEmpty()) {
            throw new IllegalArgumentException("an image has at least one area");
        }
        boolean flagWritable = areas.stream().anyMatch(area -> (area.protection() & PROT_WRITE) != 0
                && Integer.compareUnsigned(osFlagAddress, area.start()) >= 0 && Integer.toUnsignedLong(osFlagAddress) + 4 <= area.end());
        if (osFlagAddress != 0 && ((osFlagAddress & 3) != 0 || !flagWritable)) {
            throw new IllegalArgumentException(String.format("the OS word at 0x%08x is not an aligned word of a writable image area",
                    osFlagAddress));
        }
    }

    /** The image's lowest address. */
    public int base() {
        return areas.get(0).start();
    }
}
