package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.cpu.isa.Csr;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bare-machine hart ({@link ExecutionMode#MACHINE}): M-mode at reset, traps through
 * {@code mtvec}, MRET, the machine CSRs and U-mode under M. RAM is a 64 KiB flat region at
 * 0x80000000. Programs end in a self-loop ("halt"); tests run a generous budget and check that
 * the hart sits at the expected halt.
 *
 * <p>Here the interpreter runs alone; {@link HartMachineModeTranslatedTest} runs every test
 * again with each jump target translated on first entry (harts come from {@link #newHart}).
 */
class HartMachineModeTest {
    static final int BASE = 0x80000000;
    static final int SIZE = 0x10000;
    static final int END = BASE + SIZE;
    static final int HANDLER = BASE + 0x1000;
    static final int USER = BASE + 0x2000;

    static final int MSTATUS_MIE = 1 << 3;
    static final int MSTATUS_MPIE = 1 << 7;
    static final int MSTATUS_MPP = 3 << 11;

    static final int RA = 1, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9;
    static final int A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15;
    static final int S2 = 18, S3 = 19, S4 = 20, S5 = 21, S6 = 22, S7 = 23;

    PhysicalMemory memory;
    FlatAddressSpace space;
    Hart hart;
    TestAssembler asm;
    /** The address of the standard handler's halt loop. */
    int handlerHalt;

    /** The translation threshold of every hart of this test class: the interpreter alone. */
    int translationThreshold() {
        return Integer.MAX_VALUE;
    }

    /** A machine hart over {@code space} with this test class's translation threshold. */
    Hart newHart(AddressSpace space) {
        Hart created = new Hart(ExecutionMode.MACHINE, space);
        created.setTranslationThreshold(translationThreshold());
        return created;
    }

    @BeforeEach
    void setUp() {
        memory = new PhysicalMemory(SIZE);
        space = FlatAddressSpace.covering(memory, BASE);
        hart = newHart(space);
        hart.setPc(BASE);
        asm = new TestAssembler(BASE);
    }

    /** mtvec = HANDLER (3 instructions). */
    void setMtvec(int value) {
        asm.li(T0, value);
        asm.csr(Isa.CSRRW, 0, Csr.MTVEC, T0);
    }

    /** At HANDLER: a0 = mcause, a1 = mepc, a2 = mtval, a3 = mstatus; then halts. */
    void standardHandler() {
        int resume = asm.here();
        asm.org(HANDLER);
        asm.csr(Isa.CSRRS, A0, Csr.MCAUSE, 0);
        asm.csr(Isa.CSRRS, A1, Csr.MEPC, 0);
        asm.csr(Isa.CSRRS, A2, Csr.MTVAL, 0);
        asm.csr(Isa.CSRRS, A3, Csr.MSTATUS, 0);
        handlerHalt = halt();
        asm.org(resume);
    }

    int halt() {
        return asm.jal(0, 0);
    }

    /** mepc = USER, mstatus.MPP = U, mret; the caller then emits the user code at USER. */
    void dropToUser() {
        asm.li(T0, USER);
        asm.csr(Isa.CSRRW, 0, Csr.MEPC, T0);
        asm.li(T1, MSTATUS_MPP);
        asm.csr(Isa.CSRRC, 0, Csr.MSTATUS, T1);
        asm.system(Isa.MRET);
        asm.org(USER);
    }

    /** Writes the program, runs a generous budget and checks that the hart halted at {@code at}. */
    void runToHalt(int at) {
        asm.writeTo(space);
        Stop stop = hart.run(10_000);
        assertEquals(new Stop.SliceEnd(at), stop, () -> String.format(
                "expected to halt at 0x%08x; mcause %d mepc 0x%08x", at, hart.csr(Csr.MCAUSE), hart.csr(Csr.MEPC)));
    }

    int x(int register) {
        return hart.register(register);
    }

    static Isa.Spec byMnemonic(String mnemonic) {
        return Isa.TABLE.stream().filter(s -> s.mnemonic().equals(mnemonic)).findFirst().orElseThrow();
    }

    // ---- reset and traps ---------------------------------------------------------------------

    @Test
    void resetPrivilegeIsMachineAndMachineCsrsAreAccessible() {
        assertEquals(Hart.PRIVILEGE_MACHINE, hart.privilege());
        asm.li(T0, 0x1234);
        asm.csr(Isa.CSRRW, 0, Csr.MSCRATCH, T0);
        asm.csr(Isa.CSRRS, A0, Csr.MSCRATCH, 0);
        int halt = halt();
        runToHalt(halt);
        assertEquals(0x1234, x(A0));
        assertEquals(Hart.PRIVILEGE_MACHINE, hart.privilege());
    }

    @Test
    void ecallInMachineModeVectorsToMtvecWithCause11AndMepcAtTheEcall() {
        setMtvec(HANDLER);
        standardHandler();
        int ecall = asm.ecall();
        halt();
        runToHalt(handlerHalt);
        assertEquals(11, x(A0));
        assertEquals(ecall, x(A1));
        assertEquals(0, x(A2));
        assertEquals(Hart.PRIVILEGE_MACHINE << 11, x(A3) & MSTATUS_MPP, "MPP = M");
        assertEquals(Hart.PRIVILEGE_MACHINE, hart.privilege());
        assertEquals(11, hart.csr(Csr.MCAUSE));
    }

    @Test
    void vectoredMtvecSendsExceptionsToItsBase() {
        setMtvec(HANDLER | 1);
        standardHandler();
        asm.csr(Isa.CSRRS, S0, Csr.MTVEC, 0);
        asm.ecall();
        runToHalt(handlerHalt);
        assertEquals(HANDLER | 1, x(S0));
        assertEquals(11, x(A0));
    }

    @Test
    void mretWithMppUserDropsToUserModeAndEcallFromUserHasCause8() {
        setMtvec(HANDLER);
        standardHandler();
        dropToUser();
        asm.i(Isa.ADDI, S0, 0, 1);
        int ecall = asm.ecall();
        runToHalt(handlerHalt);
        assertEquals(1, x(S0), "user code ran");
        assertEquals(8, x(A0));
        assertEquals(ecall, x(A1));
        assertEquals(0, x(A3) & MSTATUS_MPP, "MPP = U: the trap came from U-mode");
        assertEquals(Hart.PRIVILEGE_MACHINE, hart.privilege());
    }

    @Test
    void mretFromUserModeIsIllegal() {
        setMtvec(HANDLER);
        standardHandler();
        dropToUser();
        int mret = asm.system(Isa.MRET);
        runToHalt(handlerHalt);
        assertEquals(2, x(A0));
        assertEquals(mret, x(A1));
    }

    @ParameterizedTest(name = "MIE before the trap = {0}")
    @ValueSource(booleans = {true, false})
    void trapStacksMieIntoMpieAndMretRestoresIt(boolean mie) {
        setMtvec(HANDLER);
        if (mie) {
            asm.csr(Isa.CSRRSI, 0, Csr.MSTATUS, MSTATUS_MIE);
        }
        asm.ecall();
        asm.csr(Isa.CSRRS, S1, Csr.MSTATUS, 0); // after mret
        int halt = halt();
        asm.org(HANDLER);
        asm.csr(Isa.CSRRS, S0, Csr.MSTATUS, 0); // in the handler
        asm.csr(Isa.CSRRS, T2, Csr.MEPC, 0);
        asm.i(Isa.ADDI, T2, T2, 4);
        asm.csr(Isa.CSRRW, 0, Csr.MEPC, T2);
        asm.system(Isa.MRET);
        runToHalt(halt);
        int mpieIfMie = mie ? MSTATUS_MPIE : 0;
        assertEquals(mpieIfMie | MSTATUS_MPP, x(S0), "in the handler: MIE = 0, MPIE = old MIE, MPP = M");
        assertEquals((mie ? MSTATUS_MIE : 0) | MSTATUS_MPIE, x(S1), "after mret: MIE = MPIE, MPIE = 1, MPP = U");
        assertEquals(Hart.PRIVILEGE_MACHINE, hart.privilege(), "mret to MPP = M stays in M");
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"00000000", "ffffffff"})
    void illegalInstructionInMachineModeVectorsWithCause2AndTheWordAsMtval(String hex) {
        int word = Integer.parseUnsignedInt(hex, 16);
        setMtvec(HANDLER);
        standardHandler();
        int illegal = asm.word(word);
        runToHalt(handlerHalt);
        assertEquals(2, x(A0));
        assertEquals(illegal, x(A1));
        assertEquals(word, x(A2));
    }

    @Test
    void ebreakHasCause3AndMtvalPc() {
        setMtvec(HANDLER);
        standardHandler();
        int ebreak = asm.system(Isa.EBREAK);
        runToHalt(handlerHalt);
        assertEquals(3, x(A0));
        assertEquals(ebreak, x(A1));
        assertEquals(ebreak, x(A2));
    }

    @Test
    void misalignedJumpTargetHasCause0AndTheTargetAsMtval() {
        setMtvec(HANDLER);
        standardHandler();
        int jal = asm.jal(RA, 10);
        runToHalt(handlerHalt);
        assertEquals(0, x(A0));
        assertEquals(jal, x(A1));
        assertEquals(jal + 10, x(A2));
        assertEquals(0, x(RA));
    }

    @Test
    void accessFaultsHaveCauses1And5And7WithTheAddressAsMtval() {
        setMtvec(HANDLER);
        standardHandler();
        asm.li(T1, END + 8);
        int load = asm.load(Isa.LW, S0, T1, 0);
        runToHalt(handlerHalt);
        assertEquals(5, x(A0));
        assertEquals(load, x(A1));
        assertEquals(END + 8, x(A2));

        setUp();
        setMtvec(HANDLER);
        standardHandler();
        asm.li(T1, BASE - 4);
        int store = asm.store(Isa.SW, T1, T1, 0);
        runToHalt(handlerHalt);
        assertEquals(7, x(A0));
        assertEquals(store, x(A1));
        assertEquals(BASE - 4, x(A2));

        setUp();
        setMtvec(HANDLER);
        standardHandler();
        asm.jalr(0, 0, 0x40);
        runToHalt(handlerHalt);
        assertEquals(1, x(A0));
        assertEquals(0x40, x(A1));
        assertEquals(0x40, x(A2));
    }

    @Test
    void trappingInstructionsDoNotRetire() {
        setMtvec(HANDLER);
        asm.nop();
        asm.ecall();
        asm.org(HANDLER);
        int halt = halt();
        asm.writeTo(space);
        assertEquals(new Stop.SliceEnd(HANDLER), hart.run(5)); // 3 (mtvec) + nop + the trapping ecall
        assertEquals(halt, hart.pc());
        assertEquals(4, hart.instret(), "the ecall does not retire");
        assertEquals(5, hart.cycles(), "but it does take a cycle");
    }

    // ---- CSRs --------------------------------------------------------------------------------

    @Test
    void unimplementedCsrIsAnIllegalInstructionThroughMtvec() {
        setMtvec(HANDLER);
        standardHandler();
        asm.li(S0, 0x5555);
        int access = asm.csr(Isa.CSRRS, S0, 0x7c0, 0);
        runToHalt(handlerHalt);
        assertEquals(2, x(A0));
        assertEquals(access, x(A1));
        assertEquals(0x5555, x(S0), "rd is not written");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"medeleg", "mideleg", "mie", "mip", "satp", "pmpcfg0", "pmpcfg3", "pmpaddr0", "pmpaddr15",
            "mscratch", "mcounteren", "mcause", "mtval"})
    void writableMachineCsrsAcceptWritesAndReadThemBack(String name) {
        int number = csrNumber(name);
        asm.li(T0, 0x12345678);
        asm.csr(Isa.CSRRW, S0, number, T0);
        asm.csr(Isa.CSRRS, S1, number, 0);
        int halt = halt();
        runToHalt(halt);
        assertEquals(0, x(S0), name + " resets to 0");
        assertEquals(0x12345678, x(S1), name);
        assertEquals(0x12345678, hart.csr(number), name);
    }

    static int csrNumber(String name) {
        for (int number = 0; number < 4096; number++) {
            if (Csr.name(number).equals(name)) {
                return number;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void csrInstructionsReadTheOldValueAndWriteSetOrClear() {
        asm.li(T0, 0x0f0f00ff);
        asm.csr(Isa.CSRRW, S0, Csr.MSCRATCH, T0); // old 0, now 0x0f0f00ff
        asm.li(T1, 0x00f00f00);
        asm.csr(Isa.CSRRS, S1, Csr.MSCRATCH, T1); // old 0x0f0f00ff, now 0x0fff0fff
        asm.li(T2, 0x0000ffff);
        asm.csr(Isa.CSRRC, S2, Csr.MSCRATCH, T2); // old 0x0fff0fff, now 0x0fff0000
        asm.csr(Isa.CSRRWI, S3, Csr.MSCRATCH, 0x15); // old 0x0fff0000, now 0x15
        asm.csr(Isa.CSRRSI, S4, Csr.MSCRATCH, 0x0a); // old 0x15, now 0x1f
        asm.csr(Isa.CSRRCI, S5, Csr.MSCRATCH, 0x03); // old 0x1f, now 0x1c
        asm.csr(Isa.CSRRS, S6, Csr.MSCRATCH, 0); // read only: 0x1c
        asm.csr(Isa.CSRRW, 0, Csr.MSCRATCH, T0); // write without reading
        asm.csr(Isa.CSRRC, S7, Csr.MSCRATCH, 0); // read only: 0x0f0f00ff
        int halt = halt();
        runToHalt(halt);
        assertEquals(0, x(S0));
        assertEquals(0x0f0f00ff, x(S1));
        assertEquals(0x0fff0fff, x(S2));
        assertEquals(0x0fff0000, x(S3));
        assertEquals(0x15, x(S4));
        assertEquals(0x1f, x(S5));
        assertEquals(0x1c, x(S6));
        assertEquals(0x0f0f00ff, x(S7));
        assertEquals(0x0f0f00ff, hart.csr(Csr.MSCRATCH));
    }

    @Test
    void csrWithTheSameRegisterAsRdAndRs1WritesTheOldRs1AndReturnsTheOldCsr() {
        asm.li(T0, 0x77);
        asm.csr(Isa.CSRRW, 0, Csr.MSCRATCH, T0);
        asm.li(T0, 0x100);
        asm.csr(Isa.CSRRS, T0, Csr.MSCRATCH, T0); // t0 = 0x77, mscratch = 0x177
        int halt = halt();
        runToHalt(halt);
        assertEquals(0x77, x(T0));
        assertEquals(0x177, hart.csr(Csr.MSCRATCH));
    }

    @Test
    void misaReadsRv32ImuAndWritesAreIgnored() {
        asm.csr(Isa.CSRRS, S0, Csr.MISA, 0);
        asm.csr(Isa.CSRRW, 0, Csr.MISA, 0);
        asm.li(T0, 1 << ('M' - 'A'));
        asm.csr(Isa.CSRRC, 0, Csr.MISA, T0);
        asm.csr(Isa.CSRRS, S1, Csr.MISA, 0);
        int halt = halt();
        runToHalt(halt);
        assertEquals(0x40101100, x(S0));
        assertEquals(0x40101100, x(S1));
        assertEquals(0x40101100, Hart.MISA);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mhartid", "mvendorid", "marchid", "mimpid"})
    void machineInformationCsrsReadZeroWithEveryNonWritingForm(String name) {
        int number = csrNumber(name);
        asm.li(S0, -1);
        asm.li(S1, -1);
        asm.li(S2, -1);
        asm.li(S3, -1);
        asm.csr(Isa.CSRRS, S0, number, 0);
        asm.csr(Isa.CSRRC, S1, number, 0);
        asm.csr(Isa.CSRRSI, S2, number, 0);
        asm.csr(Isa.CSRRCI, S3, number, 0);
        int halt = halt();
        runToHalt(halt);
        assertEquals(0, x(S0));
        assertEquals(0, x(S1));
        assertEquals(0, x(S2));
        assertEquals(0, x(S3));
    }

    @ParameterizedTest(name = "{0} rs1/uimm={1}")
    @CsvSource({"csrrw, 0", "csrrw, 5", "csrrwi, 0", "csrrs, 5", "csrrc, 5", "csrrsi, 1", "csrrci, 1"})
    void writingMhartidIsIllegal(String mnemonic, int rs1) {
        setMtvec(HANDLER);
        standardHandler();
        asm.li(T0, 0); // rs1 = t0 (x5) holds zero: a register other than x0 still counts as a write
        int access = asm.csr(byMnemonic(mnemonic).id(), S0, Csr.MHARTID, rs1);
        runToHalt(handlerHalt);
        assertEquals(2, x(A0));
        assertEquals(access, x(A1));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mstatus", "mscratch", "mepc", "mtvec", "misa", "mhartid", "mcounteren", "pmpcfg0"})
    void userModeAccessToAMachineCsrIsIllegal(String name) {
        setMtvec(HANDLER);
        standardHandler();
        dropToUser();
        asm.li(S0, 0x5555);
        int access = asm.csr(Isa.CSRRS, S0, csrNumber(name), 0);
        asm.ecall();
        runToHalt(handlerHalt);
        assertEquals(2, x(A0));
        assertEquals(access, x(A1));
        assertEquals(0, x(A3) & MSTATUS_MPP, "from U");
        assertEquals(0x5555, x(S0));
    }

    @ParameterizedTest(name = "mcounteren={0} {1} legal={2}")
    @CsvSource({
        "0, cycle, false", "1, cycle, true", "1, instret, false", "4, instret, true", "2, time, true",
        "0, time, false", "5, time, false", "1, cycleh, true", "4, instreth, true", "2, timeh, true",
        "0, instreth, false", "3, cycleh, true", "0xfffffffb, instret, false", "0xfffffffb, timeh, true"})
    void userCounterReadsRespectMcounteren(String mcounteren, String counter, boolean legal) {
        hart.setTimer(() -> 99);
        setMtvec(HANDLER);
        standardHandler();
        asm.li(T1, Long.decode(mcounteren).intValue());
        asm.csr(Isa.CSRRW, 0, Csr.MCOUNTEREN, T1);
        dropToUser();
        asm.li(S0, 0x5555);
        int access = asm.csr(Isa.CSRRS, S0, csrNumber(counter), 0);
        asm.ecall();
        runToHalt(handlerHalt);
        if (legal) {
            assertEquals(8, x(A0), "the read succeeded and the ecall trapped");
            assertTrue(x(S0) != 0x5555);
        } else {
            assertEquals(2, x(A0));
            assertEquals(access, x(A1));
            assertEquals(0x5555, x(S0));
        }
    }

    @Test
    void mepcWritesClearTheLowTwoBits() {
        asm.li(T0, BASE + 0x107);
        asm.csr(Isa.CSRRW, 0, Csr.MEPC, T0);
        asm.csr(Isa.CSRRS, S0, Csr.MEPC, 0);
        asm.csr(Isa.CSRRSI, S1, Csr.MEPC, 3);
        asm.csr(Isa.CSRRS, S2, Csr.MEPC, 0);
        int halt = halt();
        runToHalt(halt);
        assertEquals(BASE + 0x104, x(S0));
        assertEquals(BASE + 0x104, x(S1));
        assertEquals(BASE + 0x104, x(S2));
    }

    @Test
    void mstatusMppHoldsOnlyLegalPrivilegeLevels() {
        asm.li(T0, 1 << 11); // S-mode: not implemented
        asm.csr(Isa.CSRRW, 0, Csr.MSTATUS, T0);
        asm.csr(Isa.CSRRS, S0, Csr.MSTATUS, 0);
        int halt = halt();
        runToHalt(halt);
        int mpp = (x(S0) & MSTATUS_MPP) >>> 11;
        assertTrue(mpp == 0 || mpp == 3, "MPP = " + mpp);
    }

    @Test
    void wfiInMachineModeIsANoOp() {
        setMtvec(HANDLER);
        standardHandler();
        asm.system(Isa.WFI);
        asm.i(Isa.ADDI, S0, 0, 1);
        int halt = halt();
        runToHalt(halt);
        assertEquals(1, x(S0));
        assertEquals(0, hart.csr(Csr.MCAUSE));
    }

    @Test
    void machineCountersMcycleAndMinstretAreReadable() {
        asm.nop();
        asm.nop();
        asm.csr(Isa.CSRRS, S0, Csr.MINSTRET, 0);
        asm.csr(Isa.CSRRS, S1, Csr.MINSTRETH, 0);
        asm.csr(Isa.CSRRS, S2, Csr.MCYCLE, 0);
        asm.csr(Isa.CSRRS, S3, Csr.MCYCLEH, 0);
        int halt = halt();
        runToHalt(halt);
        assertEquals(2, x(S0));
        assertEquals(0, x(S1));
        assertEquals(4, x(S2));
        assertEquals(0, x(S3));
    }

    @Test
    void writtenMinstretIsWhatTheNextInstructionReadsAndCarriesIntoMinstreth() {
        asm.li(T0, -3);
        asm.csr(Isa.CSRRW, 0, Csr.MINSTRET, T0);
        asm.csr(Isa.CSRRS, S0, Csr.MINSTRET, 0); // 0xfffffffd
        asm.nop(); // ...fe
        asm.nop(); // ...ff
        asm.csr(Isa.CSRRS, S1, Csr.MINSTRET, 0); // 0x1_0000_0000
        asm.csr(Isa.CSRRS, S2, Csr.MINSTRETH, 0); // 0x1_0000_0001
        int halt = halt();
        runToHalt(halt);
        assertEquals(-3, x(S0));
        assertEquals(0, x(S1));
        assertEquals(1, x(S2));
    }

    // ---- budget ------------------------------------------------------------------------------

    /** Runs {@code budget} on another thread so that a hart that never returns fails the test. */
    static Stop runWithWatchdog(Hart hart, long budget) throws InterruptedException {
        AtomicReference<Stop> result = new AtomicReference<>();
        Thread thread = new Thread(() -> result.set(hart.run(budget)), "hart-watchdog");
        thread.setDaemon(true);
        thread.start();
        thread.join(5_000);
        if (thread.isAlive()) {
            fail("run(" + budget + ") did not return within 5 s: the hart ran on past its budget");
        }
        return result.get();
    }

    @Test
    void budgetEndingOnAJumpToAnUnmappedAddressStillReturns() throws InterruptedException {
        setMtvec(HANDLER);
        asm.jalr(0, 0, 0x100); // to 0x100: outside RAM
        asm.org(HANDLER);
        halt();
        asm.writeTo(space);
        assertInstanceOf(Stop.SliceEnd.class, hart.run(3));
        Stop stop = runWithWatchdog(hart, 1);
        assertInstanceOf(Stop.SliceEnd.class, stop);
        assertEquals(4, hart.instret(), "exactly the jalr retired");
    }

    @Test
    void budgetEndingOnTheLastInstructionOfRamStillReturns() throws InterruptedException {
        setMtvec(HANDLER);
        asm.jalTo(0, END - 4);
        asm.org(END - 4);
        asm.nop(); // then falls off the end of RAM
        asm.org(HANDLER);
        halt();
        asm.writeTo(space);
        assertInstanceOf(Stop.SliceEnd.class, hart.run(4));
        assertEquals(END - 4, hart.pc());
        Stop stop = runWithWatchdog(hart, 1);
        assertInstanceOf(Stop.SliceEnd.class, stop);
        assertEquals(5, hart.instret());
    }

    @Test
    void slicedMachineRunMatchesOneBigRun() {
        setMtvec(HANDLER);
        asm.li(S0, 30);
        int loop = asm.here();
        asm.ecall(); // handler counts and returns
        asm.i(Isa.ADDI, S0, S0, -1);
        asm.branchTo(Isa.BNE, S0, 0, loop);
        int halt = halt();
        asm.org(HANDLER);
        asm.i(Isa.ADDI, S1, S1, 1);
        asm.csr(Isa.CSRRS, T2, Csr.MEPC, 0);
        asm.i(Isa.ADDI, T2, T2, 4);
        asm.csr(Isa.CSRRW, 0, Csr.MEPC, T2);
        asm.system(Isa.MRET);
        asm.writeTo(space);
        hart.run(500); // ends in the halt loop
        assertEquals(halt, hart.pc());

        PhysicalMemory memory2 = new PhysicalMemory(SIZE);
        FlatAddressSpace space2 = FlatAddressSpace.covering(memory2, BASE);
        asm.writeTo(space2);
        Hart sliced = newHart(space2);
        sliced.setPc(BASE);
        for (int i = 0; i < 500; i++) {
            assertInstanceOf(Stop.SliceEnd.class, sliced.run(1));
        }
        assertEquals(30, sliced.register(S1));
        assertEquals(hart.capture(), sliced.capture());
    }
}
