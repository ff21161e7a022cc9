package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.uniform.cpu.isa.Decoder;
import io.uniform.cpu.isa.Disassembler;
import io.uniform.cpu.isa.Format;
import io.uniform.cpu.isa.Isa;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The test assembler and the decoder/disassembler agree on every entry of the ISA table. */
class DecoderRoundTripTest {
    private static final int ROUNDS = 500;

    static Stream<Isa.Spec> instructions() {
        return Isa.TABLE.stream().filter(s -> s.id() != Isa.ILLEGAL);
    }

    /** Operands that the encoder places and the decoder should give back. */
    private record Operands(int rd, int rs1, int rs2, int imm) {}

    private static Operands random(Format format, Random random) {
        int rd = random.nextInt(32);
        int rs1 = random.nextInt(32);
        int rs2 = random.nextInt(32);
        int imm = switch (format) {
            case I, LOAD, JALR, S -> random.nextInt(4096) - 2048;
            case SHIFT -> random.nextInt(32);
            case B -> (random.nextInt(4096) - 2048) * 2;
            case U -> random.nextInt(1 << 20);
            case J -> (random.nextInt(1 << 20) - (1 << 19)) * 2;
            case CSR, CSRI -> random.nextInt(4096);
            case R, NONE -> 0;
        };
        return new Operands(rd, rs1, rs2, imm);
    }

    private static int encode(Isa.Spec spec, Operands o) {
        int id = spec.id();
        return switch (spec.format()) {
            case R -> TestAssembler.encodeR(id, o.rd, o.rs1, o.rs2);
            case I, LOAD, JALR -> TestAssembler.encodeI(id, o.rd, o.rs1, o.imm);
            case SHIFT -> TestAssembler.encodeShift(id, o.rd, o.rs1, o.imm);
            case S -> TestAssembler.encodeS(id, o.rs2, o.rs1, o.imm);
            case B -> TestAssembler.encodeB(id, o.rs1, o.rs2, o.imm);
            case U -> TestAssembler.encodeU(id, o.rd, o.imm);
            case J -> TestAssembler.encodeJ(o.rd, o.imm);
            case CSR -> TestAssembler.encodeCsr(id, o.rd, o.imm, o.rs1);
            case CSRI -> TestAssembler.encodeCsrImmediate(id, o.rd, o.imm, o.rs1);
            case NONE -> TestAssembler.encodeSystem(id);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("instructions")
    void assembledWithRandomOperandsDecodesToSameIdAndFieldsAndDisassemblesWithMnemonic(Isa.Spec spec) {
        Random random = new Random(spec.id() * 7919L);
        for (int round = 0; round < ROUNDS; round++) {
            Operands o = random(spec.format(), random);
            int word = encode(spec, o);
            String where = String.format("%s %s -> 0x%08x", spec.mnemonic(), o, word);
            assertEquals(spec.id(), Decoder.lookup(word).id(), where);
            Format f = spec.format();
            if (Decoder.writesRd(f)) {
                assertEquals(o.rd, Decoder.rd(word), "rd of " + where);
            }
            if (f == Format.R || f == Format.I || f == Format.LOAD || f == Format.SHIFT || f == Format.JALR
                    || f == Format.S || f == Format.B || f == Format.CSR || f == Format.CSRI) {
                assertEquals(o.rs1, Decoder.rs1(word), "rs1 (or uimm) of " + where);
            }
            if (f == Format.R || f == Format.S || f == Format.B) {
                assertEquals(o.rs2, Decoder.rs2(word), "rs2 of " + where);
            }
            int expectedImm = f == Format.U ? o.imm << 12 : o.imm;
            assertEquals(expectedImm, Decoder.immediate(f, word), "immediate of " + where);

            String text = Disassembler.disassemble(word, 0x10000);
            assertEquals(spec.mnemonic(), text.split(" ", 2)[0], "disassembly of " + where + ": " + text);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("instructions")
    void operandsAtTheEdgesOfTheirRangesRoundTrip(Isa.Spec spec) {
        int[] imms = switch (spec.format()) {
            case I, LOAD, JALR, S -> new int[] {-2048, -1, 0, 1, 2047};
            case SHIFT -> new int[] {0, 1, 31};
            case B -> new int[] {-4096, -2, 0, 2, 4094};
            case U -> new int[] {0, 1, 0x80000, 0xfffff};
            case J -> new int[] {-(1 << 20), -2, 0, 2, (1 << 20) - 2};
            case CSR, CSRI -> new int[] {0, 0x7ff, 0xfff};
            case R, NONE -> new int[] {0};
        };
        for (int imm : imms) {
            Operands o = new Operands(31, 31, 31, imm);
            int word = encode(spec, o);
            assertEquals(spec.id(), Decoder.lookup(word).id(), spec.mnemonic() + " imm " + imm);
            assertEquals(spec.format() == Format.U ? imm << 12 : imm, Decoder.immediate(spec.format(), word),
                    spec.mnemonic() + " imm " + imm);
        }
    }

    @Test
    void disassemblerShowsPcRelativeTargetsAbsolute() {
        assertEquals("jal ra, 0x10010", Disassembler.disassemble(TestAssembler.encodeJ(1, 16), 0x10000));
        assertEquals("beq a0, a1, 0xfffc", Disassembler.disassemble(TestAssembler.encodeB(Isa.BEQ, 10, 11, -4), 0x10000));
    }

    @Test
    void assemblerRejectsOutOfRangeOperands() {
        assertThrows(IllegalArgumentException.class, () -> TestAssembler.encodeI(Isa.ADDI, 1, 1, 2048));
        assertThrows(IllegalArgumentException.class, () -> TestAssembler.encodeB(Isa.BEQ, 1, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> TestAssembler.encodeShift(Isa.SLLI, 1, 1, 32));
        assertThrows(IllegalArgumentException.class, () -> TestAssembler.encodeR(Isa.ADDI, 1, 1, 1));
    }

    @Test
    void liLoadsEveryKindOfConstantInTwoInstructions() {
        int[] values = {0, 1, -1, 0x7ff, 0x800, -2048, -2049, 0x12345678, 0x7fffffff, 0x80000000, 0xfffff800, 0x00000fff};
        for (int value : values) {
            int[] words = TestAssembler.encodeLi(5, value);
            int lui = Decoder.immediate(Format.U, words[0]);
            int addi = Decoder.immediate(Format.I, words[1]);
            assertEquals(value, lui + addi, Integer.toHexString(value));
        }
    }
}
