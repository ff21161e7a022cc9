package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.UnifiedLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which OS each rank of a snapshot restarts on, for the free nodes of each partition. */
class RestartPlacementTest {
    private static final int PUMA = UnifiedLibrary.OS_PUMA;
    private static final int LINUX = UnifiedLibrary.OS_LINUX;

    private final List<List<Integer>> asked = new ArrayList<>();

    private RestartPlacement.Plan plan(List<Integer> os, int freeCompute, int freeService, Map<Integer, String> refusals) {
        return RestartPlacement.plan(os, freeCompute, freeService, ranks -> {
            asked.add(ranks);
            return refusals;
        });
    }

    @Test
    void everyRankKeepsItsOsWhileItsPartitionHasRoom() {
        RestartPlacement.Plan plan = plan(List.of(PUMA, LINUX, PUMA), 2, 1, Map.of());
        assertNull(plan.refusal());
        assertEquals(List.of(PUMA, LINUX, PUMA), plan.os());
        assertEquals(List.of(), asked, "no state is read when every rank keeps its OS");
    }

    @Test
    void thePumaRanksPastTheFreeComputeNodesGoToLinuxHighestFirst() {
        RestartPlacement.Plan plan = plan(List.of(PUMA, PUMA, LINUX, PUMA), 1, 3, Map.of());
        assertNull(plan.refusal());
        assertEquals(List.of(PUMA, LINUX, LINUX, LINUX), plan.os());
        assertEquals(List.of(), asked, "a Puma rank always fits Linux");
    }

    @Test
    void theLinuxRanksPastTheFreeServiceNodesGoToPumaOnlyIfTheyFit() {
        RestartPlacement.Plan plan = plan(List.of(LINUX, LINUX, LINUX, PUMA), 2, 2, Map.of(2, "its stack is too high"));
        assertNull(plan.refusal());
        assertEquals(List.of(LINUX, PUMA, LINUX, PUMA), plan.os(), "rank 2 does not fit Puma, rank 1 does");
        assertEquals(List.of(List.of(0, 1, 2)), asked);
    }

    @Test
    void linuxRanksThatDoNotFitPumaAreRefusedByNameAndReason() {
        RestartPlacement.Plan plan = plan(List.of(LINUX, LINUX, PUMA), 2, 1, Map.of(0, "too high", 1, "sleeps"));
        assertEquals(List.of(), plan.os());
        assertEquals("its 2 Linux ranks find 1 free service nodes, and only 0 of them fit a Puma node where 1 must go"
                + " (rank 0: too high; rank 1: sleeps)", plan.refusal());
    }

    @Test
    void tooFewFreeNodesAreRefusedWithTheCounts() {
        RestartPlacement.Plan plan = plan(List.of(PUMA, PUMA, LINUX), 1, 1, Map.of());
        assertTrue(plan.refusal().contains("its 3 ranks (2 Puma, 1 Linux) need as many nodes, and 1 compute and 1 service nodes are free"),
                plan.refusal());
    }
}
