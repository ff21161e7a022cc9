package io.uniform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.Hart;
import io.uniform.cpu.Stop;
import io.uniform.cpu.TrapCause;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.Section;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.guest.GuestFiles;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Linux layer run against the committed guest ELFs (guest/elf): the OS flag of the unified
 * library and the call wedge's deficiency path, the one-time ENOSYS warning, how a process
 * ends (exit, exit_group, a fault) and execve's argument limit. Programs under guest/elf/linux
 * exist for these tests only: a real Linux answers them differently, so the differential
 * manifest leaves them out.
 */
class LinuxProcessTest {
    private static final long INSTRUCTION_CAP = 200_000_000L;
    private static final int OS_FLAG_OFFSET = 8;
    /** An OS flag no branch of the call wedge knows: every call goes to the deficiency routine. */
    private static final int OS_UNKNOWN = 3;
    private static final int DEFICIENCY_CODE = 0x46454455; // "UDEF"
    private static final int EBREAK = 0x00100073;
    private static final int SYS_WRITE = 64;
    private static final int A0 = 10;
    private static final int A7 = 17;

    /** A process and the console it writes to. */
    private record Run(LinuxProcess process, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }

        ExitStatus finish() {
            Optional<ExitStatus> status = Optional.empty();
            while (status.isEmpty() && process.hart().cycles() < INSTRUCTION_CAP) {
                status = process.runSlice(1 << 20);
            }
            return status.orElseThrow(() -> new AssertionError("no exit within " + INSTRUCTION_CAP + " instructions"));
        }
    }



    private static Run start(byte[] image, LinuxProcess.Limits limits, String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add("program");
        argv.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new ByteArrayInputStream(new byte[0]), out, err);
        return new Run(LinuxProcess.exec(image, argv, Map.of(), limits, console, null, ProcessClock.host()), out, err);
    }

    private static Run start(String name, String... args) throws Exception {
        return start(GuestFiles.elf(name), LinuxProcess.Limits.DEFAULT, args);
    }

    /** Address of the os word of {@code __uniform_abi}, from the {@code .uniform} section. */
    private static int osFlagAddress(byte[] image) throws Exception {
        Section section = ElfFile.parse(image, LinuxProcess.LOAD_BASE, 1L << 32).sections().get(".uniform");
        assertNotNull(section, "the unified library links a .uniform section");
        assertEquals(16, section.size(), "struct uniform_abi is 16 bytes");
        return section.address() + OS_FLAG_OFFSET;
    }

    /** Runs the hart by itself (no system call handling) until its first trap. */
    private static Stop.Trap runToTrap(Hart hart) {
        for (long executed = 0; executed < INSTRUCTION_CAP; executed += 1 << 20) {
            Stop stop = hart.run(1 << 20);
            if (stop instanceof Stop.Trap trap) {
                return trap;
            }
        }
        throw new AssertionError("no trap within " + INSTRUCTION_CAP + " instructions");
    }

    // (a) The OS flag and the call wedge.

    @Test
    void execSetsTheOsFlagToLinux() throws Exception {
        byte[] image = GuestFiles.elf("tests/hello.elf");
        // Ship an image whose flag says 0: exec must write LINUX (1) whatever the file holds.
        byte[] header = {'U', 'N', 'F', 'M', 1, 0, 0, 0, 1, 0, 0, 0};
        int at = indexOf(image, header);
        assertTrue(at >= 0, "the image carries __uniform_abi = {\"UNFM\", 1, LINUX}");
        assertEquals(-1, indexOf(Arrays.copyOfRange(image, at + 1, image.length), header), "just once");
        byte[] patched = image.clone();
        patched[at + OS_FLAG_OFFSET] = 0;

        int flag = osFlagAddress(patched);
        Run run = start(patched, LinuxProcess.Limits.DEFAULT);
        AddressSpace space = run.process().hart().addressSpace();
        assertArrayEquals("UNFM".getBytes(StandardCharsets.US_ASCII), space.read(flag - OS_FLAG_OFFSET, 4));
        assertEquals(UnifiedLibrary.OS_LINUX, space.load32(flag));
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("Hello, world!\n", run.stdout());
    }

    @Test
    void unknownOsFlagMakesTheFirstCallADeficiencyThatKillsWithSigtrap() throws Exception {
        byte[] image = GuestFiles.elf("tests/hello.elf");
        Run run = start(image, LinuxProcess.Limits.DEFAULT);
        run.process().hart().addressSpace().store32(osFlagAddress(image), OS_UNKNOWN);

        ExitStatus status = run.finish();
        assertEquals(ExitStatus.killed(Signal.SIGTRAP), status, "this layer does not implement the deficiency protocol");
        assertEquals(133, status.shellStatus());
        String report = run.process().killReport().orElseThrow();
        assertTrue(report.contains("BREAKPOINT"), report);
        assertTrue(report.contains("SIGTRAP"), report);
        assertEquals("", run.stdout(), "nothing was written");
    }

    @Test
    void wedgeDispatchesAgainOnceTheFlagIsRewritten() throws Exception {
        byte[] image = GuestFiles.elf("tests/hello.elf");
        int flag = osFlagAddress(image);
        Run run = start(image, LinuxProcess.Limits.DEFAULT);
        Hart hart = run.process().hart();
        AddressSpace space = hart.addressSpace();
        space.store32(flag, OS_UNKNOWN);

        Stop.Trap trap = runToTrap(hart);
        assertEquals(TrapCause.BREAKPOINT, trap.cause(), trap.toString());
        assertEquals(EBREAK, space.load32(trap.pc()), "stopped at the deficiency routine's ebreak");
        assertEquals(DEFICIENCY_CODE, hart.register(A7), "a7 holds UNIFORM_DEFICIENCY_CODE");
        assertEquals(SYS_WRITE, hart.register(A0), "a0 names the call the OS could not serve: write");

        // Resumed with the flag unchanged, the wedge asks again for the same call.
        hart.setPc(trap.pc() + 4);
        Stop.Trap again = runToTrap(hart);
        assertEquals(TrapCause.BREAKPOINT, again.cause(), again.toString());
        assertEquals(trap.pc(), again.pc());
        assertEquals(DEFICIENCY_CODE, hart.register(A7));
        assertEquals(SYS_WRITE, hart.register(A0));

        // What a migration does: the destination rewrites the flag and resumes after the ebreak.
        space.store32(flag, UnifiedLibrary.OS_LINUX);
        hart.setPc(again.pc() + 4);
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("Hello, world!\n", run.stdout());
        assertTrue(run.process().killReport().isEmpty());
    }

    // (b) Unimplemented calls.

    @Test
    void unimplementedCallReturnsEnosysAndWarnsOnce() throws Exception {
        Run run = start("linux/unimplemented.elf");
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("getpid -38\ngetpid -38\n", run.stdout(), "both calls return -ENOSYS");
        List<String> lines = run.stderr().lines().toList();
        assertEquals(1, lines.size(), "one warning, however often the call is made: " + run.stderr());
        assertTrue(lines.get(0).contains("getpid (172)"), lines.get(0));
        assertTrue(lines.get(0).contains("ENOSYS"), lines.get(0));
        assertTrue(run.stderr().endsWith("\n"));
    }

    // (c) How a process ends.

    @Test
    void rawExitEndsTheProcessWithoutFlushingStdio() throws Exception {
        Run run = start("linux/exit_call.elf", "exit", "7");
        ExitStatus status = run.finish();
        assertEquals(ExitStatus.exited(7), status);
        assertNull(status.signal());
        assertEquals(7, status.shellStatus());
        assertEquals("about to exit(7)\n", run.stdout(), "the unterminated line stays in the stdio buffer");
        assertTrue(run.process().killReport().isEmpty());
    }

    @Test
    void rawExitGroupEndsTheProcessWithTheLowByteOfItsStatus() throws Exception {
        Run run = start("linux/exit_call.elf", "exit_group", "300");
        ExitStatus status = run.finish();
        assertEquals(ExitStatus.exited(300 & 0xff), status);
        assertEquals(44, status.shellStatus());
        assertEquals("about to exit_group(300)\n", run.stdout());
        assertTrue(run.process().killReport().isEmpty());
    }

    @Test
    void libraryExitRunsAtexitAndFlushes() throws Exception {
        Run run = start("tests/exitcode.elf");
        assertEquals(ExitStatus.exited(42), run.finish());
        assertEquals(new String(Files.readAllBytes(GuestFiles.directory().resolve("expected/tests/exitcode.out")),
                StandardCharsets.UTF_8), run.stdout());
    }

    @Test
    void processEndsOnceAndStaysEnded() throws Exception {
        Run run = start("linux/exit_call.elf", "exit", "3");
        ExitStatus status = run.finish();
        long cycles = run.process().hart().cycles();
        assertEquals(Optional.of(status), run.process().runSlice(1000));
        assertEquals(cycles, run.process().hart().cycles(), "an ended process runs no more instructions");
    }

    @Test
    void storeToUnmappedAddressKillsWithSigsegv() throws Exception {
        Run run = start("tests/fault.elf");
        ExitStatus status = run.finish();
        assertEquals(ExitStatus.killed(Signal.SIGSEGV), status);
        assertEquals(139, status.shellStatus());
        assertEquals("about to store to an unmapped address\n", run.stdout());
        String report = run.process().killReport().orElseThrow();
        assertTrue(report.contains("SIGSEGV"), report);
        assertTrue(report.contains("STORE_ACCESS_FAULT") || report.contains("STORE_PAGE_FAULT"), report);
        assertTrue(report.contains("0x00000010"), "names the faulting address: " + report);
    }

    // (d) execve's limit on arguments and environment.

    @Test
    void argumentsOverAQuarterOfTheStackAreRefused() throws Exception {
        LinuxProcess.Limits limits = new LinuxProcess.Limits(4 << 20, 64 << 10); // quarter: 16 KiB
        byte[] image = GuestFiles.elf("tests/hello.elf");
        String big = "x".repeat(16 << 10);
        ExecFailure failure = assertThrows(ExecFailure.class, () -> start(image, limits, big));
        assertTrue(failure.getMessage().contains("argument list too long"), failure.getMessage());

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add("a"); // 2 bytes of string and 4 of pointer each
        }
        assertThrows(ExecFailure.class, () -> start(image, limits, many.toArray(String[]::new)));

        Console console = new Console(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream());
        assertThrows(ExecFailure.class, () -> LinuxProcess.exec(image, List.of("hello"),
                Map.of("HUGE", big), limits, console, null, ProcessClock.host()), "the environment counts too");
    }

    @Test
    void argumentsWithinTheLimitArePassed() throws Exception {
        LinuxProcess.Limits limits = new LinuxProcess.Limits(4 << 20, 64 << 10);
        String large = "y".repeat(8 << 10); // half the limit
        Run run = start(GuestFiles.elf("tests/hello.elf"), limits, large, "two");
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("Hello, world!\nargv[1] = " + large + "\nargv[2] = two\n", run.stdout());
    }

    @Test
    void aProcessCapturedMidRunContinuesInAFreshProcessWithTheSameOutput() throws Exception {
        Run uninterrupted = start("tests/matmul.elf");
        assertEquals(0, uninterrupted.finish().shellStatus());

        Run original = start("tests/matmul.elf");
        assertTrue(original.process().runSlice(5_000_000).isEmpty(), "still running after 5M instructions");
        LinuxProcess.Image image = original.process().capture();
        assertTrue(image.memory().storedBytes() < image.memory().size() / 16,
                () -> "only touched pages are stored: " + image.memory().storedBytes() + " bytes");

        ByteArrayOutputStream movedOut = new ByteArrayOutputStream();
        Console console = new Console(new ByteArrayInputStream(new byte[0]), movedOut, new ByteArrayOutputStream());
        Run moved = new Run(LinuxProcess.restore(image, console, ProcessClock.host()), movedOut, new ByteArrayOutputStream());
        assertEquals(0, moved.finish().shellStatus());
        assertEquals(uninterrupted.stdout(), original.stdout() + moved.stdout());
        assertEquals(uninterrupted.process().hart().instret(), moved.process().hart().instret());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
