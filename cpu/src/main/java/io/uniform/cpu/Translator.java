package io.uniform.cpu;

import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.DecodedPage;
import io.uniform.cpu.memory.PhysicalMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Translates hot guest code to JVM bytecode, so that HotSpot compiles guest loops to native
 * code. A translation starts at one hot jump target and covers the code reachable from it
 * inside the same 4 KiB page (following branches both ways, up to a size that keeps the
 * method small enough for HotSpot to compile); guest registers live in JVM locals inside it.
 * System instructions (CSR access, ECALL, EBREAK, MRET, WFI, FENCE.I) and illegal words are
 * not translated: the region ends before them and the interpreter executes them.
 *
 * <p>Semantics are the interpreter's to the letter: the same TLB fast path and slow paths for
 * memory, the same traps with the same pc and tval, and the same instruction budget. The budget
 * is charged per basic block on entry; a block that would overdraw it is left to the
 * interpreter, and an instruction that traps refunds the rest of its block.
 */
final class Translator implements Opcodes {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    /**
     * Estimated bytecode size of a region. HotSpot does not compile methods over 8000 bytes at
     * all, and it compiles small ones sooner and better: measured on the guest benchmarks, 1000
     * beat 2500 and 5000 on every one (bench_sort by 1.6x, bench_coremark_like by 2.8x).
     */
    private static final int MAX_ESTIMATED_BYTES = 1000;

    private static final String HART = "io/uniform/cpu/Hart";
    private static final String SUPER = "io/uniform/cpu/TranslatedCode";
    private static final String TRAP_CAUSE = "io/uniform/cpu/TrapCause";
    private static final String VAR_HANDLE = "java/lang/invoke/VarHandle";
    private static final String VAR_HANDLE_TYPE = "Ljava/lang/invoke/VarHandle;";

    // JVM locals of the run method.
    private static final int L_HART = 1;
    private static final int L_X = 2;
    private static final int L_MEM = 3;
    private static final int L_BUDGET = 4; // long: 4 and 5
    private static final int L_READ_TAG = 6;
    private static final int L_READ_FRAME = 7;
    private static final int L_WRITE_TAG = 8;
    private static final int L_WRITE_FRAME = 9;
    private static final int L_EXIT_PC = 10;
    private static final int L_ADDRESS = 11;
    /** Guest register r (1..31) lives in local L_REGISTERS + r; x0 has no local, so this may overlap L_ADDRESS. */
    private static final int L_REGISTERS = L_ADDRESS;

    private static final int SLOTS = DecodedPage.SLOTS;
    private static final int PAGE_MASK = PhysicalMemory.PAGE_MASK;

    private final DecodedPage page;
    private final int[] code;
    private final int base;
    private final int entrySlot;
    private final boolean[] included = new boolean[SLOTS];
    private final boolean[] leader = new boolean[SLOTS];
    private final Label[] labels = new Label[SLOTS];
    private final boolean[] registerUsed = new boolean[33];
    private final boolean[] registerWritten = new boolean[33];
    private final List<Runnable> stubs = new ArrayList<>();
    private final Label epilogue = new Label();
    private MethodVisitor mv;

    private Translator(DecodedPage page, int entryPc) {
        this.page = page;
        this.code = page.code();
        this.base = entryPc & ~PAGE_MASK;
        this.entrySlot = (entryPc & PAGE_MASK) >>> 2;
    }

    /**
     * Translates the region entered at {@code entryPc}, or returns null if it starts with an
     * untranslatable instruction; a region another hart translated from the same page bytes is
     * reused (see {@link SharedTranslations}).
     */
    static TranslatedCode translate(Hart hart, DecodedPage page, int entryPc) {
        SharedTranslations.Key key = new SharedTranslations.Key(entryPc, hart.addressSpace().physical(), page.frame());
        TranslatedCode shared = SharedTranslations.find(key);
        if (shared != null) {
            return shared;
        }
        Translator translator = new Translator(page, entryPc);
        if (!translator.discover(hart)) {
            return null;
        }
        byte[] classBytes = translator.emitClass(entryPc);
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClass(classBytes, true);
            TranslatedCode translated = (TranslatedCode) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
            return SharedTranslations.offer(key, translated);
        } catch (Throwable e) {
            throw new IllegalStateException("translated code for pc 0x" + Integer.toHexString(entryPc) + " was rejected", e);
        }
    }

    private int op(int slot) {
        return code[slot << 1] & 0xff;
    }

    private int rd(int slot) {
        return (code[slot << 1] >>> 8) & 0xff;
    }

    private int rs1(int slot) {
        return (code[slot << 1] >>> 16) & 0xff;
    }

    private int rs2(int slot) {
        return code[slot << 1] >>> 24;
    }

    private int imm(int slot) {
        return code[(slot << 1) + 1];
    }

    private int pcOf(int slot) {
        return base + (slot << 2);
    }

    /** The slot a static jump from {@code slot} lands on, or -1 if it leaves the page or is misaligned. */
    private int staticTargetSlot(int slot) {
        int target = pcOf(slot) + imm(slot);
        return (target & 3) == 0 && (target & ~PAGE_MASK) == base ? (target & PAGE_MASK) >>> 2 : -1;
    }

    private static boolean isBranch(int op) {
        return op >= Isa.BEQ && op <= Isa.BGEU;
    }

    private static boolean isTranslatable(int op) {
        return (op >= Isa.LUI && op <= Isa.FENCE) || (op >= Isa.MUL && op <= Isa.REMU);
    }

    private static int estimatedBytes(int op) {
        return switch (op) {
            case Isa.LB, Isa.LH, Isa.LW, Isa.LBU, Isa.LHU, Isa.SB, Isa.SH, Isa.SW -> 90;
            case Isa.JAL, Isa.JALR, Isa.BEQ, Isa.BNE, Isa.BLT, Isa.BGE, Isa.BLTU, Isa.BGEU -> 60;
            default -> 16;
        };
    }

    /** Finds the region: slots reachable from the entry inside the page, within the size limit. */
    private boolean discover(Hart hart) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(entrySlot);
        int estimate = 0;
        while (!work.isEmpty()) {
            int slot = work.poll();
            if (included[slot]) {
                continue;
            }
            if (op(slot) == DecodedPage.UNDECODED) {
                hart.decodeSlot(page, slot);
            }
            int op = op(slot);
            if (!isTranslatable(op) || estimate + estimatedBytes(op) > MAX_ESTIMATED_BYTES) {
                continue;
            }
            included[slot] = true;
            estimate += estimatedBytes(op);
            if (op == Isa.JAL || isBranch(op)) {
                int target = staticTargetSlot(slot);
                if (target >= 0) {
                    work.add(target);
                }
            }
            if (op != Isa.JAL && op != Isa.JALR && slot + 1 < SLOTS) {
                work.add(slot + 1);
            }
        }
        if (!included[entrySlot]) {
            return false;
        }
        leader[entrySlot] = true;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (!included[slot]) {
                continue;
            }
            int op = op(slot);
            if (op == Isa.JAL || isBranch(op)) {
                int target = staticTargetSlot(slot);
                if (target >= 0 && included[target]) {
                    leader[target] = true;
                }
            }
            if (isBranch(op) && slot + 1 < SLOTS && included[slot + 1]) {
                leader[slot + 1] = true;
            }
            if (slot == 0 || !included[slot - 1]) {
                leader[slot] = true;
            }
            for (int register : new int[] {rs1(slot), rs2(slot), rd(slot)}) {
                registerUsed[register] = true;
            }
            registerWritten[rd(slot)] |= writesRd(op);
        }
        return true;
    }

    private static boolean writesRd(int op) {
        return !(isBranch(op) || op == Isa.SB || op == Isa.SH || op == Isa.SW || op == Isa.FENCE);
    }

    /** Instructions in the basic block that starts at {@code leaderSlot}. */
    private int blockLength(int leaderSlot) {
        int length = 0;
        for (int slot = leaderSlot; slot < SLOTS && included[slot] && (slot == leaderSlot || !leader[slot]); slot++) {
            length++;
            int op = op(slot);
            if (op == Isa.JAL || op == Isa.JALR || isBranch(op)) {
                break;
            }
        }
        return length;
    }

    private byte[] emitClass(int entryPc) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(V17, ACC_FINAL | ACC_SUPER, "io/uniform/cpu/Translated", null, SUPER, null);
        MethodVisitor init = cw.visitMethod(0, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitLdcInsn(entryPc);
        init.visitMethodInsn(INVOKESPECIAL, SUPER, "<init>", "(I)V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        mv = cw.visitMethod(0, "run", "(L" + HART + ";[I[BJ)J", null, null);
        mv.visitCode();
        emitPrologue();
        for (int slot = 0; slot < SLOTS; slot++) {
            if (leader[slot]) {
                labels[slot] = new Label();
            }
        }
        mv.visitJumpInsn(GOTO, labels[entrySlot]);
        int blockLength = 0;
        int position = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (!included[slot]) {
                continue;
            }
            if (leader[slot]) {
                blockLength = blockLength(slot);
                position = 0;
                mv.visitLabel(labels[slot]);
                emitBudgetCharge(slot, blockLength);
            }
            emitInstruction(slot, blockLength - position - 1);
            position++;
        }
        for (Runnable stub : stubs) {
            stub.run();
        }
        emitEpilogue();
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private void emitPrologue() {
        String[] tlb = {"readTag", "readFrame", "writeTag", "writeFrame"};
        for (int i = 0; i < tlb.length; i++) {
            mv.visitVarInsn(ALOAD, L_HART);
            mv.visitFieldInsn(GETFIELD, HART, tlb[i], "[I");
            mv.visitVarInsn(ASTORE, L_READ_TAG + i);
        }
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, L_EXIT_PC);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, L_ADDRESS);
        for (int register = 1; register < 32; register++) {
            if (registerUsed[register]) {
                mv.visitVarInsn(ALOAD, L_X);
                pushInt(register);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, L_REGISTERS + register);
            }
        }
    }

    private void emitEpilogue() {
        mv.visitLabel(epilogue);
        for (int register = 1; register < 32; register++) {
            if (registerWritten[register]) {
                mv.visitVarInsn(ALOAD, L_X);
                pushInt(register);
                mv.visitVarInsn(ILOAD, L_REGISTERS + register);
                mv.visitInsn(IASTORE);
            }
        }
        mv.visitVarInsn(ALOAD, L_HART);
        mv.visitVarInsn(ILOAD, L_EXIT_PC);
        mv.visitFieldInsn(PUTFIELD, HART, "pc", "I");
        mv.visitVarInsn(LLOAD, L_BUDGET);
        mv.visitInsn(LRETURN);
    }

    /** budget -= length; if it went negative, give it back and let the interpreter run the block. */
    private void emitBudgetCharge(int slot, int length) {
        Label enough = new Label();
        mv.visitVarInsn(LLOAD, L_BUDGET);
        mv.visitLdcInsn((long) length);
        mv.visitInsn(LSUB);
        mv.visitInsn(DUP2);
        mv.visitVarInsn(LSTORE, L_BUDGET);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFGE, enough);
        refund(length);
        exitTo(pcOf(slot));
        mv.visitLabel(enough);
    }

    private void refund(int instructions) {
        if (instructions > 0) {
            mv.visitVarInsn(LLOAD, L_BUDGET);
            mv.visitLdcInsn((long) instructions);
            mv.visitInsn(LADD);
            mv.visitVarInsn(LSTORE, L_BUDGET);
        }
    }

    private void exitTo(int pc) {
        mv.visitLdcInsn(pc);
        mv.visitVarInsn(ISTORE, L_EXIT_PC);
        mv.visitJumpInsn(GOTO, epilogue);
    }

    /** Control goes to {@code slot}: inside the region by a jump, otherwise out to the dispatcher. */
    private void jumpToSlot(int slot) {
        if (slot < SLOTS && included[slot]) {
            mv.visitJumpInsn(GOTO, labels[slot]);
        } else {
            exitTo(slot < SLOTS ? pcOf(slot) : base + PhysicalMemory.PAGE_SIZE);
        }
    }

    /** A label for a conditional jump that leaves for {@code slot} (or the out-of-page pc). */
    private Label branchTarget(int slot, int targetPc) {
        if (slot >= 0 && included[slot]) {
            return labels[slot];
        }
        Label stub = new Label();
        stubs.add(() -> {
            mv.visitLabel(stub);
            exitTo(targetPc);
        });
        return stub;
    }

    private void raiseMisaligned(int slot, boolean targetInAddressLocal, int staticTarget) {
        mv.visitVarInsn(ALOAD, L_HART);
        mv.visitFieldInsn(GETSTATIC, TRAP_CAUSE, TrapCause.INSTRUCTION_ADDRESS_MISALIGNED.name(), "L" + TRAP_CAUSE + ";");
        if (targetInAddressLocal) {
            mv.visitVarInsn(ILOAD, L_ADDRESS);
        } else {
            mv.visitLdcInsn(staticTarget);
        }
        mv.visitMethodInsn(INVOKEVIRTUAL, HART, "raise", "(L" + TRAP_CAUSE + ";I)V", false);
        exitTo(pcOf(slot));
    }

    private void loadRegister(int register) {
        if (register == 0) {
            mv.visitInsn(ICONST_0);
        } else {
            mv.visitVarInsn(ILOAD, L_REGISTERS + register);
        }
    }

    /** Stores the int on the stack into a register; writes to x0 (decoded as the sink) vanish. */
    private void storeRegister(int register) {
        if (register >= 32) {
            mv.visitInsn(POP);
        } else {
            mv.visitVarInsn(ISTORE, L_REGISTERS + register);
        }
    }

    private void pushInt(int value) {
        if (value >= -1 && value <= 5) {
            mv.visitInsn(ICONST_0 + value);
        } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, value);
        } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, value);
        } else {
            mv.visitLdcInsn(value);
        }
    }

    private void callHelper(String name) {
        mv.visitMethodInsn(INVOKESTATIC, HART, name, "(II)I", false);
    }

    /** Emits one instruction; {@code rest} instructions of its block follow it (refunded if it traps). */
    private void emitInstruction(int slot, int rest) {
        int op = op(slot);
        int rd = rd(slot);
        int rs1 = rs1(slot);
        int rs2 = rs2(slot);
        int imm = imm(slot);
        int pc = pcOf(slot);
        switch (op) {
            case Isa.LUI -> {
                pushInt(imm);
                storeRegister(rd);
            }
            case Isa.AUIPC -> {
                pushInt(pc + imm);
                storeRegister(rd);
            }
            case Isa.JAL -> {
                int target = pc + imm;
                if ((target & 3) != 0) {
                    raiseMisaligned(slot, false, target);
                    return;
                }
                pushInt(pc + 4);
                storeRegister(rd);
                if ((target & ~PAGE_MASK) == base) {
                    jumpToSlot((target & PAGE_MASK) >>> 2);
                } else {
                    exitTo(target);
                }
                return;
            }
            case Isa.JALR -> {
                Label aligned = new Label();
                loadRegister(rs1);
                pushInt(imm);
                mv.visitInsn(IADD);
                pushInt(~1);
                mv.visitInsn(IAND);
                mv.visitVarInsn(ISTORE, L_ADDRESS);
                mv.visitVarInsn(ILOAD, L_ADDRESS);
                mv.visitInsn(ICONST_3);
                mv.visitInsn(IAND);
                mv.visitJumpInsn(IFEQ, aligned);
                raiseMisaligned(slot, true, 0);
                mv.visitLabel(aligned);
                pushInt(pc + 4);
                storeRegister(rd);
                mv.visitVarInsn(ILOAD, L_ADDRESS);
                mv.visitVarInsn(ISTORE, L_EXIT_PC);
                mv.visitJumpInsn(GOTO, epilogue);
                return;
            }
            case Isa.BEQ, Isa.BNE, Isa.BLT, Isa.BGE, Isa.BLTU, Isa.BGEU -> {
                int target = pc + imm;
                loadRegister(rs1);
                if (op == Isa.BLTU || op == Isa.BGEU) { // unsigned compare: flip the sign bits
                    pushInt(Integer.MIN_VALUE);
                    mv.visitInsn(IXOR);
                }
                loadRegister(rs2);
                if (op == Isa.BLTU || op == Isa.BGEU) {
                    pushInt(Integer.MIN_VALUE);
                    mv.visitInsn(IXOR);
                }
                int jump = switch (op) {
                    case Isa.BEQ -> IF_ICMPEQ;
                    case Isa.BNE -> IF_ICMPNE;
                    case Isa.BLT, Isa.BLTU -> IF_ICMPLT;
                    default -> IF_ICMPGE;
                };
                Label taken;
                if ((target & 3) != 0) {
                    taken = new Label();
                    stubs.add(() -> {
                        mv.visitLabel(taken);
                        raiseMisaligned(slot, false, target);
                    });
                } else {
                    taken = branchTarget((target & ~PAGE_MASK) == base ? (target & PAGE_MASK) >>> 2 : -1, target);
                }
                mv.visitJumpInsn(jump, taken);
            }
            case Isa.LB, Isa.LH, Isa.LW, Isa.LBU, Isa.LHU -> emitLoad(slot, op, rd, rs1, imm, rest);
            case Isa.SB, Isa.SH, Isa.SW -> emitStore(slot, op, rs1, rs2, imm, rest);
            case Isa.ADDI, Isa.XORI, Isa.ORI, Isa.ANDI, Isa.SLLI, Isa.SRLI, Isa.SRAI -> {
                loadRegister(rs1);
                pushInt(imm);
                mv.visitInsn(switch (op) {
                    case Isa.ADDI -> IADD;
                    case Isa.XORI -> IXOR;
                    case Isa.ORI -> IOR;
                    case Isa.ANDI -> IAND;
                    case Isa.SLLI -> ISHL;
                    case Isa.SRLI -> IUSHR;
                    default -> ISHR;
                });
                storeRegister(rd);
            }
            case Isa.SLTI, Isa.SLTIU, Isa.SLT, Isa.SLTU -> {
                boolean unsigned = op == Isa.SLTIU || op == Isa.SLTU;
                loadRegister(rs1);
                if (unsigned) {
                    pushInt(Integer.MIN_VALUE);
                    mv.visitInsn(IXOR);
                }
                if (op == Isa.SLTI || op == Isa.SLTIU) {
                    pushInt(unsigned ? imm ^ Integer.MIN_VALUE : imm);
                } else {
                    loadRegister(rs2);
                    if (unsigned) {
                        pushInt(Integer.MIN_VALUE);
                        mv.visitInsn(IXOR);
                    }
                }
                Label less = new Label();
                Label done = new Label();
                mv.visitJumpInsn(IF_ICMPLT, less);
                mv.visitInsn(ICONST_0);
                mv.visitJumpInsn(GOTO, done);
                mv.visitLabel(less);
                mv.visitInsn(ICONST_1);
                mv.visitLabel(done);
                storeRegister(rd);
            }
            case Isa.ADD, Isa.SUB, Isa.SLL, Isa.XOR, Isa.SRL, Isa.SRA, Isa.OR, Isa.AND, Isa.MUL -> {
                loadRegister(rs1);
                loadRegister(rs2);
                mv.visitInsn(switch (op) {
                    case Isa.ADD -> IADD;
                    case Isa.SUB -> ISUB;
                    case Isa.SLL -> ISHL; // the JVM masks shift counts to 5 bits, as RV32 does
                    case Isa.XOR -> IXOR;
                    case Isa.SRL -> IUSHR;
                    case Isa.SRA -> ISHR;
                    case Isa.OR -> IOR;
                    case Isa.AND -> IAND;
                    default -> IMUL;
                });
                storeRegister(rd);
            }
            case Isa.MULH, Isa.MULHSU, Isa.MULHU, Isa.DIV, Isa.DIVU, Isa.REM, Isa.REMU -> {
                loadRegister(rs1);
                loadRegister(rs2);
                callHelper(switch (op) {
                    case Isa.MULH -> "mulh";
                    case Isa.MULHSU -> "mulhsu";
                    case Isa.MULHU -> "mulhu";
                    case Isa.DIV -> "div";
                    case Isa.DIVU -> "divu";
                    case Isa.REM -> "rem";
                    default -> "remu";
                });
                storeRegister(rd);
            }
            case Isa.FENCE -> {
                // nothing to order on one hart
            }
            default -> throw new IllegalStateException("not translatable: op " + op);
        }
        if (slot + 1 >= SLOTS || !included[slot + 1]) {
            jumpToSlot(slot + 1);
        }
    }

    /** Computes address = rs1 + imm into L_ADDRESS and jumps to slowPath unless the TLB maps the whole access. */
    private void emitTlbProbe(int rs1, int imm, int size, int tagLocal, Label slowPath) {
        loadRegister(rs1);
        pushInt(imm);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, L_ADDRESS);
        pushTlbEntry(tagLocal);
        mv.visitVarInsn(ILOAD, L_ADDRESS);
        pushInt(12);
        mv.visitInsn(IUSHR);
        mv.visitJumpInsn(IF_ICMPNE, slowPath);
        if (size > 1) { // the access must not cross into the next page
            mv.visitVarInsn(ILOAD, L_ADDRESS);
            pushInt(PAGE_MASK);
            mv.visitInsn(IAND);
            pushInt(PhysicalMemory.PAGE_SIZE - size);
            mv.visitJumpInsn(IF_ICMPGT, slowPath);
        }
    }

    /** Pushes array[(address >>> 12) & TLB_MASK] for one of the TLB arrays. */
    private void pushTlbEntry(int arrayLocal) {
        mv.visitVarInsn(ALOAD, arrayLocal);
        mv.visitVarInsn(ILOAD, L_ADDRESS);
        pushInt(12);
        mv.visitInsn(IUSHR);
        pushInt(Hart.TLB_MASK);
        mv.visitInsn(IAND);
        mv.visitInsn(IALOAD);
    }

    /** Pushes mem, then frame[(address >>> 12) & mask] | (address & PAGE_MASK). */
    private void pushPhysicalAddress(int frameLocal) {
        mv.visitVarInsn(ALOAD, L_MEM);
        pushTlbEntry(frameLocal);
        mv.visitVarInsn(ILOAD, L_ADDRESS);
        pushInt(PAGE_MASK);
        mv.visitInsn(IAND);
        mv.visitInsn(IOR);
    }

    private void emitLoad(int slot, int op, int rd, int rs1, int imm, int rest) {
        int size = Isa.accessSize(op);
        Label slowPath = new Label();
        Label done = new Label();
        emitTlbProbe(rs1, imm, size, L_READ_TAG, slowPath);
        if (size == 1) {
            pushPhysicalAddress(L_READ_FRAME);
            mv.visitInsn(BALOAD);
        } else {
            mv.visitFieldInsn(GETSTATIC, HART, size == 4 ? "INT" : "SHORT", VAR_HANDLE_TYPE);
            pushPhysicalAddress(L_READ_FRAME);
            mv.visitMethodInsn(INVOKEVIRTUAL, VAR_HANDLE, "get", size == 4 ? "([BI)I" : "([BI)S", false);
        }
        extend(op);
        storeRegister(rd);
        mv.visitJumpInsn(GOTO, done);

        mv.visitLabel(slowPath);
        mv.visitVarInsn(ALOAD, L_HART);
        mv.visitVarInsn(ILOAD, L_ADDRESS);
        pushInt(size);
        mv.visitMethodInsn(INVOKEVIRTUAL, HART, "loadSlow", "(II)J", false);
        mv.visitInsn(DUP2);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        Label loaded = new Label();
        mv.visitJumpInsn(IFGE, loaded);
        mv.visitInsn(POP2);
        refund(rest);
        exitTo(pcOf(slot));
        mv.visitLabel(loaded);
        mv.visitInsn(L2I);
        extend(op);
        storeRegister(rd);
        mv.visitLabel(done);
    }

    /** Sign- or zero-extends the loaded value on the stack as the load op requires. */
    private void extend(int op) {
        switch (op) {
            case Isa.LB -> mv.visitInsn(I2B);
            case Isa.LH -> mv.visitInsn(I2S);
            case Isa.LBU -> {
                pushInt(0xff);
                mv.visitInsn(IAND);
            }
            case Isa.LHU -> {
                pushInt(0xffff);
                mv.visitInsn(IAND);
            }
            default -> { }
        }
    }

    private void emitStore(int slot, int op, int rs1, int rs2, int imm, int rest) {
        int size = Isa.accessSize(op);
        Label slowPath = new Label();
        Label done = new Label();
        emitTlbProbe(rs1, imm, size, L_WRITE_TAG, slowPath);
        if (size == 1) {
            pushPhysicalAddress(L_WRITE_FRAME);
            loadRegister(rs2);
            mv.visitInsn(BASTORE);
        } else {
            mv.visitFieldInsn(GETSTATIC, HART, size == 4 ? "INT" : "SHORT", VAR_HANDLE_TYPE);
            pushPhysicalAddress(L_WRITE_FRAME);
            loadRegister(rs2);
            if (size == 4) {
                mv.visitMethodInsn(INVOKEVIRTUAL, VAR_HANDLE, "set", "([BII)V", false);
            } else {
                mv.visitInsn(I2S);
                mv.visitMethodInsn(INVOKEVIRTUAL, VAR_HANDLE, "set", "([BIS)V", false);
            }
        }
        mv.visitJumpInsn(GOTO, done);

        mv.visitLabel(slowPath);
        mv.visitVarInsn(ALOAD, L_HART);
        mv.visitVarInsn(ILOAD, L_ADDRESS);
        pushInt(size);
        loadRegister(rs2);
        mv.visitMethodInsn(INVOKEVIRTUAL, HART, "storeSlow", "(III)I", false);
        mv.visitInsn(DUP);
        Label stored = new Label();
        mv.visitJumpInsn(IFEQ, stored);
        // < 0: fault raised, the store did not happen; > 0: it overwrote decoded code, which
        // includes, possibly, this very translation: leave it after the store either way.
        Label codeChanged = new Label();
        mv.visitJumpInsn(IFGT, codeChanged);
        refund(rest);
        exitTo(pcOf(slot));
        mv.visitLabel(codeChanged);
        refund(rest);
        exitTo(pcOf(slot) + 4);
        mv.visitLabel(stored);
        mv.visitInsn(POP);
        mv.visitLabel(done);
    }
}
