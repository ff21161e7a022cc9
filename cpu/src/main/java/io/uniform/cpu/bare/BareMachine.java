package io.uniform.cpu.bare;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.Optional;

/**
 * A bare RISC-V machine for self-checking test programs: RAM at {@link #RAM_BASE}, the hart in
 * MACHINE mode starting at the ELF entry, and results reported the HTIF way through the
 * program's {@code tohost} symbol: an odd value {@code (n << 1) | 1} ends the run with exit
 * code n (0 = pass, otherwise the number of the failed test).
 */
public final class BareMachine {
    public static final int RAM_BASE = 0x80000000;
    public static final int DEFAULT_RAM_BYTES = 16 << 20;
    private static final long POLL_INTERVAL = 4096;

    /** How a run ended. */
    public sealed interface Result {
        record Passed(long instructions) implements Result {}

        record Failed(int testNumber, long instructions) implements Result {}

        /** The program wrote something to tohost that is not an exit request. */
        record UnsupportedRequest(int value, long instructions) implements Result {}
    }

    private final Hart hart;
    private final FlatAddressSpace space;
    private final int tohost;

    private BareMachine(Hart hart, FlatAddressSpace space, int tohost) {
        this.hart = hart;
        this.space = space;
        this.tohost = tohost;
    }

    public static BareMachine load(byte[] elf, int ramBytes) throws ElfFormatException {
        PhysicalMemory memory = new PhysicalMemory(ramBytes);
        FlatAddressSpace space = FlatAddressSpace.covering(memory, RAM_BASE);
        ElfImage image = ElfFile.parse(elf, Integer.toUnsignedLong(RAM_BASE), Integer.toUnsignedLong(RAM_BASE) + ramBytes);
        Integer tohost = image.symbols().get("tohost");
        if (tohost == null) {
            throw new ElfFormatException("no 'tohost' symbol: not a bare-metal test program that reports through HTIF");
        }
        if (!space.contains(tohost) || (tohost & 3) != 0) {
            throw new ElfFormatException(String.format("'tohost' at 0x%08x is not an aligned RAM address", tohost));
        }
        image.copyInto(space);
        Hart hart = new Hart(ExecutionMode.MACHINE, space);
        hart.setPc(image.entry());
        return new BareMachine(hart, space, tohost);
    }

    public Hart hart() {
        return hart;
    }

    /** Runs up to {@code budget} instructions; a result once the program has written tohost. */
    public Optional<Result> runSlice(long budget) {
        long remaining = budget;
        while (remaining > 0) {
            long before = hart.cycles();
            hart.run(Math.min(remaining, POLL_INTERVAL));
            remaining -= hart.cycles() - before;
            int value = space.load32(tohost);
            if (value != 0) {
                return Optional.of(result(value));
            }
        }
        return Optional.empty();
    }

    private Result result(int value) {
        long instructions = hart.instret();
        if ((value & 1) == 0) {
            return new Result.UnsupportedRequest(value, instructions);
        }
        int code = value >>> 1;
        return code == 0 ? new Result.Passed(instructions) : new Result.Failed(code, instructions);
    }
}
