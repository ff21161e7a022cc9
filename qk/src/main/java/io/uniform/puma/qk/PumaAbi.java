package io.uniform.puma.qk;

import io.uniform.process.LinuxCallNames;
import io.uniform.process.UnifiedLibrary;

/**
 * The constants of Puma's user ABI, shared by the QK, the PCT and the unified library
 * ({@code guest/include/uniform.h}; prose in guest/README.md, "Puma trap ABI and PCB").
 *
 * <p>Address space of a Puma process: one flat region {@code [REGION_BASE, REGION_BASE + size)}
 * inside {@code 0x00000000..USER_LIMIT}, loaded whole. Page 0 is never mapped, so null pointers
 * fault. The page at {@link #PCB_ADDRESS} holds the process control block ({@link Pcb}); the
 * image may use any address from {@link #IMAGE_LOW} up (uniform executables are linked at
 * 0x10000, guest/lib/uniform.ld); the heap grows up from the page-aligned end of the image; the
 * stack occupies the top of the region.
 */
public final class PumaAbi {
    private PumaAbi() {}

    /** Lowest mapped user address: the PCB page. */
    public static final int REGION_BASE = 0x1000;
    /** Puma user addresses end here (exclusive). */
    public static final long USER_LIMIT = 0x4000_0000L;
    /** Where the process control block lives. */
    public static final int PCB_ADDRESS = REGION_BASE;
    /** Lowest address an image segment, the entry point or the heap may use (the page after the PCB). */
    public static final int IMAGE_LOW = PCB_ADDRESS + 0x1000;

    /** a7 of a Puma trap: ASCII "PUMA". */
    public static final int TRAP_CODE = UnifiedLibrary.PUMA_TRAP_CODE;
    /** a7 of the unified library's deficiency ebreak: ASCII "UDEF"; a0 holds the call number. */
    public static final int DEFICIENCY_CODE = 0x46454455;
    /** Size of {@code struct puma_trap}: number, result, args[6]. */
    public static final int TRAP_SIZE = 32;
    public static final int TRAP_RESULT_OFFSET = 4;
    public static final int TRAP_ARGS_OFFSET = 8;

    public static final int TRAP_EXIT = 1;
    public static final int TRAP_WRITE = 2;
    public static final int TRAP_READ = 3;
    public static final int TRAP_BRK = 4;
    public static final int TRAP_CLOCK_GETTIME = 5;
    public static final int TRAP_OPEN = 6;
    public static final int TRAP_CLOSE = 7;
    public static final int TRAP_LSEEK = 8;
    /** (path, struct statx *): stat of a path, in Linux's statx layout. */
    public static final int TRAP_STAT = 9;
    /** (fd, struct statx *). */
    public static final int TRAP_FSTAT = 10;
    /** (path). */
    public static final int TRAP_UNLINK = 11;
    /** (op, argument block): a Portals call, performed by the QK's Portals engine (the block's layout is the op's). */
    public static final int TRAP_PORTALS = 12;


    /** The name of an rv32 Linux call number, as the deficiency routine passes it. */
    public static String linuxCallName(int number) {
        return LinuxCallNames.of(number);
    }
}
