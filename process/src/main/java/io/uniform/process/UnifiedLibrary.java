package io.uniform.process;

import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.elf.Section;
import io.uniform.cpu.memory.AddressSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What every kernel knows of the unified library linked into a guest program (guest/README.md):
 * the OS flag in its {@code .uniform} section, which each kernel's loader sets, and the kernel
 * side of the calls every kernel serves the same way.
 */
public final class UnifiedLibrary {
    private UnifiedLibrary() {}

    /** The OS flag values ({@code __uniform_abi.os}). */
    public static final int OS_LINUX = 1;
    public static final int OS_PUMA = 2;

    /** a7 of a Puma trap: ASCII "PUMA" (the library's call convention on Puma). */
    public static final int PUMA_TRAP_CODE = 0x50554D41;

    /**
     * What a kernel answers, in a0, to a call made in the other OS's convention by a process that
     * has just arrived from it: the process was frozen between the wedge reading the OS flag and
     * its ecall, and the call has not run anywhere. Linux's -ENOSYS: the wedge sees that the flag
     * changed under it and dispatches the call again, now in this OS's convention.
     */
    public static final int NOT_THIS_OS = -38;

    public static final String ABI_SECTION = ".uniform";
    /** Offset of the os word in {@code struct uniform_abi} ("UNFM", version, os, reserved). */
    public static final int OS_FLAG_OFFSET = 8;
    private static final byte[] ABI_MAGIC = "UNFM".getBytes(StandardCharsets.US_ASCII);

    /** read and write move at most this much between user memory and a stream per call (a short count). */
    public static final int IO_CHUNK = 64 << 10;

    /**
     * Tells a loaded program which OS it runs on. A program not linked with the unified library
     * (no {@code .uniform} section) is left alone; a section outside every writable segment is
     * a malformed file.
     */
    public static void writeOsFlag(ElfImage image, AddressSpace space, int os) throws ElfFormatException {
        int flagAddress = osFlagAddress(image);
        if (flagAddress != 0) {
            rewriteOsFlag(space, flagAddress, os);
        }
    }

    /**
     * Where a program's OS word is, for a kernel to keep (a migration's destination rewrites it,
     * {@link #rewriteOsFlag}); 0 for a program not linked with the unified library.
     *
     * @throws ElfFormatException if the {@code .uniform} section lies outside every writable segment
     */
    public static int osFlagAddress(ElfImage image) throws ElfFormatException {
        Section section = image.sections().get(ABI_SECTION);
        if (section == null || section.size() < OS_FLAG_OFFSET + 4) {
            return 0;
        }
        boolean inWritableSegment = image.segments().stream().anyMatch(segment -> segment.writable()
                && segment.contains(section.address())
                && Integer.toUnsignedLong(section.address()) + section.size() <= segment.end());
        if (!inWritableSegment) {
            throw new ElfFormatException(String.format(
                    "the unified library's %s section at 0x%08x is not inside a writable segment", ABI_SECTION, section.address()));
        }
        return section.address() + OS_FLAG_OFFSET;
    }

    /**
     * Sets the OS word at {@code flagAddress} (as {@link #osFlagAddress} found it) if the
     * structure around it still carries the library's magic: what a migration's destination does
     * to the image it received.
     */
    public static void rewriteOsFlag(AddressSpace space, int flagAddress, int os) {
        if (Arrays.equals(space.read(flagAddress - OS_FLAG_OFFSET, ABI_MAGIC.length), ABI_MAGIC)) {
            space.store32(flagAddress, os);
        }
    }

    /** Stores a {@code struct timespec64} ({int64 sec, int64 nsec}) at {@code va}, all of it or nothing. */
    public static void writeTimespec(AddressSpace space, int va, long nanos) {
        byte[] timespec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(nanos / 1_000_000_000L)
                .putLong(nanos % 1_000_000_000L)
                .array();
        space.write(va, timespec, 0, timespec.length);
    }
}
