package io.uniform.cpu;

import io.uniform.cpu.isa.Format;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.AddressSpace;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test-only assembler: encodes instructions from {@link Isa#TABLE} (the spec's match word
 * plus register fields and immediates placed by {@link Format}), so tests never restate an
 * encoding. Words are emitted at a moving location counter ({@link #org} moves it, e.g. to
 * the end of a page) and {@link #writeTo} stores them into an address space.
 *
 * <p>Every emitting method returns the address of the (first) instruction it emitted.
 */
public final class TestAssembler {
    private final int origin;
    private int location;
    private final TreeMap<Integer, Integer> words = new TreeMap<>();

    public TestAssembler(int origin) {
        this.origin = origin;
        this.location = origin;
    }

    /** The address of the first instruction emitted (before any {@link #org}). */
    public int origin() {
        return origin;
    }

    /** The address the next instruction will be emitted at. */
    public int here() {
        return location;
    }

    /** Moves the location counter. */
    public TestAssembler org(int address) {
        if ((address & 3) != 0) {
            throw new IllegalArgumentException("instructions are word aligned: " + Integer.toHexString(address));
        }
        location = address;
        return this;
    }

    /** The emitted words by address. */
    public Map<Integer, Integer> words() {
        return new TreeMap<>(words);
    }

    /** Stores every emitted word into {@code space}. */
    public void writeTo(AddressSpace space) {
        words.forEach(space::store32);
    }

    // ---- encoders (static, no emission) -------------------------------------------------

    private static Isa.Spec spec(int id, Format... formats) {
        Isa.Spec spec = Isa.spec(id);
        for (Format format : formats) {
            if (spec.format() == format) {
                return spec;
            }
        }
        throw new IllegalArgumentException(spec.mnemonic() + " has format " + spec.format());
    }

    private static int reg(int r) {
        if (r < 0 || r > 31) {
            throw new IllegalArgumentException("no register x" + r);
        }
        return r;
    }

    private static int signed(int value, int bits, String what) {
        int min = -(1 << (bits - 1));
        int max = (1 << (bits - 1)) - 1;
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " out of range: " + value);
        }
        return value;
    }

    private static int unsigned(int value, int bits, String what) {
        if (value < 0 || value >= (1 << bits)) {
            throw new IllegalArgumentException(what + " out of range: " + value);
        }
        return value;
    }

    public static int encodeR(int id, int rd, int rs1, int rs2) {
        return spec(id, Format.R).match() | reg(rd) << 7 | reg(rs1) << 15 | reg(rs2) << 20;
    }

    /** I-type arithmetic, loads and JALR: rd, rs1, imm[11:0]. */
    public static int encodeI(int id, int rd, int rs1, int imm) {
        return spec(id, Format.I, Format.LOAD, Format.JALR).match() | reg(rd) << 7 | reg(rs1) << 15
                | (signed(imm, 12, "imm12") & 0xfff) << 20;
    }

    public static int encodeShift(int id, int rd, int rs1, int shamt) {
        return spec(id, Format.SHIFT).match() | reg(rd) << 7 | reg(rs1) << 15 | unsigned(shamt, 5, "shamt") << 20;
    }

    public static int encodeS(int id, int rs2, int rs1, int offset) {
        int imm = signed(offset, 12, "store offset");
        return spec(id, Format.S).match() | reg(rs1) << 15 | reg(rs2) << 20
                | (imm & 0x1f) << 7 | ((imm >>> 5) & 0x7f) << 25;
    }

    public static int encodeB(int id, int rs1, int rs2, int offset) {
        if ((offset & 1) != 0) {
            throw new IllegalArgumentException("branch offsets are even: " + offset);
        }
        int imm = signed(offset, 13, "branch offset");
        return spec(id, Format.B).match() | reg(rs1) << 15 | reg(rs2) << 20
                | ((imm >>> 11) & 1) << 7
                | ((imm >>> 1) & 0xf) << 8
                | ((imm >>> 5) & 0x3f) << 25
                | ((imm >>> 12) & 1) << 31;
    }

    /** LUI/AUIPC; {@code imm20} is the value of bits 31:12. */
    public static int encodeU(int id, int rd, int imm20) {
        return spec(id, Format.U).match() | reg(rd) << 7 | unsigned(imm20, 20, "imm20") << 12;
    }

    public static int encodeJ(int rd, int offset) {
        if ((offset & 1) != 0) {
            throw new IllegalArgumentException("jump offsets are even: " + offset);
        }
        int imm = signed(offset, 21, "jal offset");
        return spec(Isa.JAL, Format.J).match() | reg(rd) << 7
                | ((imm >>> 12) & 0xff) << 12
                | ((imm >>> 11) & 1) << 20
                | ((imm >>> 1) & 0x3ff) << 21
                | ((imm >>> 20) & 1) << 31;
    }

    /** CSRRW/CSRRS/CSRRC: rd, csr, rs1. */
    public static int encodeCsr(int id, int rd, int csr, int rs1) {
        return spec(id, Format.CSR).match() | reg(rd) << 7 | reg(rs1) << 15 | unsigned(csr, 12, "csr") << 20;
    }

    /** CSRRWI/CSRRSI/CSRRCI: rd, csr, uimm[4:0]. */
    public static int encodeCsrImmediate(int id, int rd, int csr, int uimm) {
        return spec(id, Format.CSRI).match() | reg(rd) << 7 | unsigned(uimm, 5, "uimm") << 15
                | unsigned(csr, 12, "csr") << 20;
    }

    /** Operand-less instructions: fences (all fields zero), ecall, ebreak, mret, wfi. */
    public static int encodeSystem(int id) {
        return spec(id, Format.NONE).match();
    }

    // ---- emitters -------------------------------------------------------------------------

    /** Emits a raw word. */
    public int word(int word) {
        int at = location;
        words.put(at, word);
        location += 4;
        return at;
    }

    public int r(int id, int rd, int rs1, int rs2) {
        return word(encodeR(id, rd, rs1, rs2));
    }

    public int i(int id, int rd, int rs1, int imm) {
        return word(Isa.spec(id).format() == Format.SHIFT ? encodeShift(id, rd, rs1, imm) : encodeI(spec(id, Format.I).id(), rd, rs1, imm));
    }

    public int load(int id, int rd, int rs1, int offset) {
        return word(encodeI(spec(id, Format.LOAD).id(), rd, rs1, offset));
    }

    public int store(int id, int rs2, int rs1, int offset) {
        return word(encodeS(id, rs2, rs1, offset));
    }

    public int branch(int id, int rs1, int rs2, int offset) {
        return word(encodeB(id, rs1, rs2, offset));
    }

    /** A branch to an absolute target. */
    public int branchTo(int id, int rs1, int rs2, int target) {
        return branch(id, rs1, rs2, target - location);
    }

    public int jal(int rd, int offset) {
        return word(encodeJ(rd, offset));
    }

    /** A JAL to an absolute target. */
    public int jalTo(int rd, int target) {
        return jal(rd, target - location);
    }

    public int jalr(int rd, int rs1, int offset) {
        return word(encodeI(Isa.JALR, rd, rs1, offset));
    }

    public int u(int id, int rd, int imm20) {
        return word(encodeU(id, rd, imm20));
    }

    public int csr(int id, int rd, int csr, int rs1) {
        return word(Isa.spec(id).format() == Format.CSRI ? encodeCsrImmediate(id, rd, csr, rs1) : encodeCsr(id, rd, csr, rs1));
    }

    public int system(int id) {
        return word(encodeSystem(id));
    }

    public int nop() {
        return i(Isa.ADDI, 0, 0, 0);
    }

    public int ecall() {
        return system(Isa.ECALL);
    }

    /** rd = value, always as two instructions (lui, addi) so that code layout is predictable. */
    public int li(int rd, int value) {
        int lo = (value << 20) >> 20;
        int hi = (value - lo) >>> 12;
        int at = u(Isa.LUI, rd, hi);
        i(Isa.ADDI, rd, rd, lo);
        return at;
    }

    /** The two-instruction sequence {@link #li} emits, as words (to store code from code). */
    public static int[] encodeLi(int rd, int value) {
        int lo = (value << 20) >> 20;
        int hi = (value - lo) >>> 12;
        return new int[] {encodeU(Isa.LUI, rd, hi), encodeI(Isa.ADDI, rd, rd, lo)};
    }
}
