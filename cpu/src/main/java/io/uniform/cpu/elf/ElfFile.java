package io.uniform.cpu.elf;

import static io.uniform.cpu.elf.LittleEndian.i32;
import static io.uniform.cpu.elf.LittleEndian.u16;
import static io.uniform.cpu.elf.LittleEndian.u32;
import static io.uniform.cpu.elf.LittleEndian.u8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Reads statically linked RISC-V RV32 executables (ET_EXEC, ELF32, little-endian) for this
 * RV32IM CPU, and refuses anything else with an {@link ElfFormatException} that says why.
 *
 * <p>Every field that is read is validated before it is used, with 64-bit arithmetic for file
 * and address ranges, so any byte string, however hostile, either parses or is rejected; and
 * what is allocated stays proportional to the file's size, never to the sizes it claims.
 */
public final class ElfFile {
    /** {@link #read} refuses larger files; no guest program comes close. */
    public static final int MAX_FILE_SIZE = 256 << 20;

    static final int HEADER_SIZE = 52;
    static final int PROGRAM_HEADER_SIZE = 32;

    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int ELFCLASS32 = 1;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFDATA2MSB = 2;
    private static final int EV_CURRENT = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_RISCV = 243;
    private static final int EF_RISCV_RVC = 0x1;
    private static final int EF_RISCV_FLOAT_ABI = 0x6;
    private static final int PT_LOAD = 1;
    private static final int PT_INTERP = 3;
    private static final int PERMISSION_FLAGS = Segment.READ | Segment.WRITE | Segment.EXECUTE;
    private static final long ADDRESS_SPACE_END = 0x1_0000_0000L;

    /** A loadable segment and the index of the program header it came from, for error messages. */
    private record Numbered(int programHeader, Segment segment) {
    }

    private ElfFile() {
    }

    /**
     * Reads a whole file for {@link #parse}.
     *
     * @throws IOException        the file is missing or cannot be read; the message says which
     * @throws ElfFormatException the file is larger than {@link #MAX_FILE_SIZE}
     */
    public static byte[] read(Path path) throws IOException, ElfFormatException {
        try {
            // Checked up front so that a huge file is refused without reading it.
            if (Files.isRegularFile(path) && Files.size(path) > MAX_FILE_SIZE) {
                throw tooLarge(path);
            }
            try (InputStream in = Files.newInputStream(path)) {
                // One byte more than allowed tells a file that grew since the check, or a device.
                byte[] bytes = in.readNBytes(MAX_FILE_SIZE + 1);
                if (bytes.length > MAX_FILE_SIZE) {
                    throw tooLarge(path);
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + path + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read " + path + ": permission denied", e);
        } catch (IOException e) {
            throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static ElfFormatException tooLarge(Path path) {
        return new ElfFormatException(String.format(
                "%s is larger than %d MiB, the most an executable may be", path, MAX_FILE_SIZE >> 20));
    }

    /**
     * Parses and validates an executable whose segments must lie in the unsigned address range
     * {@code [lowAddress, highAddress)}: a kernel passes the part of the address space it lets
     * programs occupy.
     *
     * @throws IllegalArgumentException the range is not within [0, 2<sup>32</sup>]
     */
    public static ElfImage parse(byte[] file, long lowAddress, long highAddress) throws ElfFormatException {
        Objects.requireNonNull(file, "file");
        if (lowAddress < 0 || lowAddress > highAddress || highAddress > ADDRESS_SPACE_END) {
            throw new IllegalArgumentException(String.format(
                    "address range 0x%x-0x%x is not within the 32-bit address space", lowAddress, highAddress));
        }
        checkIdentification(file);
        checkHeader(file);
        int entry = i32(file, 24);
        long programHeaderOffset = u32(file, 28);
        long sectionHeaderOffset = u32(file, 32);
        int programHeaderSize = u16(file, 42);
        int programHeaderCount = u16(file, 44);
        int sectionHeaderSize = u16(file, 46);
        int sectionHeaderCount = u16(file, 48);
        int sectionNamesIndex = u16(file, 50);

        List<Numbered> segments = loadableSegments(file, programHeaderOffset, programHeaderSize,
                programHeaderCount, lowAddress, highAddress);
        checkNoOverlap(segments);
        checkEntry(entry, segments);

        SectionHeaderTable.Contents contents;
        if (sectionHeaderOffset != 0) {
            contents = SectionHeaderTable.parse(file, sectionHeaderOffset, sectionHeaderSize, sectionHeaderCount,
                    sectionNamesIndex);
        } else if (sectionHeaderCount != 0) {
            throw new ElfFormatException(String.format(
                    "e_shnum is %d but there is no section header table (e_shoff 0)", sectionHeaderCount));
        } else {
            contents = SectionHeaderTable.Contents.NONE;
        }
        return new ElfImage(entry, segments.stream().map(Numbered::segment).toList(), contents.symbols(),
                contents.allocatedSections());
    }

    /** e_ident: what kind of ELF this is, before any multi-byte field can be trusted. */
    private static void checkIdentification(byte[] file) throws ElfFormatException {
        if (file.length < MAGIC.length || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ElfFormatException("not an ELF file (bad magic)");
        }
        if (file.length < HEADER_SIZE) {
            throw new ElfFormatException(String.format(
                    "truncated ELF header: the file has %d bytes, the ELF32 header needs %d", file.length,
                    HEADER_SIZE));
        }
        int elfClass = u8(file, 4);
        if (elfClass == ELFCLASS64) {
            throw new ElfFormatException("ELF class 2 (64-bit): only ELF32 is supported");
        }
        if (elfClass != ELFCLASS32) {
            throw new ElfFormatException("ELF class " + elfClass + " is not a valid class: only ELF32 is supported");
        }
        int byteOrder = u8(file, 5);
        if (byteOrder == ELFDATA2MSB) {
            throw new ElfFormatException("big-endian ELF: RISC-V here is little-endian");
        }
        if (byteOrder != ELFDATA2LSB) {
            throw new ElfFormatException("EI_DATA " + byteOrder + " is not a valid byte order");
        }
        int version = u8(file, 6);
        if (version != EV_CURRENT) {
            throw new ElfFormatException("EI_VERSION " + version + ": only version 1 (current) exists");
        }
    }

    private static void checkHeader(byte[] file) throws ElfFormatException {
        int type = u16(file, 16);
        if (type != ET_EXEC) {
            throw new ElfFormatException("type " + typeName(type) + ": only statically linked ET_EXEC is supported");
        }
        int machine = u16(file, 18);
        if (machine != EM_RISCV) {
            throw new ElfFormatException("machine " + machine + " is not RISC-V (" + EM_RISCV + ")");
        }
        long version = u32(file, 20);
        if (version != EV_CURRENT) {
            throw new ElfFormatException("e_version " + version + ": only version 1 (current) exists");
        }
        int flags = i32(file, 36);
        if ((flags & EF_RISCV_RVC) != 0) {
            throw new ElfFormatException(
                    "compiled for the C (compressed) extension, which this CPU does not implement");
        }
        if ((flags & EF_RISCV_FLOAT_ABI) != 0) {
            throw new ElfFormatException(String.format(
                    "float ABI is hard-float: this CPU has no F/D (e_flags 0x%x, %s)", flags,
                    floatAbiName(flags & EF_RISCV_FLOAT_ABI)));
        }
        int headerSize = u16(file, 40);
        if (headerSize != HEADER_SIZE) {
            throw new ElfFormatException(String.format(
                    "e_ehsize %d: the ELF32 header is %d bytes", headerSize, HEADER_SIZE));
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0 -> "ET_NONE";
            case 1 -> "ET_REL";
            case 2 -> "ET_EXEC";
            case 3 -> "ET_DYN";
            case 4 -> "ET_CORE";
            default -> String.format("0x%x", type);
        };
    }

    private static String floatAbiName(int floatAbi) {
        return switch (floatAbi) {
            case 0x2 -> "single, ilp32f";
            case 0x4 -> "double, ilp32d";
            default -> "quad";
        };
    }

    /** The non-empty PT_LOAD segments, each checked on its own. */
    private static List<Numbered> loadableSegments(byte[] file, long tableOffset, int entrySize, int count,
                                                   long lowAddress, long highAddress) throws ElfFormatException {
        if (count == 0) {
            throw new ElfFormatException("no loadable segment");
        }
        if (entrySize != PROGRAM_HEADER_SIZE) {
            throw new ElfFormatException(String.format(
                    "program header entry size %d: ELF32 program headers are %d bytes", entrySize,
                    PROGRAM_HEADER_SIZE));
        }
        long tableSize = (long) count * PROGRAM_HEADER_SIZE;
        if (tableOffset + tableSize > file.length) {
            throw new ElfFormatException(String.format(
                    "program header table 0x%x+0x%x lies outside the %d-byte file", tableOffset, tableSize,
                    file.length));
        }
        List<Numbered> segments = new ArrayList<>();
        // Segments may share file bytes, but copying more than the file holds in total would let
        // a few kilobytes of program headers make us allocate gigabytes.
        long fileBytesCopied = 0;
        for (int index = 0; index < count; index++) {
            long at = tableOffset + (long) index * PROGRAM_HEADER_SIZE;
            int type = i32(file, at);
            if (type == PT_INTERP) {
                throw new ElfFormatException("program header " + index
                        + ": PT_INTERP asks for a dynamic linker; only statically linked executables are supported");
            }
            if (type != PT_LOAD) {
                continue;
            }
            long offset = u32(file, at + 4);
            int virtualAddress = i32(file, at + 8);
            long fileSize = u32(file, at + 16);
            long memorySize = u32(file, at + 20);
            int flags = i32(file, at + 24);
            long alignment = u32(file, at + 28);
            String where = "program header " + index;
            if (fileSize > memorySize) {
                throw new ElfFormatException(String.format(
                        "%s: memory size 0x%x smaller than file size 0x%x", where, memorySize, fileSize));
            }
            // A bss-only segment reads nothing, so its offset need not lie inside the file.
            if (fileSize > 0 && offset + fileSize > file.length) {
                throw new ElfFormatException(String.format(
                        "%s: file range 0x%x+0x%x lies outside the %d-byte file", where, offset, fileSize,
                        file.length));
            }
            // Linkers emit empty LOADs (gcc: memsz 0 at vaddr 0); they occupy nothing.
            if (memorySize == 0) {
                continue;
            }
            checkAlignment(where, offset, virtualAddress, alignment);
            long start = Integer.toUnsignedLong(virtualAddress);
            if (start < lowAddress || start + memorySize > highAddress) {
                throw new ElfFormatException(String.format(
                        "%s: segment at 0x%x + 0x%x is outside the allowed address range 0x%x-0x%x", where,
                        start, memorySize, lowAddress, highAddress));
            }
            fileBytesCopied += fileSize;
            if (fileBytesCopied > file.length) {
                throw new ElfFormatException(String.format(
                        "%s: the loadable segments take more bytes from the file than its %d (their file ranges"
                                + " overlap)", where, file.length));
            }
            byte[] contents = fileSize == 0 ? new byte[0]
                    : Arrays.copyOfRange(file, (int) offset, (int) (offset + fileSize));
            segments.add(new Numbered(index, new Segment(virtualAddress, memorySize, contents,
                    flags & PERMISSION_FLAGS)));
        }
        if (segments.isEmpty()) {
            throw new ElfFormatException("no loadable segment");
        }
        return segments;
    }

    /** p_align: 0 and 1 mean none; otherwise a power of two that address and offset agree modulo. */
    private static void checkAlignment(String where, long offset, int virtualAddress, long alignment)
            throws ElfFormatException {
        if (alignment <= 1) {
            return;
        }
        if (Long.bitCount(alignment) != 1) {
            throw new ElfFormatException(String.format(
                    "%s: alignment 0x%x is not a power of two", where, alignment));
        }
        if (((Integer.toUnsignedLong(virtualAddress) - offset) & (alignment - 1)) != 0) {
            throw new ElfFormatException(String.format(
                    "%s: virtual address 0x%x and file offset 0x%x are not congruent modulo the alignment 0x%x",
                    where, virtualAddress, offset, alignment));
        }
    }

    /**
     * Segments may share a page (the linker packs them) but never a byte. Sorted by address,
     * any overlap shows up between neighbours: if A overlaps a later C, it overlaps every B
     * that starts between them.
     */
    private static void checkNoOverlap(List<Numbered> segments) throws ElfFormatException {
        List<Numbered> byAddress = new ArrayList<>(segments);
        byAddress.sort(Comparator.comparingLong(numbered -> Integer.toUnsignedLong(numbered.segment.virtualAddress())));
        for (int i = 1; i < byAddress.size(); i++) {
            Numbered lower = byAddress.get(i - 1);
            Numbered upper = byAddress.get(i);
            if (lower.segment.contains(upper.segment.virtualAddress())) {
                throw new ElfFormatException(String.format("segments %d and %d overlap at 0x%x",
                        Math.min(lower.programHeader, upper.programHeader),
                        Math.max(lower.programHeader, upper.programHeader), upper.segment.virtualAddress()));
            }
        }
    }

    private static void checkEntry(int entry, List<Numbered> segments) throws ElfFormatException {
        if ((entry & 3) != 0) {
            throw new ElfFormatException(String.format(
                    "entry point 0x%x is not 4-byte aligned (this CPU has no compressed instructions)", entry));
        }
        for (Numbered numbered : segments) {
            if (numbered.segment.executable() && numbered.segment.contains(entry)) {
                return;
            }
        }
        throw new ElfFormatException(String.format("entry point 0x%x is not inside an executable segment", entry));
    }
}
