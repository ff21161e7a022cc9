package io.uniform.cpu.elf;

import static io.uniform.cpu.elf.SyntheticElfs.BARE_HIGH;
import static io.uniform.cpu.elf.SyntheticElfs.BARE_LOW;
import static io.uniform.cpu.elf.SyntheticElfs.USER_HIGH;
import static io.uniform.cpu.elf.SyntheticElfs.USER_LOW;
import static io.uniform.cpu.elf.TestElfBuilder.PT_INTERP;
import static io.uniform.cpu.elf.TestElfBuilder.PT_LOAD;
import static io.uniform.cpu.elf.TestElfBuilder.R;
import static io.uniform.cpu.elf.TestElfBuilder.SHN_ABS;
import static io.uniform.cpu.elf.TestElfBuilder.STB_GLOBAL;
import static io.uniform.cpu.elf.TestElfBuilder.STT_FUNC;
import static io.uniform.cpu.elf.TestElfBuilder.W;
import static io.uniform.cpu.elf.TestElfBuilder.X;
import static io.uniform.cpu.elf.TestElfBuilder.programHeader;
import static io.uniform.cpu.elf.TestElfBuilder.sectionHeader;
import static io.uniform.cpu.elf.TestElfBuilder.withByte;
import static io.uniform.cpu.elf.TestElfBuilder.withInt;
import static io.uniform.cpu.elf.TestElfBuilder.withShort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {
    private static final byte[] GCC = SyntheticElfs.gcc().build();
    private static final byte[] LLD = SyntheticElfs.lld().build();

    private static ElfImage parseUser(byte[] file) throws ElfFormatException {
        return ElfFile.parse(file, USER_LOW, USER_HIGH);
    }

    /** Parses {@code file} expecting a rejection whose message contains {@code expected}. */
    private static void assertRejected(byte[] file, String expected) {
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> parseUser(file));
        assertTrue(e.getMessage().contains(expected),
                () -> "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }

    @Nested
    class Accepts {
        @Test
        void gccShapeWithOneLoadMappingTheHeaders() throws ElfFormatException {
            ElfImage image = parseUser(GCC);

            assertEquals(0x10000, image.entry());
            List<Segment> segments = image.segments();
            assertEquals(2, segments.size());
            Segment text = segments.get(0);
            assertEquals(0xf000, text.virtualAddress());
            assertEquals(0x100c, text.memorySize());
            assertEquals(0x10_00c, text.end());
            assertTrue(text.readable() && text.executable() && !text.writable());
            byte[] textBytes = text.fileBytes();
            assertEquals(0x7f, textBytes[0], "the headers are mapped too");
            assertArrayEquals(SyntheticElfs.TEXT, Arrays.copyOfRange(textBytes, 0x1000, 0x100c));
            Segment data = segments.get(1);
            assertEquals(0x1100c, data.virtualAddress());
            assertEquals(0x44, data.memorySize());
            assertArrayEquals(SyntheticElfs.DATA, data.fileBytes());
            assertTrue(data.readable() && data.writable() && !data.executable());
        }

        @Test
        void emptyLoadAtAddressZeroIsSkipped() throws ElfFormatException {
            ElfImage image = parseUser(SyntheticElfs.gccWithEmptyLoad().build());

            assertEquals(List.of(0xf000, 0x1100c), image.segments().stream().map(Segment::virtualAddress).toList());
        }

        @Test
        void lldShapeWithHeadersAndTextSegmentsOnOnePage() throws ElfFormatException {
            ElfImage image = parseUser(LLD);

            assertEquals(0x10100, image.entry());
            assertEquals(List.of(0x10000, 0x10100, 0x11110),
                    image.segments().stream().map(Segment::virtualAddress).toList());
            assertEquals(R, image.segments().get(0).flags());
            assertEquals(R | X, image.segments().get(1).flags());
            assertEquals(0xb4, image.segments().get(0).fileSize());
        }

        @Test
        void symbolsAreTheDefinedOnesWithGlobalsWinning() throws ElfFormatException {
            byte[] file = SyntheticElfs.gcc()
                    .symbol("twice", 0x10004, TestElfBuilder.STB_LOCAL, TestElfBuilder.STT_FUNC, 1)
                    .symbol("twice", 0x10008, TestElfBuilder.STB_GLOBAL, TestElfBuilder.STT_FUNC, 1)
                    .symbol("twice", 0x1000c, TestElfBuilder.STB_LOCAL, TestElfBuilder.STT_FUNC, 1)
                    .build();

            assertEquals(Map.of("val", 0x1100c, "_start", 0x10000, "buf", 0x11010, "__global_pointer$", 0x11800,
                    "twice", 0x10008), parseUser(file).symbols());
        }

        @Test
        void allocatedSectionsInHeaderOrder() throws ElfFormatException {
            Map<String, Section> sections = parseUser(GCC).sections();

            assertEquals(List.of(".text", ".data", ".bss"), List.copyOf(sections.keySet()));
            assertEquals(new Section(0x10000, 0xc), sections.get(".text"));
            assertEquals(new Section(0x11010, 0x40), sections.get(".bss"));
        }

        @Test
        void strippedFileHasNoSectionsOrSymbols() throws ElfFormatException {
            ElfImage image = parseUser(SyntheticElfs.stripped().build());

            assertEquals(Map.of(), image.sections());
            assertEquals(Map.of(), image.symbols());
            assertEquals(3, image.segments().size());
        }

        @Test
        void bareMachineImageInTheUpperHalf() throws ElfFormatException {
            ElfImage image = ElfFile.parse(SyntheticElfs.bare().build(), BARE_LOW, BARE_HIGH);

            assertEquals(0x8000_0000, image.entry());
            assertEquals(0x8000_1000, image.symbols().get("tohost"));
            assertEquals(0x8000_1010L, image.segments().get(1).end());
        }

        @Test
        void segmentEndingExactlyAtTheHighAddress() throws ElfFormatException {
            byte[] file = SyntheticElfs.bare().build();

            ElfFile.parse(file, BARE_LOW, 0x8000_1010L);
            ElfFile.parse(file, 0, 1L << 32);
        }

        @Test
        void bssOnlySegmentWithOffsetPastTheEndOfTheFile() throws ElfFormatException {
            byte[] file = new TestElfBuilder()
                    .entry(0x10000)
                    .load(R | X, 0x10000, 0x1000, SyntheticElfs.TEXT, SyntheticElfs.TEXT.length)
                    .programHeader(PT_LOAD, 0x9000, 0x20000, 0, 0x4000, R | W, 0x1000)
                    .build();

            assertEquals(0x4000, parseUser(file).segments().get(1).memorySize());
        }

        @Test
        void realGccExecutable() throws IOException, ElfFormatException {
            // gcc-ttext.elf: riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32 -static -nostdlib
            //   -nostartfiles -Wl,--build-id=none -Ttext=0x10000 -o gcc-ttext.elf gcc-ttext.S
            byte[] file;
            try (InputStream in = ElfFileTest.class.getResourceAsStream("/elf/gcc-ttext.elf")) {
                file = in.readAllBytes();
            }
            ElfImage image = parseUser(file);

            assertEquals(0x10000, image.entry());
            assertEquals(0x10000, image.symbols().get("_start"));
            assertEquals(0x11010, image.symbols().get("buf"));
            assertEquals(new Section(0x11010, 0x40), image.sections().get(".bss"));
            assertEquals(Map.of(0xf000, R | X, 0x10000, R | X, 0x11000, R | W), image.pagePermissions());
        }
    }

    @Nested
    class RejectsHeader {
        @Test
        void badMagic() {
            assertRejected(withByte(GCC, 1, 'X'), "not an ELF file (bad magic)");
            assertRejected(new byte[0], "not an ELF file (bad magic)");
            assertRejected("#!/bin/sh\n".getBytes(), "not an ELF file (bad magic)");
        }

        @Test
        void truncatedHeader() {
            assertRejected(Arrays.copyOf(GCC, 51), "truncated ELF header: the file has 51 bytes");
        }

        @Test
        void elf64() {
            assertRejected(withByte(GCC, 4, 2), "ELF class 2 (64-bit): only ELF32 is supported");
            assertRejected(withByte(GCC, 4, 0), "ELF class 0 is not a valid class");
        }

        @Test
        void bigEndian() {
            assertRejected(withByte(GCC, 5, 2), "big-endian ELF: RISC-V here is little-endian");
            assertRejected(withByte(GCC, 5, 3), "EI_DATA 3 is not a valid byte order");
        }

        @Test
        void identVersion() {
            assertRejected(withByte(GCC, 6, 0), "EI_VERSION 0: only version 1 (current) exists");
        }

        @Test
        void otherMachine() {
            assertRejected(SyntheticElfs.gcc().machine(62).build(), "machine 62 is not RISC-V (243)");
        }

        @Test
        void notAnExecutable() {
            assertRejected(SyntheticElfs.gcc().type(3).build(),
                    "type ET_DYN: only statically linked ET_EXEC is supported");
            assertRejected(SyntheticElfs.gcc().type(1).build(),
                    "type ET_REL: only statically linked ET_EXEC is supported");
        }

        @Test
        void headerVersion() {
            assertRejected(withInt(GCC, TestElfBuilder.E_VERSION, 2), "e_version 2: only version 1 (current) exists");
        }

        @Test
        void compressedExtension() {
            assertRejected(SyntheticElfs.gcc().flags(0x1).build(),
                    "compiled for the C (compressed) extension, which this CPU does not implement");
        }

        @Test
        void hardFloat() {
            assertRejected(SyntheticElfs.gcc().flags(0x2).build(), "float ABI is hard-float: this CPU has no F/D");
            assertRejected(SyntheticElfs.gcc().flags(0x4).build(), "ilp32d");
            assertRejected(SyntheticElfs.gcc().flags(0x6).build(), "quad");
        }

        @Test
        void headerSize() {
            assertRejected(withShort(GCC, TestElfBuilder.E_EHSIZE, 64), "e_ehsize 64: the ELF32 header is 52 bytes");
        }

        @Test
        void dynamicallyLinked() {
            byte[] file = SyntheticElfs.lld().programHeader(PT_INTERP, 0x100, 0, 4, 4, R, 1).build();

            assertRejected(file, "program header 4: PT_INTERP asks for a dynamic linker");
        }
    }

    @Nested
    class RejectsSegments {
        @Test
        void noProgramHeaders() {
            assertRejected(withShort(GCC, TestElfBuilder.E_PHNUM, 0), "no loadable segment");
        }

        @Test
        void onlyEmptyOrOtherSegments() {
            byte[] file = new TestElfBuilder()
                    .programHeader(PT_LOAD, 0, 0, 0, 0, R, 0x1000)
                    .programHeader(TestElfBuilder.PT_NOTE, 0x54, 0, 4, 4, R, 4)
                    .build();

            assertRejected(file, "no loadable segment");
        }

        @Test
        void programHeaderEntrySize() {
            assertRejected(withShort(GCC, TestElfBuilder.E_PHENTSIZE, 56),
                    "program header entry size 56: ELF32 program headers are 32 bytes");
        }

        @Test
        void programHeaderTableOutsideTheFile() {
            assertRejected(withInt(GCC, TestElfBuilder.E_PHOFF, GCC.length - 40),
                    "program header table 0x" + Integer.toHexString(GCC.length - 40) + "+0x60 lies outside the "
                            + GCC.length + "-byte file");
            assertRejected(withInt(GCC, TestElfBuilder.E_PHOFF, -1), "program header table 0xffffffff+0x60");
        }

        @Test
        void fileRangeOutsideTheFile() {
            byte[] file = withInt(LLD, programHeader(2) + TestElfBuilder.P_OFFSET, LLD.length - 2);

            assertRejected(file, String.format("program header 2: file range 0x%x+0x4 lies outside the %d-byte file",
                    LLD.length - 2, LLD.length));
        }

        @Test
        void fileRangeThatWouldOverflowAnInt() {
            byte[] file = withInt(withInt(LLD, programHeader(2) + TestElfBuilder.P_OFFSET, 0x7fff_fff0),
                    programHeader(2) + TestElfBuilder.P_FILESZ, 0x20);

            assertRejected(file, "program header 2: file range 0x7ffffff0+0x20 lies outside");
        }

        @Test
        void memorySizeSmallerThanFileSize() {
            byte[] file = withInt(LLD, programHeader(2) + TestElfBuilder.P_MEMSZ, 2);

            assertRejected(file, "program header 2: memory size 0x2 smaller than file size 0x4");
        }

        @Test
        void segmentBelowTheAllowedRange() {
            byte[] file = SyntheticElfs.bare().build();

            ElfFormatException e = assertThrows(ElfFormatException.class,
                    () -> ElfFile.parse(file, 0x8000_1000L, BARE_HIGH));
            assertEquals("program header 0: segment at 0x80000000 + 0xc is outside the allowed address range"
                    + " 0x80001000-0x90000000", e.getMessage());
        }

        @Test
        void segmentAboveTheAllowedRange() {
            ElfFormatException e = assertThrows(ElfFormatException.class,
                    () -> ElfFile.parse(SyntheticElfs.bare().build(), BARE_LOW, 0x8000_100fL));
            assertEquals("program header 1: segment at 0x80001000 + 0x10 is outside the allowed address range"
                    + " 0x80000000-0x8000100f", e.getMessage());
        }

        @Test
        void segmentThatWouldWrapAroundTheAddressSpace() {
            byte[] file = new TestElfBuilder()
                    .entry(0xffff_f000)
                    .programHeader(PT_LOAD, 0, 0xffff_f000, 0, 0x2000, R | X, 0x1000)
                    .build();

            ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.parse(file, 0, 1L << 32));
            assertEquals("program header 0: segment at 0xfffff000 + 0x2000 is outside the allowed address range"
                    + " 0x0-0x100000000", e.getMessage());
        }

        @Test
        void alignmentNotAPowerOfTwo() {
            assertRejected(withInt(LLD, programHeader(1) + TestElfBuilder.P_ALIGN, 0x3000),
                    "program header 1: alignment 0x3000 is not a power of two");
        }

        @Test
        void addressAndOffsetNotCongruent() {
            assertRejected(withInt(LLD, programHeader(1) + TestElfBuilder.P_VADDR, 0x10200 + 4),
                    "program header 1: virtual address 0x10204 and file offset 0x100 are not congruent modulo the"
                            + " alignment 0x1000");
        }

        @Test
        void alignmentZeroOrOneMeansNone() throws ElfFormatException {
            byte[] unaligned = withInt(LLD, programHeader(1) + TestElfBuilder.P_VADDR, 0x10204);
            byte[] file = withInt(withInt(unaligned, programHeader(1) + TestElfBuilder.P_ALIGN, 1),
                    TestElfBuilder.E_ENTRY, 0x10204);

            assertEquals(0x10204, parseUser(file).segments().get(1).virtualAddress());
            parseUser(withInt(file, programHeader(1) + TestElfBuilder.P_ALIGN, 0));
        }

        @Test
        void overlappingSegments() {
            byte[] file = new TestElfBuilder()
                    .entry(0x10000)
                    .load(R | X, 0x10000, 0x1000, SyntheticElfs.TEXT, 0x100)
                    .load(R | W, 0x100c0, 0x10c0, SyntheticElfs.DATA, 0x10)
                    .build();

            assertRejected(file, "segments 0 and 1 overlap at 0x100c0");
        }

        @Test
        void overlapReportedByProgramHeaderNumber() {
            byte[] file = new TestElfBuilder()
                    .entry(0x10000)
                    .programHeader(PT_LOAD, 0, 0x30000, 0, 0x100, R | W, 0)
                    .programHeader(PT_LOAD, 0, 0x10000, 0, 0x10000, R | X, 0)
                    .programHeader(PT_LOAD, 0, 0x10800, 0, 0x100, R | W, 0)
                    .build();

            assertRejected(file, "segments 1 and 2 overlap at 0x10800");
        }

        @Test
        void segmentsSharingAPageButNoByte() throws ElfFormatException {
            byte[] file = new TestElfBuilder()
                    .entry(0x10000)
                    .load(R | X, 0x10000, 0x1000, SyntheticElfs.TEXT, 0x100)
                    .load(R | W, 0x10100, 0x1100, SyntheticElfs.DATA, 0x10)
                    .build();

            assertEquals(2, parseUser(file).segments().size());
        }

        @Test
        void segmentsTakingMoreThanTheWholeFile() {
            TestElfBuilder builder = new TestElfBuilder().entry(0x10000)
                    .load(R | X, 0x10000, 0x1000, new byte[0x800], 0x800);
            for (int i = 1; i <= 3; i++) {
                builder.programHeader(PT_LOAD, 0x1000, 0x10000 + i * 0x1000, 0x800, 0x800, R, 0x1000);
            }

            assertRejected(builder.build(), "program header 3: the loadable segments take more bytes from the file");
        }

        @Test
        void entryOutsideAnyExecutableSegment() {
            assertRejected(withInt(LLD, TestElfBuilder.E_ENTRY, 0x11110),
                    "entry point 0x11110 is not inside an executable segment");
            assertRejected(withInt(LLD, TestElfBuilder.E_ENTRY, 0x10110),
                    "entry point 0x10110 is not inside an executable segment");
        }

        @Test
        void misalignedEntry() {
            assertRejected(withInt(LLD, TestElfBuilder.E_ENTRY, 0x10102), "entry point 0x10102 is not 4-byte aligned");
        }
    }

    @Nested
    class RejectsSections {
        private static final int SYMTAB = 5;
        private static final int STRTAB = 6;
        private static final int SHSTRTAB = 7;

        @Test
        void entrySize() {
            assertRejected(withShort(GCC, TestElfBuilder.E_SHENTSIZE, 64),
                    "section header entry size 64: ELF32 section headers are 40 bytes");
        }

        @Test
        void tableOutsideTheFile() {
            assertRejected(withShort(GCC, TestElfBuilder.E_SHNUM, 9), "section header table 0x");
            assertRejected(withInt(GCC, TestElfBuilder.E_SHOFF, -8),
                    "section header table 0xfffffff8+0x140 lies outside");
        }

        @Test
        void extendedNumbering() {
            assertRejected(withShort(GCC, TestElfBuilder.E_SHNUM, 0), "extended section numbering is not supported");
        }

        @Test
        void countWithoutTable() {
            assertRejected(withInt(GCC, TestElfBuilder.E_SHOFF, 0),
                    "e_shnum is 8 but there is no section header table (e_shoff 0)");
        }

        @Test
        void nameTableIndex() {
            assertRejected(withShort(GCC, TestElfBuilder.E_SHSTRNDX, 8),
                    "the section name table (e_shstrndx) is section 8, which does not exist");
            assertRejected(withShort(GCC, TestElfBuilder.E_SHSTRNDX, 0), "is section 0, which does not exist");
            assertRejected(withShort(GCC, TestElfBuilder.E_SHSTRNDX, 1),
                    "the section name table (e_shstrndx) is section 1, of type 1 rather than a string table");
        }

        @Test
        void sectionOutsideTheFile() {
            assertRejected(withInt(GCC, sectionHeader(GCC, 4) + TestElfBuilder.SH_SIZE, 0x10_0000),
                    "section 4: file range 0x1010+0x100000 lies outside the " + GCC.length + "-byte file");
        }

        @Test
        void nameOutsideItsTable() {
            int namesSize = TestElfBuilder.getInt(GCC, sectionHeader(GCC, SHSTRTAB) + TestElfBuilder.SH_SIZE);

            assertRejected(withInt(GCC, sectionHeader(GCC, 2) + TestElfBuilder.SH_NAME, namesSize),
                    String.format("section 2: name offset 0x%x lies outside the %d-byte string table section 7",
                            namesSize, namesSize));
        }

        @Test
        void unterminatedName() {
            int namesEnd = TestElfBuilder.getInt(GCC, sectionHeader(GCC, SHSTRTAB) + TestElfBuilder.SH_OFFSET)
                    + TestElfBuilder.getInt(GCC, sectionHeader(GCC, SHSTRTAB) + TestElfBuilder.SH_SIZE);

            assertRejected(withByte(GCC, namesEnd - 1, 'x'), "runs off the end of string table section 7 (no NUL)");
        }

        @Test
        void symbolTableEntrySize() {
            assertRejected(withInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_ENTSIZE, 24),
                    "symbol table (section 5): entry size 24, ELF32 symbols are 16 bytes");
        }

        @Test
        void symbolTableSize() {
            int size = TestElfBuilder.getInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_SIZE);

            assertRejected(withInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_SIZE, size - 4),
                    "symbol table (section 5): size " + (size - 4) + " is not a multiple of 16");
        }

        @Test
        void symbolTableLink() {
            assertRejected(withInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_LINK, 2),
                    "the string table of the symbol table (section 5 sh_link) is section 2, of type 1");
            assertRejected(withInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_LINK, 99),
                    "is section 99, which does not exist");
        }

        @Test
        void twoSymbolTables() {
            assertRejected(withInt(GCC, sectionHeader(GCC, 4) + TestElfBuilder.SH_TYPE, 2),
                    "sections 4 and 5 are both symbol tables");
        }

        @Test
        void symbolNameOutsideTheStringTable() {
            int symbol3 = TestElfBuilder.getInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_OFFSET) + 3 * 16;
            int size = TestElfBuilder.getInt(GCC, sectionHeader(GCC, STRTAB) + TestElfBuilder.SH_SIZE);

            assertRejected(withInt(GCC, symbol3, size + 100), String.format(
                    "symbol 3: name offset 0x%x lies outside the %d-byte string table section 6", size + 100, size));
        }

        @Test
        void symbolInANonexistentSection() {
            int symbol4 = TestElfBuilder.getInt(GCC, sectionHeader(GCC, SYMTAB) + TestElfBuilder.SH_OFFSET) + 4 * 16;

            assertRejected(withShort(GCC, symbol4 + 14, 12),
                    "symbol 4 (_start): section index 12 does not exist (the file has 8 sections)");
        }

        @Test
        void symbolNamesSharingOneLongName() {
            // One long name, and many symbols each naming a tail of it: a small string table
            // that would decode into megabytes of names.
            int symbols = 2000;
            TestElfBuilder builder = SyntheticElfs.stripped()
                    .symbol("n".repeat(2000), 0, STB_GLOBAL, STT_FUNC, SHN_ABS);
            for (int i = 0; i < symbols; i++) {
                builder.symbol("", 0, STB_GLOBAL, STT_FUNC, SHN_ABS);
            }
            byte[] file = builder.build();
            int symbolTable = TestElfBuilder.getInt(file, sectionHeader(file, 1) + TestElfBuilder.SH_OFFSET);
            ByteBuffer patched = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < symbols; i++) {
                // Symbol 1 is the long name at string table offset 1; symbol 2 + i names its tail from 1 + i.
                patched.putInt(symbolTable + (2 + i) * 16, 1 + i);
            }

            assertRejected(file, "string table section 2: the names using it add up to more than 8 times");
        }
    }

    @Nested
    class Reads {
        @Test
        void wholeFile(@TempDir Path directory) throws IOException, ElfFormatException {
            Path path = directory.resolve("prog.elf");
            Files.write(path, GCC);

            assertArrayEquals(GCC, ElfFile.read(path));
        }

        @Test
        void missingFile(@TempDir Path directory) {
            Path path = directory.resolve("missing.elf");

            IOException e = assertThrows(IOException.class, () -> ElfFile.read(path));
            assertEquals("cannot read " + path + ": no such file", e.getMessage());
        }

        @Test
        void directory(@TempDir Path directory) {
            IOException e = assertThrows(IOException.class, () -> ElfFile.read(directory));
            assertTrue(e.getMessage().startsWith("cannot read " + directory + ": "), e.getMessage());
        }

        @Test
        void tooLarge(@TempDir Path directory) throws IOException {
            Path path = directory.resolve("huge.elf");
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                // Sparse: one byte past the limit costs no disk space.
                channel.write(ByteBuffer.wrap(new byte[1]), ElfFile.MAX_FILE_SIZE);
            }

            ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.read(path));
            assertEquals(path + " is larger than 256 MiB, the most an executable may be", e.getMessage());
        }
    }
}
