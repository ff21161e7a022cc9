package io.uniform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.NodeAllocator.Allocation;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NodeAllocatorTest {
    private static final MachineDescription FOUR_BY_FOUR = MachineDescription.of("t", 4, 4, 1, 1, 4096, 1);

    private static Set<Integer> allNids(MachineDescription mesh) {
        return IntStream.range(0, mesh.positionCount()).boxed().collect(Collectors.toSet());
    }

    private static Set<Integer> allNidsExcept(MachineDescription mesh, Integer... busy) {
        Set<Integer> free = allNids(mesh);
        free.removeAll(List.of(busy));
        return free;
    }

    private static Allocation allocated(MachineDescription mesh, Set<Integer> free, int size) {
        Allocation allocation = NodeAllocator.allocate(mesh, free, size);
        assertTrue(allocation.ok(), () -> "allocation failed: " + allocation.error());
        assertNull(allocation.error());
        return allocation;
    }

    @Test
    void fourOnAFourByFourMeshGetATwoByTwoSquare() {
        Allocation allocation = allocated(FOUR_BY_FOUR, allNids(FOUR_BY_FOUR), 4);
        assertEquals(List.of(0, 1, 4, 5), allocation.nids(), "x fastest, then y");
        assertTrue(allocation.compact());
    }

    @Test
    void oneNodeIsTheLowestFreeNid() {
        Allocation allocation = allocated(FOUR_BY_FOUR, Set.of(9, 3, 7), 1);
        assertEquals(List.of(3), allocation.nids());
        assertTrue(allocation.compact());
    }

    @Test
    void leastWasteComesFirstThenSquarenessThenTheLowestPosition() {
        assertEquals(List.of(0, 1, 2), allocated(FOUR_BY_FOUR, allNids(FOUR_BY_FOUR), 3).nids(),
                "a 3 x 1 row wastes nothing; a 2 x 2 square would waste a node");
        Allocation spare = allocated(FOUR_BY_FOUR, allNidsExcept(FOUR_BY_FOUR, 2, 6, 8, 9, 10, 11, 14), 3);
        assertEquals(List.of(0, 1, 4), spare.nids(), "with no free row or column of 3, a square with a spare node");
        assertTrue(spare.compact());
        assertEquals(List.of(1, 2, 5, 6), allocated(FOUR_BY_FOUR, allNidsExcept(FOUR_BY_FOUR, 4), 4).nids(),
                "the square at x = 1 rather than the 4 x 1 row at the lower position y = 0");
        assertEquals(List.of(0, 4), allocated(FOUR_BY_FOUR, allNidsExcept(FOUR_BY_FOUR, 1), 2).nids(),
                "a 1 x 2 column at x = 0 is as good as a 2 x 1 row, and lower than the first free row at x = 2");
    }

    @Test
    void aFragmentedMeshFallsBackToTheLowestFreeNids() {
        Set<Integer> checkerboard = IntStream.range(0, 16)
                .filter(nid -> (nid % 4 + nid / 4) % 2 == 0).boxed().collect(Collectors.toSet());
        Allocation allocation = allocated(FOUR_BY_FOUR, checkerboard, 3);
        assertEquals(List.of(0, 2, 5), allocation.nids());
        assertFalse(allocation.compact(), "no two neighbouring routers are free");
    }

    @Test
    void tooLargeOrEmptyJobsAreRefusedWithAReason() {
        Allocation tooLarge = NodeAllocator.allocate(FOUR_BY_FOUR, Set.of(1, 2, 3), 4);
        assertFalse(tooLarge.ok());
        assertEquals("only 3 nodes are free; the job needs 4", tooLarge.error());
        assertEquals(List.of(), tooLarge.nids());
        assertFalse(tooLarge.compact());
        assertEquals("only 1 node is free; the job needs 2", NodeAllocator.allocate(FOUR_BY_FOUR, Set.of(1), 2).error());
        assertEquals("a job needs at least one node, not 0",
                NodeAllocator.allocate(FOUR_BY_FOUR, allNids(FOUR_BY_FOUR), 0).error());
        assertThrows(IllegalArgumentException.class, () -> NodeAllocator.allocate(FOUR_BY_FOUR, Set.of(16), 1),
                "a free nid outside the mesh is the caller's mistake");
    }

    @Test
    void aJobCanTakeEveryFreeNode() {
        Allocation whole = allocated(FOUR_BY_FOUR, allNids(FOUR_BY_FOUR), 16);
        assertEquals(IntStream.range(0, 16).boxed().toList(), whole.nids());
        assertTrue(whole.compact());

        Set<Integer> allButOne = allNidsExcept(FOUR_BY_FOUR, 5);
        Allocation rest = allocated(FOUR_BY_FOUR, allButOne, 15);
        assertEquals(new TreeSet<>(allButOne).stream().toList(), rest.nids());
        assertFalse(rest.compact(), "a mesh with a hole is no box");
    }

    @Test
    void aThreeDimensionalMeshWithTwoNodesPerRouterIsAllocatedByWholeRouters() {
        MachineDescription mesh = MachineDescription.of("t", 3, 3, 2, 2, 4096, 1);
        assertEquals(List.of(0, 1, 2, 3, 6, 7, 8, 9, 18, 19, 20, 21, 24, 25, 26, 27),
                allocated(mesh, allNids(mesh), 16).nids(), "a 2 x 2 x 2 cube: slot, then x, then y, then z");

        Allocation beside = allocated(mesh, allNidsExcept(mesh, mesh.nid(0, 0, 0, 1)), 16);
        assertEquals(List.of(2, 3, 4, 5, 8, 9, 10, 11, 20, 21, 22, 23, 26, 27, 28, 29), beside.nids(),
                "the cube moves off the router whose other node is busy, though nid 0 is free");
        assertTrue(beside.compact());

        assertEquals(List.of(0, 1, 2), allocated(mesh, allNids(mesh), 3).nids(),
                "an odd size leaves the last slot of its box unused");
    }

    @Test
    void asciRedAllocatesASmallCubeAndTheWholeComputePartition() {
        MachineDescription red = MachineDescriptions.preset("asci-red");
        Set<Integer> compute = Arrays.stream(red.nids(Partition.COMPUTE)).boxed().collect(Collectors.toSet());

        Allocation small = allocated(red, compute, 64);
        assertValidAllocation(small, compute, 64);
        assertTrue(small.compact());
        Set<MeshPosition> routers = small.nids().stream().map(red::position)
                .map(at -> new MeshPosition(at.x(), at.y(), at.z(), 0)).collect(Collectors.toSet());
        assertEquals(32, routers.size(), "64 nodes on 32 whole routers");
        for (MeshPosition router : routers) {
            assertTrue(router.x() >= 1 && router.x() <= 4 && router.y() <= 3,
                    () -> "a 4 x 4 x 2 cube next to the service column, not " + router);
        }

        Allocation all = allocated(red, compute, 4536);
        assertValidAllocation(all, compute, 4536);
        assertFalse(all.compact(), "the service, I/O and system nodes leave no box of 2,268 free routers");
    }

    private static void assertValidAllocation(Allocation allocation, Set<Integer> free, int size) {
        assertEquals(size, allocation.nids().size());
        assertEquals(size, new HashSet<>(allocation.nids()).size(), "distinct nodes");
        assertTrue(free.containsAll(allocation.nids()), "free nodes only");
    }
}
