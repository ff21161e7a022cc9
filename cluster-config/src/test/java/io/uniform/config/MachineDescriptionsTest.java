package io.uniform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineDescriptionsTest {
    @TempDir
    Path temporary;

    /** A valid machine block that each validation test breaks in one place. */
    private static final String VALID = """
            mesh { x = 4, y = 2 }
            memory-per-node = 1 MiB
            link-bandwidth-bytes-per-second = 1 MB
            """;

    private static MachineConfigException error(String hocon) {
        return assertThrows(MachineConfigException.class, () -> MachineDescriptions.fromConfig(ConfigFactory.parseString(hocon)));
    }

    private static void assertMessage(MachineConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "message has '" + part + "': " + e.getMessage());
        }
    }

    // ---- presets ----

    @Test
    void thePresetsAreListedWithTheDefaultFirst() {
        assertEquals("default", MachineDescriptions.defaultPresetName());
        assertEquals(List.of("default", "asci-red", "paragon"), MachineDescriptions.presetNames());
        for (String name : MachineDescriptions.presetNames()) {
            MachineDescription machine = MachineDescriptions.preset(name);
            assertEquals(name, machine.name());
            assertFalse(machine.description().isEmpty(), name);
            assertFalse(machine.source().isEmpty(), name + " says where its figures come from");
        }
    }

    @Test
    void theDefaultIsA4x4MeshWithAServiceColumn() {
        MachineDescription machine = MachineDescriptions.defaultMachine();
        assertEquals(MachineDescriptions.preset("default"), machine);
        assertEquals(4, machine.x());
        assertEquals(4, machine.y());
        assertEquals(1, machine.z());
        assertEquals(1, machine.nodesPerRouter());
        assertEquals(64L << 20, machine.memoryPerNode());
        assertEquals(16, machine.nodeCount());
        assertEquals(12, machine.count(Partition.COMPUTE));
        assertArrayEquals(new int[] {0, 4, 8, 12}, machine.nids(Partition.SERVICE));
        for (int nid : machine.nids(Partition.SERVICE)) {
            assertEquals(0, machine.position(nid).x(), "one column, x = 0");
        }
    }

    @Test
    void paragonIsA16x32MeshWithServiceAndIoColumns() {
        MachineDescription machine = MachineDescriptions.preset("paragon");
        assertEquals(16, machine.x());
        assertEquals(32, machine.y());
        assertEquals(1, machine.z());
        assertEquals(16L << 20, machine.memoryPerNode());
        assertEquals(32, machine.count(Partition.SERVICE));
        assertEquals(32, machine.count(Partition.IO));
        assertEquals(448, machine.count(Partition.COMPUTE));
        for (int nid : machine.nids(Partition.IO)) {
            assertEquals(15, machine.position(nid).x());
        }
    }

    @Test
    void asciRedHasThePublishedCountsAndTopology() {
        MachineDescription machine = MachineDescriptions.preset("asci-red");
        assertEquals(4536, machine.count(Partition.COMPUTE));
        assertEquals(32, machine.count(Partition.SERVICE));
        assertEquals(32, machine.count(Partition.IO));
        assertEquals(2, machine.count(Partition.SYSTEM));
        assertEquals(4602, machine.nodeCount());
        assertEquals(38, machine.x());
        assertEquals(32, machine.y());
        assertEquals(2, machine.z());
        assertEquals(2, machine.nodesPerRouter());
        assertEquals(38 * 32 * 2, machine.routerCount());
        assertEquals(4864, machine.positionCount());
        assertEquals(262, machine.count(Partition.ABSENT));
        assertEquals(800_000_000L, machine.linkBandwidthBytesPerSecond());
        assertEquals(256L << 20, machine.memoryPerNode());
    }

    @Test
    void anUnknownPresetListsTheKnownOnes() {
        MachineConfigException e = assertThrows(MachineConfigException.class, () -> MachineDescriptions.preset("cray"));
        assertMessage(e, "unknown machine preset 'cray'", "default", "paragon", "asci-red");
    }

    // ---- nids and positions ----

    @Test
    void nidsAndPositionsRoundTripInMeshOrder() {
        for (String name : MachineDescriptions.presetNames()) {
            MachineDescription machine = MachineDescriptions.preset(name);
            for (int nid = 0; nid < machine.positionCount(); nid++) {
                assertEquals(nid, machine.nid(machine.position(nid)), name + " nid " + nid);
            }
        }
        MachineDescription red = MachineDescriptions.preset("asci-red");
        assertEquals(new MeshPosition(0, 0, 0, 1), red.position(1), "the node on the router fastest");
        assertEquals(new MeshPosition(1, 0, 0, 0), red.position(2), "then x");
        assertEquals(new MeshPosition(0, 1, 0, 0), red.position(2 * 38), "then y");
        assertEquals(new MeshPosition(0, 0, 1, 0), red.position(2 * 38 * 32), "then z");
        assertEquals(new MeshPosition(37, 31, 1, 1), red.position(4863));
        assertEquals(4863, red.nid(37, 31, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> red.nid(38, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> red.nid(0, 0, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> red.position(4864));
        assertThrows(IllegalArgumentException.class, () -> red.partition(-1));
    }

    // ---- withPartition ----

    @Test
    void withPartitionReturnsANewDescriptionAndLeavesTheOldOne() {
        MachineDescription before = MachineDescriptions.preset("default");
        MachineDescription after = before.withPartition(1, Partition.SERVICE);
        assertEquals(Partition.COMPUTE, before.partition(1));
        assertEquals(Partition.SERVICE, after.partition(1));
        assertEquals(5, after.count(Partition.SERVICE));
        assertEquals(11, after.count(Partition.COMPUTE));
        assertEquals(List.of(1), after.changedFrom(before));
        assertNotEquals(before, after);
        assertEquals(before, after.withPartition(1, Partition.COMPUTE), "re-booting back restores the boundary");
        assertSame(before, before.withPartition(0, Partition.SERVICE), "no change, same description");
        assertEquals(Partition.SYSTEM, before.withPartition(15, Partition.SYSTEM).partition(15));
    }

    @Test
    void withPartitionRefusesAbsentSlotsAndNidsOutsideTheMesh() {
        MachineDescription red = MachineDescriptions.preset("asci-red");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> red.withPartition(4700, Partition.COMPUTE))
                .getMessage().contains("no node"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> red.withPartition(5, Partition.ABSENT))
                .getMessage().contains("absent"));
        assertThrows(IllegalArgumentException.class, () -> red.withPartition(4864, Partition.COMPUTE));
        assertThrows(IllegalArgumentException.class, () -> red.changedFrom(MachineDescriptions.preset("default")));
    }

    @Test
    void ofBuildsAnAllComputeMachineAndChecksItsArguments() {
        MachineDescription machine = MachineDescription.of("t", 3, 2, 1, 1, 4096, 1);
        assertEquals(6, machine.count(Partition.COMPUTE));
        assertThrows(IllegalArgumentException.class, () -> MachineDescription.of("t", 0, 2, 1, 1, 4096, 1));
        assertThrows(IllegalArgumentException.class, () -> MachineDescription.of("t", 1000, 1000, 1, 1, 4096, 1));
        assertThrows(IllegalArgumentException.class, () -> MachineDescription.of("t", 1, 1, 1, 1, 4097, 1));
    }

    // ---- loading from a config ----

    @Test
    void aMachineBlockLoadsWithItsPartitionLists() {
        MachineDescription machine = MachineDescriptions.fromConfig(ConfigFactory.parseString(VALID + """
                name = small
                partitions { service = [0-1], io = "4, 6", system = [7], absent = [3] }
                """));
        assertEquals("small", machine.name());
        assertEquals(1, machine.z(), "z defaults to 1");
        assertArrayEquals(new int[] {0, 1}, machine.nids(Partition.SERVICE));
        assertArrayEquals(new int[] {4, 6}, machine.nids(Partition.IO));
        assertArrayEquals(new int[] {7}, machine.nids(Partition.SYSTEM));
        assertArrayEquals(new int[] {3}, machine.nids(Partition.ABSENT));
        assertArrayEquals(new int[] {2, 5}, machine.nids(Partition.COMPUTE));
        assertEquals(7, machine.nodeCount());
    }

    @Test
    void aStridedRangeSelectsAColumn() {
        MachineDescription machine = MachineDescriptions.fromConfig(ConfigFactory.parseString(VALID
                + "partitions.service = [1-5/4]\n"));
        assertArrayEquals(new int[] {1, 5}, machine.nids(Partition.SERVICE));
    }

    @Test
    void aBlockCanStartFromAPresetAndOverrideParts() {
        MachineDescription machine = MachineDescriptions.fromConfig(ConfigFactory.parseString(
                "preset = paragon\nmemory-per-node = 16 MiB\npartitions.system = [1]\n"));
        assertEquals("paragon", machine.name());
        assertEquals(16L << 20, machine.memoryPerNode());
        assertEquals(32, machine.count(Partition.SERVICE), "the rest comes from the preset");
        assertEquals(1, machine.count(Partition.SYSTEM));
    }

    @Test
    void aFileDefinesAMachineNamedAfterIt() throws IOException {
        Path file = Files.writeString(temporary.resolve("tiny.conf"), VALID);
        MachineDescription machine = MachineDescriptions.fromFile(file);
        assertEquals("tiny", machine.name());
        assertEquals(8, machine.count(Partition.COMPUTE));
    }

    @Test
    void aFileCanAddAPresetAndPickIt() throws IOException {
        Path file = Files.writeString(temporary.resolve("site.conf"), """
                uniform {
                  machine = lab
                  machines.lab { mesh { x = 2, y = 2 }, memory-per-node = 8 MiB, link-bandwidth-bytes-per-second = 1 MB
                                 partitions.service = [0] }
                }
                """);
        MachineDescription machine = MachineDescriptions.fromFile(file);
        assertEquals("lab", machine.name());
        assertEquals(3, machine.count(Partition.COMPUTE));
        assertEquals(1, machine.count(Partition.SERVICE));
    }

    // ---- every validation error, with its message ----

    @Test
    void aMissingKeyIsNamed() {
        assertMessage(error("mesh { x = 4 }\nmemory-per-node = 1 MiB\nlink-bandwidth-bytes-per-second = 1\n"),
                "mesh.y", "missing");
        assertMessage(error("mesh { x = 4, y = 4 }\nlink-bandwidth-bytes-per-second = 1\n"), "memory-per-node", "missing");
        assertMessage(error("memory-per-node = 1 MiB\nlink-bandwidth-bytes-per-second = 1\n"), "mesh", "missing");
        assertMessage(error("mesh { x = 4, y = 4 }\nmemory-per-node = 1 MiB\n"), "link-bandwidth-bytes-per-second", "missing");
    }

    @Test
    void aNonPositiveOrNonNumericDimensionIsRefused() {
        assertMessage(error(VALID + "mesh.x = 0\n"), "mesh.x", "must be a positive integer, got 0", "(String:");
        assertMessage(error(VALID + "mesh.z = -2\n"), "mesh.z", "positive integer", "-2");
        assertMessage(error(VALID + "mesh.y = four\n"), "mesh.y", "'four'");
        assertMessage(error(VALID + "nodes-per-router = 0\n"), "nodes-per-router", "positive");
        assertMessage(error(VALID + "mesh.w = 2\n"), "mesh.w", "unknown key");
    }

    @Test
    void aMeshOverTheCapIsRefused() {
        assertMessage(error(VALID + "mesh { x = 100, y = 100, z = 11 }\n"), "mesh", "too large", "more than 100000 nodes");
    }

    @Test
    void dimensionsWhoseProductOverflowsALongAreRefusedToo() {
        assertMessage(error(VALID + "mesh { x = 65536, y = 65536, z = 65536 }\nnodes-per-router = 65536\n"),
                "mesh", "too large", "more than 100000 nodes");
    }

    @Test
    void memoryMustBeAPositiveMultipleOf4KiB() {
        assertMessage(error(VALID + "memory-per-node = 5000\n"), "memory-per-node", "5000 bytes", "multiple of 4 KiB");
        assertMessage(error(VALID + "memory-per-node = 0\n"), "memory-per-node", "positive");
        assertMessage(error(VALID + "memory-per-node = 2 GiB\n"), "memory-per-node", "at most 1 GiB");
        assertMessage(error(VALID + "memory-per-node = lots\n"), "memory-per-node", "size in bytes", "'lots'");
    }

    @Test
    void overlappingNidListsAreRefused() {
        assertMessage(error(VALID + "partitions { service = [0-3], io = [3] }\n"), "nid 3 is also in partitions.",
                "overlap");
        assertMessage(error(VALID + "partitions { service = [1, 1] }\n"), "nid 1 is also in partitions.service");
    }

    @Test
    void outOfRangeAndMalformedNidListsAreRefused() {
        assertMessage(error(VALID + "partitions.io = [6-8]\n"), "partitions.io", "nid 8 is out of range", "0..7");
        assertMessage(error(VALID + "partitions.io = [5-2]\n"), "partitions.io", "backwards");
        assertMessage(error(VALID + "partitions.io = [0-4/0]\n"), "partitions.io", "positive step");
        assertMessage(error(VALID + "partitions.io = [1-13/3]\n"), "partitions.io", "nid 10 is out of range");
        assertMessage(error(VALID + "partitions.io = [9]\n"), "partitions.io", "nid 9 is out of range");
        assertMessage(error(VALID + "partitions.io = [one]\n"), "partitions.io", "'one' is not a nid");
        assertMessage(error(VALID + "partitions.io = { a = 1 }\n"), "partitions.io", "must be a list");
    }

    @Test
    void anUnknownPartitionOrAListedComputePartitionIsRefused() {
        assertMessage(error(VALID + "partitions.graphics = [0]\n"), "partitions.graphics", "unknown partition 'graphics'",
                "service, io, system and absent");
        assertMessage(error(VALID + "partitions.compute = [0]\n"), "partitions.compute", "not listed");
    }

    @Test
    void anUnknownKeyIsRefused() {
        assertMessage(error(VALID + "memroy = 1\n"), "memroy", "unknown key");
    }

    @Test
    void anUnknownPresetInABlockListsTheKnownOnes() {
        assertMessage(error("preset = cray\n"), "unknown machine preset 'cray'", "asci-red");
    }

    @Test
    void fileErrorsNameTheFileAndLine() throws IOException {
        Path missing = temporary.resolve("none.conf");
        assertMessage(assertThrows(MachineConfigException.class, () -> MachineDescriptions.fromFile(missing)),
                missing.toString(), "no such file");
        Path broken = Files.writeString(temporary.resolve("broken.conf"), "mesh { x = 4\n");
        assertMessage(assertThrows(MachineConfigException.class, () -> MachineDescriptions.fromFile(broken)),
                broken.toString(), "not valid HOCON");
        Path zero = Files.writeString(temporary.resolve("zero.conf"), "preset = default\n\nmesh.x = 0\n");
        assertMessage(assertThrows(MachineConfigException.class, () -> MachineDescriptions.fromFile(zero)),
                zero.toString(), "mesh.x", "(zero.conf:3)");
        Path shrunk = Files.writeString(temporary.resolve("shrunk.conf"), "preset = default\nmesh.y = 2\n");
        assertMessage(assertThrows(MachineConfigException.class, () -> MachineDescriptions.fromFile(shrunk)),
                "partitions.service", "nid 8 is out of range", "0..7");
    }

    @Test
    void presetErrorsNameTheFullPath() {
        var root = ConfigFactory.parseString("uniform.machines.bad { mesh { x = 2, y = 2 }, memory-per-node = 3 KiB,"
                + " link-bandwidth-bytes-per-second = 1 }");
        assertMessage(assertThrows(MachineConfigException.class, () -> MachineDescriptions.preset(root, "bad")),
                "preset 'bad'", "uniform.machines.bad.memory-per-node", "multiple of 4 KiB");
    }

    private static void assertArrayEquals(int[] expected, int[] actual) {
        assertEquals(Arrays.toString(expected), Arrays.toString(actual));
    }
}
