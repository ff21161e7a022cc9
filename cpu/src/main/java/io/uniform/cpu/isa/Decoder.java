package io.uniform.cpu.isa;

/**
 * Turns a 32-bit instruction word into its {@link Isa.Spec} and operand fields. Lookup goes
 * through a per-major-opcode bucket of the table, so decoding costs a handful of mask tests.
 */
public final class Decoder {
    private Decoder() {}

    private static final Isa.Spec[][] BY_OPCODE = new Isa.Spec[128][];

    static {
        for (int opcode = 0; opcode < 128; opcode++) {
            final int major = opcode;
            BY_OPCODE[opcode] = Isa.TABLE.stream()
                    .filter(s -> s.id() != Isa.ILLEGAL && (s.match() & 0x7f) == major)
                    .toArray(Isa.Spec[]::new);
        }
    }

    /** The instruction a word encodes, or the {@link Isa#ILLEGAL} spec if none. */
    public static Isa.Spec lookup(int word) {
        for (Isa.Spec spec : BY_OPCODE[word & 0x7f]) {
            if (spec.matches(word)) {
                return spec;
            }
        }
        return Isa.spec(Isa.ILLEGAL);
    }

    public static int rd(int word) {
        return (word >>> 7) & 0x1f;
    }

    public static int rs1(int word) {
        return (word >>> 15) & 0x1f;
    }

    public static int rs2(int word) {
        return (word >>> 20) & 0x1f;
    }

    public static int immI(int word) {
        return word >> 20;
    }

    public static int immS(int word) {
        return ((word >> 25) << 5) | ((word >>> 7) & 0x1f);
    }

    public static int immB(int word) {
        return ((word >> 31) << 12)
                | (((word >>> 7) & 1) << 11)
                | (((word >>> 25) & 0x3f) << 5)
                | (((word >>> 8) & 0xf) << 1);
    }

    public static int immU(int word) {
        return word & 0xfffff000;
    }

    public static int immJ(int word) {
        return ((word >> 31) << 20)
                | (((word >>> 12) & 0xff) << 12)
                | (((word >>> 20) & 1) << 11)
                | (((word >>> 21) & 0x3ff) << 1);
    }

    /** The immediate operand of a word in the given format (shift amount, CSR number, offset...). */
    public static int immediate(Format format, int word) {
        return switch (format) {
            case I, LOAD, JALR -> immI(word);
            case SHIFT -> rs2(word);
            case CSR, CSRI -> (word >>> 20) & 0xfff;
            case S -> immS(word);
            case B -> immB(word);
            case U -> immU(word);
            case J -> immJ(word);
            case R, NONE -> 0;
        };
    }

    /** Whether the format writes a destination register. */
    public static boolean writesRd(Format format) {
        return switch (format) {
            case R, I, LOAD, SHIFT, JALR, U, J, CSR, CSRI -> true;
            case S, B, NONE -> false;
        };
    }
}
