package io.uniform.linux.memory;

import static io.uniform.linux.memory.PagedAddressSpace.PROT_EXEC;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_READ;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.Stop;
import io.uniform.cpu.TrapCause;
import org.junit.jupiter.api.Test;

/**
 * A real hart over a paged space: its TLB must follow copy-on-write across a fork, faults
 * must come out as the right traps, and a reused frame must not run stale decoded code.
 */
class HartOnPagedMemoryTest {
    private static final int PAGE = 4096;
    private static final int CODE = 0x1_0000;
    private static final int DATA = 0x40_0000;
    private static final int T0 = 5;
    private static final int A0 = 10;
    private static final int A1 = 11;
    private static final int A2 = 12;

    private final NodeMemory memory = new NodeMemory(1 << 20);

    // Hand-assembled RV32I: the few encodings these programs need.
    private static int iType(int opcode, int funct3, int rd, int rs1, int imm) {
        return imm << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    private static int lw(int rd, int rs1, int offset) {
        return iType(0x03, 2, rd, rs1, offset);
    }

    private static int addi(int rd, int rs1, int imm) {
        return iType(0x13, 0, rd, rs1, imm);
    }

    private static int add(int rd, int rs1, int rs2) {
        return rs2 << 20 | rs1 << 15 | rd << 7 | 0x33;
    }

    private static int sw(int rs2, int rs1, int offset) {
        return (offset >> 5) << 25 | rs2 << 20 | rs1 << 15 | 2 << 12 | (offset & 0x1f) << 7 | 0x23;
    }

    private static final int ECALL = 0x73;

    /** mem[a0] += a1; a2 = mem[a0]; ecall */
    private static final int[] INCREMENT = {lw(T0, A0, 0), add(T0, T0, A1), sw(T0, A0, 0), lw(A2, A0, 0), ECALL};

    /** A space with {@code program} at CODE (read + execute) and a read-write data page at DATA. */
    private PagedAddressSpace load(int... program) throws MappingException {
        PagedAddressSpace space = new PagedAddressSpace(memory);
        space.map(CODE, PAGE, PROT_READ | PROT_WRITE);
        for (int i = 0; i < program.length; i++) {
            space.store32(CODE + 4 * i, program[i]);
        }
        space.protect(CODE, PAGE, PROT_READ | PROT_EXEC);
        space.map(DATA, PAGE, PROT_READ | PROT_WRITE);
        return space;
    }

    private static Stop.Trap runFromStart(Hart hart, int a0, int a1) {
        hart.setPc(CODE);
        hart.setRegister(A0, a0);
        hart.setRegister(A1, a1);
        return assertInstanceOf(Stop.Trap.class, hart.run(100));
    }

    @Test
    void parentAndChildHartsEachSeeTheirOwnWritesAfterAFork() throws MappingException {
        PagedAddressSpace parent = load(INCREMENT);
        parent.store32(DATA, 10);
        Hart parentHart = new Hart(ExecutionMode.PROCESS, parent);
        assertEquals(TrapCause.ECALL_FROM_U, runFromStart(parentHart, DATA, 1).cause());
        assertEquals(11, parentHart.register(A2)); // the hart's TLB now holds the data page for writing

        PagedAddressSpace child = parent.fork();
        Hart childHart = new Hart(ExecutionMode.PROCESS, child);

        runFromStart(parentHart, DATA, 5);
        assertEquals(16, parentHart.register(A2));
        assertEquals(11, child.load32(DATA), "the parent's store went to its own copy, not the shared frame");

        runFromStart(childHart, DATA, 100);
        assertEquals(111, childHart.register(A2));
        assertEquals(16, parent.load32(DATA));
        assertEquals(3, memory.framesInUse(), "code shared, data copied once");
    }

    @Test
    void aChildHartReadsUntouchedPagesAsZero() throws MappingException {
        PagedAddressSpace parent = load(INCREMENT);
        PagedAddressSpace child = parent.fork();
        Hart childHart = new Hart(ExecutionMode.PROCESS, child);
        runFromStart(childHart, DATA + 8, 7);
        assertEquals(7, childHart.register(A2));
        assertEquals(0, parent.load32(DATA + 8));
    }

    @Test
    void faultsBecomeTheTrapsOfTheirKind() throws MappingException {
        PagedAddressSpace space = load(INCREMENT);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);

        Stop.Trap unmapped = runFromStart(hart, DATA + PAGE, 1);
        assertEquals(TrapCause.LOAD_PAGE_FAULT, unmapped.cause());
        assertEquals(DATA + PAGE, unmapped.tval());

        Stop.Trap intoCode = runFromStart(hart, CODE + 0x800, 1); // readable, not writable
        assertEquals(TrapCause.STORE_ACCESS_FAULT, intoCode.cause());
        assertEquals(CODE + 8, intoCode.pc());

        hart.setPc(DATA);
        assertEquals(TrapCause.INSTRUCTION_ACCESS_FAULT, assertInstanceOf(Stop.Trap.class, hart.run(10)).cause());
        hart.setPc(DATA + PAGE);
        assertEquals(TrapCause.INSTRUCTION_PAGE_FAULT, assertInstanceOf(Stop.Trap.class, hart.run(10)).cause());
    }

    @Test
    void aProtectionRemovedBetweenRunsIsEnforcedDespiteTheTlb() throws MappingException {
        PagedAddressSpace space = load(INCREMENT);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        runFromStart(hart, DATA, 1);
        space.protect(DATA, PAGE, PROT_READ);
        Stop.Trap trap = runFromStart(hart, DATA, 1);
        assertEquals(TrapCause.STORE_ACCESS_FAULT, trap.cause());
        assertEquals(1, space.load32(DATA));
    }

    @Test
    void aFrameReusedForAnotherProgramRunsTheNewCode() throws MappingException {
        PagedAddressSpace first = load(addi(A2, 0, 1), ECALL);
        Hart hart = new Hart(ExecutionMode.PROCESS, first);
        runFromStart(hart, 0, 0);
        assertEquals(1, hart.register(A2));
        first.release();

        PagedAddressSpace second = load(addi(A2, 0, 2), ECALL);
        hart.setAddressSpace(second);
        runFromStart(hart, 0, 0);
        assertEquals(2, hart.register(A2));
    }
}
