package io.uniform.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Chooses the nodes yod gives a job. A job gets a compact submesh when one is free: an
 * axis-aligned box of routers every node of which is free, so the job's messages stay inside
 * the box and it never shares a router with another job. When no box fits it gets the lowest
 * free nids (first fit).
 *
 * <p>Among the boxes that hold the job the allocator takes the one that leaves fewest of its
 * nodes unused, then the most cube-like (smallest surface, then shortest longest side: shorter
 * routes between ranks), then the lowest position (z, then y, then x). Ranks take the box's
 * nodes in mesh order: the slot on the router fastest, then x, then y, then z.
 *
 * <p>The same free nodes and size always give the same allocation.
 */
public final class NodeAllocator {
    /** Shape order: least waste (smallest volume), then most cube-like; the rest only makes ties deterministic. */
    private static final Comparator<Shape> PREFERENCE = Comparator.comparingInt(Shape::volume)
            .thenComparingInt(Shape::surface)
            .thenComparingInt(Shape::longestSide)
            .thenComparingInt(Shape::depth)
            .thenComparingInt(Shape::height);

    private NodeAllocator() {
    }

    /**
     * The nodes of a job, or why there are none.
     *
     * @param nids the job's nodes, rank order ({@code nids.get(rank)}); empty when the allocation failed
     * @param compact true when the nodes fill (part of) a box of routers no other job uses
     * @param error why no nodes were allocated; null when they were
     */
    public record Allocation(List<Integer> nids, boolean compact, String error) {
        public Allocation {
            nids = List.copyOf(nids);
            if (error != null && (compact || !nids.isEmpty())) {
                throw new IllegalArgumentException("a failed allocation has no nodes: " + error);
            }
        }

        /** True when the job got its nodes. */
        public boolean ok() {
            return error == null;
        }

        private static Allocation failed(String error) {
            return new Allocation(List.of(), false, error);
        }
    }

    /**
     * Chooses {@code size} nodes for a job from {@code freeNids}: the nodes the caller may use
     * (free nodes of the job's partition; partitions change at run time, so they are not read
     * from {@code mesh}, which supplies only the mesh's shape).
     *
     * @return the nodes, or an error when {@code size} is below 1 or more than the free nodes
     * @throws IllegalArgumentException when a free nid is outside {@code mesh}
     */
    public static Allocation allocate(MachineDescription mesh, Set<Integer> freeNids, int size) {
        Objects.requireNonNull(mesh, "mesh");
        for (int nid : freeNids) {
            if (!mesh.contains(nid)) {
                throw new IllegalArgumentException("free nid " + nid + " is outside the machine (nids 0.."
                        + (mesh.positionCount() - 1) + ")");
            }
        }
        if (size < 1) {
            return Allocation.failed("a job needs at least one node, not " + size);
        }
        if (freeNids.size() < size) {
            return Allocation.failed("only " + freeNids.size() + (freeNids.size() == 1 ? " node is" : " nodes are")
                    + " free; the job needs " + size);
        }
        FreeRouters free = new FreeRouters(mesh, freeNids);
        Box box = free.bestBox((size + mesh.nodesPerRouter() - 1) / mesh.nodesPerRouter());
        if (box != null) {
            return new Allocation(box.firstNids(mesh, size), true, null);
        }
        return new Allocation(freeNids.stream().sorted().limit(size).toList(), false, null);
    }

    /** A box size in routers. */
    private record Shape(int width, int height, int depth) {
        int volume() {
            return width * height * depth;
        }

        int surface() {
            return width * height + height * depth + depth * width;
        }

        int longestSide() {
            return Math.max(width, Math.max(height, depth));
        }

        boolean holds(Shape other) {
            return width >= other.width && height >= other.height && depth >= other.depth;
        }

        boolean equallyPreferred(Shape other) {
            return volume() == other.volume() && surface() == other.surface() && longestSide() == other.longestSide();
        }
    }

    /** A shape placed with its lowest corner at router ({@code x}, {@code y}, {@code z}). */
    private record Box(int x, int y, int z, Shape shape) {
        /** The box's first {@code size} nids in rank order. */
        List<Integer> firstNids(MachineDescription mesh, int size) {
            List<Integer> nids = new ArrayList<>(size);
            for (int pz = z; pz < z + shape.depth(); pz++) {
                for (int py = y; py < y + shape.height(); py++) {
                    for (int px = x; px < x + shape.width(); px++) {
                        for (int slot = 0; slot < mesh.nodesPerRouter(); slot++) {
                            if (nids.size() == size) {
                                return nids;
                            }
                            nids.add(mesh.nid(px, py, pz, slot));
                        }
                    }
                }
            }
            return nids;
        }
    }

    /**
     * Which routers have every node free, with a 3D prefix sum of them so that whether a box is
     * wholly free is known in constant time (the ASCI Red mesh has thousands of shapes and positions).
     */
    private static final class FreeRouters {
        private final int sizeX;
        private final int sizeY;
        private final int sizeZ;
        /** {@code sums[index(x, y, z)]}: fully free routers in [0, x) x [0, y) x [0, z). */
        private final int[] sums;

        FreeRouters(MachineDescription mesh, Set<Integer> freeNids) {
            sizeX = mesh.x();
            sizeY = mesh.y();
            sizeZ = mesh.z();
            sums = new int[(sizeX + 1) * (sizeY + 1) * (sizeZ + 1)];
            for (int z = 0; z < sizeZ; z++) {
                for (int y = 0; y < sizeY; y++) {
                    for (int x = 0; x < sizeX; x++) {
                        int router = isFree(mesh, freeNids, x, y, z) ? 1 : 0;
                        sums[index(x + 1, y + 1, z + 1)] = router
                                + sums[index(x, y + 1, z + 1)] + sums[index(x + 1, y, z + 1)] + sums[index(x + 1, y + 1, z)]
                                - sums[index(x, y, z + 1)] - sums[index(x, y + 1, z)] - sums[index(x + 1, y, z)]
                                + sums[index(x, y, z)];
                    }
                }
            }
        }

        private static boolean isFree(MachineDescription mesh, Set<Integer> freeNids, int x, int y, int z) {
            for (int slot = 0; slot < mesh.nodesPerRouter(); slot++) {
                if (!freeNids.contains(mesh.nid(x, y, z, slot))) {
                    return false;
                }
            }
            return true;
        }

        private int index(int x, int y, int z) {
            return x + (sizeX + 1) * (y + (sizeY + 1) * z);
        }

        /**
         * The preferred wholly free box of at least {@code routers} routers, or null. Shapes are
         * tried best first; among equally good shapes the lowest position wins. A shape that holds
         * one that fits nowhere fits nowhere either, which spares scanning the mesh for most shapes
         * when the free nodes are fragmented.
         */
        Box bestBox(int routers) {
            int freeRouters = sums[index(sizeX, sizeY, sizeZ)];
            List<Shape> shapes = shapesOfAtLeast(routers);
            List<Shape> misfits = new ArrayList<>();
            int first = 0;
            while (first < shapes.size() && shapes.get(first).volume() <= freeRouters) {
                Box best = null;
                int next = first;
                while (next < shapes.size() && shapes.get(next).equallyPreferred(shapes.get(first))) {
                    Shape shape = shapes.get(next++);
                    if (misfits.stream().anyMatch(shape::holds)) {
                        continue;
                    }
                    Box box = lowestFit(shape);
                    if (box == null) {
                        misfits.add(shape);
                    } else if (best == null || position(box) < position(best)) {
                        best = box;
                    }
                }
                if (best != null) {
                    return best;
                }
                first = next;
            }
            return null;
        }

        private List<Shape> shapesOfAtLeast(int routers) {
            List<Shape> shapes = new ArrayList<>();
            for (int depth = 1; depth <= sizeZ; depth++) {
                for (int height = 1; height <= sizeY; height++) {
                    for (int width = 1; width <= sizeX; width++) {
                        if (width * height * depth >= routers) {
                            shapes.add(new Shape(width, height, depth));
                        }
                    }
                }
            }
            shapes.sort(PREFERENCE);
            return shapes;
        }

        /** The lowest position (z, then y, then x) where {@code shape} is wholly free, or null. */
        private Box lowestFit(Shape shape) {
            for (int z = 0; z + shape.depth() <= sizeZ; z++) {
                for (int y = 0; y + shape.height() <= sizeY; y++) {
                    for (int x = 0; x + shape.width() <= sizeX; x++) {
                        if (freeRoutersIn(x, y, z, shape) == shape.volume()) {
                            return new Box(x, y, z, shape);
                        }
                    }
                }
            }
            return null;
        }

        private int freeRoutersIn(int x, int y, int z, Shape shape) {
            int x1 = x + shape.width();
            int y1 = y + shape.height();
            int z1 = z + shape.depth();
            return sums[index(x1, y1, z1)]
                    - sums[index(x, y1, z1)] - sums[index(x1, y, z1)] - sums[index(x1, y1, z)]
                    + sums[index(x, y, z1)] + sums[index(x, y1, z)] + sums[index(x1, y, z)]
                    - sums[index(x, y, z)];
        }

        private int position(Box box) {
            return box.x() + sizeX * (box.y() + sizeY * box.z());
        }
    }
}
