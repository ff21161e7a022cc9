package io.uniform.cpu.isa;

/** Renders instruction words as assembly text, with ABI register names. */
public final class Disassembler {
    private Disassembler() {}

    private static final String[] ABI_NAMES = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"
    };

    public static String registerName(int index) {
        return ABI_NAMES[index];
    }

    /** Disassembles {@code word} located at {@code pc} (pc-relative targets are shown absolute). */
    public static String disassemble(int word, int pc) {
        Isa.Spec spec = Decoder.lookup(word);
        if (spec.id() == Isa.ILLEGAL) {
            return String.format(".word 0x%08x", word);
        }
        String rd = ABI_NAMES[Decoder.rd(word)];
        String rs1 = ABI_NAMES[Decoder.rs1(word)];
        String rs2 = ABI_NAMES[Decoder.rs2(word)];
        int imm = Decoder.immediate(spec.format(), word);
        String m = spec.mnemonic();
        return switch (spec.format()) {
            case R -> m + " " + rd + ", " + rs1 + ", " + rs2;
            case I, SHIFT -> m + " " + rd + ", " + rs1 + ", " + imm;
            case LOAD, JALR -> m + " " + rd + ", " + imm + "(" + rs1 + ")";
            case S -> m + " " + rs2 + ", " + imm + "(" + rs1 + ")";
            case B -> m + " " + rs1 + ", " + rs2 + ", " + hex(pc + imm);
            case U -> m + " " + rd + ", " + hex(imm >>> 12);
            case J -> m + " " + rd + ", " + hex(pc + imm);
            case CSR -> m + " " + rd + ", " + Csr.name(imm) + ", " + rs1;
            case CSRI -> m + " " + rd + ", " + Csr.name(imm) + ", " + Decoder.rs1(word);
            case NONE -> m;
        };
    }

    private static String hex(int value) {
        return "0x" + Integer.toHexString(value);
    }
}
