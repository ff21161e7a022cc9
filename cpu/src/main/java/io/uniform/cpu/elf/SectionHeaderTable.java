package io.uniform.cpu.elf;

import static io.uniform.cpu.elf.LittleEndian.i32;
import static io.uniform.cpu.elf.LittleEndian.u16;
import static io.uniform.cpu.elf.LittleEndian.u32;
import static io.uniform.cpu.elf.LittleEndian.u8;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optional section header table: the allocated sections by name and the symbols of
 * {@code .symtab}. Nothing is needed from it to run a program, but a table that is present
 * is validated as strictly as the program headers, because tools trust what it says.
 */
final class SectionHeaderTable {
    static final int ENTRY_SIZE = 40;
    static final int SYMBOL_SIZE = 16;

    private static final int SHT_NULL = 0;
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_NOBITS = 8;
    private static final int SHF_ALLOC = 0x2;
    /** Section indices from here up are reserved (SHN_ABS, SHN_COMMON, ...), not real sections. */
    private static final int SHN_LORESERVE = 0xff00;
    private static final int STB_LOCAL = 0;
    private static final int STT_SECTION = 3;
    private static final int STT_FILE = 4;

    /** What the table contributes to an {@link ElfImage}. */
    record Contents(Map<String, Section> allocatedSections, Map<String, Integer> symbols) {
        static final Contents NONE = new Contents(Map.of(), Map.of());
    }

    private record Header(int index, long nameOffset, int type, long flags, int address, long offset, long size,
                          long link, long entrySize) {
        boolean hasFileBytes() {
            return type != SHT_NULL && type != SHT_NOBITS;
        }
    }

    private SectionHeaderTable() {
    }

    static Contents parse(byte[] file, long tableOffset, int entrySize, int count, int namesIndex)
            throws ElfFormatException {
        if (entrySize != ENTRY_SIZE) {
            throw new ElfFormatException(String.format(
                    "section header entry size %d: ELF32 section headers are %d bytes", entrySize, ENTRY_SIZE));
        }
        if (count == 0) {
            throw new ElfFormatException(String.format(
                    "section header table at 0x%x has no entries (extended section numbering is not supported)",
                    tableOffset));
        }
        long tableSize = (long) count * ENTRY_SIZE;
        if (tableOffset + tableSize > file.length) {
            throw new ElfFormatException(String.format(
                    "section header table 0x%x+0x%x lies outside the %d-byte file", tableOffset, tableSize,
                    file.length));
        }
        List<Header> headers = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            Header header = readHeader(file, tableOffset + (long) index * ENTRY_SIZE, index);
            if (header.hasFileBytes() && header.offset + header.size > file.length) {
                throw new ElfFormatException(String.format(
                        "section %d: file range 0x%x+0x%x lies outside the %d-byte file", index, header.offset,
                        header.size, file.length));
            }
            headers.add(header);
        }
        StringTable names = stringTable(file, headers, namesIndex, "the section name table (e_shstrndx)");

        Map<String, Section> allocated = new LinkedHashMap<>();
        Header symbolTable = null;
        for (Header header : headers) {
            String name = names.nameAt(header.nameOffset, "section " + header.index);
            // Two output sections can share a name under a custom linker script; keep the first.
            if ((header.flags & SHF_ALLOC) != 0 && header.type != SHT_NULL) {
                allocated.putIfAbsent(name, new Section(header.address, header.size));
            }
            if (header.type == SHT_SYMTAB) {
                if (symbolTable != null) {
                    throw new ElfFormatException(String.format(
                            "sections %d and %d are both symbol tables (SHT_SYMTAB); ELF allows one",
                            symbolTable.index, header.index));
                }
                symbolTable = header;
            }
        }
        Map<String, Integer> symbols = symbolTable == null ? Map.of() : symbols(file, headers, symbolTable);
        return new Contents(allocated, symbols);
    }

    private static Header readHeader(byte[] file, long at, int index) {
        return new Header(index, u32(file, at), i32(file, at + 4), u32(file, at + 8), i32(file, at + 12),
                u32(file, at + 16), u32(file, at + 20), u32(file, at + 24), u32(file, at + 36));
    }

    /** The string table section at {@code index}, checked to be one; {@code role} names who points at it. */
    private static StringTable stringTable(byte[] file, List<Header> headers, long index, String role)
            throws ElfFormatException {
        if (index == 0 || index >= headers.size()) {
            throw new ElfFormatException(String.format(
                    "%s is section %d, which does not exist (the file has sections 1 to %d)", role, index,
                    headers.size() - 1));
        }
        Header header = headers.get((int) index);
        if (header.type != SHT_STRTAB) {
            throw new ElfFormatException(String.format(
                    "%s is section %d, of type %d rather than a string table (SHT_STRTAB)", role, index,
                    header.type));
        }
        // parse() checked that the section lies inside the file, so both fit in an int.
        return new StringTable(file, (int) header.offset, (int) header.size, "section " + index);
    }

    private static Map<String, Integer> symbols(byte[] file, List<Header> headers, Header table)
            throws ElfFormatException {
        if (table.entrySize != SYMBOL_SIZE) {
            throw new ElfFormatException(String.format(
                    "symbol table (section %d): entry size %d, ELF32 symbols are %d bytes", table.index,
                    table.entrySize, SYMBOL_SIZE));
        }
        if (table.size % SYMBOL_SIZE != 0) {
            throw new ElfFormatException(String.format(
                    "symbol table (section %d): size %d is not a multiple of %d", table.index, table.size,
                    SYMBOL_SIZE));
        }
        StringTable names = stringTable(file, headers, table.link,
                "the string table of the symbol table (section " + table.index + " sh_link)");
        Map<String, Integer> locals = new HashMap<>();
        Map<String, Integer> globals = new HashMap<>();
        int count = (int) (table.size / SYMBOL_SIZE);
        // Symbol 0 is the reserved undefined symbol.
        for (int index = 1; index < count; index++) {
            long at = table.offset + (long) index * SYMBOL_SIZE;
            String user = "symbol " + index;
            String name = names.nameAt(u32(file, at), user);
            int value = i32(file, at + 4);
            int info = u8(file, at + 12);
            int sectionIndex = u16(file, at + 14);
            if (sectionIndex >= headers.size() && sectionIndex < SHN_LORESERVE) {
                throw new ElfFormatException(String.format(
                        "%s (%s): section index %d does not exist (the file has %d sections)", user, name,
                        sectionIndex, headers.size()));
            }
            int type = info & 0xf;
            boolean defined = sectionIndex != 0;
            // Section and file symbols name sections and source files, not addresses.
            if (!defined || name.isEmpty() || type == STT_SECTION || type == STT_FILE) {
                continue;
            }
            (info >>> 4 == STB_LOCAL ? locals : globals).putIfAbsent(name, value);
        }
        Map<String, Integer> symbols = new HashMap<>(locals);
        symbols.putAll(globals);
        return symbols;
    }
}
