package io.uniform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MemberPlacementTest {
    private static MachineDescription machine(String placement) {
        return MachineDescriptions.fromConfig(ConfigFactory.parseString("preset = default\n" + placement));
    }

    /** The nids each member got, in member order. */
    private static Map<String, List<Integer>> nidsByMember(Map<Integer, String> hosts) {
        return hosts.entrySet().stream().collect(Collectors.groupingBy(Map.Entry::getValue, TreeMap::new,
                Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
    }

    @Test
    void blocksAreTheDefaultAndCutTheMeshIntoContiguousRunsOfEqualSize() {
        MachineDescription machine = MachineDescriptions.defaultMachine();
        assertEquals(MemberPlacement.DEFAULT, machine.placement());
        Map<String, List<Integer>> placed = nidsByMember(machine.placement().hosts(machine, List.of("a", "b", "c")));
        assertEquals(Map.of("a", List.of(0, 1, 2, 3, 4, 5), "b", List.of(6, 7, 8, 9, 10), "c", List.of(11, 12, 13, 14, 15)), placed);
    }

    @Test
    void roundRobinDealsTheNodesOutInTurn() {
        MachineDescription machine = machine("placement.policy = round-robin");
        Map<String, List<Integer>> placed = nidsByMember(machine.placement().hosts(machine, List.of("a", "b")));
        assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14), placed.get("a"));
        assertEquals(List.of(1, 3, 5, 7, 9, 11, 13, 15), placed.get("b"));
    }

    @Test
    void anExplicitMapPlacesTheNidsItNamesAndWrapsMemberIndexesPastTheLast() {
        MachineDescription machine = machine("placement { policy = explicit, members { 0 = [5], 2 = [0-3] } }");
        Map<Integer, String> two = machine.placement().hosts(machine, List.of("a", "b"));
        assertEquals("a", two.get(5));
        assertEquals(List.of("a", "a", "a", "a"), List.of(two.get(0), two.get(1), two.get(2), two.get(3)), "index 2 of 2 members is 0");
        assertEquals("b", two.get(15), "an unlisted nid goes by blocks");
        Map<Integer, String> three = machine.placement().hosts(machine, List.of("a", "b", "c"));
        assertEquals("c", three.get(0));
    }

    @Test
    void absentSlotsAreNotPlacedAndOneMemberHostsEverything() {
        MachineDescription machine = MachineDescriptions.preset("asci-red");
        Map<Integer, String> hosts = machine.placement().hosts(machine, List.of("only"));
        assertEquals(machine.nodeCount(), hosts.size());
        assertTrue(hosts.keySet().stream().allMatch(nid -> machine.partition(nid).isNode()));
        assertEquals(Map.of(), machine.placement().hosts(machine, List.of()));
    }

    @Test
    void blocksOverManyMembersDifferInSizeByOneAtMost() {
        MachineDescription machine = MachineDescriptions.preset("asci-red");
        Map<String, List<Integer>> placed = nidsByMember(machine.placement().hosts(machine, List.of("0", "1", "2", "3", "4", "5", "6")));
        int smallest = placed.values().stream().mapToInt(List::size).min().orElseThrow();
        int largest = placed.values().stream().mapToInt(List::size).max().orElseThrow();
        assertTrue(largest - smallest <= 1, placed.values().stream().map(List::size).toList().toString());
    }

    @Test
    void thePlacementIsPartOfTheFingerprint() {
        MachineDescription blocks = MachineDescriptions.defaultMachine();
        assertEquals(blocks.fingerprint(), MachineDescriptions.defaultMachine().fingerprint());
        assertNotEquals(blocks.fingerprint(), machine("placement.policy = round-robin").fingerprint());
        assertNotEquals(blocks.fingerprint(), MachineDescriptions.preset("paragon").fingerprint());
        assertEquals(blocks.fingerprint(), blocks.withPlacement(MemberPlacement.DEFAULT).fingerprint());
    }

    @Test
    void badPlacementsAreRefusedNamingTheKey() {
        assertEquals("configuration: placement.policy: unknown policy 'random'; the policies are blocks, round-robin and explicit"
                + " (String:2)", assertThrows(MachineConfigException.class, () -> machine("placement.policy = random")).getMessage());
        assertTrue(assertThrows(MachineConfigException.class, () -> machine("placement.policy = explicit")).getMessage()
                .contains("placement.members: missing"));
        assertTrue(assertThrows(MachineConfigException.class, () -> machine("placement { policy = blocks, members { 0 = [1] } }"))
                .getMessage().contains("only the explicit policy names members"));
        assertTrue(assertThrows(MachineConfigException.class, () -> machine("placement { policy = explicit, members { 0 = [1], 1 = [1] } }"))
                .getMessage().contains("nid 1 is also in placement.members.0"));
        assertTrue(assertThrows(MachineConfigException.class, () -> machine("placement { policy = explicit, members { 0 = [16] } }"))
                .getMessage().contains("nid 16 is out of range"));
        assertTrue(assertThrows(MachineConfigException.class, () -> machine("placement { policy = explicit, members { x = [1] } }"))
                .getMessage().contains("'x' is not a member index"));
    }
}
