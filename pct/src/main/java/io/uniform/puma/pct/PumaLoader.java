package io.uniform.puma.pct;

import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.elf.Section;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.puma.qk.PumaAbi;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Loads an image whole into a Puma region (no demand paging): validates the ELF against the
 * part of the region below the stack, copies it (zeroing bss), writes the unified library's OS
 * flag (2 = PUMA) and builds the initial stack in the Linux format the guest start code reads
 * (argc, argv[], NULL, envp[], NULL, auxv ending in AT_NULL; sp 16-byte aligned).
 *
 * <p>The stack format is Linux's (System V RISC-V); linux's {@code ProcessLayout} is
 * package-private and pct does not depend on linux, so this is a second, smaller writer of the
 * same format (auxv: AT_PAGESZ, AT_ENTRY, AT_NULL; guest/README.md requires only AT_NULL).
 */
final class PumaLoader {
    private PumaLoader() {}

    static final String ABI_SECTION = ".uniform";
    private static final byte[] ABI_MAGIC = "UNFM".getBytes(StandardCharsets.US_ASCII);
    private static final int ABI_OS_FLAG_OFFSET = 8;
    private static final int AT_NULL = 0;
    private static final int AT_PAGESZ = 6;
    private static final int AT_ENTRY = 9;

    /** Where a loaded image ends up: entry point and the page-aligned end of its memory image. */
    record Loaded(int entry, int imageEnd) {}

    static Loaded loadImage(byte[] elf, AddressSpace space, int stackBottom) throws ElfFormatException {
        ElfImage image = ElfFile.parse(elf, PumaAbi.IMAGE_LOW, Integer.toUnsignedLong(stackBottom));
        image.copyInto(space);
        writeOsFlag(image, space);
        long end = image.segments().stream().mapToLong(segment -> segment.end()).max().orElseThrow();
        return new Loaded(image.entry(), (int) ((end + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK));
    }

    private static void writeOsFlag(ElfImage image, AddressSpace space) throws ElfFormatException {
        Section section = image.sections().get(ABI_SECTION);
        if (section == null || section.size() < ABI_OS_FLAG_OFFSET + 4) {
            return; // not linked with the unified library
        }
        boolean inWritableSegment = image.segments().stream().anyMatch(segment -> segment.writable()
                && segment.contains(section.address())
                && Integer.toUnsignedLong(section.address()) + section.size() <= segment.end());
        if (!inWritableSegment) {
            throw new ElfFormatException(String.format(
                    "the unified library's %s section at 0x%08x is not inside a writable segment", ABI_SECTION, section.address()));
        }
        if (Arrays.equals(space.read(section.address(), ABI_MAGIC.length), ABI_MAGIC)) {
            space.store32(section.address() + ABI_OS_FLAG_OFFSET, PumaAbi.OS_PUMA);
        }
    }

    /** Builds the initial stack below {@code stackTop}; returns sp, or throws if it needs over a quarter of the stack. */
    static int buildStack(AddressSpace space, int stackTop, int stackBytes, int entry, List<String> argv, Map<String, String> env)
            throws ElfFormatException {
        List<String> strings = new ArrayList<>(argv);
        env.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> strings.add(e.getKey() + "=" + e.getValue()));
        int cursor = stackTop;
        int[] addresses = new int[strings.size()];
        long budget = stackBytes / 4;
        for (int i = strings.size() - 1; i >= 0; i--) {
            byte[] bytes = strings.get(i).getBytes(StandardCharsets.UTF_8);
            budget -= bytes.length + 1 + 4;
            if (budget < 64) {
                throw new ElfFormatException("argument list too long: arguments and environment exceed a quarter of the stack");
            }
            cursor -= bytes.length + 1;
            space.write(cursor, bytes, 0, bytes.length);
            space.store8(cursor + bytes.length, 0);
            addresses[i] = cursor;
        }
        ByteArrayOutputStream words = new ByteArrayOutputStream();
        word(words, argv.size());
        for (int i = 0; i < argv.size(); i++) {
            word(words, addresses[i]);
        }
        word(words, 0);
        for (int i = argv.size(); i < strings.size(); i++) {
            word(words, addresses[i]);
        }
        word(words, 0);
        int[] auxv = {AT_PAGESZ, PhysicalMemory.PAGE_SIZE, AT_ENTRY, entry, AT_NULL, 0};
        for (int value : auxv) {
            word(words, value);
        }
        byte[] vectors = words.toByteArray();
        int sp = (cursor - vectors.length) & ~15;
        space.write(sp, vectors, 0, vectors.length);
        return sp;
    }

    private static void word(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }
}
