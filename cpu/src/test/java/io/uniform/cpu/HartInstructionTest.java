package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.cpu.isa.Csr;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.math.BigInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RV32IM + Zicsr instructions as a user process sees them ({@link ExecutionMode#PROCESS}):
 * programs run from a 64 KiB flat region at 0x10000 and end in ECALL, which stops the hart.
 *
 * <p>Here the interpreter runs alone; {@link HartInstructionTranslatedTest} runs every test
 * again with each jump target translated on first entry. Every hart a test makes comes from
 * {@link #newHart}, so both see the same programs.
 */
class HartInstructionTest {
    static final int BASE = 0x10000;
    static final int SIZE = 0x10000;
    static final int END = BASE + SIZE;
    static final int PAGE = PhysicalMemory.PAGE_SIZE;
    static final int DATA = BASE + 0x8000;

    static final int RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9;
    static final int A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, A6 = 16, A7 = 17;

    PhysicalMemory memory;
    FlatAddressSpace space;
    Hart hart;
    TestAssembler asm;

    /** The translation threshold of every hart of this test class: the interpreter alone. */
    int translationThreshold() {
        return Integer.MAX_VALUE;
    }

    /** A process hart over {@code space} with this test class's translation threshold. */
    Hart newHart(AddressSpace space) {
        Hart created = new Hart(ExecutionMode.PROCESS, space);
        created.setTranslationThreshold(translationThreshold());
        return created;
    }

    @BeforeEach
    void setUp() {
        memory = new PhysicalMemory(SIZE);
        space = FlatAddressSpace.covering(memory, BASE);
        hart = newHart(space);
        asm = new TestAssembler(BASE);
    }

    /** Writes the program, runs it from its origin and returns the trap that stopped it. */
    Stop.Trap run() {
        asm.writeTo(space);
        hart.setPc(asm.origin());
        Stop stop = hart.run(1_000_000);
        return assertInstanceOf(Stop.Trap.class, stop, "the program should stop with a trap");
    }

    /** Runs the program and checks that it ended at an ECALL. */
    Stop.Trap runToEcall() {
        Stop.Trap trap = run();
        assertEquals(TrapCause.ECALL_FROM_U, trap.cause(), trap.toString());
        return trap;
    }

    int x(int register) {
        return hart.register(register);
    }

    static Isa.Spec byMnemonic(String mnemonic) {
        return Isa.TABLE.stream().filter(s -> s.mnemonic().equals(mnemonic)).findFirst().orElseThrow();
    }

    /** slli a0, a0, 4; ori a0, a0, k: appends the hex digit k to a0 to record the path taken. */
    void mark(int k) {
        asm.i(Isa.SLLI, A0, A0, 4);
        asm.i(Isa.ORI, A0, A0, k);
    }

    // ---- reset -------------------------------------------------------------------------------

    @Test
    void processHartStartsInUserModeWithZeroRegistersAndInstret() {
        assertEquals(Hart.PRIVILEGE_USER, hart.privilege());
        assertEquals(0, hart.instret());
        for (int r = 0; r < 32; r++) {
            assertEquals(0, x(r), "x" + r);
        }
    }

    // ---- integer computation ------------------------------------------------------------------

    @Test
    void addAndSubWrapAroundModulo2To32() {
        asm.li(T0, Integer.MAX_VALUE);
        asm.li(T1, 1);
        asm.r(Isa.ADD, A0, T0, T1);
        asm.r(Isa.SUB, A1, 0, T1);
        asm.li(T2, Integer.MIN_VALUE);
        asm.r(Isa.SUB, A2, T2, T1);
        asm.r(Isa.ADD, A3, T2, T2);
        asm.ecall();
        runToEcall();
        assertEquals(Integer.MIN_VALUE, x(A0));
        assertEquals(-1, x(A1));
        assertEquals(Integer.MAX_VALUE, x(A2));
        assertEquals(0, x(A3));
    }

    @Test
    void addiSignExtendsItsTwelveBitImmediate() {
        asm.i(Isa.ADDI, A0, 0, -1);
        asm.i(Isa.ADDI, A1, 0, 2047);
        asm.i(Isa.ADDI, A2, 0, -2048);
        asm.li(T0, 0x7fffffff);
        asm.i(Isa.ADDI, A3, T0, 1);
        asm.ecall();
        runToEcall();
        assertEquals(-1, x(A0));
        assertEquals(2047, x(A1));
        assertEquals(-2048, x(A2));
        assertEquals(Integer.MIN_VALUE, x(A3));
    }

    @Test
    void logicalOpsOnRegistersAndSignExtendedImmediates() {
        asm.li(T0, 0x12345678);
        asm.li(T1, 0xff00ff00);
        asm.r(Isa.XOR, A0, T0, T1);
        asm.r(Isa.OR, A1, T0, T1);
        asm.r(Isa.AND, A2, T0, T1);
        asm.i(Isa.XORI, A3, T0, -1); // not
        asm.i(Isa.ORI, A4, T0, -2048); // 0xfffff800
        asm.i(Isa.ANDI, A5, T0, -16); // 0xfffffff0
        asm.i(Isa.ANDI, A6, T0, 0x7ff);
        asm.ecall();
        runToEcall();
        assertEquals(0x12345678 ^ 0xff00ff00, x(A0));
        assertEquals(0x12345678 | 0xff00ff00, x(A1));
        assertEquals(0x12345678 & 0xff00ff00, x(A2));
        assertEquals(~0x12345678, x(A3));
        assertEquals(0x12345678 | 0xfffff800, x(A4));
        assertEquals(0x12345670, x(A5));
        assertEquals(0x678, x(A6));
    }

    @Test
    void luiLoadsUpperBitsAndAuipcAddsThemToItsOwnPc() {
        asm.u(Isa.LUI, A0, 0xfffff);
        asm.u(Isa.LUI, A1, 0x12345);
        int auipc = asm.u(Isa.AUIPC, A2, 0);
        int auipc2 = asm.u(Isa.AUIPC, A3, 0x80000);
        int auipc3 = asm.u(Isa.AUIPC, A4, 0xfffff); // pc - 4096
        asm.ecall();
        runToEcall();
        assertEquals(0xfffff000, x(A0));
        assertEquals(0x12345000, x(A1));
        assertEquals(auipc, x(A2));
        assertEquals(auipc2 + 0x80000000, x(A3));
        assertEquals(auipc3 - 4096, x(A4));
    }

    @Test
    void registerShiftsUseOnlyTheLowFiveBitsOfRs2() {
        asm.li(T0, 0x80000001);
        asm.li(T1, 33); // shift by 1
        asm.li(T2, 0xffffffe0); // shift by 0
        asm.r(Isa.SLL, A0, T0, T1);
        asm.r(Isa.SRL, A1, T0, T1);
        asm.r(Isa.SRA, A2, T0, T1);
        asm.r(Isa.SLL, A3, T0, T2);
        asm.r(Isa.SRL, A4, T0, T2);
        asm.r(Isa.SRA, A5, T0, T2);
        asm.ecall();
        runToEcall();
        assertEquals(0x00000002, x(A0));
        assertEquals(0x40000000, x(A1));
        assertEquals(0xc0000000, x(A2));
        assertEquals(0x80000001, x(A3));
        assertEquals(0x80000001, x(A4));
        assertEquals(0x80000001, x(A5));
    }

    @Test
    void sraReplicatesTheSignBitWhileSrlShiftsInZeros() {
        asm.li(T0, 0x80000010);
        asm.li(T1, 4);
        asm.r(Isa.SRA, A0, T0, T1);
        asm.r(Isa.SRL, A1, T0, T1);
        asm.i(Isa.SRAI, A2, T0, 31);
        asm.i(Isa.SRLI, A3, T0, 31);
        asm.i(Isa.SLLI, A4, T0, 31);
        asm.i(Isa.SRAI, A5, T0, 0);
        asm.li(T2, 0x70000000);
        asm.i(Isa.SRAI, A6, T2, 4); // positive: zeros shifted in
        asm.ecall();
        runToEcall();
        assertEquals(0xf8000001, x(A0));
        assertEquals(0x08000001, x(A1));
        assertEquals(-1, x(A2));
        assertEquals(1, x(A3));
        assertEquals(0, x(A4));
        assertEquals(0x80000010, x(A5));
        assertEquals(0x07000000, x(A6));
    }

    @Test
    void sltAndSltuCompareSignedAndUnsigned() {
        asm.li(T0, -1);
        asm.li(T1, 1);
        asm.r(Isa.SLT, A0, T0, T1); // -1 < 1
        asm.r(Isa.SLTU, A1, T0, T1); // 0xffffffff <u 1: no
        asm.r(Isa.SLT, A2, T1, T0); // 1 < -1: no
        asm.r(Isa.SLTU, A3, T1, T0); // 1 <u 0xffffffff
        asm.r(Isa.SLT, A4, T0, T0); // equal: no
        asm.r(Isa.SLTU, A5, 0, T1); // snez
        asm.ecall();
        runToEcall();
        assertEquals(1, x(A0));
        assertEquals(0, x(A1));
        assertEquals(0, x(A2));
        assertEquals(1, x(A3));
        assertEquals(0, x(A4));
        assertEquals(1, x(A5));
    }

    @Test
    void sltiComparesSignedAndSltiuComparesAgainstTheSignExtendedImmediateAsUnsigned() {
        asm.li(T0, -1);
        asm.li(T1, 5);
        asm.i(Isa.SLTI, A0, T0, 0); // -1 < 0
        asm.i(Isa.SLTI, A1, T1, -1); // 5 < -1: no
        asm.i(Isa.SLTIU, A2, T1, -1); // 5 <u 0xffffffff
        asm.i(Isa.SLTIU, A3, T0, -1); // 0xffffffff <u 0xffffffff: no
        asm.i(Isa.SLTIU, A4, 0, 1); // seqz of 0
        asm.i(Isa.SLTIU, A5, T1, 1); // seqz of 5
        asm.i(Isa.SLTIU, A6, T0, 2047); // 0xffffffff <u 2047: no
        asm.i(Isa.SLTIU, A7, T1, -2048); // 5 <u 0xfffff800
        asm.ecall();
        runToEcall();
        assertEquals(1, x(A0));
        assertEquals(0, x(A1));
        assertEquals(1, x(A2));
        assertEquals(0, x(A3));
        assertEquals(1, x(A4));
        assertEquals(0, x(A5));
        assertEquals(0, x(A6));
        assertEquals(1, x(A7));
    }

    @ParameterizedTest(name = "{0} / 0")
    @ValueSource(ints = {7, -7, 0, Integer.MIN_VALUE, -1})
    void divisionByZeroGivesAllOnesQuotientAndTheDividendAsRemainder(int dividend) {
        asm.li(T0, dividend);
        asm.r(Isa.DIV, A0, T0, 0);
        asm.r(Isa.DIVU, A1, T0, 0);
        asm.r(Isa.REM, A2, T0, 0);
        asm.r(Isa.REMU, A3, T0, 0);
        asm.ecall();
        runToEcall();
        assertEquals(-1, x(A0), "div");
        assertEquals(0xffffffff, x(A1), "divu");
        assertEquals(dividend, x(A2), "rem");
        assertEquals(dividend, x(A3), "remu");
    }

    @Test
    void signedDivisionOverflowGivesIntMinQuotientAndZeroRemainder() {
        asm.li(T0, Integer.MIN_VALUE);
        asm.li(T1, -1);
        asm.r(Isa.DIV, A0, T0, T1);
        asm.r(Isa.REM, A1, T0, T1);
        asm.r(Isa.DIVU, A2, T0, T1); // unsigned: 0x80000000 / 0xffffffff = 0
        asm.r(Isa.REMU, A3, T0, T1);
        asm.ecall();
        runToEcall();
        assertEquals(Integer.MIN_VALUE, x(A0));
        assertEquals(0, x(A1));
        assertEquals(0, x(A2));
        assertEquals(Integer.MIN_VALUE, x(A3));
    }

    @Test
    void divisionRoundsTowardZeroAndRemainderTakesTheDividendsSign() {
        asm.li(T0, -7);
        asm.li(T1, 2);
        asm.li(T2, 7);
        asm.li(S0, -2);
        asm.r(Isa.DIV, A0, T0, T1); // -3
        asm.r(Isa.REM, A1, T0, T1); // -1
        asm.r(Isa.DIV, A2, T2, S0); // -3
        asm.r(Isa.REM, A3, T2, S0); // 1
        asm.r(Isa.DIVU, A4, T0, T1); // 0xfffffff9 / 2
        asm.r(Isa.REMU, A5, T0, T1); // 1
        asm.r(Isa.DIVU, A6, T2, S0); // 7 / 0xfffffffe = 0
        asm.r(Isa.REMU, A7, T2, S0); // 7
        asm.ecall();
        runToEcall();
        assertEquals(-3, x(A0));
        assertEquals(-1, x(A1));
        assertEquals(-3, x(A2));
        assertEquals(1, x(A3));
        assertEquals(0x7ffffffc, x(A4));
        assertEquals(1, x(A5));
        assertEquals(0, x(A6));
        assertEquals(7, x(A7));
    }

    @Test
    void mulReturnsTheLowThirtyTwoBitsOfTheProduct() {
        asm.li(T0, 0x12345678);
        asm.li(T1, 0x9abcdef0);
        asm.r(Isa.MUL, A0, T0, T1);
        asm.li(T2, Integer.MIN_VALUE);
        asm.li(S0, -1);
        asm.r(Isa.MUL, A1, T2, S0);
        asm.r(Isa.MUL, A2, S0, S0);
        asm.ecall();
        runToEcall();
        assertEquals((int) (0x12345678L * 0x9abcdef0L), x(A0));
        assertEquals(Integer.MIN_VALUE, x(A1));
        assertEquals(1, x(A2));
    }

    static BigInteger signed(int v) {
        return BigInteger.valueOf(v);
    }

    static BigInteger unsigned(int v) {
        return BigInteger.valueOf(Integer.toUnsignedLong(v));
    }

    static int high(BigInteger product) {
        return product.shiftRight(32).intValue();
    }

    @ParameterizedTest(name = "{0} * {1}")
    @CsvSource({
        "0x80000000, 0x80000000", "0xffffffff, 0xffffffff", "0x80000000, 0xffffffff", "0xffffffff, 0x80000000",
        "0x7fffffff, 0x7fffffff", "0x7fffffff, 0x80000000", "0x80000000, 0x7fffffff", "3, 0xfffffffe",
        "0xfffffffe, 3", "0x12345678, 0x9abcdef0", "0, 0xffffffff", "0xffffffff, 1"})
    void mulhVariantsGiveTheHighWordForEverySignCombination(String a, String b) {
        int va = Integer.parseUnsignedInt(a.replace("0x", ""), a.startsWith("0x") ? 16 : 10);
        int vb = Integer.parseUnsignedInt(b.replace("0x", ""), b.startsWith("0x") ? 16 : 10);
        asm.li(T0, va);
        asm.li(T1, vb);
        asm.r(Isa.MULH, A0, T0, T1);
        asm.r(Isa.MULHSU, A1, T0, T1);
        asm.r(Isa.MULHU, A2, T0, T1);
        asm.r(Isa.MUL, A3, T0, T1);
        asm.ecall();
        runToEcall();
        assertEquals(high(signed(va).multiply(signed(vb))), x(A0), "mulh");
        assertEquals(high(signed(va).multiply(unsigned(vb))), x(A1), "mulhsu");
        assertEquals(high(unsigned(va).multiply(unsigned(vb))), x(A2), "mulhu");
        assertEquals(signed(va).multiply(signed(vb)).intValue(), x(A3), "mul");
    }

    @Test
    void mulhVariantsOnIntMinAndMinusOneGiveTheKnownValues() {
        asm.li(T0, Integer.MIN_VALUE);
        asm.li(T1, -1);
        asm.r(Isa.MULH, A0, T0, T0); // 2^62
        asm.r(Isa.MULHU, A1, T0, T0); // 2^62
        asm.r(Isa.MULHSU, A2, T0, T0); // -2^31 * 2^31 = -2^62
        asm.r(Isa.MULH, A3, T1, T1); // 1
        asm.r(Isa.MULHU, A4, T1, T1); // (2^32-1)^2 = 2^64 - 2^33 + 1
        asm.r(Isa.MULHSU, A5, T1, T1); // -(2^32-1)
        asm.ecall();
        runToEcall();
        assertEquals(0x40000000, x(A0));
        assertEquals(0x40000000, x(A1));
        assertEquals(0xc0000000, x(A2));
        assertEquals(0, x(A3));
        assertEquals(0xfffffffe, x(A4));
        assertEquals(0xffffffff, x(A5));
    }

    // ---- x0 ----------------------------------------------------------------------------------

    @Test
    void aluWritesToX0AreDiscarded() {
        asm.i(Isa.ADDI, 0, 0, 5);
        asm.u(Isa.LUI, 0, 0x12345);
        asm.u(Isa.AUIPC, 0, 1);
        asm.li(T0, -1);
        asm.r(Isa.ADD, 0, T0, T0);
        asm.r(Isa.MUL, 0, T0, T0);
        asm.r(Isa.ADD, A0, 0, 0); // reads x0 as a source
        asm.i(Isa.ADDI, A1, 0, 0);
        asm.ecall();
        runToEcall();
        assertEquals(0, x(0));
        assertEquals(0, x(A0));
        assertEquals(0, x(A1));
    }

    @Test
    void loadIntoX0IsDiscarded() {
        space.store32(DATA, 0xdeadbeef);
        asm.li(T0, DATA);
        asm.load(Isa.LW, 0, T0, 0);
        asm.load(Isa.LB, 0, T0, 0);
        asm.r(Isa.ADD, A0, 0, 0);
        asm.ecall();
        runToEcall();
        assertEquals(0, x(0));
        assertEquals(0, x(A0));
    }

    @Test
    void loadIntoX0FromOutsideTheRegionStillFaults() {
        asm.li(T0, END);
        int load = asm.load(Isa.LW, 0, T0, 0);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.LOAD_ACCESS_FAULT, trap.cause());
        assertEquals(load, trap.pc());
        assertEquals(END, trap.tval());
    }

    @Test
    void jalAndJalrWithRdX0JumpWithoutLinking() {
        asm.jal(0, 8); // skips the next instruction
        asm.i(Isa.ADDI, A0, 0, 1);
        asm.li(T0, BASE + 24); // at +8
        asm.jalr(0, T0, 0); // at +16: to +24
        asm.i(Isa.ADDI, A1, 0, 1); // +20, skipped
        asm.r(Isa.ADD, A2, 0, 0); // +24
        asm.ecall();
        runToEcall();
        assertEquals(0, x(0));
        assertEquals(0, x(A0));
        assertEquals(0, x(A1));
        assertEquals(0, x(A2));
    }

    @Test
    void csrReadIntoX0IsDiscarded() {
        asm.nop();
        asm.nop();
        asm.csr(Isa.CSRRS, 0, Csr.INSTRET, 0);
        asm.csr(Isa.CSRRS, 0, Csr.CYCLE, 0);
        asm.r(Isa.ADD, A0, 0, 0);
        asm.ecall();
        runToEcall();
        assertEquals(0, x(0));
        assertEquals(0, x(A0));
    }

    // ---- loads and stores --------------------------------------------------------------------

    @Test
    void lbAndLhSignExtendWhileLbuAndLhuZeroExtend() {
        space.store32(DATA, 0x80017f80); // bytes 80 7f 01 80
        asm.li(T0, DATA);
        asm.load(Isa.LB, A0, T0, 0);
        asm.load(Isa.LBU, A1, T0, 0);
        asm.load(Isa.LH, A2, T0, 2);
        asm.load(Isa.LHU, A3, T0, 2);
        asm.load(Isa.LB, A4, T0, 1);
        asm.load(Isa.LH, A5, T0, 0);
        asm.load(Isa.LW, A6, T0, 0);
        asm.load(Isa.LBU, A7, T0, 3);
        asm.ecall();
        runToEcall();
        assertEquals(0xffffff80, x(A0));
        assertEquals(0x80, x(A1));
        assertEquals(0xffff8001, x(A2));
        assertEquals(0x8001, x(A3));
        assertEquals(0x7f, x(A4));
        assertEquals(0x7f80, x(A5));
        assertEquals(0x80017f80, x(A6));
        assertEquals(0x80, x(A7));
    }

    @Test
    void loadsAndStoresUseSignedTwelveBitOffsets() {
        space.store32(DATA - 2048, 0x11111111);
        space.store32(DATA + 2044, 0x22222222);
        asm.li(T0, DATA);
        asm.load(Isa.LW, A0, T0, -2048);
        asm.load(Isa.LW, A1, T0, 2044);
        asm.li(T1, 0x33333333);
        asm.store(Isa.SW, T1, T0, -4);
        asm.ecall();
        runToEcall();
        assertEquals(0x11111111, x(A0));
        assertEquals(0x22222222, x(A1));
        assertEquals(0x33333333, space.load32(DATA - 4));
    }

    @Test
    void sbAndShWriteOnlyTheirLowBytesLittleEndian() {
        space.store32(DATA, 0xaaaaaaaa);
        space.store32(DATA + 4, 0xaaaaaaaa);
        space.store32(DATA + 8, 0xaaaaaaaa);
        asm.li(T0, DATA);
        asm.li(T1, 0x12345678);
        asm.store(Isa.SB, T1, T0, 1);
        asm.store(Isa.SH, T1, T0, 6);
        asm.store(Isa.SW, T1, T0, 8);
        asm.ecall();
        runToEcall();
        assertEquals(0xaaaa78aa, space.load32(DATA));
        assertEquals(0x5678aaaa, space.load32(DATA + 4));
        assertEquals(0x12345678, space.load32(DATA + 8));
    }

    @Test
    void misalignedWordAndHalfwordLoadsAndStoresWork() {
        asm.li(T0, DATA);
        asm.li(T1, 0x12345678);
        asm.store(Isa.SW, T1, T0, 1);
        asm.load(Isa.LW, A0, T0, 1);
        asm.li(T2, 0xbeef);
        asm.store(Isa.SH, T2, T0, 7);
        asm.load(Isa.LH, A1, T0, 7);
        asm.load(Isa.LHU, A2, T0, 7);
        asm.load(Isa.LW, A3, T0, 3); // bytes 3..6: 0x34, 0x12, 0, 0
        asm.ecall();
        runToEcall();
        assertEquals(0x12345678, x(A0));
        assertEquals(0xffffbeef, x(A1));
        assertEquals(0xbeef, x(A2));
        assertEquals(0x00001234, x(A3));
        assertArrayEquals(new byte[] {0, 0x78, 0x56, 0x34, 0x12, 0, 0, (byte) 0xef, (byte) 0xbe, 0}, space.read(DATA, 10));
    }

    @Test
    void misalignedAccessesAcrossAFourKiBPageBoundaryWork() {
        int boundary = BASE + 4 * PAGE;
        asm.li(T0, boundary);
        asm.li(T1, 0x89abcdef);
        asm.store(Isa.SW, T1, T0, -2); // bytes boundary-2 .. boundary+1
        asm.load(Isa.LW, A0, T0, -2);
        asm.load(Isa.LW, A1, T0, -1);
        asm.load(Isa.LH, A2, T0, -1);
        asm.load(Isa.LHU, A3, T0, -1);
        asm.li(T2, 0x5566);
        asm.store(Isa.SH, T2, T0, -1 - 8); // within one page, for contrast
        asm.store(Isa.SH, T2, T0, -1 + 8 * 0); // straddles: bytes boundary-1, boundary
        asm.load(Isa.LW, A4, T0, -2);
        asm.ecall();
        runToEcall();
        assertEquals(0x89abcdef, x(A0));
        assertEquals(0x0089abcd, x(A1));
        assertEquals(0xffffabcd, x(A2));
        assertEquals(0xabcd, x(A3));
        assertEquals(0x895566ef, x(A4));
        assertArrayEquals(new byte[] {(byte) 0xef, 0x66, 0x55, (byte) 0x89}, space.read(boundary - 2, 4));
        assertArrayEquals(new byte[] {0x66, 0x55}, space.read(boundary - 9, 2));
    }

    @ParameterizedTest(name = "{0} at 0x{1}")
    @CsvSource({
        "lw, 20000", "lw, fffc", "lh, 20000", "lhu, 2fffe", "lb, 0", "lbu, ffffffff", "lw, ffffffff", "lw, 1fffd", "lh, 1ffff"})
    void loadsOutsideTheRegionRaiseLoadAccessFaultWithoutWritingRd(String mnemonic, String hexAddress) {
        int address = Integer.parseUnsignedInt(hexAddress, 16);
        asm.li(A0, 0x5555);
        asm.li(T0, address);
        int load = asm.load(byMnemonic(mnemonic).id(), A0, T0, 0);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.LOAD_ACCESS_FAULT, trap.cause(), trap.toString());
        assertEquals(load, trap.pc());
        boolean straddles = Integer.compareUnsigned(address, END) < 0 && Integer.compareUnsigned(address, BASE) >= 0;
        if (straddles) {
            // Starts inside, ends outside: mtval names the faulting part of the access.
            assertTrue(Integer.compareUnsigned(trap.tval(), END) >= 0 && trap.tval() - address < 4, trap.toString());
        } else {
            assertEquals(address, trap.tval());
        }
        assertEquals(0x5555, x(A0));
        assertEquals(4, hart.instret());
    }

    @ParameterizedTest(name = "{0} at 0x{1}")
    @CsvSource({"sw, 20000", "sw, fffc", "sh, 20000", "sb, ffffffff", "sb, 0"})
    void storesOutsideTheRegionRaiseStoreAccessFaultAndLeaveMemoryUntouched(String mnemonic, String hexAddress) {
        int address = Integer.parseUnsignedInt(hexAddress, 16);
        asm.li(T0, address);
        asm.li(T1, -1);
        int store = asm.store(byMnemonic(mnemonic).id(), T1, T0, 0);
        asm.ecall();
        asm.writeTo(space);
        byte[] before = memory.bytes().clone();
        Stop.Trap trap = run();
        assertEquals(TrapCause.STORE_ACCESS_FAULT, trap.cause(), trap.toString());
        assertEquals(store, trap.pc());
        assertEquals(address, trap.tval());
        assertArrayEquals(before, memory.bytes());
    }

    @ParameterizedTest(name = "{0} at END-{1}")
    @CsvSource({"sw, 1", "sw, 2", "sw, 3", "sh, 1"})
    void storeStraddlingTheEndOfTheRegionWritesNoByte(String mnemonic, int back) {
        int address = END - back;
        space.store32(END - 4, 0x11223344);
        asm.li(T0, address);
        asm.li(T1, 0xaabbccdd);
        int store = asm.store(byMnemonic(mnemonic).id(), T1, T0, 0);
        asm.ecall();
        asm.writeTo(space);
        byte[] before = memory.bytes().clone();
        Stop.Trap trap = run();
        assertEquals(TrapCause.STORE_ACCESS_FAULT, trap.cause(), trap.toString());
        assertEquals(store, trap.pc());
        // mtval is the address of the access or of its faulting part (beyond the end).
        assertTrue(trap.tval() == address || (Integer.compareUnsigned(trap.tval(), END) >= 0 && trap.tval() - address < 4),
                trap.toString());
        assertEquals(0x11223344, space.load32(END - 4));
        assertArrayEquals(before, memory.bytes());
    }

    // ---- control transfer --------------------------------------------------------------------

    @Test
    void jalLinksPcPlus4AndJumpsForwardAndBackward() {
        int first = asm.jal(RA, 12); // to +12
        asm.i(Isa.ADDI, A0, 0, 1); // +4, skipped
        asm.ecall(); // +8
        int second = asm.jal(S0, -8); // +12: back to +4
        runToEcall();
        assertEquals(first + 4, x(RA));
        assertEquals(second + 4, x(S0));
        assertEquals(1, x(A0));
        assertEquals(3, hart.instret());
    }

    @Test
    void jalrClearsTheLowBitOfTheTargetAndLinksPcPlus4() {
        asm.li(T0, BASE + 21); // target + 1: odd
        int jalr = asm.jalr(RA, T0, 0); // +8
        asm.i(Isa.ADDI, A0, 0, 1); // +12, skipped
        asm.i(Isa.ADDI, A0, 0, 2); // +16, skipped
        asm.i(Isa.ADDI, A1, 0, 3); // +20: target
        asm.li(T1, BASE + 40 + 3); // +24
        int jalr2 = asm.jalr(S0, T1, -2); // +32: to (BASE+41) & ~1 = BASE+40
        asm.i(Isa.ADDI, A2, 0, 4); // +36, skipped
        asm.ecall(); // +40
        Stop.Trap trap = runToEcall();
        assertEquals(BASE + 40, trap.pc());
        assertEquals(jalr + 4, x(RA));
        assertEquals(jalr2 + 4, x(S0));
        assertEquals(0, x(A0));
        assertEquals(3, x(A1));
        assertEquals(0, x(A2));
    }

    @Test
    void jalrWithRdEqualToRs1JumpsToTheOldValueAndLinks() {
        asm.li(RA, BASE + 16);
        int jalr = asm.jalr(RA, RA, 0); // +8
        asm.i(Isa.ADDI, A0, 0, 1); // +12, skipped
        asm.ecall(); // +16
        Stop.Trap trap = runToEcall();
        assertEquals(BASE + 16, trap.pc());
        assertEquals(jalr + 4, x(RA));
        assertEquals(0, x(A0));
    }

    @ParameterizedTest(name = "{0} {1}, {2} taken={3}")
    @CsvSource({
        "beq, 5, 5, true", "beq, 5, -5, false",
        "bne, 5, -5, true", "bne, -5, -5, false",
        "blt, -1, 1, true", "blt, 1, -1, false", "blt, 1, 1, false", "blt, 0x80000000, 0x7fffffff, true",
        "bge, 1, 1, true", "bge, 1, -1, true", "bge, -1, 1, false",
        "bltu, 1, -1, true", "bltu, -1, 1, false", "bltu, 1, 1, false",
        "bgeu, -1, 1, true", "bgeu, 1, 1, true", "bgeu, 1, -1, false", "bgeu, 0x7fffffff, 0x80000000, false"})
    void branchesCompareSignedOrUnsigned(String mnemonic, String a, String b, boolean taken) {
        asm.li(A1, parse(a));
        asm.li(A2, parse(b));
        asm.branch(byMnemonic(mnemonic).id(), A1, A2, 8);
        asm.i(Isa.ADDI, A0, 0, 1); // skipped when taken
        asm.ecall();
        runToEcall();
        assertEquals(taken ? 0 : 1, x(A0));
    }

    static int parse(String value) {
        return value.startsWith("0x") ? Integer.parseUnsignedInt(value.substring(2), 16) : Integer.parseInt(value);
    }

    @Test
    void backwardBranchLoopRunsTheExpectedNumberOfTimes() {
        asm.li(T0, 10);
        int loop = asm.i(Isa.ADDI, A0, A0, 3);
        asm.i(Isa.ADDI, T0, T0, -1);
        asm.branchTo(Isa.BNE, T0, 0, loop);
        asm.ecall();
        runToEcall();
        assertEquals(30, x(A0));
        assertEquals(0, x(T0));
        assertEquals(2 + 3 * 10, hart.instret());
    }

    @Test
    void branchWithMaximumOffsetsReachesBothEnds() {
        int start = BASE + 4 * PAGE;
        asm.org(start);
        asm.branch(Isa.BEQ, 0, 0, 4094 - 2); // to start + 4092
        asm.org(start + 4092);
        mark(1);
        asm.branch(Isa.BEQ, 0, 0, -4096); // from start+4100 to start+4
        asm.org(start + 4);
        mark(2);
        asm.ecall();
        asm.writeTo(space);
        hart.setPc(start);
        Stop stop = hart.run(100);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, stop);
        assertEquals(TrapCause.ECALL_FROM_U, trap.cause(), trap.toString());
        assertEquals(0x12, x(A0));
    }

    @Test
    void jumpsBranchesAndFallThroughCrossFourKiBPageBoundaries() {
        // A: forward jal into the end of page 1
        mark(1);
        asm.jalTo(0, BASE + 2 * PAGE - 8);
        // B: last two slots of page 1, falls through into page 2
        asm.org(BASE + 2 * PAGE - 8);
        mark(2);
        // C: first slots of page 2, branches backward into page 1
        mark(3);
        asm.branchTo(Isa.BEQ, 0, 0, BASE + 2 * PAGE - 0x100);
        // D: page 1, branches forward into page 2
        asm.org(BASE + 2 * PAGE - 0x100);
        mark(4);
        asm.branchTo(Isa.BNE, A0, 0, BASE + 2 * PAGE + 0x100);
        // E: page 2, jalr backward into page 0
        asm.org(BASE + 2 * PAGE + 0x100);
        mark(5);
        asm.li(T0, BASE + 0x100);
        asm.jalr(RA, T0, 0);
        // F: page 0
        asm.org(BASE + 0x100);
        mark(6);
        asm.ecall();
        Stop.Trap trap = runToEcall();
        assertEquals(0x123456, x(A0));
        assertEquals(BASE + 0x100 + 8, trap.pc());
        assertEquals(3 + 2 + 3 + 3 + 5 + 2, hart.instret());
    }

    @Test
    void fallThroughIntoAnAlreadyDecodedPageAndJumpIntoTheMiddleOfAnUndecodedOne() {
        int page1 = BASE + PAGE;
        asm.jalTo(RA, page1); // call page 1 first, so that it is decoded
        asm.jalTo(0, page1 - 8); // then reach it by falling through from page 0's last slots
        asm.org(page1 - 8);
        mark(2);
        asm.org(page1);
        mark(1);
        asm.branchTo(Isa.BNE, S0, 0, page1 + 0x800); // second visit: on to the middle of page 1
        asm.i(Isa.ADDI, S0, 0, 1);
        asm.jalr(0, RA, 0); // first visit: return
        asm.org(page1 + 0x800);
        mark(3);
        asm.li(T0, BASE + 5 * PAGE + 0x404); // the middle of page 5, never executed before
        asm.jalr(0, T0, 0);
        asm.org(BASE + 5 * PAGE + 0x404);
        mark(4);
        asm.ecall();
        runToEcall();
        assertEquals(0x12134, x(A0));
    }

    @Test
    void misalignedJalTargetRaisesInstructionAddressMisalignedWithoutLinking() {
        asm.li(T0, 7);
        int jal = asm.jal(RA, 6);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.INSTRUCTION_ADDRESS_MISALIGNED, trap.cause());
        assertEquals(jal, trap.pc());
        assertEquals(jal + 6, trap.tval());
        assertEquals(0, x(RA));
        assertEquals(2, hart.instret());
    }

    @Test
    void misalignedBranchTargetRaisesOnlyWhenTheBranchIsTaken() {
        asm.branch(Isa.BNE, 0, 0, 6); // not taken: no trap
        int taken = asm.branch(Isa.BEQ, 0, 0, -2);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.INSTRUCTION_ADDRESS_MISALIGNED, trap.cause());
        assertEquals(taken, trap.pc());
        assertEquals(taken - 2, trap.tval());
        assertEquals(1, hart.instret());
    }

    @Test
    void misalignedJalrTargetRaisesWithBitZeroClearedAndWithoutLinking() {
        asm.li(T0, BASE + 0x100);
        asm.li(RA, 0x1234);
        int jalr = asm.jalr(RA, T0, 3); // (0x...103) & ~1 = 0x...102
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.INSTRUCTION_ADDRESS_MISALIGNED, trap.cause());
        assertEquals(jalr, trap.pc());
        assertEquals(BASE + 0x102, trap.tval());
        assertEquals(0x1234, x(RA));
        assertEquals(4, hart.instret());
    }

    @Test
    void fetchOutsideTheRegionRaisesInstructionAccessFaultAfterRetiringTheJump() {
        asm.li(T0, END);
        int jalr = asm.jalr(RA, T0, 0);
        Stop.Trap trap = run();
        assertEquals(TrapCause.INSTRUCTION_ACCESS_FAULT, trap.cause());
        assertEquals(END, trap.pc());
        assertEquals(END, trap.tval());
        assertEquals(jalr + 4, x(RA));
        assertEquals(3, hart.instret());
    }

    @Test
    void fallingOffTheEndOfTheRegionRaisesInstructionAccessFault() {
        asm.org(END - 8);
        asm.i(Isa.ADDI, A0, 0, 1);
        asm.i(Isa.ADDI, A1, 0, 2);
        asm.writeTo(space);
        hart.setPc(END - 8);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, hart.run(100));
        assertEquals(TrapCause.INSTRUCTION_ACCESS_FAULT, trap.cause());
        assertEquals(END, trap.pc());
        assertEquals(END, trap.tval());
        assertEquals(2, x(A1));
        assertEquals(2, hart.instret());
    }

    @Test
    void startingOutsideTheRegionFaultsAtOnce() {
        hart.setPc(0);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, hart.run(10));
        assertEquals(TrapCause.INSTRUCTION_ACCESS_FAULT, trap.cause());
        assertEquals(0, trap.pc());
        assertEquals(0, trap.tval());
        assertEquals(0, hart.instret());
    }

    // ---- traps -------------------------------------------------------------------------------

    @Test
    void ecallStopsWithPcAtTheEcallAndResumesAfterTheKernelAdvancesPc() {
        asm.i(Isa.ADDI, A7, 0, 93);
        int ecall = asm.ecall();
        asm.i(Isa.ADDI, A0, 0, 1);
        int second = asm.ecall();
        Stop.Trap trap = runToEcall();
        assertEquals(ecall, trap.pc());
        assertEquals(ecall, hart.pc());
        assertEquals(0, trap.tval());
        assertEquals(93, x(A7));
        assertEquals(1, hart.instret(), "the ecall does not retire");
        hart.setPc(trap.pc() + 4);
        Stop.Trap again = assertInstanceOf(Stop.Trap.class, hart.run(100));
        assertEquals(TrapCause.ECALL_FROM_U, again.cause());
        assertEquals(second, again.pc());
        assertEquals(1, x(A0));
        assertEquals(2, hart.instret());
    }

    @Test
    void ebreakStopsWithBreakpointAndTheBreakpointPcAsTval() {
        asm.nop();
        int ebreak = asm.system(Isa.EBREAK);
        Stop.Trap trap = run();
        assertEquals(TrapCause.BREAKPOINT, trap.cause());
        assertEquals(ebreak, trap.pc());
        assertEquals(ebreak, trap.tval());
        assertEquals(1, hart.instret());
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"00000000", "ffffffff", "02009093" /* slli x1,x1,32: shamt[5] set */,
            "000000f3" /* ecall with rd != 0 */, "0000007b" /* custom-3 */, "40001033" /* sll with funct7 0x20 */})
    void illegalWordsRaiseIllegalInstructionWithTheWordAsTval(String hex) {
        int word = Integer.parseUnsignedInt(hex, 16);
        asm.nop();
        int illegal = asm.word(word);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause());
        assertEquals(illegal, trap.pc());
        assertEquals(word, trap.tval());
        assertEquals(1, hart.instret());
    }

    @Test
    void mretInUserModeIsIllegal() {
        int mret = asm.system(Isa.MRET);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause());
        assertEquals(mret, trap.pc());
        assertTrue(trap.tval() == 0 || trap.tval() == TestAssembler.encodeSystem(Isa.MRET), trap.toString());
        assertEquals(Hart.PRIVILEGE_USER, hart.privilege());
    }

    @Test
    void wfiInProcessModeIsIllegal() {
        int wfi = asm.system(Isa.WFI);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause());
        assertEquals(wfi, trap.pc());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "csrrs, 0x300", "csrrw, 0x300", "csrrs, 0x340", "csrrw, 0x340", "csrrci, 0x340",
        "csrrs, 0x305", "csrrs, 0x301", "csrrs, 0xf14", "csrrs, 0x180", "csrrs, 0xb00", "csrrs, 0xb02"})
    void machineCsrsAreIllegalFromUserMode(String mnemonic, String csr) {
        asm.li(A0, 0x5555);
        int access = asm.csr(byMnemonic(mnemonic).id(), A0, Integer.decode(csr), 0);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause(), trap.toString());
        assertEquals(access, trap.pc());
        assertEquals(0x5555, x(A0), "rd is not written");
    }

    // ---- CSRs --------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} rs1/uimm={1}")
    @CsvSource({
        "csrrs, 0, cycle, true", "csrrc, 0, instret, true", "csrrsi, 0, cycle, true", "csrrci, 0, time, true",
        "csrrw, 0, cycle, false", "csrrwi, 0, cycle, false", "csrrs, 5, cycle, false", "csrrc, 5, instret, false",
        "csrrsi, 1, instret, false", "csrrci, 31, time, false", "csrrw, 5, instreth, false"})
    void readOnlyCountersCanBeReadOnlyByForms_ThatDoNotWrite(String mnemonic, int rs1, String counter, boolean legal) {
        int number = switch (counter) {
            case "cycle" -> Csr.CYCLE;
            case "instret" -> Csr.INSTRET;
            case "time" -> Csr.TIME;
            default -> Csr.INSTRETH;
        };
        hart.setTimer(() -> 42);
        asm.li(A0, 0x5555);
        // t0 (x5) holds 0: csrrs/csrrc with rs1 != x0 still write, even a zero
        int access = asm.csr(byMnemonic(mnemonic).id(), A0, number, rs1);
        asm.ecall();
        Stop.Trap trap = run();
        if (legal) {
            assertEquals(TrapCause.ECALL_FROM_U, trap.cause(), trap.toString());
            assertEquals(number == Csr.TIME ? 42 : 2, x(A0));
        } else {
            assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause(), trap.toString());
            assertEquals(access, trap.pc());
            assertEquals(0x5555, x(A0));
        }
    }

    @Test
    void unimplementedCsrIsIllegalFromUserMode() {
        int access = asm.csr(Isa.CSRRS, A0, 0x001 /* fflags: no F extension */, 0);
        asm.ecall();
        Stop.Trap trap = run();
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, trap.cause());
        assertEquals(access, trap.pc());
    }

    @Test
    void countersAndTheirHighHalvesAreReadableFromUserMode() {
        hart.setTimer(() -> 0x1_2345_6789L);
        asm.nop();
        asm.nop();
        asm.nop();
        asm.csr(Isa.CSRRS, A0, Csr.INSTRET, 0); // 3 retired before it
        asm.csr(Isa.CSRRS, A1, Csr.INSTRETH, 0);
        asm.csr(Isa.CSRRS, A2, Csr.TIME, 0);
        asm.csr(Isa.CSRRS, A3, Csr.TIMEH, 0);
        asm.csr(Isa.CSRRS, A4, Csr.CYCLE, 0); // 7 executed before it
        asm.csr(Isa.CSRRS, A5, Csr.CYCLEH, 0);
        asm.ecall();
        runToEcall();
        assertEquals(3, x(A0));
        assertEquals(0, x(A1));
        assertEquals(0x23456789, x(A2));
        assertEquals(1, x(A3));
        assertEquals(7, x(A4));
        assertEquals(0, x(A5));
    }

    @Test
    void instretCountsRetiredInstructionsExactly() {
        asm.li(T0, 5); // 2
        int loop = asm.i(Isa.ADDI, T0, T0, -1);
        asm.branchTo(Isa.BNE, T0, 0, loop); // 2 * 5
        asm.csr(Isa.CSRRS, A0, Csr.INSTRET, 0); // reads 12
        asm.csr(Isa.CSRRS, A1, Csr.INSTRET, 0); // reads 13
        asm.ecall();
        runToEcall();
        assertEquals(12, x(A0));
        assertEquals(13, x(A1));
        assertEquals(14, hart.instret());
    }

    @Test
    void trappingInstructionsAreNotCountedInInstret() {
        asm.nop();
        asm.nop();
        asm.word(0); // illegal
        Stop.Trap illegal = run();
        assertEquals(TrapCause.ILLEGAL_INSTRUCTION, illegal.cause());
        assertEquals(2, hart.instret());
        hart.setPc(BASE + 0x200);
        asm.org(BASE + 0x200);
        asm.li(T0, END);
        asm.load(Isa.LW, A0, T0, 0);
        asm.writeTo(space);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, hart.run(100));
        assertEquals(TrapCause.LOAD_ACCESS_FAULT, trap.cause());
        assertEquals(4, hart.instret());
    }

    // ---- budget ------------------------------------------------------------------------------

    @Test
    void runStopsWhenTheBudgetIsSpentAndResumesWhereItStopped() {
        for (int i = 0; i < 8; i++) {
            asm.i(Isa.ADDI, A0, A0, 1);
        }
        asm.ecall();
        asm.writeTo(space);
        hart.setPc(BASE);
        Stop first = hart.run(3);
        assertEquals(new Stop.SliceEnd(BASE + 12), first);
        assertEquals(3, x(A0));
        assertEquals(3, hart.instret());
        Stop second = hart.run(2);
        assertEquals(new Stop.SliceEnd(BASE + 20), second);
        assertEquals(5, x(A0));
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, hart.run(100));
        assertEquals(TrapCause.ECALL_FROM_U, trap.cause());
        assertEquals(8, x(A0));
        assertEquals(8, hart.instret());
    }

    @Test
    void runRejectsANonPositiveBudget() {
        assertThrows(IllegalArgumentException.class, () -> hart.run(0));
        assertThrows(IllegalArgumentException.class, () -> hart.run(-1));
    }

    /** A program that exercises loops, calls across pages, memory, CSR reads and code patching. */
    static void busyProgram(TestAssembler asm) {
        int sub = BASE + 3 * PAGE - 8; // a subroutine straddling a page boundary
        asm.li(S0, 20); // loop counter
        asm.li(S1, DATA);
        int loop = asm.here();
        asm.jalTo(RA, sub);
        asm.store(Isa.SW, A0, S1, 0);
        asm.load(Isa.LH, A1, S1, 1);
        asm.r(Isa.ADD, A2, A2, A1);
        asm.csr(Isa.CSRRS, A3, Csr.INSTRET, 0);
        asm.store(Isa.SW, A3, S1, 4);
        asm.i(Isa.ADDI, S1, S1, 3); // misaligned afterwards
        asm.i(Isa.ADDI, S0, S0, -1);
        asm.branchTo(Isa.BNE, S0, 0, loop);
        // patch the subroutine's first instruction and call it once more
        int[] patch = {TestAssembler.encodeI(Isa.ADDI, A0, A0, 100)};
        asm.li(T0, patch[0]);
        asm.li(T1, sub);
        asm.store(Isa.SW, T0, T1, 0);
        asm.jalTo(RA, sub);
        asm.ecall();
        asm.org(sub);
        asm.i(Isa.ADDI, A0, A0, 7);
        asm.r(Isa.MUL, A4, A0, A0);
        asm.r(Isa.XOR, A0, A0, A4);
        asm.jalr(0, RA, 0);
    }

    @Test
    void runningWithBudgetOneRepeatedlyGivesTheSameResultAsOneBigBudget() {
        busyProgram(asm);
        asm.writeTo(space);
        hart.setPc(BASE);
        Stop.Trap whole = assertInstanceOf(Stop.Trap.class, hart.run(1_000_000));

        PhysicalMemory memory2 = new PhysicalMemory(SIZE);
        FlatAddressSpace space2 = FlatAddressSpace.covering(memory2, BASE);
        asm.writeTo(space2);
        Hart stepper = newHart(space2);
        stepper.setPc(BASE);
        Stop stop;
        long steps = 0;
        while ((stop = stepper.run(1)) instanceof Stop.SliceEnd slice) {
            steps++;
            assertEquals(stepper.pc(), slice.pc());
            assertEquals(steps, stepper.instret(), "each run(1) retires exactly one instruction");
            if (steps > 1_000_000) {
                fail("runaway");
            }
        }
        assertEquals(whole, stop);
        assertEquals(hart.capture(), stepper.capture());
        assertEquals(hart.instret(), steps);
        assertArrayEquals(memory.bytes(), memory2.bytes());
    }

    @ParameterizedTest(name = "budget {0}")
    @ValueSource(ints = {2, 3, 7, 1023, 1024, 1025})
    void runningInSlicesOfAnyBudgetGivesTheSameResultAsOneBigBudget(int budget) {
        busyProgram(asm);
        asm.writeTo(space);
        hart.setPc(BASE);
        Stop.Trap whole = assertInstanceOf(Stop.Trap.class, hart.run(1_000_000));

        PhysicalMemory memory2 = new PhysicalMemory(SIZE);
        FlatAddressSpace space2 = FlatAddressSpace.covering(memory2, BASE);
        asm.writeTo(space2);
        Hart sliced = newHart(space2);
        sliced.setPc(BASE);
        Stop stop;
        long before = 0;
        while ((stop = sliced.run(budget)) instanceof Stop.SliceEnd) {
            assertEquals(before + budget, sliced.instret());
            before = sliced.instret();
        }
        assertEquals(whole, stop);
        assertEquals(hart.capture(), sliced.capture());
        assertArrayEquals(memory.bytes(), memory2.bytes());
    }

    // ---- self-modifying code -----------------------------------------------------------------

    static final int NEW = TestAssembler.encodeI(Isa.ADDI, A0, A0, 100);

    @Test
    void storeOverAnExecutedInstructionInTheCurrentPageTakesEffectNextTime() {
        asm.li(T1, NEW);
        asm.li(T0, BASE + 16);
        int target = asm.i(Isa.ADDI, A0, A0, 1); // +16
        asm.branch(Isa.BNE, A1, 0, 16); // +20 -> +36
        asm.i(Isa.ADDI, A1, 0, 1); // +24
        asm.store(Isa.SW, T1, T0, 0); // +28: patches +16
        asm.jalTo(0, target); // +32
        asm.ecall(); // +36
        assertEquals(BASE + 16, target);
        runToEcall();
        assertEquals(101, x(A0));
    }

    @Test
    void storeOverTheNextAlreadyDecodedInstructionTakesEffectImmediately() {
        asm.li(T0, BASE + 24);
        asm.li(T1, NEW);
        asm.jal(0, 8); // +16 -> +24, skipping the store the first time
        int store = asm.store(Isa.SW, T1, T0, 0); // +20
        int patched = asm.i(Isa.ADDI, A0, A0, 1); // +24
        asm.branch(Isa.BNE, A1, 0, 16); // +28 -> +44
        asm.i(Isa.ADDI, A1, 0, 1); // +32
        asm.jalTo(0, store); // +36
        asm.nop(); // +40
        asm.ecall(); // +44
        assertEquals(BASE + 24, patched);
        runToEcall();
        assertEquals(101, x(A0));
    }

    @Test
    void storeOverAnExecutedInstructionInAnotherPageTakesEffectNextTime() {
        int sub = BASE + 3 * PAGE;
        asm.jalTo(RA, sub);
        asm.li(T0, sub);
        asm.li(T1, NEW);
        asm.store(Isa.SW, T1, T0, 0);
        asm.jalTo(RA, sub);
        asm.ecall();
        asm.org(sub);
        asm.i(Isa.ADDI, A0, A0, 1);
        asm.jalr(0, RA, 0);
        runToEcall();
        assertEquals(101, x(A0));
    }

    @Test
    void codeStoredIntoAFreshPageThenExecutedThenPatchedByStoresTakesEffect() {
        int fresh = BASE + 6 * PAGE; // written as data first (the store fast path knows the page)
        asm.li(T0, fresh);
        asm.li(T1, TestAssembler.encodeI(Isa.ADDI, A0, A0, 1));
        asm.store(Isa.SW, T1, T0, 0);
        asm.li(T1, TestAssembler.encodeI(Isa.JALR, 0, RA, 0));
        asm.store(Isa.SW, T1, T0, 4);
        asm.jalTo(RA, fresh); // now it is code
        asm.li(T1, NEW);
        asm.store(Isa.SW, T1, T0, 0); // same page, same store path as before
        asm.jalTo(RA, fresh);
        asm.ecall();
        runToEcall();
        assertEquals(101, x(A0));
    }

    @Test
    void byteStoreIntoAnExecutedInstructionTakesEffect() {
        int sub = BASE + 2 * PAGE;
        asm.jalTo(RA, sub);
        asm.li(T0, sub);
        asm.i(Isa.ADDI, T1, 0, 0x06);
        asm.store(Isa.SB, T1, T0, 3); // imm[11:4] = 6: addi a0, a0, 0x61
        asm.jalTo(RA, sub);
        asm.ecall();
        asm.org(sub);
        asm.i(Isa.ADDI, A0, A0, 1);
        asm.jalr(0, RA, 0);
        runToEcall();
        assertEquals(1 + 0x61, x(A0));
    }

    @Test
    void misalignedStoreStraddlingIntoAnExecutedPageTakesEffect() {
        int sub = BASE + 5 * PAGE;
        int original = TestAssembler.encodeI(Isa.ADDI, A0, A0, 1);
        int replacement = TestAssembler.encodeI(Isa.ADDI, A1, A0, 1); // differs in the low half only
        assertEquals(original >>> 16, replacement >>> 16);
        asm.jalTo(RA, sub);
        asm.li(T0, sub - 2);
        asm.li(T1, (replacement << 16) | 0xbeef);
        asm.store(Isa.SW, T1, T0, 0); // bytes sub-2 .. sub+1
        asm.jalTo(RA, sub);
        asm.ecall();
        asm.org(sub);
        asm.word(original);
        asm.jalr(0, RA, 0);
        runToEcall();
        assertEquals(1, x(A0));
        assertEquals(2, x(A1));
        assertEquals(replacement, space.load32(sub));
    }

    @Test
    void fenceIAfterPatchingCodeWorksAndContinuesAfterIt() {
        asm.li(T1, NEW);
        asm.li(T0, BASE + 16);
        int target = asm.i(Isa.ADDI, A0, A0, 1); // +16
        asm.branch(Isa.BNE, A1, 0, 20); // +20 -> +40
        asm.i(Isa.ADDI, A1, 0, 1); // +24
        asm.store(Isa.SW, T1, T0, 0); // +28
        asm.system(Isa.FENCE_I); // +32
        asm.jalTo(0, target); // +36
        asm.system(Isa.FENCE); // +40
        asm.ecall(); // +44
        Stop.Trap trap = runToEcall();
        assertEquals(BASE + 44, trap.pc());
        assertEquals(101, x(A0));
        assertEquals(4 + 2 + 4 + 1 + 1 + 1, hart.instret()); // li*2, 1st pass 6, 2nd pass 2+fence
    }

    @Test
    void codeRewrittenThroughTheAddressSpaceBetweenRunsTakesEffect() {
        int patched = asm.i(Isa.ADDI, A0, A0, 1);
        asm.ecall();
        runToEcall();
        assertEquals(1, x(A0));
        space.store32(patched, NEW);
        hart.setPc(BASE);
        assertInstanceOf(Stop.Trap.class, hart.run(100));
        assertEquals(101, x(A0));
    }

    // ---- state capture -----------------------------------------------------------------------

    @Test
    void captureMidProgramThenRestoreIntoANewHartOverACopyOfMemoryGivesTheSameResult() {
        busyProgram(asm);
        asm.writeTo(space);
        hart.setPc(BASE);
        hart.run(137);
        HartState middle = hart.capture();
        byte[] image = space.read(BASE, SIZE);
        Stop.Trap original = assertInstanceOf(Stop.Trap.class, hart.run(1_000_000));

        PhysicalMemory memory2 = new PhysicalMemory(SIZE);
        FlatAddressSpace space2 = FlatAddressSpace.covering(memory2, BASE);
        space2.write(BASE, image, 0, SIZE);
        Hart copy = newHart(space2);
        copy.restore(middle);
        assertEquals(middle, copy.capture());
        Stop.Trap restored = assertInstanceOf(Stop.Trap.class, copy.run(1_000_000));

        assertEquals(original, restored);
        assertEquals(hart.capture(), copy.capture());
        assertArrayEquals(memory.bytes(), memory2.bytes());
    }

    @Test
    void capturedStateIsASnapshotNotAView() {
        asm.i(Isa.ADDI, A0, 0, 1);
        asm.i(Isa.ADDI, A0, 0, 2);
        asm.ecall();
        asm.writeTo(space);
        hart.setPc(BASE);
        hart.run(1);
        HartState state = hart.capture();
        hart.run(1);
        assertEquals(1, state.registers()[A0]);
        assertEquals(BASE + 4, state.pc());
        assertEquals(1, state.instret());
        hart.restore(state);
        assertEquals(1, x(A0));
        assertEquals(BASE + 4, hart.pc());
        assertEquals(1, hart.instret());
    }
}
