package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The {@code uniform} command as a user drives it: parses the arguments through
 * {@link Uniform#commandLine()} and checks exit statuses and what is printed. The commands
 * write to {@link System#out} and {@link System#err} directly, so each run swaps both (and
 * {@link System#in}) for buffers and restores them afterwards; the class is isolated so no
 * other test runs while the standard streams are swapped.
 */
@Isolated
class UniformCommandTest {
    /** A trace line: pc, instruction word, disassembly. */
    private static final Pattern TRACE_LINE = Pattern.compile("(?m)^[0-9a-f]{8}  [0-9a-f]{8}  \\S.*$");

    @TempDir
    Path temporary;


    // ---- the top-level command ----

    @Test
    void helpListsEveryCommand() {
        CommandRun run = uniform("--help");
        assertEquals(0, run.status(), run::toString);
        for (String command : new String[] {"exec", "bare", "bench"}) {
            assertTrue(Pattern.compile("(?m)^\\s+" + command + "\\s").matcher(run.out()).find(),
                    () -> "--help lists '" + command + "':\n" + run);
        }
    }

    @Test
    void anUnknownOptionIsAUsageErrorNamingTheOption() {
        CommandRun run = uniform("--no-such-option");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("Unknown option: '--no-such-option'"), run::toString);
        assertTrue(run.err().contains("Usage:"), run::toString);
    }

    @Test
    void execWithoutAProgramIsAUsageError() {
        CommandRun run = uniform("exec");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("PROG.elf"), run::toString);
    }

    // ---- exec: programs that cannot run ----

    @Test
    void execOfAMissingFileGives127AndSaysNoSuchFile() {
        Path missing = temporary.resolve("missing.elf");
        CommandRun run = uniform("exec", missing.toString());
        assertEquals(127, run.status(), run::toString);
        assertTrue(run.err().contains("no such file"), run::toString);
        assertTrue(run.err().contains(missing.toString()), () -> "names the file:\n" + run);
    }

    @Test
    void execOfATextFileGives126AndSaysItIsNotAnElfFile() throws IOException {
        Path text = Files.writeString(temporary.resolve("notes.txt"), "#!/bin/sh\necho this is not an executable\n");
        CommandRun run = uniform("exec", text.toString());
        assertEquals(126, run.status(), run::toString);
        assertTrue(run.err().contains("not an ELF file"), run::toString);
        assertTrue(run.err().contains(text.toString()), () -> "names the file:\n" + run);
        assertEquals("", run.out(), "nothing on stdout");
    }

    @Test
    void execOfATruncatedGuestProgramGives126AndSaysWhatLiesOutsideTheFile() throws IOException {
        byte[] whole = Files.readAllBytes(Path.of(guest("elf/tests/hello.elf")));
        for (int length : new int[] {20, 100, whole.length / 2}) {
            Path truncated = Files.write(temporary.resolve("hello-" + length + ".elf"), Arrays.copyOf(whole, length));
            CommandRun run = uniform("exec", truncated.toString());
            assertEquals(126, run.status(), () -> length + " bytes: " + run);
            assertTrue(run.err().contains("truncated") || run.err().contains("outside the " + length + "-byte file"),
                    () -> length + " bytes: the message says the file is cut short:\n" + run);
            assertEquals("", run.out(), "nothing ran");
        }
    }

    @Test
    void execWithAMemorySizeThatIsNotAWholeNumberOfPagesIsAUsageErrorNamingTheSize() {
        CommandRun run = uniform("exec", "--memory", "3K", guest("elf/tests/exitcode.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--memory"), run::toString);
        assertTrue(run.err().contains("'3K'"), run::toString);
        assertEquals("", run.out(), "nothing ran");
    }

    @Test
    void execWithSomethingThatIsNotASizeIsAUsageError() {
        CommandRun run = uniform("exec", "--stack", "lots", guest("elf/tests/exitcode.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("'lots' is not a size"), run::toString);
    }

    // ---- exec: programs that run ----

    @Test
    void execReturnsTheProgramsExitStatusAndPrintsItsOutput() {
        CommandRun run = uniform("exec", guest("elf/tests/exitcode.elf"));
        assertEquals(42, run.status(), run::toString);
        assertEquals("exiting with status 42 - atexit handler ran\n", run.out(), run::toString);
        assertEquals("", run.err(), run::toString);
    }

    @Test
    void execFilesGivesTheProgramADirectoryAsItsFileSystem() throws IOException {
        Path files = Files.createDirectory(temporary.resolve("files"));
        Files.writeString(files.resolve("uniform-files-test.tmp"), "a leftover the program removes first");
        CommandRun run = uniform("exec", "--files", files.toString(), guest("elf/tests/files.elf"));
        assertEquals(0, run.status(), run::toString);
        assertEquals(Files.readString(Path.of(guest("expected/tests/files.out"))), run.out(), run::toString);
        assertEquals("", run.err(), run::toString);
        try (var left = Files.list(files)) {
            assertEquals(0, left.count(), "the program removed its file");
        }
    }

    @Test
    void execFilesThatIsNotADirectoryIsAUsageErrorNamingIt() throws IOException {
        Path file = Files.writeString(temporary.resolve("plain.txt"), "not a directory");
        for (Path notADirectory : new Path[] {file, temporary.resolve("missing")}) {
            CommandRun run = uniform("exec", "--files", notADirectory.toString(), guest("elf/tests/hello.elf"));
            assertEquals(2, run.status(), run::toString);
            assertTrue(run.err().contains("--files " + notADirectory + ": not a directory"), run::toString);
            assertTrue(run.err().contains("Usage:"), run::toString);
            assertEquals("", run.out(), run::toString);
        }
    }

    @Test
    void execPassesTheArgumentsAfterTheProgramToIt() {
        CommandRun run = uniform("exec", guest("elf/tests/hello.elf"), "one", "two words");
        assertEquals(0, run.status(), run::toString);
        assertEquals("Hello, world!\nargv[1] = one\nargv[2] = two words\n", run.out(), run::toString);
    }

    @Test
    void execWithAStackNotSmallerThanMemoryIsAUsageError() {
        CommandRun run = uniform("exec", "--memory", "8M", "--stack", "8M", guest("elf/tests/exitcode.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--stack"), run::toString);
    }

    @Test
    void execWithArgumentsOverAQuarterOfTheStackGives126ArgumentListTooLong() {
        CommandRun run = uniform("exec", "--memory", "64K", "--stack", "8K", guest("elf/tests/hello.elf"), "x".repeat(50_000));
        assertEquals(126, run.status(), run::toString);
        assertTrue(run.err().contains("argument list too long"), run::toString);
    }

    /**
     * Like qemu-riscv32, everything after the program belongs to the program, even words that
     * look like options of {@code exec}: {@code uniform exec prog.elf --trace} runs prog.elf
     * with argv[1] = "--trace".
     */
    @Test
    void execPassesArgumentsThatLookLikeOptionsToTheProgram() {
        CommandRun unknown = uniform("exec", guest("elf/tests/hello.elf"), "--foo", "-x");
        assertEquals(0, unknown.status(), unknown::toString);
        assertEquals("Hello, world!\nargv[1] = --foo\nargv[2] = -x\n", unknown.out(), unknown::toString);

        CommandRun known = uniform("exec", guest("elf/tests/hello.elf"), "one", "--trace", "--memory", "3K");
        assertEquals(0, known.status(), known::toString);
        assertEquals("Hello, world!\nargv[1] = one\nargv[2] = --trace\nargv[3] = --memory\nargv[4] = 3K\n",
                known.out(), known::toString);
        assertFalse(TRACE_LINE.matcher(known.err()).find(), () -> "exec's own --trace stays off:\n" + known);
    }

    @Test
    void anEndOfOptionsMarkerBeforeTheProgramPassesOptionLikeArgumentsToIt() {
        CommandRun run = uniform("exec", "--", guest("elf/tests/hello.elf"), "--foo");
        assertEquals(0, run.status(), run::toString);
        assertEquals("Hello, world!\nargv[1] = --foo\n", run.out(), run::toString);
    }

    @Test
    void execOfAProgramKilledByAFaultGives128PlusSigsegvAndSaysWhy() {
        CommandRun run = uniform("exec", guest("elf/tests/fault.elf"));
        assertEquals(139, run.status(), run::toString);
        assertEquals("about to store to an unmapped address\n", run.out(), "what it printed before the fault");
        assertTrue(run.err().contains("SIGSEGV"), run::toString);
        assertTrue(run.err().contains("0x00000010"), () -> "names the faulting address:\n" + run);
    }

    @Test
    void execTracePrintsEveryInstructionToStderrAndKeepsTheStatus() {
        CommandRun run = uniform("exec", "--trace", guest("elf/tests/exitcode.elf"));
        assertEquals(42, run.status(), run::toString);
        assertEquals("exiting with status 42 - atexit handler ran\n", run.out(), "stdout is the program's alone");
        String[] lines = run.err().split("\n");
        assertTrue(lines.length > 100, () -> "one line per instruction, got " + lines.length);
        for (String line : lines) {
            assertTrue(TRACE_LINE.matcher(line).matches(), () -> "trace line format (pc, word, disassembly): " + line);
        }
        Pattern ecall = Pattern.compile("(?m)^[0-9a-f]{8}  00000073  ecall\\b");
        assertTrue(ecall.matcher(run.err()).find(), "system calls are traced as ecall");
        Pattern write = Pattern.compile("(?m)^[0-9a-f]{8}  [0-9a-f]{8}  \\S.* a[0-7]=0x[0-9a-f]{8}$");
        assertTrue(write.matcher(run.err()).find(), "the written register and its value are shown");
        int first = Integer.parseUnsignedInt(lines[0].substring(0, 8), 16);
        assertTrue(first >= 0x10000 && first < 0x20000, () -> "the first instruction is in the image's text: " + lines[0]);
    }

    // ---- bare ----

    @Test
    void bareOfAPassingTestGives0AndPrintsPass() {
        CommandRun run = uniform("bare", guest("elf/bare/rv32ui_alu.elf"));
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("PASS "), run::toString);
        assertTrue(run.out().contains("rv32ui_alu.elf"), run::toString);
    }

    @Test
    void bareOfAFailingTestGives1AndNamesTheFailedTestNumber() {
        CommandRun run = uniform("bare", guest("elf/bare/fail_test3.elf"));
        assertEquals(1, run.status(), run::toString);
        assertTrue(run.out().startsWith("FAIL "), run::toString);
        assertTrue(run.out().contains("test 3"), run::toString);
    }

    @Test
    void bareWithATooSmallLimitGives3AndSaysThereIsNoResult() {
        CommandRun run = uniform("bare", "--limit", "10", guest("elf/bare/rv32ui_alu.elf"));
        assertEquals(3, run.status(), run::toString);
        assertTrue(run.err().contains("no result"), run::toString);
        assertTrue(run.err().contains("10 instructions"), run::toString);
        assertEquals("", run.out(), run::toString);
    }

    @Test
    void bareWithANonPositiveLimitIsAUsageError() {
        CommandRun run = uniform("bare", "--limit", "0", guest("elf/bare/rv32ui_alu.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--limit"), run::toString);
    }

    @Test
    void bareTracePrintsOneLinePerInstruction() {
        CommandRun run = uniform("bare", "--trace", "--limit", "5", guest("elf/bare/rv32ui_alu.elf"));
        assertEquals(3, run.status(), run::toString);
        long traced = run.err().lines().filter(line -> TRACE_LINE.matcher(line).matches()).count();
        assertEquals(5, traced, run::toString);
        assertTrue(run.err().startsWith("80000000  "), () -> "starts at the bare-metal entry 0x80000000:\n" + run);
    }

    @Test
    void bareOfAUserModeProgramGives126AndSaysItsAddressesAreOutsideRam() {
        CommandRun run = uniform("bare", guest("elf/tests/hello.elf"));
        assertEquals(126, run.status(), run::toString);
        assertTrue(run.err().contains("hello.elf"), () -> "names the file:\n" + run);
        assertTrue(run.err().contains("outside the allowed address range"), run::toString);
        assertTrue(run.err().contains("0x80000000"), () -> "says where RAM is:\n" + run);
        assertEquals("", run.out(), run::toString);
    }

    @Test
    void bareOfAProgramWithoutTohostGives126AndSaysSo() throws IOException {
        // A bare test with its section header table cut off has no symbols, so no 'tohost'.
        byte[] elf = Files.readAllBytes(Path.of(guest("elf/bare/rv32ui_alu.elf")));
        // e_shoff = 0, e_shnum = 0, e_shstrndx = 0: no section header table, so no symbols.
        Arrays.fill(elf, 32, 36, (byte) 0);
        Arrays.fill(elf, 48, 52, (byte) 0);
        Path stripped = Files.write(temporary.resolve("stripped.elf"), elf);
        CommandRun run = uniform("bare", stripped.toString());
        assertEquals(126, run.status(), run::toString);
        assertTrue(run.err().contains("no 'tohost' symbol"), run::toString);
    }

    // ---- bench ----

    @Test
    void benchRunsAProgramUnderUniformAndQemuAndPrintsTheTable() {
        Reference.require("qemu-riscv32");
        CommandRun run = uniform("bench", "--runs", "1", "--arg", "1", guest("elf/bench/bench_crc.elf"));
        assertEquals(0, run.status(), run::toString);
        assertTrue(Pattern.compile("(?m)^program\\s+instructions\\s").matcher(run.out()).find(),
                () -> "the table has a header:\n" + run);
        assertTrue(Pattern.compile("(?m)^bench_crc\\.elf\\s+\\d+\\s+\\d+\\.\\d+\\s").matcher(run.out()).find(),
                () -> "the table has a row for the program:\n" + run);
        assertTrue(Pattern.compile("(?m)^geometric mean ratio uniform/qemu: \\d+\\.\\d+ \\(1 programs")
                .matcher(run.out()).find(), () -> "the geometric mean ratio is reported:\n" + run);
        assertFalse(run.err().contains("differs"), run::toString);
    }

    @Test
    void benchOfAMissingProgramFailsAtOnceAndNamesIt() {
        Path missing = temporary.resolve("missing.elf");
        CommandRun run = uniform("bench", "--runs", "1", guest("elf/bench/bench_crc.elf"), missing.toString());
        assertEquals(127, run.status(), run::toString);
        assertTrue(run.err().contains("no such file"), run::toString);
        assertTrue(run.err().contains(missing.toString()), () -> "names the file:\n" + run);
        assertEquals("", run.out(), () -> "nothing ran, not even the first program:\n" + run);
    }

    @Test
    void benchWithAReferenceEmulatorThatCannotStartFailsAndSaysSo() {
        CommandRun run = uniform("bench", "--runs", "1", "--arg", "1", "--qemu", temporary.resolve("no-such-qemu").toString(),
                guest("elf/bench/bench_crc.elf"));
        assertEquals(1, run.status(), run::toString);
        assertTrue(run.err().contains("cannot run the reference emulator"), run::toString);
        assertTrue(run.err().contains("no-such-qemu"), () -> "names the emulator:\n" + run);
    }
}
