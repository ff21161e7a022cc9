package io.uniform.cpu.isa;

/**
 * How an instruction's operands are laid out in its 32-bit encoding, and therefore how it is
 * decoded and printed. One entry of {@link Isa#TABLE} names one format.
 */
public enum Format {
    /** rd, rs1, rs2. */
    R,
    /** rd, rs1, sign-extended imm[11:0]. */
    I,
    /** rd, imm[11:0](rs1): loads. */
    LOAD,
    /** rd, rs1, shamt[4:0]. */
    SHIFT,
    /** rd, imm[11:0](rs1): JALR. */
    JALR,
    /** rs2, imm[11:0](rs1). */
    S,
    /** rs1, rs2, pc-relative imm[12:1]. */
    B,
    /** rd, imm[31:12]. */
    U,
    /** rd, pc-relative imm[20:1]. */
    J,
    /** rd, csr, rs1. */
    CSR,
    /** rd, csr, uimm[4:0] (held in the rs1 field). */
    CSRI,
    /** No operands worth decoding (fences, ecall, ebreak, mret, wfi). */
    NONE
}
