package io.uniform.process.image;

/**
 * A mapped range of a frozen process's address space.
 *
 * @param start the first address (page aligned)
 * @param length bytes (a page multiple, positive)
 * @param protection Linux's PROT_READ (1), PROT_WRITE (2) and PROT_EXEC (4) bits
 */
public record Area(int start, int length, int protection) {
    public static final int PAGE_SIZE = 4096;

    public Area {
        if (((start | length) & (PAGE_SIZE - 1)) != 0 || length <= 0 || (protection & ~7) != 0) {
            throw new IllegalArgumentException(String.format("an area is page aligned with a positive length and PROT bits: "
                    + "0x%08x + 0x%x, protection %d", start, length, protection));
        }
    }

    /** The first address past the area, as an unsigned value. */
    public long end() {
        return Integer.toUnsignedLong(start) + length;
    }
}
