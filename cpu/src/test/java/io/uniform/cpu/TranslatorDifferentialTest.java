package io.uniform.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.cpu.isa.Csr;
import io.uniform.cpu.isa.Isa;
import io.uniform.cpu.memory.DecodedPage;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential tests of the translator against the interpreter: seeded random RV32IM programs
 * (ALU and M ops, loads and stores of every width, loops closed by every branch type, forward
 * branches on edge values, calls within and across pages, page-crossing code, CSR counter
 * reads, self-modifying code and faults) run once by the interpreter alone and once with every
 * jump target translated on first entry, over identical memories. Everything architectural must
 * be identical: the stop, the registers, pc, instret, cycles and all of memory. Each program also
 * runs translated in random small slices, which must resume exactly where the budget ended,
 * including inside translated code.
 */
class TranslatorDifferentialTest {
    static final int BASE = 0x10000;
    static final int SIZE = 0x10000;
    static final int END = BASE + SIZE;
    static final int PAGE = PhysicalMemory.PAGE_SIZE;

    /** Leaves in the first page, below the start of the main code. */
    static final int NEAR_LEAVES = BASE;
    /** Main code may not grow past this. */
    static final int CODE_LIMIT = BASE + 8 * PAGE;
    /** Leaves in pages of their own, one straddling a page boundary. */
    static final int FAR_LEAVES = BASE + 8 * PAGE;
    static final int STRADDLING_LEAF = BASE + 10 * PAGE - 12;
    /** The data area: four pages up to the end of memory, filled with random bytes. */
    static final int DATA = BASE + 12 * PAGE;
    static final int DATA_END = END;

    static final int RA = 1;
    /** Reserved registers: loop counters and scratch for generated scaffolding. */
    static final int INNER = 25, S1 = 26, S2 = 28, ADDR = 29, S3 = 30, OUTER = 31;
    /** Destinations random instructions may write (x0 included). */
    static final int[] DESTINATIONS;

    static {
        List<Integer> pool = new ArrayList<>();
        pool.add(0);
        for (int r = 2; r <= 24; r++) {
            pool.add(r);
        }
        pool.add(27);
        DESTINATIONS = pool.stream().mapToInt(Integer::intValue).toArray();
    }

    static final int[] EDGES = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1,
            Integer.MAX_VALUE - 1, 0x80, 0xff, 0x7ff, -2048, 0xffff, 0x10000, 31, 32};

    static final int[] R_OPS = {Isa.ADD, Isa.SUB, Isa.SLL, Isa.SLT, Isa.SLTU, Isa.XOR, Isa.SRL, Isa.SRA, Isa.OR,
            Isa.AND, Isa.MUL, Isa.MULH, Isa.MULHSU, Isa.MULHU, Isa.DIV, Isa.DIVU, Isa.REM, Isa.REMU};
    static final int[] I_OPS = {Isa.ADDI, Isa.SLTI, Isa.SLTIU, Isa.XORI, Isa.ORI, Isa.ANDI};
    static final int[] SHIFT_OPS = {Isa.SLLI, Isa.SRLI, Isa.SRAI};
    static final int[] LOADS = {Isa.LB, Isa.LH, Isa.LW, Isa.LBU, Isa.LHU};
    static final int[] STORES = {Isa.SB, Isa.SH, Isa.SW};
    static final int[] BRANCHES = {Isa.BEQ, Isa.BNE, Isa.BLT, Isa.BGE, Isa.BLTU, Isa.BGEU};
    static final int[] COUNTERS = {Csr.INSTRET, Csr.CYCLE, Csr.INSTRETH, Csr.CYCLEH};

    // ---- the program generator ----------------------------------------------------------------

    /** One random program: its code and the random contents of the data area. */
    record Program(long seed, TestAssembler asm, int entry, byte[] data) {}

    static final class Generator {
        final Random random;
        final TestAssembler asm;
        final List<Integer> nearLeaves = new ArrayList<>();
        final List<Integer> farLeaves = new ArrayList<>();

        Generator(long seed) {
            random = new Random(seed);
            int entry = BASE + PAGE - 4 * (64 + random.nextInt(400)); // crosses into page 1 early
            asm = new TestAssembler(entry);
        }

        int pick(int[] values) {
            return values[random.nextInt(values.length)];
        }

        boolean chance(int percent) {
            return random.nextInt(100) < percent;
        }

        int destination() {
            return pick(DESTINATIONS);
        }

        int source() {
            return random.nextInt(32);
        }

        int value() {
            return switch (random.nextInt(3)) {
                case 0 -> pick(EDGES);
                case 1 -> random.nextInt(4096) - 2048;
                default -> random.nextInt();
            };
        }

        /** One random computational instruction word (destinations from the pool only). */
        int aluWord() {
            int rd = destination();
            int rs1 = source();
            int rs2 = source();
            if (chance(10)) { // rd == rs1 == rs2
                rs1 = rd;
                rs2 = rd;
            }
            return switch (random.nextInt(10)) {
                case 0, 1, 2, 3 -> TestAssembler.encodeR(pick(R_OPS), rd, rs1, rs2);
                case 4, 5 -> TestAssembler.encodeI(pick(I_OPS), rd, rs1, chance(30) ? pick(new int[] {0, -1, 2047, -2048, 1}) : random.nextInt(4096) - 2048);
                case 6, 7 -> TestAssembler.encodeShift(pick(SHIFT_OPS), rd, rs1, chance(30) ? pick(new int[] {0, 1, 31}) : random.nextInt(32));
                case 8 -> TestAssembler.encodeU(Isa.LUI, rd, random.nextInt(1 << 20));
                default -> TestAssembler.encodeU(Isa.AUIPC, rd, random.nextInt(1 << 20));
            };
        }

        void alu(int count) {
            for (int i = 0; i < count; i++) {
                if (chance(8)) {
                    asm.li(destination(), value());
                } else {
                    asm.word(aluWord());
                }
            }
        }

        /** A data address of the given kind for an access of {@code size} bytes. */
        int dataAddress(int size) {
            int address = switch (random.nextInt(4)) {
                case 0 -> DATA + random.nextInt((DATA_END - DATA) / size) * size; // aligned
                case 1 -> DATA + random.nextInt(DATA_END - DATA - 4); // anywhere, often misaligned
                case 2 -> DATA + (1 + random.nextInt(3)) * PAGE - random.nextInt(4); // at or across a page boundary
                default -> DATA_END - size - random.nextInt(4) * size; // the very end of memory
            };
            return Math.min(address, DATA_END - size);
        }

        void memoryOp() {
            boolean store = chance(45);
            int op = store ? pick(STORES) : pick(LOADS);
            int size = op == Isa.LW || op == Isa.SW ? 4 : op == Isa.LB || op == Isa.LBU || op == Isa.SB ? 1 : 2;
            int address = dataAddress(size);
            int offset = chance(40) ? 0 : random.nextInt(4096) - 2048;
            if (store) {
                asm.li(ADDR, address - offset);
                asm.store(op, source(), ADDR, offset);
            } else if (chance(30)) { // the base register is also the destination
                int rd = destination() == 0 ? 2 : destination();
                asm.li(rd, address - offset);
                asm.load(op, rd, rd, offset);
            } else {
                asm.li(ADDR, address - offset);
                asm.load(op, destination(), ADDR, offset);
            }
        }

        /** A forward conditional branch over a random block, on edge values or random registers. */
        void forwardBranch(int depth) {
            int op = pick(BRANCHES);
            int rs1;
            int rs2;
            if (chance(60)) {
                asm.li(S1, chance(70) ? pick(EDGES) : random.nextInt());
                asm.li(S2, chance(70) ? pick(EDGES) : random.nextInt());
                rs1 = chance(15) ? 0 : S1;
                rs2 = chance(15) ? 0 : chance(10) ? rs1 : S2;
            } else {
                rs1 = source();
                rs2 = source();
            }
            int branch = asm.nop(); // patched below
            block(depth + 1, 1 + random.nextInt(3), false);
            int after = asm.here();
            asm.org(branch).branch(op, rs1, rs2, after - branch);
            asm.org(after);
        }

        /** A leaf function: computation, maybe memory, then return through ra. */
        void leafBody() {
            alu(1 + random.nextInt(6));
            if (chance(40)) {
                memoryOp();
            }
            alu(random.nextInt(3));
            asm.jalr(0, RA, 0);
        }

        void makeLeaves() {
            int resume = asm.here();
            asm.org(NEAR_LEAVES);
            for (int i = 0; i < 4; i++) {
                nearLeaves.add(asm.here());
                leafBody();
            }
            if (asm.here() > asm.origin()) {
                throw new IllegalStateException("near leaves overlap the main code");
            }
            asm.org(FAR_LEAVES);
            for (int i = 0; i < 3; i++) {
                farLeaves.add(asm.here());
                leafBody();
            }
            asm.org(STRADDLING_LEAF);
            farLeaves.add(asm.here());
            leafBody();
            asm.org(resume);
        }

        void call() {
            switch (random.nextInt(6)) {
                case 0 -> asm.jalTo(RA, nearLeaves.get(random.nextInt(nearLeaves.size())));
                case 1 -> asm.jalTo(RA, farLeaves.get(random.nextInt(farLeaves.size())));
                case 2 -> { // jalr, with an odd offset that the jump clears
                    int leaf = chance(50) ? nearLeaves.get(random.nextInt(nearLeaves.size())) : farLeaves.get(random.nextInt(farLeaves.size()));
                    int offset = pick(new int[] {0, 1, 8, -8});
                    asm.li(ADDR, leaf - (offset & ~1));
                    asm.jalr(RA, ADDR, offset);
                }
                case 3 -> { // jalr ra, ra: the target comes from the old ra
                    asm.li(RA, farLeaves.get(random.nextInt(farLeaves.size())));
                    asm.jalr(RA, RA, 0);
                }
                default -> { // an inline leaf right here, in the caller's page, jumped over
                    int over = asm.nop();
                    int leaf = asm.here();
                    leafBody();
                    int after = asm.here();
                    asm.org(over).jalTo(0, after);
                    asm.org(after);
                    asm.jalTo(RA, leaf);
                }
            }
        }

        /** A counted loop closed by a backward branch of a random type. */
        void loop(int depth, boolean mayFault) {
            int counter = depth == 0 ? OUTER : INNER;
            int count = depth == 0 ? 1 + random.nextInt(chance(20) ? 300 : 40) : 1 + random.nextInt(8);
            asm.li(counter, count);
            int head = asm.here();
            block(depth + 1, 1 + random.nextInt(4), false);
            if (mayFault) { // a load that leaves memory once the counter reaches j
                int j = random.nextInt(count);
                asm.i(Isa.SLLI, S1, counter, 2);
                asm.li(ADDR, END + 4 * j);
                asm.r(Isa.SUB, ADDR, ADDR, S1);
                asm.load(pick(LOADS), destination(), ADDR, 0);
            }
            asm.i(Isa.ADDI, counter, counter, -1);
            int op = pick(BRANCHES);
            switch (op) {
                case Isa.BNE -> asm.branchTo(Isa.BNE, counter, 0, head);
                case Isa.BLT -> asm.branchTo(Isa.BLT, 0, counter, head);
                case Isa.BLTU -> asm.branchTo(Isa.BLTU, 0, counter, head);
                case Isa.BGE, Isa.BGEU -> {
                    asm.i(Isa.ADDI, S3, 0, 1);
                    asm.branchTo(op, counter, S3, head);
                }
                default -> {
                    asm.i(Isa.SLTIU, S3, counter, 1);
                    asm.branchTo(Isa.BEQ, S3, 0, head);
                }
            }
        }

        /** Moves the code to just before the next page boundary, over a gap never executed. */
        void jumpToPageEnd() {
            int next = (asm.here() & ~(PAGE - 1)) + PAGE;
            int target = next - 4 * (1 + random.nextInt(6));
            if (target > asm.here() + 8) {
                asm.jalTo(0, target);
                asm.org(target);
            }
        }

        /**
         * Self-modifying code: a loop runs (translated, in translated mode), a store rewrites one
         * of its instructions, and the loop runs again. Or the loop body rewrites a later
         * instruction of its own on every iteration.
         */
        void selfModifyingLoop() {
            if (chance(50)) {
                asm.i(Isa.ADDI, S3, 0, 2); // passes
                int again = asm.li(OUTER, 20 + random.nextInt(200));
                int head = asm.here();
                block(2, 1 + random.nextInt(2), true);
                int victim = asm.word(chance(50) ? TestAssembler.encodeI(Isa.ADDI, 27, 27, random.nextInt(2048)) : aluWord());
                block(2, random.nextInt(2), true);
                asm.i(Isa.ADDI, OUTER, OUTER, -1);
                asm.branchTo(Isa.BNE, OUTER, 0, head);
                asm.i(Isa.ADDI, S3, S3, -1);
                int exit = asm.nop(); // beq s3, x0, done
                int replacement = aluWord();
                asm.li(S2, replacement);
                asm.li(ADDR, victim);
                switch (random.nextInt(3)) {
                    case 0 -> asm.store(Isa.SW, S2, ADDR, 0);
                    case 1 -> { // in halves, the upper one first
                        asm.i(Isa.SRLI, S1, S2, 16);
                        asm.store(Isa.SH, S1, ADDR, 2);
                        asm.store(Isa.SH, S2, ADDR, 0);
                    }
                    default -> { // byte by byte, the code is inconsistent in between but not run
                        for (int b = 0; b < 4; b++) {
                            asm.i(Isa.SRLI, S1, S2, 8 * b);
                            asm.store(Isa.SB, S1, ADDR, b);
                        }
                    }
                }
                asm.jalTo(0, again);
                int done = asm.here();
                asm.org(exit).branchTo(Isa.BEQ, S3, 0, done);
                asm.org(done);
            } else { // the body patches a later instruction of its own, differently every iteration
                asm.li(OUTER, 2 + random.nextInt(24)); // each iteration invalidates the page: kept short
                int head = asm.here();
                block(2, 1, true);
                int rd = destination();
                asm.i(Isa.ANDI, S2, OUTER, 0x7ff);
                asm.i(Isa.SLLI, S2, S2, 20);
                asm.li(S1, TestAssembler.encodeI(Isa.ADDI, rd, rd, 0));
                asm.r(Isa.OR, S2, S2, S1);
                int patch = asm.here(); // li ADDR, victim; sw S2, 0(ADDR): emitted once victim is known
                asm.nop();
                asm.nop();
                asm.nop();
                alu(random.nextInt(3));
                int victim = asm.i(Isa.ADDI, rd, rd, 1);
                asm.i(Isa.ADDI, OUTER, OUTER, -1);
                asm.branchTo(Isa.BNE, OUTER, 0, head);
                int after = asm.here();
                asm.org(patch).li(ADDR, victim);
                asm.store(Isa.SW, S2, ADDR, 0);
                asm.org(after);
            }
        }

        /** A random sequence of segments; {@code depth} limits nesting. */
        void block(int depth, int segments, boolean simple) {
            for (int i = 0; i < segments; i++) {
                int kind = random.nextInt(simple ? 4 : 9);
                switch (kind) {
                    case 0, 1 -> alu(1 + random.nextInt(8));
                    case 2 -> memoryOp();
                    case 3 -> {
                        if (depth < 3) {
                            forwardBranch(depth);
                        } else {
                            alu(2);
                        }
                    }
                    case 4 -> call();
                    case 5 -> asm.csr(Isa.CSRRS, destination(), pick(COUNTERS), 0);
                    case 6, 7 -> {
                        if (depth < 2) {
                            loop(depth, false);
                        } else {
                            alu(3);
                        }
                    }
                    default -> {
                        if (depth == 0 && chance(30)) {
                            jumpToPageEnd();
                        } else {
                            memoryOp();
                        }
                    }
                }
            }
        }

        /** How the program ends: ECALL mostly, otherwise a fault of some kind. */
        void ending() {
            switch (random.nextInt(12)) {
                case 0 -> { // a load from unmapped memory after a loop
                    loop(0, false);
                    asm.li(ADDR, pick(new int[] {END, END + 0x1000 - 2, BASE - 4, 0, -4}));
                    asm.load(pick(LOADS), destination(), ADDR, 0);
                }
                case 1 -> { // a store straddling out of memory after a loop: nothing may be written
                    loop(0, false);
                    asm.li(ADDR, END - 2);
                    asm.store(Isa.SW, source(), ADDR, 0);
                }
                case 2 -> loop(0, true); // a load in a loop body leaves memory at some iteration
                case 3 -> { // a jump to a misaligned address
                    loop(0, false);
                    asm.li(ADDR, nearLeaves.get(0) + 2);
                    asm.jalr(RA, ADDR, 0);
                }
                case 4 -> { // a jump out of memory
                    loop(0, false);
                    asm.li(ADDR, END + 0x100);
                    asm.jalr(RA, ADDR, 0);
                }
                case 5 -> { // an illegal instruction after a loop
                    loop(0, false);
                    asm.word(0);
                }
                default -> { }
            }
            asm.ecall();
        }

        Program generate(long seed) {
            makeLeaves();
            int entry = asm.origin();
            for (int r : DESTINATIONS) {
                if (r != 0 && chance(60)) {
                    asm.li(r, value());
                }
            }
            int segments = 4 + random.nextInt(14);
            for (int i = 0; i < segments && asm.here() < CODE_LIMIT - 4 * PAGE; i++) {
                if (chance(12)) {
                    selfModifyingLoop();
                } else {
                    block(0, 1, false);
                }
            }
            ending();
            if (asm.here() > CODE_LIMIT) {
                throw new IllegalStateException("program too long: " + Integer.toHexString(asm.here()));
            }
            byte[] data = new byte[DATA_END - DATA];
            random.nextBytes(data);
            return new Program(seed, asm, entry, data);
        }
    }

    static Program program(long seed) {
        return new Generator(seed).generate(seed);
    }

    // ---- running ------------------------------------------------------------------------------

    record Outcome(Stop stop, HartState state, byte[] memory) {}

    /** Runs the program on a fresh hart over fresh memory until it traps, with budgets from {@code budgets}. */
    static Outcome execute(Program program, int threshold, LongSupplier budgets) {
        PhysicalMemory memory = new PhysicalMemory(SIZE);
        FlatAddressSpace space = FlatAddressSpace.covering(memory, BASE);
        space.write(DATA, program.data(), 0, program.data().length);
        program.asm().writeTo(space);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTranslationThreshold(threshold);
        hart.setPc(program.entry());
        long total = 0;
        while (true) {
            long budget = budgets.getAsLong();
            long before = hart.instret();
            Stop stop = hart.run(budget);
            if (stop instanceof Stop.Trap) {
                return new Outcome(stop, hart.capture(), memory.bytes().clone());
            }
            assertEquals(hart.pc(), stop.pc(), "seed " + program.seed());
            assertEquals(before + budget, hart.instret(), "seed " + program.seed() + ": a slice retires its whole budget");
            total += budget;
            if (total > 100_000_000L) {
                fail("seed " + program.seed() + ": runaway program");
            }
        }
    }

    static void assertSameOutcome(Outcome expected, Outcome actual, String what) {
        assertEquals(expected.stop(), actual.stop(), what + ": stop");
        HartState e = expected.state();
        HartState a = actual.state();
        assertArrayEquals(e.registers(), a.registers(), what + ": registers");
        assertEquals(e.pc(), a.pc(), what + ": pc");
        assertEquals(e.instret(), a.instret(), what + ": instret");
        assertEquals(e.cycles(), a.cycles(), what + ": cycles");
        assertEquals(e, a, what + ": hart state");
        if (!Arrays.equals(expected.memory(), actual.memory())) {
            int i = Arrays.mismatch(expected.memory(), actual.memory());
            fail(String.format("%s: memory differs first at 0x%08x: expected %02x, was %02x", what, BASE + i,
                    expected.memory()[i], actual.memory()[i]));
        }
    }

    static final int PROGRAMS = 200;

    /** Whole translated runs by seed: the sliced runs compare against the very runs the first test makes. */
    static final Map<Long, Outcome> TRANSLATED_WHOLE = new ConcurrentHashMap<>();

    static Outcome translatedWhole(Program program) {
        return TRANSLATED_WHOLE.computeIfAbsent(program.seed(), seed -> execute(program, 1, () -> 1_000_000));
    }

    @Test
    void randomProgramsGiveIdenticalResultsInterpretedAndTranslated() {
        int trapsOtherThanEcall = 0;
        for (long seed = 1; seed <= PROGRAMS; seed++) {
            Program program = program(seed);
            Outcome interpreted = execute(program, Integer.MAX_VALUE, () -> 1_000_000);
            Outcome translated = translatedWhole(program);
            assertSameOutcome(interpreted, translated, "seed " + seed + " translated vs interpreted");
            if (((Stop.Trap) interpreted.stop()).cause() != TrapCause.ECALL_FROM_U) {
                trapsOtherThanEcall++;
            }
        }
        assertTrue(trapsOtherThanEcall > PROGRAMS / 10, "the generator makes faulting programs too: " + trapsOtherThanEcall);
    }

    @Test
    void randomProgramsResumeExactlyWhenTranslatedCodeRunsInRandomSlices() {
        for (long seed = 1; seed <= PROGRAMS / 2; seed++) {
            Program program = program(seed);
            Outcome whole = translatedWhole(program);
            Random slices = new Random(seed * 7919);
            Outcome sliced = execute(program, 1, () -> slices.nextInt(4) == 0 ? 1 + slices.nextInt(16) : 1 + slices.nextInt(5000));
            assertSameOutcome(whole, sliced, "seed " + seed + " sliced vs whole");
        }
    }

    @Test
    void randomProgramsAgreeWithTheDefaultThresholdToo() {
        for (long seed = 1000; seed < 1000 + PROGRAMS / 2; seed++) {
            Program program = program(seed);
            Outcome interpreted = execute(program, Integer.MAX_VALUE, () -> 1_000_000);
            Outcome translated = execute(program, Hart.DEFAULT_TRANSLATION_THRESHOLD, () -> 1_000_000);
            assertSameOutcome(interpreted, translated, "seed " + seed + " default threshold vs interpreted");
        }
    }

    // ---- focused: self-modifying code inside translated code -----------------------------------

    static final int A0 = 10, T0 = 5, T1 = 6, S0 = 8;

    /** Whether the page holding {@code pc} has a translation entered at {@code pc}. */
    static boolean translatedAt(PhysicalMemory memory, int pc) {
        DecodedPage page = memory.decodedPage((pc - BASE) & ~(PAGE - 1));
        return page != null && page.translation((pc & (PAGE - 1)) >>> 2) instanceof TranslatedCode;
    }

    /** Whether the page holding {@code pc} has any translation. */
    static boolean pageTranslated(PhysicalMemory memory, int pc) {
        DecodedPage page = memory.decodedPage((pc - BASE) & ~(PAGE - 1));
        for (int slot = 0; page != null && slot < DecodedPage.SLOTS; slot++) {
            if (page.translation(slot) instanceof TranslatedCode) {
                return true;
            }
        }
        return false;
    }

    /**
     * A loop adds 1 to a0 200 times (translated in translated mode: checked) and the program
     * stops at an ECALL after it; resumed, it stores a new ADDI immediate over the loop's add,
     * without FENCE.I, and runs the loop 200 times again: the new instruction takes effect at
     * once.
     */
    @ParameterizedTest(name = "threshold {0}")
    @ValueSource(ints = {Integer.MAX_VALUE, 1, Hart.DEFAULT_TRANSLATION_THRESHOLD})
    void storeIntoATranslatedLoopBodyTakesEffectOnTheNextRun(int threshold) {
        PhysicalMemory memory = new PhysicalMemory(SIZE);
        FlatAddressSpace space = FlatAddressSpace.covering(memory, BASE);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTranslationThreshold(threshold);
        TestAssembler asm = new TestAssembler(BASE);
        int again = asm.li(S0, 200);
        int head = asm.here();
        int body = asm.i(Isa.ADDI, A0, A0, 1);
        asm.i(Isa.ADDI, S0, S0, -1);
        asm.branchTo(Isa.BNE, S0, 0, head);
        int stop = asm.ecall();
        asm.li(T0, body);
        asm.li(S1, TestAssembler.encodeI(Isa.ADDI, A0, A0, 1000));
        asm.store(Isa.SW, S1, T0, 0);
        asm.jalTo(0, again);
        asm.writeTo(space);
        boolean translating = threshold != Integer.MAX_VALUE;
        hart.setPc(BASE);

        assertEquals(new Stop.Trap(TrapCause.ECALL_FROM_U, stop, 0), hart.run(1_000_000));
        assertEquals(200, hart.register(A0));
        assertEquals(2 + 200 * 3, hart.instret());
        assertEquals(translating, pageTranslated(memory, head), "the loop is translated");

        hart.setPc(stop + 4);
        assertEquals(new Stop.Trap(TrapCause.ECALL_FROM_U, stop, 0), hart.run(1_000_000));
        assertEquals(200 + 200 * 1000, hart.register(A0));
        assertEquals(2 + 200 * 3 + 6 + 2 + 200 * 3, hart.instret());
        assertEquals(translating, pageTranslated(memory, head), "the patched loop is translated again");
    }

    /**
     * The translated loop body itself stores a new instruction over a later instruction of the
     * same block on every iteration (addi a0, a0, i for counter i): each iteration runs the
     * instruction just stored.
     */
    @ParameterizedTest(name = "threshold {0}")
    @ValueSource(ints = {Integer.MAX_VALUE, 1, Hart.DEFAULT_TRANSLATION_THRESHOLD})
    void translatedLoopThatRewritesItsOwnNextInstructionRunsTheNewOneEveryIteration(int threshold) {
        PhysicalMemory memory = new PhysicalMemory(SIZE);
        FlatAddressSpace space = FlatAddressSpace.covering(memory, BASE);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTranslationThreshold(threshold);
        TestAssembler asm = new TestAssembler(BASE);
        int victimAddress = BASE + 4 * 12;
        asm.li(S0, 200); // +0
        asm.li(T0, victimAddress); // +8
        asm.li(S1, TestAssembler.encodeI(Isa.ADDI, A0, A0, 0)); // +16
        int head = asm.i(Isa.SLLI, T1, S0, 20); // +24: imm = counter
        asm.r(Isa.OR, T1, T1, S1); // +28
        asm.store(Isa.SW, T1, T0, 0); // +32
        asm.nop(); // +36
        asm.nop(); // +40
        asm.nop(); // +44
        int victim = asm.i(Isa.ADDI, A0, A0, 1); // +48
        asm.i(Isa.ADDI, S0, S0, -1);
        asm.branchTo(Isa.BNE, S0, 0, head);
        int done = asm.ecall();
        assertEquals(victimAddress, victim);
        asm.writeTo(space);
        hart.setPc(BASE);
        Stop.Trap trap = assertInstanceOf(Stop.Trap.class, hart.run(1_000_000));
        assertEquals(new Stop.Trap(TrapCause.ECALL_FROM_U, done, 0), trap);
        assertEquals(200 * 201 / 2, hart.register(A0));
        assertEquals(6 + 200 * 9, hart.instret());
        assertEquals(TestAssembler.encodeI(Isa.ADDI, A0, A0, 1), space.load32(victim));
    }

    /** The translator is really used by the threshold-1 runs of this class (and not by the others). */
    @Test
    void thresholdOneTranslatesALoopAndMaxValueNever() {
        for (int threshold : new int[] {1, Integer.MAX_VALUE}) {
            PhysicalMemory memory = new PhysicalMemory(SIZE);
            FlatAddressSpace space = FlatAddressSpace.covering(memory, BASE);
            Hart hart = new Hart(ExecutionMode.PROCESS, space);
            hart.setTranslationThreshold(threshold);
            TestAssembler asm = new TestAssembler(BASE);
            asm.li(S0, 10);
            int head = asm.i(Isa.ADDI, A0, A0, 3);
            asm.i(Isa.ADDI, S0, S0, -1);
            asm.branchTo(Isa.BNE, S0, 0, head);
            asm.ecall();
            asm.writeTo(space);
            hart.setPc(BASE);
            assertInstanceOf(Stop.Trap.class, hart.run(1_000_000));
            assertEquals(30, hart.register(A0));
            assertEquals(threshold == 1, translatedAt(memory, BASE), "entry, threshold " + threshold);
            assertEquals(threshold == 1, pageTranslated(memory, head), "threshold " + threshold);
        }
    }

    /**
     * {@link Hart#setTranslationThreshold} takes any threshold from 1 up: one above the range of
     * a short still translates a loop whose head is entered more often than that.
     */
    @Test
    void thresholdAboveThirtyTwoThousandStillTranslatesALoopEnteredMoreOftenThanThat() {
        PhysicalMemory memory = new PhysicalMemory(SIZE);
        FlatAddressSpace space = FlatAddressSpace.covering(memory, BASE);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTranslationThreshold(40_000);
        TestAssembler asm = new TestAssembler(BASE);
        asm.li(S0, 100_000);
        int head = asm.i(Isa.ADDI, A0, A0, 1);
        asm.i(Isa.ADDI, S0, S0, -1);
        asm.branchTo(Isa.BNE, S0, 0, head);
        asm.ecall();
        asm.writeTo(space);
        hart.setPc(BASE);
        assertInstanceOf(Stop.Trap.class, hart.run(1_000_000));
        assertEquals(100_000, hart.register(A0));
        assertTrue(pageTranslated(memory, head), "the loop head was entered 100000 times with threshold 40000");
    }
}
