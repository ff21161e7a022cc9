package io.uniform.cpu.elf;

import java.nio.charset.StandardCharsets;

/**
 * A string table section (.shstrtab, .strtab) whose bounds in the file are already validated:
 * NUL-terminated names looked up by offset.
 *
 * <p>Names may share bytes (a linker stores "bar" as the tail of "foobar"), but a hostile file
 * could point thousands of symbols into one long unterminated run and make us decode, scan and
 * keep gigabytes of text. So the table stops decoding once the names it handed out add up to
 * {@link #DECODED_BYTES_PER_TABLE_BYTE} times its size, far beyond what any linker produces.
 */
final class StringTable {
    static final int DECODED_BYTES_PER_TABLE_BYTE = 8;

    private final byte[] file;
    private final int start;
    private final int size;
    private final String name;
    private long decodeBudget;

    StringTable(byte[] file, int start, int size, String name) {
        this.file = file;
        this.start = start;
        this.size = size;
        this.name = name;
        this.decodeBudget = (long) DECODED_BYTES_PER_TABLE_BYTE * size;
    }

    /** The name at {@code offset}; {@code user} says who asked, for the error message. */
    String nameAt(long offset, String user) throws ElfFormatException {
        if (offset >= size) {
            throw new ElfFormatException(String.format(
                    "%s: name offset 0x%x lies outside the %d-byte string table %s", user, offset, size, name));
        }
        int first = start + (int) offset;
        int limit = start + size;
        int end = first;
        while (end < limit && file[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw new ElfFormatException(String.format(
                    "%s: name at offset 0x%x runs off the end of string table %s (no NUL)", user, offset, name));
        }
        decodeBudget -= end - first;
        if (decodeBudget < 0) {
            throw new ElfFormatException(String.format(
                    "string table %s: the names using it add up to more than %d times its %d bytes", name,
                    DECODED_BYTES_PER_TABLE_BYTE, size));
        }
        return new String(file, first, end - first, StandardCharsets.UTF_8);
    }
}
