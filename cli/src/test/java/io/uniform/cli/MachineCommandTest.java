package io.uniform.cli;

import static io.uniform.cli.CommandRun.uniform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescriptions;
import io.uniform.config.MeshMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code uniform machine} as a user drives it, through {@link Uniform#commandLine()} with the
 * standard streams swapped for buffers (isolated, like {@link UniformCommandTest}).
 */
@Isolated
class MachineCommandTest {
    @TempDir
    Path temporary;


    private static void assertUsageError(CommandRun run, String... parts) {
        assertEquals(2, run.status(), run::toString);
        assertEquals("", run.out(), () -> "nothing on stdout:\n" + run);
        for (String part : parts) {
            assertTrue(run.err().contains(part), () -> "stderr has '" + part + "':\n" + run);
        }
    }

    @Test
    void helpListsTheMachineCommand() {
        CommandRun run = uniform("--help");
        assertEquals(0, run.status(), run::toString);
        assertTrue(Pattern.compile("(?m)^\\s+machine\\s").matcher(run.out()).find(), run::toString);
    }

    @Test
    void withoutAPresetItPrintsTheDefaultMachine() {
        CommandRun run = uniform("machine");
        assertEquals(0, run.status(), run::toString);
        assertEquals("""
                default: 4 x 4 mesh, 16 nodes, 64 MiB per node, 160 MB/s links
                  x 0123
                y 0 SCCC
                  1 SCCC
                  2 SCCC
                  3 SCCC
                legend: C compute (Puma)  S service (Linux)  I I/O (Linux)  Y system (Linux)
                nodes: 12 compute, 4 service, 0 I/O, 0 system (16 nodes)
                """, run.out());
        assertEquals("", run.err(), run::toString);
    }

    @Test
    void aPresetByName() {
        CommandRun run = uniform("machine", "asci-red");
        assertEquals(0, run.status(), run::toString);
        assertEquals(MeshMap.render(MachineDescriptions.preset("asci-red")), run.out());
        assertTrue(run.out().contains("4536 compute, 32 service, 32 I/O, 2 system"), run::toString);
        run.out().lines().forEach(line -> assertTrue(line.length() <= 120, line));
    }

    @Test
    void listShowsEveryPresetWithItsSizes() {
        CommandRun run = uniform("machine", "--list");
        assertEquals(0, run.status(), run::toString);
        assertTrue(Pattern.compile("(?m)^default \\*\\s+4 x 4\\s+16\\s+12\\s+4\\s+0\\s+0\\s+64 MiB\\s+160 MB/s$")
                .matcher(run.out()).find(), run::toString);
        assertTrue(Pattern.compile("(?m)^asci-red\\s+38 x 32 x 2, 2/router\\s+4602\\s+4536\\s+32\\s+32\\s+2\\s+256 MiB\\s+800 MB/s$")
                .matcher(run.out()).find(), run::toString);
        assertTrue(Pattern.compile("(?m)^paragon\\s+16 x 32\\s+512\\s+448\\s+32\\s+32\\s+0\\s+16 MiB\\s+160 MB/s$")
                .matcher(run.out()).find(), run::toString);
        assertTrue(run.out().contains("source: ASCI Red published system description"), run::toString);
    }

    @Test
    void rebootShowsTheChangedBoundary() {
        CommandRun run = uniform("machine", "--reboot", "1=service", "--reboot", "4=COMPUTE");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("y 0 SsCC\n  1 cCCC\n"), run::toString);
        assertTrue(run.out().contains("changed: nid 1 (1,0,0) compute -> service, nid 4 (0,1,0) service -> compute"),
                run::toString);
        CommandRun commas = uniform("machine", "default", "--reboot", "1=service,4=compute");
        assertEquals(run.out(), commas.out(), "comma-separated reboots are the same");
        CommandRun io = uniform("machine", "paragon", "--reboot", "17=i/o");
        assertEquals(0, io.status(), io::toString);
        assertTrue(io.out().contains("y  0 SCCCCCCCCCCCCCCI\n   1 SiCCC"), io::toString);
    }

    @Test
    void aMachineFileThatPicksAPresetAndOverridesParts() throws IOException {
        Path file = Files.writeString(temporary.resolve("lab.conf"),
                "preset = default\nname = lab\nmemory-per-node = 16 MiB\npartitions.io = [15]\n");
        CommandRun run = uniform("machine", "--config", file.toString());
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("lab: 4 x 4 mesh, 16 nodes, 16 MiB per node"), run::toString);
        assertTrue(run.out().contains("  3 SCCI\n"), run::toString);
        assertTrue(run.out().contains("11 compute, 4 service, 1 I/O"), run::toString);
    }

    @Test
    void anUnknownPresetIsAUsageErrorListingThePresets() {
        assertUsageError(uniform("machine", "cray"), "unknown machine preset 'cray'", "default, asci-red, paragon");
    }

    @Test
    void badRebootsAreUsageErrors() {
        assertUsageError(uniform("machine", "--reboot", "5"), "'5'", "NID=PARTITION");
        assertUsageError(uniform("machine", "--reboot", "5=graphics"), "unknown partition 'graphics'");
        assertUsageError(uniform("machine", "--reboot", "5=absent"), "unknown partition 'absent'");
        assertUsageError(uniform("machine", "--reboot", "16=service"), "nid 16 is outside default", "0..15");
        assertUsageError(uniform("machine", "--reboot", "99999999999=service"), "outside default");
        assertUsageError(uniform("machine", "asci-red", "--reboot", "4700=compute"), "4700", "no node");
    }

    @Test
    void badMachineFilesAreUsageErrorsNamingThePathAndProblem() throws IOException {
        Path missing = temporary.resolve("missing.conf");
        assertUsageError(uniform("machine", "--config", missing.toString()), missing.toString(), "no such file");
        Path zero = Files.writeString(temporary.resolve("zero.conf"), "preset = default\nmesh.x = 0\n");
        assertUsageError(uniform("machine", "--config", zero.toString()), "mesh.x", "positive integer", "zero.conf:2");
        Path overlap = Files.writeString(temporary.resolve("overlap.conf"), "preset = default\npartitions.io = [4]\n");
        assertUsageError(uniform("machine", "--config", overlap.toString()), "nid 4 is also in partitions.", "overlap");
        Path memory = Files.writeString(temporary.resolve("memory.conf"), "preset = default\nmemory-per-node = 1000\n");
        assertUsageError(uniform("machine", "--config", memory.toString()), "memory-per-node", "multiple of 4 KiB");
        Path garbage = Files.writeString(temporary.resolve("garbage.conf"), "mesh { x = \n");
        assertUsageError(uniform("machine", "--config", garbage.toString()), "not valid HOCON");
    }

    @Test
    void conflictingArgumentsAreUsageErrors() throws IOException {
        Path file = Files.writeString(temporary.resolve("m.conf"), "preset = default\n");
        assertUsageError(uniform("machine", "paragon", "--config", file.toString()), "not both");
        assertUsageError(uniform("machine", "--list", "paragon"), "--list takes no");
        CommandRun unknown = uniform("machine", "--bogus");
        assertEquals(2, unknown.status(), unknown::toString);
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown::toString);
    }

    @Test
    void aBootedMachineDrawsEachNodesLiveStateAndTheBoundaryItsNodesWereRebootedTo() {
        CommandRun run = uniform("machine", "--boot", "--reboot", "5=service,4=compute");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("states: 16 idle, 0 running, 0 down"), run::toString);
        assertTrue(run.out().contains("changed: nid 4 (0,1,0) service -> compute, nid 5 (1,1,0) compute -> service"), run::toString);
        assertTrue(run.out().contains("y 0 ...."), run::toString);
    }
}
