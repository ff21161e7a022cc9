package io.uniform.cpu;

import io.uniform.cpu.isa.Csr;
import io.uniform.cpu.isa.Decoder;
import io.uniform.cpu.isa.Format;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.DecodedPage;
import io.uniform.cpu.memory.PhysicalMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * One RV32IM + Zicsr hardware thread: the register file, the pc, the machine CSRs and an
 * interpreter that runs at most a given number of instructions per call and can be resumed at
 * any instruction boundary.
 *
 * <p>Design for speed: instructions are decoded once per physical page slot into two ints
 * ({@link DecodedPage}), and the interpreter walks a page's slots with a local index,
 * dispatching on a dense op id through one {@code switch}; it leaves the page only on a jump
 * elsewhere or at its end. Loads and stores go through a direct-mapped software TLB per
 * access kind that maps a virtual page to its physical offset in the node's one byte array,
 * so the fast path is a tag compare and a {@code VarHandle} access, the same for flat and
 * paged address spaces. A page that holds decoded code is never entered in the write TLB, so
 * stores into it take the slow path, which invalidates the decoded code (self-modifying code
 * and loaders stay correct without FENCE.I; FENCE.I also flushes everything). Register 0 is
 * never written: a decoded destination x0 becomes a sink slot {@code x[32]}. Nothing is
 * allocated per instruction.
 */
public final class Hart {
    public static final int PRIVILEGE_USER = 0;
    public static final int PRIVILEGE_MACHINE = 3;

    /** misa: MXL=32, extensions I, M and U. */
    public static final int MISA = (1 << 30) | (1 << ('I' - 'A')) | (1 << ('M' - 'A')) | (1 << ('U' - 'A'));
    /** The timebase of the {@code time} CSR. */
    public static final long TIMEBASE_HZ = 10_000_000L;

    static final int SINK = 32;
    private static final int TLB_SIZE = 1 << 9;
    static final int TLB_MASK = TLB_SIZE - 1;
    private static final int NO_PAGE = -1;
    private static final int PAGE_MASK = PhysicalMemory.PAGE_MASK;

    private static final int MSTATUS_MIE = 1 << 3;
    private static final int MSTATUS_MPIE = 1 << 7;
    private static final int MSTATUS_MPP_SHIFT = 11;
    private static final int MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;

    // Slots of the machine CSR file; the order is part of HartState.
    private static final int S_MSTATUS = 0;
    private static final int S_MTVEC = 1;
    private static final int S_MEPC = 2;
    private static final int S_MCAUSE = 3;
    private static final int S_MTVAL = 4;
    private static final int S_MSCRATCH = 5;
    private static final int S_MIE = 6;
    private static final int S_MIP = 7;
    private static final int S_MEDELEG = 8;
    private static final int S_MIDELEG = 9;
    private static final int S_SATP = 10;
    private static final int S_MCOUNTEREN = 11;
    private static final int S_PMPCFG = 12;
    private static final int S_PMPADDR = S_PMPCFG + Csr.PMPCFG_COUNT;
    private static final int CSR_SLOTS = S_PMPADDR + Csr.PMPADDR_COUNT;
    private static final int NOT_A_SLOT = -1;

    // Package-private from here on where translated code (see Translator) uses it.
    static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** By default a jump target entered this often gets translated to JVM bytecode. */
    public static final int DEFAULT_TRANSLATION_THRESHOLD = 64;
    /** Translated code runs only with at least this much budget, so that it rarely stops for it. */
    private static final long TRANSLATED_MIN_BUDGET = 2048;
    /** Marks a slot whose code cannot be translated (it starts with a system instruction). */
    private static final Object UNTRANSLATABLE = new Object();

    private final ExecutionMode mode;
    private final int[] x = new int[33];
    private final int[] csr = new int[CSR_SLOTS];
    int pc;
    private int privilege;
    private long instret;
    private long cycles;
    private LongSupplier timer;
    private int translationThreshold = DEFAULT_TRANSLATION_THRESHOLD;

    private AddressSpace space;
    private PhysicalMemory ram;
    final int[] readTag = new int[TLB_SIZE];
    final int[] readFrame = new int[TLB_SIZE];
    final int[] writeTag = new int[TLB_SIZE];
    final int[] writeFrame = new int[TLB_SIZE];
    private final int[] fetchTag = new int[TLB_SIZE];
    private final DecodedPage[] fetchPage = new DecodedPage[TLB_SIZE];
    private int seenMappingEpoch;
    private int seenCodeEpoch;

    // The trap raised by the last execute(), if any.
    private TrapCause pendingCause;
    private int pendingValue;

    public Hart(ExecutionMode mode, AddressSpace space) {
        this.mode = mode;
        this.privilege = mode == ExecutionMode.MACHINE ? PRIVILEGE_MACHINE : PRIVILEGE_USER;
        long start = System.nanoTime();
        this.timer = () -> (System.nanoTime() - start) / (1_000_000_000L / TIMEBASE_HZ);
        setAddressSpace(space);
    }

    public ExecutionMode mode() {
        return mode;
    }

    public AddressSpace addressSpace() {
        return space;
    }

    /** Switches the hart to another address space (exec, migration), dropping cached translations. */
    public void setAddressSpace(AddressSpace space) {
        this.space = space;
        this.ram = space.physical();
        flushTlb();
    }

    /**
     * How often a jump target must be entered before its code is translated to JVM bytecode:
     * 1 translates everything at once (tests of the translator), {@link Integer#MAX_VALUE}
     * never translates (the interpreter alone).
     */
    public void setTranslationThreshold(int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("translation threshold must be at least 1: " + threshold);
        }
        this.translationThreshold = threshold;
    }

    /** Sets the source of the {@code time} CSR, in ticks of {@link #TIMEBASE_HZ}. */
    public void setTimer(LongSupplier ticks) {
        this.timer = ticks;
    }

    public int pc() {
        return pc;
    }

    public void setPc(int pc) {
        this.pc = pc;
    }

    public int register(int index) {
        return x[index];
    }

    public void setRegister(int index, int value) {
        if (index != 0) {
            x[index] = value;
        }
    }

    public int privilege() {
        return privilege;
    }

    /** Instructions retired since the hart was created (or its state restored). */
    public long instret() {
        return instret;
    }

    /** Instructions executed, including those that trapped: one cycle each. */
    public long cycles() {
        return cycles;
    }

    /** Reads a CSR the way a machine-mode CSR instruction would, for inspection. */
    public int csr(int number) {
        long value = readCsr(number, instret, cycles);
        if (value == Long.MIN_VALUE) {
            throw new IllegalArgumentException("CSR not implemented: " + Csr.name(number));
        }
        return (int) value;
    }

    public HartState capture() {
        return new HartState(pc, Arrays.copyOf(x, 32), privilege, instret, cycles, csr);
    }

    public void restore(HartState state) {
        int[] registers = state.registers();
        int[] csrs = state.machineCsrs();
        if (registers.length != 32 || csrs.length != CSR_SLOTS) {
            throw new IllegalArgumentException("hart state has the wrong shape");
        }
        boolean legalPrivilege = state.privilege() == PRIVILEGE_USER
                || (state.privilege() == PRIVILEGE_MACHINE && mode == ExecutionMode.MACHINE);
        if (!legalPrivilege) {
            throw new IllegalArgumentException("privilege " + state.privilege() + " is not possible in " + mode + " mode");
        }
        System.arraycopy(registers, 0, x, 0, 32);
        x[0] = 0;
        System.arraycopy(csrs, 0, csr, 0, CSR_SLOTS);
        pc = state.pc();
        privilege = state.privilege();
        instret = state.instret();
        cycles = state.cycles();
        flushTlb();
    }

    public void flushTlb() {
        Arrays.fill(readTag, NO_PAGE);
        Arrays.fill(writeTag, NO_PAGE);
        Arrays.fill(fetchTag, NO_PAGE);
        Arrays.fill(fetchPage, null);
        seenMappingEpoch = space.mappingEpoch();
        seenCodeEpoch = ram.codeEpoch();
    }

    /**
     * Runs at most {@code maxInstructions} instructions. In {@link ExecutionMode#PROCESS} mode
     * the first trap ends the run; in {@link ExecutionMode#MACHINE} mode traps vector through
     * {@code mtvec} and only the budget ends it.
     */
    public Stop run(long maxInstructions) {
        if (maxInstructions <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive: " + maxInstructions);
        }
        if (space.mappingEpoch() != seenMappingEpoch) {
            flushTlb();
        } else if (ram.codeEpoch() != seenCodeEpoch) {
            Arrays.fill(writeTag, NO_PAGE);
            seenCodeEpoch = ram.codeEpoch();
        }
        long budget = maxInstructions;
        while (true) {
            long remaining = execute(budget);
            instret += budget - remaining;
            cycles += budget - remaining;
            TrapCause cause = pendingCause;
            if (cause == null) {
                return new Stop.SliceEnd(pc);
            }
            pendingCause = null;
            instret--; // the trapping instruction does not retire
            if (mode == ExecutionMode.PROCESS) {
                return new Stop.Trap(cause, pc, pendingValue);
            }
            takeTrap(cause, pendingValue);
            if (remaining == 0) {
                return new Stop.SliceEnd(pc);
            }
            budget = remaining;
        }
    }

    /** Enters a machine-mode trap handler (MACHINE mode). */
    private void takeTrap(TrapCause cause, int value) {
        csr[S_MEPC] = pc;
        csr[S_MCAUSE] = cause.code();
        csr[S_MTVAL] = value;
        int status = csr[S_MSTATUS];
        int mpie = (status & MSTATUS_MIE) != 0 ? MSTATUS_MPIE : 0;
        status = (status & ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)) | mpie | (privilege << MSTATUS_MPP_SHIFT);
        csr[S_MSTATUS] = status;
        privilege = PRIVILEGE_MACHINE;
        pc = csr[S_MTVEC] & ~3;
    }

    void raise(TrapCause cause, int value) {
        pendingCause = cause;
        pendingValue = value;
    }

    /**
     * The interpreter. Runs until the budget is spent or a trap is raised (then
     * {@link #pendingCause} is set and {@link #pc} is the trapping instruction); returns the
     * budget left, which counts the trapping instruction as executed.
     */
    private long execute(long budget) {
        final int[] x = this.x;
        byte[] mem;
        final int[] readTag = this.readTag;
        final int[] readFrame = this.readFrame;
        final int[] writeTag = this.writeTag;
        final int[] writeFrame = this.writeFrame;
        final long entryBudget = budget;
        int pc = this.pc;
        outer:
        while (budget > 0) {
            // Re-read on every return to the dispatcher: a store that grew the memory (a
            // demand-zero region) replaced the array, and always leaves the code it ran in.
            mem = ram.bytes();
            final DecodedPage page = fetch(pc);
            if (page == null) {
                budget--;
                break;
            }
            final int[] code = page.code();
            final int base = pc & ~PAGE_MASK;
            int slot = (pc & PAGE_MASK) >>> 2;
            final TranslatedCode translated = budget >= TRANSLATED_MIN_BUDGET ? translationAt(page, slot, pc) : null;
            if (translated != null) {
                this.pc = pc;
                budget = translated.run(this, x, mem, budget);
                pc = this.pc;
                if (pendingCause != null) {
                    break;
                }
                continue;
            }
            while (true) {
                if (budget == 0) {
                    pc = base + (slot << 2);
                    break outer;
                }
                budget--;
                final int w = code[slot << 1];
                final int imm = code[(slot << 1) + 1];
                final int op = w & 0xff;
                switch (op) {
                    case Isa.LUI -> x[(w >>> 8) & 0xff] = imm;
                    case Isa.AUIPC -> x[(w >>> 8) & 0xff] = base + (slot << 2) + imm;
                    case Isa.JAL, Isa.JALR, Isa.BEQ, Isa.BNE, Isa.BLT, Isa.BGE, Isa.BLTU, Isa.BGEU -> {
                        int here = base + (slot << 2);
                        int target;
                        if (op == Isa.JAL) {
                            target = here + imm;
                        } else if (op == Isa.JALR) {
                            target = (x[(w >>> 16) & 0xff] + imm) & ~1;
                        } else if (branchTaken(op, x[(w >>> 16) & 0xff], x[w >>> 24])) {
                            target = here + imm;
                        } else {
                            break;
                        }
                        if ((target & 3) != 0) {
                            raise(TrapCause.INSTRUCTION_ADDRESS_MISALIGNED, target);
                            pc = here;
                            break outer;
                        }
                        if (op == Isa.JAL || op == Isa.JALR) {
                            x[(w >>> 8) & 0xff] = here + 4;
                        }
                        if ((target & ~PAGE_MASK) == base) {
                            int targetSlot = (target & PAGE_MASK) >>> 2;
                            if (budget < TRANSLATED_MIN_BUDGET || !warmJumpTarget(page, targetSlot)) {
                                slot = targetSlot;
                                continue;
                            }
                        }
                        pc = target;
                        continue outer;
                    }
                    case Isa.LB, Isa.LH, Isa.LW, Isa.LBU, Isa.LHU -> {
                        int address = x[(w >>> 16) & 0xff] + imm;
                        int vpn = address >>> 12;
                        int entry = vpn & TLB_MASK;
                        int size = Isa.accessSize(op);
                        int value;
                        if (readTag[entry] == vpn && (address & PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - size) {
                            int physical = readFrame[entry] | (address & PAGE_MASK);
                            value = switch (size) {
                                case 4 -> (int) INT.get(mem, physical);
                                case 2 -> (short) SHORT.get(mem, physical) & 0xffff;
                                default -> mem[physical] & 0xff;
                            };
                        } else {
                            long loaded = loadSlow(address, size);
                            if (loaded < 0) {
                                pc = base + (slot << 2);
                                break outer;
                            }
                            value = (int) loaded;
                        }
                        x[(w >>> 8) & 0xff] = switch (op) {
                            case Isa.LB -> (byte) value;
                            case Isa.LH -> (short) value;
                            default -> value;
                        };
                    }
                    case Isa.SB, Isa.SH, Isa.SW -> {
                        int address = x[(w >>> 16) & 0xff] + imm;
                        int value = x[w >>> 24];
                        int vpn = address >>> 12;
                        int entry = vpn & TLB_MASK;
                        int size = Isa.accessSize(op);
                        if (writeTag[entry] == vpn && (address & PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - size) {
                            int physical = writeFrame[entry] | (address & PAGE_MASK);
                            switch (size) {
                                case 4 -> INT.set(mem, physical, value);
                                case 2 -> SHORT.set(mem, physical, (short) value);
                                default -> mem[physical] = (byte) value;
                            }
                        } else {
                            int here = base + (slot << 2);
                            int result = storeSlow(address, size, value);
                            if (result < 0) {
                                pc = here;
                                break outer;
                            }
                            if (result > 0) { // overwrote decoded code: decode again from the next instruction
                                pc = here + 4;
                                continue outer;
                            }
                        }
                    }
                    case Isa.ADDI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] + imm;
                    case Isa.SLTI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] < imm ? 1 : 0;
                    case Isa.SLTIU -> x[(w >>> 8) & 0xff] = Integer.compareUnsigned(x[(w >>> 16) & 0xff], imm) < 0 ? 1 : 0;
                    case Isa.XORI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] ^ imm;
                    case Isa.ORI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] | imm;
                    case Isa.ANDI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] & imm;
                    case Isa.SLLI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] << imm;
                    case Isa.SRLI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] >>> imm;
                    case Isa.SRAI -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] >> imm;
                    case Isa.ADD -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] + x[w >>> 24];
                    case Isa.SUB -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] - x[w >>> 24];
                    case Isa.SLL -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] << x[w >>> 24];
                    case Isa.SLT -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] < x[w >>> 24] ? 1 : 0;
                    case Isa.SLTU -> x[(w >>> 8) & 0xff] = Integer.compareUnsigned(x[(w >>> 16) & 0xff], x[w >>> 24]) < 0 ? 1 : 0;
                    case Isa.XOR -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] ^ x[w >>> 24];
                    case Isa.SRL -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] >>> x[w >>> 24];
                    case Isa.SRA -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] >> x[w >>> 24];
                    case Isa.OR -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] | x[w >>> 24];
                    case Isa.AND -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] & x[w >>> 24];
                    case Isa.MUL -> x[(w >>> 8) & 0xff] = x[(w >>> 16) & 0xff] * x[w >>> 24];
                    case Isa.MULH -> x[(w >>> 8) & 0xff] = mulh(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.MULHSU -> x[(w >>> 8) & 0xff] = mulhsu(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.MULHU -> x[(w >>> 8) & 0xff] = mulhu(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.DIV -> x[(w >>> 8) & 0xff] = div(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.DIVU -> x[(w >>> 8) & 0xff] = divu(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.REM -> x[(w >>> 8) & 0xff] = rem(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.REMU -> x[(w >>> 8) & 0xff] = remu(x[(w >>> 16) & 0xff], x[w >>> 24]);
                    case Isa.FENCE -> {
                        // One hart, sequentially consistent memory: nothing to order.
                    }
                    case Isa.FENCE_I -> {
                        ram.invalidateAllCode();
                        pc = base + (slot << 2) + 4;
                        continue outer;
                    }
                    case Isa.CSRRW, Isa.CSRRS, Isa.CSRRC, Isa.CSRRWI, Isa.CSRRSI, Isa.CSRRCI -> {
                        long executedBefore = entryBudget - budget - 1;
                        if (!executeCsr(w, imm, instret + executedBefore, cycles + executedBefore)) {
                            pc = base + (slot << 2);
                            raise(TrapCause.ILLEGAL_INSTRUCTION, ram.read32(page.frame() + (slot << 2)));
                            break outer;
                        }
                    }
                    case Isa.ECALL -> {
                        raise(privilege == PRIVILEGE_MACHINE ? TrapCause.ECALL_FROM_M : TrapCause.ECALL_FROM_U, 0);
                        pc = base + (slot << 2);
                        break outer;
                    }
                    case Isa.EBREAK -> {
                        pc = base + (slot << 2);
                        raise(TrapCause.BREAKPOINT, pc);
                        break outer;
                    }
                    case Isa.MRET -> {
                        if (privilege != PRIVILEGE_MACHINE) {
                            pc = base + (slot << 2);
                            raise(TrapCause.ILLEGAL_INSTRUCTION, imm);
                            break outer;
                        }
                        int status = csr[S_MSTATUS];
                        privilege = (status & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
                        int mie = (status & MSTATUS_MPIE) != 0 ? MSTATUS_MIE : 0;
                        csr[S_MSTATUS] = (status & ~(MSTATUS_MIE | MSTATUS_MPP)) | mie | MSTATUS_MPIE;
                        pc = csr[S_MEPC];
                        continue outer;
                    }
                    case Isa.WFI -> {
                        // No interrupts are ever pending, so waiting ends at once; a process under
                        // a Linux-like kernel may not wait at all.
                        if (mode == ExecutionMode.PROCESS) {
                            pc = base + (slot << 2);
                            raise(TrapCause.ILLEGAL_INSTRUCTION, imm);
                            break outer;
                        }
                    }
                    case DecodedPage.UNDECODED -> {
                        decodeSlot(page, slot);
                        budget++;
                        continue;
                    }
                    default -> { // Isa.ILLEGAL: the decoder keeps the instruction word in imm
                        pc = base + (slot << 2);
                        raise(TrapCause.ILLEGAL_INSTRUCTION, imm);
                        break outer;
                    }
                }
                if (++slot == DecodedPage.SLOTS) {
                    pc = base + PhysicalMemory.PAGE_SIZE;
                    continue outer;
                }
            }
        }
        this.pc = pc;
        return budget;
    }

    static boolean branchTaken(int op, int a, int b) {
        return switch (op) {
            case Isa.BEQ -> a == b;
            case Isa.BNE -> a != b;
            case Isa.BLT -> a < b;
            case Isa.BGE -> a >= b;
            case Isa.BLTU -> Integer.compareUnsigned(a, b) < 0;
            default -> Integer.compareUnsigned(a, b) >= 0;
        };
    }

    static int mulh(int a, int b) {
        return (int) (((long) a * b) >> 32);
    }

    static int mulhsu(int a, int b) {
        return (int) (((long) a * Integer.toUnsignedLong(b)) >> 32);
    }

    static int mulhu(int a, int b) {
        return (int) ((Integer.toUnsignedLong(a) * Integer.toUnsignedLong(b)) >>> 32);
    }

    // Division by zero and overflow give the results the M extension defines, never an exception.
    static int div(int dividend, int divisor) {
        return divisor == 0 ? -1 : dividend / divisor;
    }

    static int divu(int dividend, int divisor) {
        return divisor == 0 ? -1 : Integer.divideUnsigned(dividend, divisor);
    }

    static int rem(int dividend, int divisor) {
        return divisor == 0 ? dividend : dividend % divisor;
    }

    static int remu(int dividend, int divisor) {
        return divisor == 0 ? dividend : Integer.remainderUnsigned(dividend, divisor);
    }

    /** The translation entered at {@code slot}, if one exists or the slot has just become hot enough to make one. */
    private TranslatedCode translationAt(DecodedPage page, int slot, int pc) {
        Object existing = page.translation(slot);
        if (existing != null) {
            return existing instanceof TranslatedCode translated && translated.entryPc == pc ? translated : null;
        }
        if (translationThreshold == Integer.MAX_VALUE || page.warm(slot) < translationThreshold) {
            return null;
        }
        TranslatedCode translated = Translator.translate(this, page, pc);
        page.setTranslation(slot, translated == null ? UNTRANSLATABLE : translated);
        return translated;
    }

    /**
     * Counts an in-page jump to {@code slot}; true if it should go through the dispatcher to
     * enter translated code (there is some, or the dispatcher will now make it).
     */
    private boolean warmJumpTarget(DecodedPage page, int slot) {
        Object existing = page.translation(slot);
        if (existing != null) {
            return existing instanceof TranslatedCode;
        }
        return translationThreshold != Integer.MAX_VALUE && page.warm(slot) >= translationThreshold - 1;
    }

    /** The decoded page holding {@code pc}, or null with an instruction fault raised. */
    private DecodedPage fetch(int pc) {
        int vpn = pc >>> 12;
        int entry = vpn & TLB_MASK;
        DecodedPage page = fetchPage[entry];
        if (fetchTag[entry] == vpn && page.isValid()) {
            return page;
        }
        int frame = space.translate(pc, Access.EXECUTE);
        if (frame < 0) {
            raise(frame == AddressSpace.PAGE_FAULT ? TrapCause.INSTRUCTION_PAGE_FAULT : TrapCause.INSTRUCTION_ACCESS_FAULT, pc);
            this.pc = pc;
            return null;
        }
        page = ram.decodedPage(frame);
        if (page == null) {
            boolean upToDate = seenCodeEpoch == ram.codeEpoch();
            page = ram.installDecodedPage(frame);
            for (int i = 0; i < TLB_SIZE; i++) {
                if (writeTag[i] != NO_PAGE && writeFrame[i] == frame) {
                    writeTag[i] = NO_PAGE;
                }
            }
            if (upToDate) {
                seenCodeEpoch = ram.codeEpoch();
            }
        }
        fetchTag[entry] = vpn;
        fetchPage[entry] = page;
        return page;
    }

    /** Decodes one slot of a page from the instruction word in physical memory. */
    void decodeSlot(DecodedPage page, int slot) {
        int word = ram.read32(page.frame() + (slot << 2));
        Isa.Spec spec = Decoder.lookup(word);
        Format format = spec.format();
        int rd = Decoder.writesRd(format) && Decoder.rd(word) != 0 ? Decoder.rd(word) : SINK;
        int imm = spec.id() == Isa.ILLEGAL || format == Format.NONE ? word : Decoder.immediate(format, word);
        int[] code = page.code();
        code[slot << 1] = spec.id() | rd << 8 | Decoder.rs1(word) << 16 | Decoder.rs2(word) << 24;
        code[(slot << 1) + 1] = imm;
    }

    /** A load that missed the TLB or crosses a page: returns the zero-extended value, or -1 after raising a fault. */
    long loadSlow(int address, int size) {
        int first = translateData(address, Access.READ);
        if (first < 0) {
            return -1;
        }
        if ((address & PAGE_MASK) <= PhysicalMemory.PAGE_SIZE - size) {
            int physical = first | (address & PAGE_MASK);
            return Integer.toUnsignedLong(switch (size) {
                case 4 -> ram.read32(physical);
                case 2 -> ram.read16(physical);
                default -> ram.read8(physical);
            });
        }
        int second = translateData(address + size - 1, Access.READ);
        if (second < 0) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < size; i++) {
            int byteAddress = address + i;
            int frame = ((byteAddress ^ address) & ~PAGE_MASK) == 0 ? first : second;
            value |= (long) ram.read8(frame | (byteAddress & PAGE_MASK)) << (8 * i);
        }
        return value;
    }

    /**
     * A store that missed the write TLB or crosses a page: returns 0, 1 if it overwrote decoded
     * code or its translation changed the mapping (copy-on-write, or a demand-zero region that
     * grew its memory: the caller must leave to the dispatcher, which re-reads the array), or -1
     * after raising a fault. Both pages are checked before any byte is written.
     */
    int storeSlow(int address, int size, int value) {
        int epoch = space.mappingEpoch();
        int first = translateData(address, Access.WRITE);
        if (first < 0) {
            return -1;
        }
        int second = first;
        if ((address & PAGE_MASK) > PhysicalMemory.PAGE_SIZE - size) {
            second = translateData(address + size - 1, Access.WRITE);
            if (second < 0) {
                return -1;
            }
        }
        // A changed mapping (copy-on-write) may have moved the page being executed, too.
        boolean codeChanged = ram.invalidateCode(first) | ram.invalidateCode(second) | space.mappingEpoch() != epoch;
        byte[] mem = ram.bytes();
        for (int i = 0; i < size; i++) {
            int byteAddress = address + i;
            int frame = ((byteAddress ^ address) & ~PAGE_MASK) == 0 ? first : second;
            mem[frame | (byteAddress & PAGE_MASK)] = (byte) (value >>> (8 * i));
        }
        return codeChanged ? 1 : 0;
    }

    /** Translates for a data access and fills the TLB; returns the frame or -1 after raising a fault. */
    private int translateData(int address, Access access) {
        int frame = space.translate(address, access);
        if (frame < 0) {
            boolean pageFault = frame == AddressSpace.PAGE_FAULT;
            raise(access == Access.READ
                    ? (pageFault ? TrapCause.LOAD_PAGE_FAULT : TrapCause.LOAD_ACCESS_FAULT)
                    : (pageFault ? TrapCause.STORE_PAGE_FAULT : TrapCause.STORE_ACCESS_FAULT), address);
            return -1;
        }
        int vpn = address >>> 12;
        int entry = vpn & TLB_MASK;
        if (access == Access.READ) {
            readTag[entry] = vpn;
            readFrame[entry] = frame;
        } else {
            if (space.mappingEpoch() != seenMappingEpoch) { // the translation changed a mapping (copy-on-write)
                flushTlb();
            }
            ram.noteWrite(frame); // each write TLB entry begins with a miss: what tracking dirty pages relies on
            if (ram.decodedPage(frame) == null) {
                writeTag[entry] = vpn;
                writeFrame[entry] = frame;
            }
        }
        return frame;
    }

    /** Executes a Zicsr instruction; false if it is illegal (the caller raises the trap). */
    private boolean executeCsr(int w, int number, long retired, long cycleCount) {
        int op = w & 0xff;
        int rd = (w >>> 8) & 0xff;
        int rs1Field = (w >>> 16) & 0xff;
        boolean immediate = op == Isa.CSRRWI || op == Isa.CSRRSI || op == Isa.CSRRCI;
        int operand = immediate ? rs1Field : x[rs1Field];
        boolean writes = op == Isa.CSRRW || op == Isa.CSRRWI || rs1Field != 0;
        if (Csr.minimumPrivilege(number) > privilege || (writes && Csr.isReadOnly(number)) || !counterAccessible(number)) {
            return false;
        }
        long current = readCsr(number, retired, cycleCount);
        if (current == Long.MIN_VALUE) {
            return false;
        }
        int old = (int) current;
        if (writes) {
            int updated = switch (op) {
                case Isa.CSRRW, Isa.CSRRWI -> operand;
                case Isa.CSRRS, Isa.CSRRSI -> old | operand;
                default -> old & ~operand;
            };
            switch (number) {
                // The counters keep counting from the written value with the next instruction.
                case Csr.MINSTRET -> instret = ((retired & ~0xffffffffL) | Integer.toUnsignedLong(updated)) - (retired - instret) - 1;
                case Csr.MINSTRETH -> instret = (((long) updated << 32) | (retired & 0xffffffffL)) - (retired - instret) - 1;
                case Csr.MCYCLE -> cycles = ((cycleCount & ~0xffffffffL) | Integer.toUnsignedLong(updated)) - (cycleCount - cycles) - 1;
                case Csr.MCYCLEH -> cycles = (((long) updated << 32) | (cycleCount & 0xffffffffL)) - (cycleCount - cycles) - 1;
                default -> writeCsr(number, updated);
            }
        }
        x[rd] = old;
        return true;
    }

    /** U-mode reads of cycle/time/instret are allowed by mcounteren on a bare machine, always under a kernel. */
    private boolean counterAccessible(int number) {
        if (number < Csr.CYCLE || number > Csr.INSTRETH || (number > Csr.INSTRET && number < Csr.CYCLEH)) {
            return true;
        }
        if (mode == ExecutionMode.PROCESS || privilege == PRIVILEGE_MACHINE) {
            return true;
        }
        return (csr[S_MCOUNTEREN] & (1 << (number & 0x1f))) != 0;
    }

    /** The CSR's value, or Long.MIN_VALUE if the hart does not implement it. */
    private long readCsr(int number, long retired, long cycleCount) {
        long value = switch (number) {
            case Csr.CYCLE, Csr.MCYCLE -> cycleCount;
            case Csr.CYCLEH, Csr.MCYCLEH -> cycleCount >>> 32;
            case Csr.INSTRET, Csr.MINSTRET -> retired;
            case Csr.INSTRETH, Csr.MINSTRETH -> retired >>> 32;
            case Csr.TIME -> timer.getAsLong();
            case Csr.TIMEH -> timer.getAsLong() >>> 32;
            case Csr.MISA -> MISA;
            case Csr.MVENDORID, Csr.MARCHID, Csr.MIMPID, Csr.MHARTID -> 0;
            default -> {
                int slot = csrSlot(number);
                yield slot == NOT_A_SLOT ? Long.MIN_VALUE : csr[slot];
            }
        };
        return value == Long.MIN_VALUE ? value : value & 0xffffffffL;
    }

    private void writeCsr(int number, int value) {
        int slot = csrSlot(number);
        switch (slot) {
            case NOT_A_SLOT -> {
                // misa: WARL, the extensions cannot be turned off.
            }
            case S_MSTATUS -> {
                int mpp = (value & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
                int legalMpp = mpp == PRIVILEGE_MACHINE ? PRIVILEGE_MACHINE : PRIVILEGE_USER;
                csr[slot] = (value & (MSTATUS_MIE | MSTATUS_MPIE)) | (legalMpp << MSTATUS_MPP_SHIFT);
            }
            case S_MEPC -> csr[slot] = value & ~3;
            case S_MTVEC -> csr[slot] = value & ~2; // direct (0) or vectored (1) mode
            default -> csr[slot] = value;
        }
    }

    private static int csrSlot(int number) {
        return switch (number) {
            case Csr.MSTATUS -> S_MSTATUS;
            case Csr.MTVEC -> S_MTVEC;
            case Csr.MEPC -> S_MEPC;
            case Csr.MCAUSE -> S_MCAUSE;
            case Csr.MTVAL -> S_MTVAL;
            case Csr.MSCRATCH -> S_MSCRATCH;
            case Csr.MIE -> S_MIE;
            case Csr.MIP -> S_MIP;
            case Csr.MEDELEG -> S_MEDELEG;
            case Csr.MIDELEG -> S_MIDELEG;
            case Csr.SATP -> S_SATP;
            case Csr.MCOUNTEREN -> S_MCOUNTEREN;
            default -> {
                if (number >= Csr.PMPCFG0 && number < Csr.PMPCFG0 + Csr.PMPCFG_COUNT) {
                    yield S_PMPCFG + number - Csr.PMPCFG0;
                }
                if (number >= Csr.PMPADDR0 && number < Csr.PMPADDR0 + Csr.PMPADDR_COUNT) {
                    yield S_PMPADDR + number - Csr.PMPADDR0;
                }
                yield NOT_A_SLOT;
            }
        };
    }
}
