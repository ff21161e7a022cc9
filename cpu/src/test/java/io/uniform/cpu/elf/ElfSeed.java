package io.uniform.cpu.elf;

/**
 * A valid executable to test with, and the address range its kernel allows.
 *
 * @param bare whether it is a bare-metal test, which must define {@code tohost}
 */
record ElfSeed(String name, byte[] bytes, long lowAddress, long highAddress, boolean bare) {
    ElfImage parse() throws ElfFormatException {
        return ElfFile.parse(bytes, lowAddress, highAddress);
    }

    @Override
    public String toString() {
        return name;
    }
}
