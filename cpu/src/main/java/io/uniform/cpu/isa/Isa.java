package io.uniform.cpu.isa;

import java.util.List;

/**
 * The instruction set the hart implements, described once: every instruction's id, mnemonic,
 * operand format and its match/mask encoding, in the style of the riscv-opcodes tables that
 * Spike generates its decoder from. The decoder, the interpreter's dispatch and the
 * disassembler all read this table; nothing else restates an encoding.
 *
 * <p>The ids are small dense integers so that the interpreter can switch on them as a
 * {@code tableswitch}; {@link #TABLE} is indexed by id (a unit test holds that invariant).
 */
public final class Isa {
    private Isa() {}

    // RV32I
    public static final int ILLEGAL = 0;
    public static final int LUI = 1;
    public static final int AUIPC = 2;
    public static final int JAL = 3;
    public static final int JALR = 4;
    public static final int BEQ = 5;
    public static final int BNE = 6;
    public static final int BLT = 7;
    public static final int BGE = 8;
    public static final int BLTU = 9;
    public static final int BGEU = 10;
    public static final int LB = 11;
    public static final int LH = 12;
    public static final int LW = 13;
    public static final int LBU = 14;
    public static final int LHU = 15;
    public static final int SB = 16;
    public static final int SH = 17;
    public static final int SW = 18;
    public static final int ADDI = 19;
    public static final int SLTI = 20;
    public static final int SLTIU = 21;
    public static final int XORI = 22;
    public static final int ORI = 23;
    public static final int ANDI = 24;
    public static final int SLLI = 25;
    public static final int SRLI = 26;
    public static final int SRAI = 27;
    public static final int ADD = 28;
    public static final int SUB = 29;
    public static final int SLL = 30;
    public static final int SLT = 31;
    public static final int SLTU = 32;
    public static final int XOR = 33;
    public static final int SRL = 34;
    public static final int SRA = 35;
    public static final int OR = 36;
    public static final int AND = 37;
    public static final int FENCE = 38;
    public static final int FENCE_I = 39;
    public static final int ECALL = 40;
    public static final int EBREAK = 41;
    // M
    public static final int MUL = 42;
    public static final int MULH = 43;
    public static final int MULHSU = 44;
    public static final int MULHU = 45;
    public static final int DIV = 46;
    public static final int DIVU = 47;
    public static final int REM = 48;
    public static final int REMU = 49;
    // Zicsr
    public static final int CSRRW = 50;
    public static final int CSRRS = 51;
    public static final int CSRRC = 52;
    public static final int CSRRWI = 53;
    public static final int CSRRSI = 54;
    public static final int CSRRCI = 55;
    // Machine mode
    public static final int MRET = 56;
    public static final int WFI = 57;

    /** One instruction: {@code (word & mask) == match} identifies it. */
    public record Spec(int id, String mnemonic, Format format, int match, int mask) {
        public boolean matches(int word) {
            return (word & mask) == match;
        }
    }

    private static final int R_MASK = 0xfe00707f;
    private static final int I_MASK = 0x0000707f;
    private static final int U_MASK = 0x0000007f;
    private static final int EXACT = 0xffffffff;

    /** Indexed by id. The FENCE mask ignores fm/pred/succ/rs1/rd, as the base ISA requires. */
    public static final List<Spec> TABLE = List.of(
            new Spec(ILLEGAL, "illegal", Format.NONE, 0, 0),
            new Spec(LUI, "lui", Format.U, 0x00000037, U_MASK),
            new Spec(AUIPC, "auipc", Format.U, 0x00000017, U_MASK),
            new Spec(JAL, "jal", Format.J, 0x0000006f, U_MASK),
            new Spec(JALR, "jalr", Format.JALR, 0x00000067, I_MASK),
            new Spec(BEQ, "beq", Format.B, 0x00000063, I_MASK),
            new Spec(BNE, "bne", Format.B, 0x00001063, I_MASK),
            new Spec(BLT, "blt", Format.B, 0x00004063, I_MASK),
            new Spec(BGE, "bge", Format.B, 0x00005063, I_MASK),
            new Spec(BLTU, "bltu", Format.B, 0x00006063, I_MASK),
            new Spec(BGEU, "bgeu", Format.B, 0x00007063, I_MASK),
            new Spec(LB, "lb", Format.LOAD, 0x00000003, I_MASK),
            new Spec(LH, "lh", Format.LOAD, 0x00001003, I_MASK),
            new Spec(LW, "lw", Format.LOAD, 0x00002003, I_MASK),
            new Spec(LBU, "lbu", Format.LOAD, 0x00004003, I_MASK),
            new Spec(LHU, "lhu", Format.LOAD, 0x00005003, I_MASK),
            new Spec(SB, "sb", Format.S, 0x00000023, I_MASK),
            new Spec(SH, "sh", Format.S, 0x00001023, I_MASK),
            new Spec(SW, "sw", Format.S, 0x00002023, I_MASK),
            new Spec(ADDI, "addi", Format.I, 0x00000013, I_MASK),
            new Spec(SLTI, "slti", Format.I, 0x00002013, I_MASK),
            new Spec(SLTIU, "sltiu", Format.I, 0x00003013, I_MASK),
            new Spec(XORI, "xori", Format.I, 0x00004013, I_MASK),
            new Spec(ORI, "ori", Format.I, 0x00006013, I_MASK),
            new Spec(ANDI, "andi", Format.I, 0x00007013, I_MASK),
            new Spec(SLLI, "slli", Format.SHIFT, 0x00001013, R_MASK),
            new Spec(SRLI, "srli", Format.SHIFT, 0x00005013, R_MASK),
            new Spec(SRAI, "srai", Format.SHIFT, 0x40005013, R_MASK),
            new Spec(ADD, "add", Format.R, 0x00000033, R_MASK),
            new Spec(SUB, "sub", Format.R, 0x40000033, R_MASK),
            new Spec(SLL, "sll", Format.R, 0x00001033, R_MASK),
            new Spec(SLT, "slt", Format.R, 0x00002033, R_MASK),
            new Spec(SLTU, "sltu", Format.R, 0x00003033, R_MASK),
            new Spec(XOR, "xor", Format.R, 0x00004033, R_MASK),
            new Spec(SRL, "srl", Format.R, 0x00005033, R_MASK),
            new Spec(SRA, "sra", Format.R, 0x40005033, R_MASK),
            new Spec(OR, "or", Format.R, 0x00006033, R_MASK),
            new Spec(AND, "and", Format.R, 0x00007033, R_MASK),
            new Spec(FENCE, "fence", Format.NONE, 0x0000000f, I_MASK),
            new Spec(FENCE_I, "fence.i", Format.NONE, 0x0000100f, I_MASK),
            new Spec(ECALL, "ecall", Format.NONE, 0x00000073, EXACT),
            new Spec(EBREAK, "ebreak", Format.NONE, 0x00100073, EXACT),
            new Spec(MUL, "mul", Format.R, 0x02000033, R_MASK),
            new Spec(MULH, "mulh", Format.R, 0x02001033, R_MASK),
            new Spec(MULHSU, "mulhsu", Format.R, 0x02002033, R_MASK),
            new Spec(MULHU, "mulhu", Format.R, 0x02003033, R_MASK),
            new Spec(DIV, "div", Format.R, 0x02004033, R_MASK),
            new Spec(DIVU, "divu", Format.R, 0x02005033, R_MASK),
            new Spec(REM, "rem", Format.R, 0x02006033, R_MASK),
            new Spec(REMU, "remu", Format.R, 0x02007033, R_MASK),
            new Spec(CSRRW, "csrrw", Format.CSR, 0x00001073, I_MASK),
            new Spec(CSRRS, "csrrs", Format.CSR, 0x00002073, I_MASK),
            new Spec(CSRRC, "csrrc", Format.CSR, 0x00003073, I_MASK),
            new Spec(CSRRWI, "csrrwi", Format.CSRI, 0x00005073, I_MASK),
            new Spec(CSRRSI, "csrrsi", Format.CSRI, 0x00006073, I_MASK),
            new Spec(CSRRCI, "csrrci", Format.CSRI, 0x00007073, I_MASK),
            new Spec(MRET, "mret", Format.NONE, 0x30200073, EXACT),
            new Spec(WFI, "wfi", Format.NONE, 0x10500073, EXACT));

    public static Spec spec(int id) {
        return TABLE.get(id);
    }

    /** Bytes a load or store accesses. */
    public static int accessSize(int id) {
        return switch (id) {
            case LB, LBU, SB -> 1;
            case LH, LHU, SH -> 2;
            case LW, SW -> 4;
            default -> throw new IllegalArgumentException(spec(id).mnemonic() + " does not access memory");
        };
    }
}
