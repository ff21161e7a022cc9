package io.uniform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The kernel run against the committed guest ELFs (guest/elf): the OS flag of the unified
 * library and the call wedge's deficiency path, unimplemented calls, how a process ends (exit,
 * exit_group, a fault) and execve's argument limit. Programs under guest/elf/linux exist for
 * these tests only: a real Linux answers them differently, so the differential manifest leaves
 * them out. The POSIX behaviour (fork, pipes, wait, execve, files, memory) is proven against
 * qemu-riscv32 by the guest programs of guest/posix (GuestProgramsTest in the cli module).
 */
class LinuxTest {
    static final long INSTRUCTION_CAP = 400_000_000L;
    private static final int OS_FLAG_OFFSET = 8;
    /** An OS flag no branch of the call wedge knows: every call goes to the deficiency routine. */
    private static final int OS_UNKNOWN = 3;
    private static final int DEFICIENCY_CODE = 0x46454455; // "UDEF"
    private static final int EBREAK = 0x00100073;
    private static final int SYS_WRITE = 64;
    private static final int A0 = 10;
    private static final int A7 = 17;

    /** A kernel with one job and the console it writes to. */
    record Run(Linux linux, Task first, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        /** Runs until every task has ended; fails on a deadlock or after {@link #INSTRUCTION_CAP} instructions. */
        ExitStatus finish() {
            while (linux.instructions() < INSTRUCTION_CAP) {
                Linux.Progress progress = linux.runSlice(1 << 20);
                switch (progress.outlook()) {
                    case FINISHED -> {
                        return first.exitStatus().orElseThrow();
                    }
                    case DEADLOCKED -> throw new AssertionError("deadlock: " + linux.liveTasks());
                    case SLEEPING, RUNNABLE -> { }
                }
            }
            throw new AssertionError("no end within " + INSTRUCTION_CAP + " instructions");
        }
    }

    static Run start(Linux.Config config, byte[] image, String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add("program");
        argv.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new ByteArrayInputStream(new byte[0]), out, err);
        Linux linux = new Linux(config, null, ProcessClock.host());
        return new Run(linux, linux.spawn(image, argv, Map.of(), console), out, err);
    }

    static Run start(String name, String... args) throws Exception {
        return start(Linux.Config.DEFAULT, GuestFiles.elf(name), args);
    }

    /** Address of the os word of {@code __uniform_abi}, from the {@code .uniform} section. */
    private static int osFlagAddress(byte[] image) throws Exception {
        Section section = ElfFile.parse(image, Linux.LOAD_BASE, 1L << 32).sections().get(".uniform");
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
    void spawnSetsTheOsFlagToLinux() throws Exception {
        byte[] image = GuestFiles.elf("tests/hello.elf");
        // Ship an image whose flag says 0: the kernel must write LINUX (1) whatever the file holds.
        byte[] header = {'U', 'N', 'F', 'M', 1, 0, 0, 0, 1, 0, 0, 0};
        int at = indexOf(image, header);
        assertTrue(at >= 0, "the image carries __uniform_abi = {\"UNFM\", 1, LINUX}");
        assertEquals(-1, indexOf(Arrays.copyOfRange(image, at + 1, image.length), header), "just once");
        byte[] patched = image.clone();
        patched[at + OS_FLAG_OFFSET] = 0;

        int flag = osFlagAddress(patched);
        Run run = start(Linux.Config.DEFAULT, patched);
        AddressSpace space = run.first().hart().addressSpace();
        assertArrayEquals("UNFM".getBytes(StandardCharsets.US_ASCII), space.read(flag - OS_FLAG_OFFSET, 4));
        assertEquals(UnifiedLibrary.OS_LINUX, space.load32(flag));
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("Hello, world!\n", run.stdout());
    }

    @Test
    void unknownOsFlagMakesTheFirstCallADeficiencyThatKillsWithSigtrap() throws Exception {
        byte[] image = GuestFiles.elf("tests/hello.elf");
        Run run = start(Linux.Config.DEFAULT, image);
        run.first().hart().addressSpace().store32(osFlagAddress(image), OS_UNKNOWN);

        ExitStatus status = run.finish();
        assertEquals(ExitStatus.killed(Signal.SIGTRAP), status, "this kernel does not implement the deficiency protocol");
        assertEquals(133, status.shellStatus());
        String report = run.first().killReport().orElseThrow();
        assertTrue(report.contains("BREAKPOINT"), report);
        assertTrue(report.contains("SIGTRAP"), report);
        assertEquals("", run.stdout(), "nothing was written");
    }

    @Test
    void wedgeDispatchesAgainOnceTheFlagIsRewritten() throws Exception {
        byte[] image = GuestFiles.elf("tests/hello.elf");
        int flag = osFlagAddress(image);
        Run run = start(Linux.Config.DEFAULT, image);
        Hart hart = run.first().hart();
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

        // What a migration does: the destination rewrites the flag and resumes after the ebreak.
        space.store32(flag, UnifiedLibrary.OS_LINUX);
        hart.setPc(again.pc() + 4);
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("Hello, world!\n", run.stdout());
        assertTrue(run.first().killReport().isEmpty());
    }

    // (b) Unimplemented calls.

    @Test
    void unimplementedCallReturnsEnosysAndIsCountedByName() throws Exception {
        Run run = start("linux/unimplemented.elf");
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("rt_sigaction -38\nrt_sigaction -38\n", run.stdout(), "both calls return -ENOSYS");
        SortedMap<String, Long> counts = run.linux().unimplementedCalls();
        assertEquals(Map.of("rt_sigaction", 2L), counts);
        assertEquals("", run.err().toString(StandardCharsets.UTF_8), "the warning goes to the log, not to the program's stderr");
    }

    // (c) How a process ends.

    @Test
    void rawExitEndsTheProcessWithoutFlushingStdio() throws Exception {
        Run run = start("linux/exit_call.elf", "exit", "7");
        ExitStatus status = run.finish();
        assertEquals(ExitStatus.exited(7), status);
        assertEquals("about to exit(7)\n", run.stdout(), "the unterminated line stays in the stdio buffer");
        assertTrue(run.first().killReport().isEmpty());
    }

    @Test
    void rawExitGroupEndsTheProcessWithTheLowByteOfItsStatus() throws Exception {
        Run run = start("linux/exit_call.elf", "exit_group", "300");
        assertEquals(ExitStatus.exited(300 & 0xff), run.finish());
        assertEquals("about to exit_group(300)\n", run.stdout());
    }

    @Test
    void libraryExitRunsAtexitAndFlushes() throws Exception {
        Run run = start("tests/exitcode.elf");
        assertEquals(ExitStatus.exited(42), run.finish());
        assertEquals(Files.readString(GuestFiles.directory().resolve("expected/tests/exitcode.out")), run.stdout());
    }

    @Test
    void anEndedJobRunsNoMoreAndGivesItsMemoryBack() throws Exception {
        Run run = start("linux/exit_call.elf", "exit", "3");
        assertTrue(run.linux().memory().committedBytes() > 0, "the image and stack are charged while it runs");
        run.finish();
        long instructions = run.linux().instructions();
        Linux.Progress after = run.linux().runSlice(1000);
        assertEquals(Linux.Outlook.FINISHED, after.outlook());
        assertEquals(instructions, run.linux().instructions(), "an ended job runs no more instructions");
        assertEquals(0, run.linux().memory().committedBytes());
        assertEquals(0, run.linux().memory().framesInUse());
    }

    @Test
    void storeToUnmappedAddressKillsWithSigsegv() throws Exception {
        Run run = start("tests/fault.elf");
        ExitStatus status = run.finish();
        assertEquals(ExitStatus.killed(Signal.SIGSEGV), status);
        assertEquals(139, status.shellStatus());
        assertEquals("about to store to an unmapped address\n", run.stdout());
        String report = run.first().killReport().orElseThrow();
        assertTrue(report.contains("SIGSEGV"), report);
        assertTrue(report.contains("STORE_PAGE_FAULT"), report);
        assertTrue(report.contains("0x00000010"), "names the faulting address: " + report);
    }

    // (d) The limit on arguments and environment.

    @Test
    void argumentsOverAQuarterOfTheStackAreRefused() throws Exception {
        Linux.Config config = new Linux.Config(4 << 20, 64 << 10, 16, 1 << 16); // quarter: 16 KiB
        byte[] image = GuestFiles.elf("tests/hello.elf");
        String big = "x".repeat(16 << 10);
        ExecFailure failure = assertThrows(ExecFailure.class, () -> start(config, image, big));
        assertTrue(failure.getMessage().contains("argument list too long"), failure.getMessage());

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add("a"); // 2 bytes of string and 4 of pointer each
        }
        assertThrows(ExecFailure.class, () -> start(config, image, many.toArray(String[]::new)));

        Linux linux = new Linux(config, null, ProcessClock.host());
        Console console = new Console(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), new ByteArrayOutputStream());
        assertThrows(ExecFailure.class, () -> linux.spawn(image, List.of("hello"), Map.of("HUGE", big), console),
                "the environment counts too");
        assertEquals(0, linux.memory().committedBytes(), "a refused program leaves nothing mapped");
    }

    @Test
    void argumentsWithinTheLimitArePassed() throws Exception {
        Linux.Config config = new Linux.Config(4 << 20, 64 << 10, 16, 1 << 16);
        String large = "y".repeat(8 << 10); // half the limit
        Run run = start(config, GuestFiles.elf("tests/hello.elf"), large, "two");
        assertEquals(ExitStatus.exited(0), run.finish());
        assertEquals("Hello, world!\nargv[1] = " + large + "\nargv[2] = two\n", run.stdout());
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
