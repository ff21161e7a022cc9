package io.uniform.cpu.isa;

/** Control and status register numbers the hart knows, and their names for the disassembler. */
public final class Csr {
    private Csr() {}

    public static final int MSTATUS = 0x300;
    public static final int MISA = 0x301;
    public static final int MEDELEG = 0x302;
    public static final int MIDELEG = 0x303;
    public static final int MIE = 0x304;
    public static final int MTVEC = 0x305;
    public static final int MCOUNTEREN = 0x306;
    public static final int MSCRATCH = 0x340;
    public static final int MEPC = 0x341;
    public static final int MCAUSE = 0x342;
    public static final int MTVAL = 0x343;
    public static final int MIP = 0x344;
    public static final int SATP = 0x180;
    public static final int PMPCFG0 = 0x3a0;
    public static final int PMPCFG_COUNT = 4;
    public static final int PMPADDR0 = 0x3b0;
    public static final int PMPADDR_COUNT = 16;
    public static final int MCYCLE = 0xb00;
    public static final int MINSTRET = 0xb02;
    public static final int MCYCLEH = 0xb80;
    public static final int MINSTRETH = 0xb82;
    public static final int CYCLE = 0xc00;
    public static final int TIME = 0xc01;
    public static final int INSTRET = 0xc02;
    public static final int CYCLEH = 0xc80;
    public static final int TIMEH = 0xc81;
    public static final int INSTRETH = 0xc82;
    public static final int MVENDORID = 0xf11;
    public static final int MARCHID = 0xf12;
    public static final int MIMPID = 0xf13;
    public static final int MHARTID = 0xf14;

    /** Whether the CSR number is in the read-only space (bits 11:10 == 3). */
    public static boolean isReadOnly(int csr) {
        return (csr >>> 10) == 3;
    }

    /** The lowest privilege level that may access the CSR (bits 9:8). */
    public static int minimumPrivilege(int csr) {
        return (csr >>> 8) & 3;
    }

    public static String name(int csr) {
        return switch (csr) {
            case MSTATUS -> "mstatus";
            case MISA -> "misa";
            case MEDELEG -> "medeleg";
            case MIDELEG -> "mideleg";
            case MIE -> "mie";
            case MTVEC -> "mtvec";
            case MCOUNTEREN -> "mcounteren";
            case MSCRATCH -> "mscratch";
            case MEPC -> "mepc";
            case MCAUSE -> "mcause";
            case MTVAL -> "mtval";
            case MIP -> "mip";
            case SATP -> "satp";
            case MCYCLE -> "mcycle";
            case MINSTRET -> "minstret";
            case MCYCLEH -> "mcycleh";
            case MINSTRETH -> "minstreth";
            case CYCLE -> "cycle";
            case TIME -> "time";
            case INSTRET -> "instret";
            case CYCLEH -> "cycleh";
            case TIMEH -> "timeh";
            case INSTRETH -> "instreth";
            case MVENDORID -> "mvendorid";
            case MARCHID -> "marchid";
            case MIMPID -> "mimpid";
            case MHARTID -> "mhartid";
            default -> {
                if (csr >= PMPCFG0 && csr < PMPCFG0 + PMPCFG_COUNT) {
                    yield "pmpcfg" + (csr - PMPCFG0);
                }
                if (csr >= PMPADDR0 && csr < PMPADDR0 + PMPADDR_COUNT) {
                    yield "pmpaddr" + (csr - PMPADDR0);
                }
                yield String.format("0x%03x", csr);
            }
        };
    }
}
