package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.guest.GuestFiles;
import io.uniform.guest.GuestManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** {@code uniform run}: a program as a one-rank job on the embedded machine, booted in this JVM. */
@Isolated
class RunCommandTest {
    @TempDir
    Path temporary;

    private static String golden(String relative) throws IOException {
        return Files.readString(GuestFiles.directory().resolve("expected").resolve(relative), StandardCharsets.UTF_8);
    }

    @Test
    void helloPrintsTheGoldenOutputOnAComputeNode() throws IOException {
        CommandRun run = uniform("run", guest("elf/tests/hello.elf"), "one", "two");
        assertEquals(0, run.status(), run::toString);
        assertEquals(golden("tests/hello.out"), run.out(), run::toString);
        assertEquals("", run.err(), run::toString);
    }

    @Test
    void helloPrintsTheGoldenOutputOnAServiceNode() throws IOException {
        CommandRun run = uniform("run", "--on", "service", guest("elf/tests/hello.elf"), "one", "two");
        assertEquals(0, run.status(), run::toString);
        assertEquals(golden("tests/hello.out"), run.out(), run::toString);
    }

    @Test
    void wordsAfterTheProgramBelongToTheProgram() throws IOException {
        CommandRun run = uniform("run", guest("elf/tests/args.elf"), "alpha", "beta", "--gamma=3", "");
        assertEquals(0, run.status(), run::toString);
        String expected = golden("tests/args.out");
        // argv[0] is the path as given here; the golden file was made with another one.
        assertEquals(expected.lines().skip(1).toList(), run.out().lines().skip(1).toList(), run::toString);
    }

    @Test
    void theProgramsStatusIsTheCommands() {
        assertEquals(42, uniform("run", guest("elf/tests/exitcode.elf")).status());
        CommandRun fault = uniform("run", guest("elf/tests/fault.elf"));
        assertEquals(139, fault.status(), fault::toString);
        assertTrue(fault.err().startsWith("uniform: "), fault::toString);
    }

    @Test
    void aMissingProgramIs127() {
        CommandRun run = uniform("run", temporary.resolve("missing.elf").toString());
        assertEquals(127, run.status(), run::toString);
        assertTrue(run.err().contains("missing.elf"), run::toString);
    }

    @Test
    void aFileThatIsNotAnExecutableIs126() throws IOException {
        Path text = Files.writeString(temporary.resolve("text.elf"), "not an ELF");
        CommandRun run = uniform("run", text.toString());
        assertEquals(126, run.status(), run::toString);
    }


    @Test
    void redirectedStdinReachesTheProgramAsWithExec() throws IOException {
        byte[] stdin = Files.readAllBytes(GuestFiles.directory().resolve("expected").resolve("stdin_echo.in"));
        String elf = guest("elf/tests/stdin_echo.elf");
        for (String on : new String[] {"compute", "service"}) {
            CommandRun run = CommandRun.uniformWithStdin(stdin, "run", "--on", on, elf);
            assertEquals(0, run.status(), run::toString);
            assertEquals(golden("tests/stdin_echo.out"), run.out(), () -> on + ": " + run);
        }
        CommandRun exec = CommandRun.uniformWithStdin(stdin, "exec", elf);
        assertEquals(golden("tests/stdin_echo.out"), exec.out(), exec::toString);
    }

    @Test
    void anUnknownPresetIsAUsageError() {
        CommandRun run = uniform("run", "--machine", "no-such-machine", guest("elf/tests/hello.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("no-such-machine"), run::toString);
    }

    @TestFactory
    Stream<DynamicTest> everyTestProgramPrintsTheSameUnderRunOnPumaAsUnderExec() {
        return GuestManifest.load().entries().stream().filter(entry -> entry.program().startsWith("tests/"))
                .map(entry -> DynamicTest.dynamicTest(entry.program(), () -> {
                    CommandRun puma = CommandRun.uniformWithStdin(entry.stdinBytes(), command("run", entry));
                    CommandRun linux = CommandRun.uniformWithStdin(entry.stdinBytes(), command("exec", entry));
                    assertEquals(entry.status(), puma.status(), puma::toString);
                    assertEquals(linux.status(), puma.status(), () -> "exec: " + linux + "\nrun: " + puma);
                    assertEquals(linux.out(), puma.out(), () -> "exec: " + linux + "\nrun: " + puma);
                    assertEquals(new String(entry.expectedStdout(), StandardCharsets.UTF_8), puma.out(), puma::toString);
                }));
    }

    @Test
    void theSameElfOnAComputeNodeMovesToLinuxAtTheFirstCallPumaLacks() {
        CommandRun run = uniform("run", guest("elf/posix/compute_fork.elf"));
        assertEquals(0, run.status(), run::toString);
        assertEquals(new String(GuestFiles.expected("posix/compute_fork.out"), StandardCharsets.UTF_8), run.out(), run::toString);
        assertTrue(run.err().contains("computed on puma\n"), run::toString);
        assertTrue(run.err().contains("uniform: rank 0 moved to node "), run::toString);
        assertTrue(run.err().contains("child runs on linux\nparent runs on linux\n"), run::toString);
    }

    @TestFactory
    Stream<DynamicTest> everyPosixProgramPrintsQemusOutputOnAServiceNode() {
        return GuestManifest.load().entries().stream().filter(entry -> entry.program().startsWith("posix/"))
                .map(entry -> DynamicTest.dynamicTest(entry.program(), () -> {
                    List<String> command = new ArrayList<>(List.of("run", "--on", "service"));
                    command.addAll(List.of(command("run", entry)).subList(1, 4 + entry.arguments().size()));
                    CommandRun linux = CommandRun.uniformWithStdin(entry.stdinBytes(), command.toArray(String[]::new));
                    assertEquals(entry.status(), linux.status(), linux::toString);
                    assertEquals(new String(entry.expectedStdout(), StandardCharsets.UTF_8), linux.out(), linux::toString);
                }));
    }

    /** {@code uniform VERB --files DIR PROG ARGS} for a manifest entry, in a fresh directory holding the exec targets. */
    private String[] command(String verb, GuestManifest.Entry entry) throws IOException {
        Path files = Files.createTempDirectory(temporary, verb);
        GuestFiles.installExecTargets(files, "qemu-riscv32", false);
        List<String> command = new ArrayList<>(List.of(verb, "--files", files.toString(), entry.elf().toString()));
        command.addAll(entry.arguments());
        return command.toArray(String[]::new);
    }
}
