package io.uniform.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.cpu.bare.BareMachine;
import io.uniform.guest.GuestFiles;
import io.uniform.guest.GuestManifest;
import io.uniform.linux.Console;
import io.uniform.linux.Linux;
import io.uniform.linux.Task;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.files.ServiceFileSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every guest program of {@code guest/expected/manifest} runs on our CPU (user programs on the
 * Linux kernel, as {@code uniform exec} runs them) and must print the same bytes and end with
 * the same status as under QEMU: against the recorded QEMU output always, and against a live
 * QEMU run when it is installed (always in CI). Each run has a fresh temporary directory as
 * its file system (ours) or working directory (QEMU's), holding the programs guests execve in
 * {@code bin/}.
 */
class GuestProgramsTest {
    private static final long INSTRUCTION_CAP = 20_000_000_000L;
    private static final long BARE_LIMIT = 50_000_000L;

    @TempDir
    Path temporary;

    private record Ran(byte[] stdout, int status) {}

    @TestFactory
    Stream<DynamicTest> userProgramsPrintTheRecordedOutput() throws Exception {
        return tests(entry -> !entry.isBare(), entry -> {
            Ran ours = runUser(entry);
            assertEquals(entry.status(), ours.status(), "exit status");
            assertArrayEquals(Files.readAllBytes(entry.expectedOutput()), ours.stdout(),
                    () -> "stdout differs from " + entry.expectedOutput() + ":\n" + new String(ours.stdout(), StandardCharsets.UTF_8));
        });
    }

    @TestFactory
    Stream<DynamicTest> userProgramsBehaveAsUnderQemu() throws Exception {
        return tests(entry -> !entry.isBare(), entry -> {
            Reference.require("qemu-riscv32");
            List<String> command = new ArrayList<>(List.of("qemu-riscv32", entry.elf().toString()));
            command.addAll(entry.arguments());
            Path workingDirectory = Files.createTempDirectory(temporary, "qemu");
            GuestFiles.installExecTargets(workingDirectory, "qemu-riscv32", true);
            Reference.Result reference = Reference.run(command, entry.stdinBytes(), workingDirectory);
            Ran ours = runUser(entry);
            assertEquals(reference.status(), ours.status(), "exit status against qemu-riscv32");
            assertArrayEquals(reference.stdout(), ours.stdout(), "stdout against qemu-riscv32");
        });
    }

    @TestFactory
    Stream<DynamicTest> bareTestsReportTheExpectedResult() throws Exception {
        return tests(GuestManifest.Entry::isBare, entry -> assertEquals(entry.status(), runBare(entry), "test number reported through tohost"));
    }

    @TestFactory
    Stream<DynamicTest> bareTestsAgreeWithQemuSpike() throws Exception {
        return tests(GuestManifest.Entry::isBare, entry -> {
            Reference.require("qemu-system-riscv32");
            Reference.Result reference = Reference.run(List.of("qemu-system-riscv32", "-machine", "spike", "-nographic",
                    "-bios", "none", "-kernel", entry.elf().toString()), new byte[0]);
            assertEquals(reference.status(), runBare(entry), "result against qemu-system-riscv32 -machine spike");
        });
    }

    private static Stream<DynamicTest> tests(Predicate<GuestManifest.Entry> which, Check check) throws Exception {
        List<GuestManifest.Entry> entries = GuestManifest.load().entries().stream().filter(which).toList();
        assertTrue(entries.size() > 3, "the manifest lists the guest programs");
        return entries.stream().map(entry -> DynamicTest.dynamicTest(entry.program(), () -> check.run(entry)));
    }

    @FunctionalInterface
    private interface Check {
        void run(GuestManifest.Entry entry) throws Exception;
    }

    private Ran runUser(GuestManifest.Entry entry) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(entry.elf().toString());
        argv.addAll(entry.arguments());
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Console console = new Console(new ByteArrayInputStream(entry.stdinBytes()), stdout, OutputStream.nullOutputStream());
        Path root = Files.createTempDirectory(temporary, "uniform");
        GuestFiles.installExecTargets(root, "qemu-riscv32", false);
        Linux linux = new Linux(Linux.Config.DEFAULT, new ServiceFileSystem(root), ProcessClock.host());
        Task first = linux.spawn(Files.readAllBytes(entry.elf()), argv, Map.of(), console);
        Linux.Outlook outlook = Linux.Outlook.RUNNABLE;
        while (outlook != Linux.Outlook.FINISHED && linux.instructions() < INSTRUCTION_CAP) {
            outlook = linux.runSlice(1 << 22).outlook();
            assertNotEquals(Linux.Outlook.DEADLOCKED, outlook, entry.program() + " deadlocked");
        }
        Optional<ExitStatus> status = first.exitStatus();
        if (outlook != Linux.Outlook.FINISHED) {
            fail(entry.program() + " did not finish within " + INSTRUCTION_CAP + " instructions");
        }
        return new Ran(stdout.toByteArray(), status.get().shellStatus());
    }

    private static int runBare(GuestManifest.Entry entry) throws Exception {
        BareMachine machine = BareMachine.load(Files.readAllBytes(entry.elf()), BareMachine.DEFAULT_RAM_BYTES);
        BareMachine.Result result = machine.runSlice(BARE_LIMIT)
                .orElseThrow(() -> new AssertionError(entry.program() + ": no result within " + BARE_LIMIT + " instructions"));
        if (result instanceof BareMachine.Result.Passed) {
            return 0;
        }
        if (result instanceof BareMachine.Result.Failed failed) {
            return failed.testNumber();
        }
        throw new AssertionError(entry.program() + ": " + result);
    }
}
