package io.uniform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshMapTest {
    private static void assertFits(String map, int width) {
        map.lines().forEach(line -> assertTrue(line.length() <= width,
                () -> "line of " + line.length() + " columns (limit " + width + "): " + line));
    }

    @Test
    void theDefaultMachineMapExactly() {
        assertEquals("""
                default: 4 x 4 mesh, 16 nodes, 64 MiB per node, 160 MB/s links
                  x 0123
                y 0 SCCC
                  1 SCCC
                  2 SCCC
                  3 SCCC
                legend: C compute (Puma)  S service (Linux)  I I/O (Linux)  Y system (Linux)
                nodes: 12 compute, 4 service, 0 I/O, 0 system (16 nodes)
                """, MeshMap.render(MachineDescriptions.preset("default")));
    }

    @Test
    void aChangedBoundaryIsDrawnInLowerCaseAndListed() {
        MachineDescription before = MachineDescriptions.preset("default");
        MachineDescription after = before.withPartition(1, Partition.SERVICE).withPartition(4, Partition.COMPUTE);
        assertEquals("""
                default: 4 x 4 mesh, 16 nodes, 64 MiB per node, 160 MB/s links
                  x 0123
                y 0 SsCC
                  1 cCCC
                  2 SCCC
                  3 SCCC
                legend: C compute (Puma)  S service (Linux)  I I/O (Linux)  Y system (Linux)  lower case: partition changed (re-booted)
                nodes: 12 compute, 4 service, 0 I/O, 0 system (16 nodes)
                changed: nid 1 (1,0,0) compute -> service, nid 4 (0,1,0) service -> compute
                """, MeshMap.diff(before, after));
        assertTrue(MeshMap.diff(before, before).contains("changed: none"));
        assertThrows(IllegalArgumentException.class, () -> MeshMap.diff(MachineDescriptions.preset("paragon"), before));
    }

    @Test
    void liveStatesReplaceTheLettersAndAreCounted() {
        MachineDescription machine = MachineDescriptions.preset("default");
        String map = MeshMap.render(machine, Map.of(1, NodeState.running(7), 2, NodeState.running(7),
                3, NodeState.IDLE, 5, NodeState.DOWN));
        assertTrue(map.contains("y 0 S##.\n  1 SxCC\n"), map);
        assertTrue(map.contains(". idle  # running  x down"), map);
        assertTrue(map.contains("states: 1 idle, 2 running, 1 down, 12 unknown, job 7 on 2 nodes"), map);
        assertThrows(IllegalArgumentException.class, () -> new NodeState(NodeState.Kind.IDLE, 3));
    }

    @Test
    void asciRedFits120ColumnsWithRoutersAsPairsAndOnePlanePerZ() {
        MachineDescription red = MachineDescriptions.preset("asci-red");
        String map = MeshMap.render(red);
        assertFits(map, 120);
        assertTrue(map.contains("\nz = 0\n") && map.contains("\nz = 1\n"), map);
        assertTrue(map.contains("\ny  0 SC CC CC"), () -> "service node and compute node share router (0,0,0):\n" + map);
        assertTrue(map.contains(" IC\n"), "the I/O column at x = 37");
        assertTrue(map.contains("\ny  0 YC CC"), "a system node in plane z = 1");
        assertTrue(map.contains("\n  28 " + "CC ".repeat(21) + "--"), () -> "the absent slots (the routers from (21, 28, 1) on):\n" + map);
        assertTrue(map.contains("nodes: 4536 compute, 32 service, 32 I/O, 2 system (4602 nodes in 4864 router slots)"), map);
        assertTrue(map.contains("- no node in this router slot"), map);
        assertEquals(1 + 2 * (1 + 2 + 32) + 2 + 1, map.lines().count(), "header, per plane: title, 2 scale lines, 32 rows; legend, counts");
    }

    @Test
    void aNarrowWidthCompressesRoutersThenWrapsColumns() {
        MachineDescription red = MachineDescriptions.preset("asci-red");
        String compressed = MeshMap.render(red, null, nid -> null, 60);
        assertFits(compressed, 60);
        assertTrue(compressed.contains("\ny  0 *CCC"), compressed);
        assertTrue(compressed.contains("* a router whose 2 nodes differ"), compressed);

        String wrapped = MeshMap.render(red, null, nid -> null, 30);
        assertFits(wrapped, 30);
        assertTrue(wrapped.contains("z = 0, x = 0..24\n"), wrapped);
        assertTrue(wrapped.contains("z = 1, x = 25..37\n"), wrapped);

        MachineDescription wide = MachineDescription.of("wide", 300, 2, 1, 1, 4096, 1);
        String band = MeshMap.render(wide, null, nid -> null, 120);
        assertFits(band, 120);
        assertTrue(band.contains("x = 0..115\n") && band.contains("x = 232..299\n"), band);
        assertFalse(band.contains("z ="), "a 2D mesh has no plane titles");
    }

    @Test
    void everyPresetMapFits120Columns() {
        for (String name : MachineDescriptions.presetNames()) {
            assertFits(MeshMap.render(MachineDescriptions.preset(name)), 120);
        }
    }
}
