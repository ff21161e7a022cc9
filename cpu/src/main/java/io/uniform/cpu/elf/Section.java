package io.uniform.cpu.elf;

/**
 * An allocated section of an executable (one that occupies memory at run time), as named in
 * the section header table: for tools and tests that want to know where {@code .text} or
 * {@code .bss} ended up.
 *
 * @param address the section's virtual address
 * @param size    its size in bytes in memory, from 0 to 2<sup>32</sup> - 1
 */
public record Section(int address, long size) {
    public Section {
        if (size < 0 || size > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("section size out of the 32-bit range: " + size);
        }
    }

    @Override
    public String toString() {
        return String.format("Section[0x%x + 0x%x]", address, size);
    }
}
