package io.uniform.cpu.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ELF32 RISC-V executables byte by byte, so that tests control every field: the
 * ELF header, program headers at offset 52, segment contents at chosen file offsets and,
 * optionally, a section header table with .symtab, .strtab and .shstrtab appended at the end.
 *
 * <p>Section indices: 0 is the null section, then the {@link #section}s in the order added,
 * then .symtab and .strtab (when there are symbols), then .shstrtab.
 */
final class TestElfBuilder {
    static final int PT_LOAD = 1;
    static final int PT_INTERP = 3;
    static final int PT_NOTE = 4;
    static final int SHT_PROGBITS = 1;
    static final int SHT_NOBITS = 8;
    static final int SHF_WRITE = 0x1;
    static final int SHF_ALLOC = 0x2;
    static final int SHF_EXECINSTR = 0x4;
    static final int R = Segment.READ;
    static final int W = Segment.WRITE;
    static final int X = Segment.EXECUTE;
    static final int SHN_ABS = 0xfff1;
    static final int STB_LOCAL = 0;
    static final int STB_GLOBAL = 1;
    static final int STT_NOTYPE = 0;
    static final int STT_FUNC = 2;
    static final int STT_SECTION = 3;
    static final int STT_FILE = 4;

    /** Field offsets, for tests that corrupt a built file. */
    static final int E_TYPE = 16;
    static final int E_VERSION = 20;
    static final int E_ENTRY = 24;
    static final int E_PHOFF = 28;
    static final int E_SHOFF = 32;
    static final int E_EHSIZE = 40;
    static final int E_PHENTSIZE = 42;
    static final int E_PHNUM = 44;
    static final int E_SHENTSIZE = 46;
    static final int E_SHNUM = 48;
    static final int E_SHSTRNDX = 50;
    static final int P_OFFSET = 4;
    static final int P_VADDR = 8;
    static final int P_FILESZ = 16;
    static final int P_MEMSZ = 20;
    static final int P_ALIGN = 28;
    static final int SH_NAME = 0;
    static final int SH_TYPE = 4;
    static final int SH_OFFSET = 16;
    static final int SH_SIZE = 20;
    static final int SH_LINK = 24;
    static final int SH_ENTSIZE = 36;

    private record ProgramHeader(int type, int offset, int virtualAddress, int fileSize, int memorySize, int flags,
                                 int alignment) {
    }

    private record SectionSpec(String name, int type, int flags, int address, int offset, int size, int link,
                               int entrySize) {
    }

    private record Symbol(String name, int value, int info, int sectionIndex) {
    }

    private record Content(int offset, byte[] bytes) {
    }

    private int type = 2;
    private int machine = 243;
    private int flags;
    private int entry;
    private boolean sectionHeaders;
    private final List<ProgramHeader> programHeaders = new ArrayList<>();
    private final List<Content> contents = new ArrayList<>();
    private final List<SectionSpec> sections = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();

    TestElfBuilder entry(int address) {
        entry = address;
        return this;
    }

    TestElfBuilder flags(int elfFlags) {
        flags = elfFlags;
        return this;
    }

    TestElfBuilder type(int elfType) {
        type = elfType;
        return this;
    }

    TestElfBuilder machine(int elfMachine) {
        machine = elfMachine;
        return this;
    }

    /** A raw program header; nothing is written at its file range. */
    TestElfBuilder programHeader(int segmentType, int offset, int virtualAddress, int fileSize, int memorySize,
                                 int segmentFlags, int alignment) {
        programHeaders.add(new ProgramHeader(segmentType, offset, virtualAddress, fileSize, memorySize,
                segmentFlags, alignment));
        return this;
    }

    /** A page-aligned PT_LOAD whose file bytes are {@code bytes}, placed at {@code offset}. */
    TestElfBuilder load(int segmentFlags, int virtualAddress, int offset, byte[] bytes, int memorySize) {
        put(offset, bytes);
        return programHeader(PT_LOAD, offset, virtualAddress, bytes.length, memorySize, segmentFlags, 0x1000);
    }

    /** File bytes at {@code offset}, written after the headers (so they may overwrite them). */
    TestElfBuilder put(int offset, byte[] bytes) {
        contents.add(new Content(offset, bytes.clone()));
        return this;
    }

    /** A section header (index: its position among the sections added, plus one). */
    TestElfBuilder section(String name, int sectionType, int sectionFlags, int address, int offset, int size) {
        sections.add(new SectionSpec(name, sectionType, sectionFlags, address, offset, size, 0, 0));
        sectionHeaders = true;
        return this;
    }

    TestElfBuilder symbol(String name, int value, int binding, int symbolType, int sectionIndex) {
        symbols.add(new Symbol(name, value, binding << 4 | symbolType, sectionIndex));
        sectionHeaders = true;
        return this;
    }

    byte[] build() {
        int headersEnd = ElfFile.HEADER_SIZE + programHeaders.size() * ElfFile.PROGRAM_HEADER_SIZE;
        int end = headersEnd;
        for (Content content : contents) {
            end = Math.max(end, content.offset + content.bytes.length);
        }
        // Room for the tables: generous per entry, plus alignment padding and the fixed sections.
        int tablesBound = 1024 + 64 * (sections.size() + symbols.size()) + totalNameBytes();
        ByteBuffer file = ByteBuffer.allocate(end + tablesBound).order(ByteOrder.LITTLE_ENDIAN);
        file.position(end);
        int sectionTableOffset = 0;
        int sectionCount = 0;
        int namesIndex = 0;
        if (sectionHeaders) {
            List<SectionSpec> all = new ArrayList<>();
            all.add(new SectionSpec("", 0, 0, 0, 0, 0, 0, 0));
            all.addAll(sections);
            if (!symbols.isEmpty()) {
                int symbolTableIndex = all.size();
                StringTableWriter names = new StringTableWriter();
                align(file);
                int symbolTableOffset = file.position();
                file.put(new byte[SectionHeaderTable.SYMBOL_SIZE]);
                for (Symbol symbol : symbols) {
                    file.putInt(names.add(symbol.name)).putInt(symbol.value).putInt(0)
                            .put((byte) symbol.info).put((byte) 0).putShort((short) symbol.sectionIndex);
                }
                int symbolTableSize = file.position() - symbolTableOffset;
                int stringTableOffset = file.position();
                file.put(names.bytes());
                all.add(new SectionSpec(".symtab", 2, 0, 0, symbolTableOffset, symbolTableSize, symbolTableIndex + 1,
                        SectionHeaderTable.SYMBOL_SIZE));
                all.add(new SectionSpec(".strtab", 3, 0, 0, stringTableOffset, names.bytes().length, 0, 0));
            }
            namesIndex = all.size();
            StringTableWriter sectionNames = new StringTableWriter();
            int[] nameOffsets = new int[all.size() + 1];
            for (int i = 0; i < all.size(); i++) {
                nameOffsets[i] = sectionNames.add(all.get(i).name);
            }
            nameOffsets[namesIndex] = sectionNames.add(".shstrtab");
            int namesOffset = file.position();
            file.put(sectionNames.bytes());
            all.add(new SectionSpec(".shstrtab", 3, 0, 0, namesOffset, sectionNames.bytes().length, 0, 0));
            align(file);
            sectionTableOffset = file.position();
            sectionCount = all.size();
            for (int i = 0; i < all.size(); i++) {
                SectionSpec section = all.get(i);
                file.putInt(nameOffsets[i]).putInt(section.type).putInt(section.flags).putInt(section.address)
                        .putInt(section.offset).putInt(section.size).putInt(section.link).putInt(0).putInt(4)
                        .putInt(section.entrySize);
            }
        }
        int fileLength = file.position();

        file.position(0);
        file.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0}).put(new byte[8]);
        file.putShort((short) type).putShort((short) machine).putInt(1).putInt(entry)
                .putInt(programHeaders.isEmpty() ? 0 : ElfFile.HEADER_SIZE).putInt(sectionTableOffset).putInt(flags)
                .putShort((short) ElfFile.HEADER_SIZE).putShort((short) ElfFile.PROGRAM_HEADER_SIZE)
                .putShort((short) programHeaders.size()).putShort((short) SectionHeaderTable.ENTRY_SIZE)
                .putShort((short) sectionCount).putShort((short) namesIndex);
        for (ProgramHeader header : programHeaders) {
            file.putInt(header.type).putInt(header.offset).putInt(header.virtualAddress).putInt(header.virtualAddress)
                    .putInt(header.fileSize).putInt(header.memorySize).putInt(header.flags).putInt(header.alignment);
        }
        for (Content content : contents) {
            file.position(content.offset);
            file.put(content.bytes);
        }
        byte[] bytes = new byte[fileLength];
        file.get(0, bytes);
        return bytes;
    }

    private int totalNameBytes() {
        int total = 64;
        for (SectionSpec section : sections) {
            total += section.name.length() * 3 + 1;
        }
        for (Symbol symbol : symbols) {
            total += symbol.name.length() * 3 + 1;
        }
        return total;
    }

    private static void align(ByteBuffer file) {
        file.position((file.position() + 3) & ~3);
    }

    /** Writes a string table: a leading NUL, then each name NUL-terminated. */
    private static final class StringTableWriter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        StringTableWriter() {
            bytes.write(0);
        }

        int add(String name) {
            if (name.isEmpty()) {
                return 0;
            }
            int offset = bytes.size();
            bytes.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            bytes.write(0);
            return offset;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    // Helpers for tests that corrupt a built file.

    static int programHeader(int index) {
        return ElfFile.HEADER_SIZE + index * ElfFile.PROGRAM_HEADER_SIZE;
    }

    static int sectionHeader(byte[] file, int index) {
        return getInt(file, E_SHOFF) + index * SectionHeaderTable.ENTRY_SIZE;
    }

    static int getInt(byte[] file, int offset) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    static byte[] withInt(byte[] file, int offset, int value) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return copy;
    }

    static byte[] withShort(byte[] file, int offset, int value) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) value);
        return copy;
    }

    static byte[] withByte(byte[] file, int offset, int value) {
        byte[] copy = file.clone();
        copy[offset] = (byte) value;
        return copy;
    }
}
