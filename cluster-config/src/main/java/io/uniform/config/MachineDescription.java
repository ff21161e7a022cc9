package io.uniform.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable description of one emulated MPP: the mesh of routers, the nodes on each router,
 * memory per node, link bandwidth, and which partition each node belongs to.
 *
 * <h2>Node ids</h2>
 * The mesh has {@code x * y * z} routers ({@code z = 1} for a 2D mesh such as the Paragon's)
 * and {@code nodesPerRouter} node slots on each router (2 on ASCI Red). Every slot has a node
 * id (nid) from 0 to {@code positionCount() - 1}, numbered in mesh order: the node slot on
 * the router fastest, then x, then y, then z:
 * <pre>
 *   nid = node + P * (x + X * (y + Y * z))      (P nodes per router)
 * </pre>
 * so the nodes of one router have consecutive nids (an allocator that hands out nid ranges
 * never splits a router), and with one node per router the nids of a mesh row are consecutive.
 *
 * <h2>Partitions</h2>
 * Each nid is {@link Partition#COMPUTE}, {@link Partition#SERVICE}, {@link Partition#IO},
 * {@link Partition#SYSTEM}, or {@link Partition#ABSENT} (a slot with no node: ASCI Red's
 * published node count is smaller than its router slots). Partition boundaries change at run
 * time when a node is re-booted into the other operating system:
 * {@link #withPartition(int, Partition)} returns the description after such a change and
 * leaves this one as it was.
 *
 * <p>Descriptions are loaded from HOCON by {@link MachineDescriptions}; {@link #of} builds one
 * in code (all compute nodes) for tests.
 */
public final class MachineDescription {
    private final String name;
    private final String description;
    private final String source;
    private final int x;
    private final int y;
    private final int z;
    private final int nodesPerRouter;
    private final long memoryPerNode;
    private final long linkBandwidthBytesPerSecond;
    /** Partition ordinal per nid; never modified after construction. */
    private final byte[] partitions;
    private final int[] counts;
    private final MemberPlacement placement;

    MachineDescription(String name, String description, String source, int x, int y, int z, int nodesPerRouter,
                       long memoryPerNode, long linkBandwidthBytesPerSecond, byte[] partitions, MemberPlacement placement) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.source = Objects.requireNonNull(source, "source");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a machine needs a name");
        }
        if (x <= 0 || y <= 0 || z <= 0 || nodesPerRouter <= 0) {
            throw new IllegalArgumentException("mesh dimensions and nodes per router must be positive: "
                    + x + " x " + y + " x " + z + ", " + nodesPerRouter + " per router");
        }
        long positions = positions(x, y, z, nodesPerRouter);
        if (positions > MachineDescriptions.MAX_NODES) {
            throw new IllegalArgumentException("a mesh of " + positions + " node positions is larger than the "
                    + MachineDescriptions.MAX_NODES + " this emulator supports");
        }
        if (memoryPerNode <= 0 || memoryPerNode % MachineDescriptions.PAGE_SIZE != 0
                || memoryPerNode > MachineDescriptions.MAX_MEMORY_PER_NODE) {
            throw new IllegalArgumentException("memory per node must be a positive multiple of 4 KiB, at most 1 GiB: "
                    + memoryPerNode);
        }
        if (linkBandwidthBytesPerSecond <= 0) {
            throw new IllegalArgumentException("link bandwidth must be positive: " + linkBandwidthBytesPerSecond);
        }
        if (partitions.length != positions) {
            throw new IllegalArgumentException(partitions.length + " partition entries for " + positions + " positions");
        }
        this.x = x;
        this.y = y;
        this.z = z;
        this.nodesPerRouter = nodesPerRouter;
        this.memoryPerNode = memoryPerNode;
        this.linkBandwidthBytesPerSecond = linkBandwidthBytesPerSecond;
        this.partitions = partitions;
        this.placement = Objects.requireNonNull(placement, "placement");
        placement.memberOf().keySet().forEach(this::checkNid);
        this.counts = new int[Partition.values().length];
        for (byte partition : partitions) {
            counts[partition]++;
        }
    }

    /** Node slots of a mesh with positive dimensions; Long.MAX_VALUE if the product does not fit in a long. */
    static long positions(int x, int y, int z, int nodesPerRouter) {
        try {
            return Math.multiplyExact(Math.multiplyExact((long) x, y), Math.multiplyExact((long) z, nodesPerRouter));
        } catch (ArithmeticException tooMany) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A machine whose every position holds a compute node. Give it other partitions with
     * {@link #withPartition(int, Partition)}.
     *
     * @throws IllegalArgumentException for a non-positive dimension, a mesh over
     *     {@value MachineDescriptions#MAX_NODES} positions, memory that is not a positive
     *     multiple of 4 KiB up to 1 GiB, or a non-positive bandwidth
     */
    public static MachineDescription of(String name, int x, int y, int z, int nodesPerRouter, long memoryPerNode,
                                        long linkBandwidthBytesPerSecond) {
        long positions = positions(x, y, z, nodesPerRouter);
        if (x <= 0 || y <= 0 || z <= 0 || nodesPerRouter <= 0 || positions > MachineDescriptions.MAX_NODES) {
            // Let the constructor report it, without allocating an absurd array first.
            return new MachineDescription(name, "", "", x, y, z, nodesPerRouter, memoryPerNode,
                    linkBandwidthBytesPerSecond, new byte[0], MemberPlacement.DEFAULT);
        }
        byte[] all = new byte[(int) positions];
        Arrays.fill(all, (byte) Partition.COMPUTE.ordinal());
        return new MachineDescription(name, "", "", x, y, z, nodesPerRouter, memoryPerNode,
                linkBandwidthBytesPerSecond, all, MemberPlacement.DEFAULT);
    }

    /** The machine's name (the preset name, or the one its file gives). */
    public String name() {
        return name;
    }

    /** A one-line description for people; may be empty. */
    public String description() {
        return description;
    }

    /** Where the figures come from; may be empty. */
    public String source() {
        return source;
    }

    /** Routers along x. */
    public int x() {
        return x;
    }

    /** Routers along y. */
    public int y() {
        return y;
    }

    /** Routers along z (1 for a 2D mesh). */
    public int z() {
        return z;
    }

    /** Node slots on each router. */
    public int nodesPerRouter() {
        return nodesPerRouter;
    }

    /** Bytes of memory on each node (a multiple of 4 KiB). */
    public long memoryPerNode() {
        return memoryPerNode;
    }

    /** Node-to-node link bandwidth in bytes per second (a described figure, for timing models and reports). */
    public long linkBandwidthBytesPerSecond() {
        return linkBandwidthBytesPerSecond;
    }

    /** Routers in the mesh: {@code x * y * z}. */
    public int routerCount() {
        return x * y * z;
    }

    /** Node slots: {@code routerCount() * nodesPerRouter()}; nids run from 0 to this minus one. */
    public int positionCount() {
        return partitions.length;
    }

    /** Nodes actually present: every position that is not {@link Partition#ABSENT}. */
    public int nodeCount() {
        return partitions.length - counts[Partition.ABSENT.ordinal()];
    }

    /** True when {@code nid} names a position of this mesh. */
    public boolean contains(int nid) {
        return nid >= 0 && nid < partitions.length;
    }

    /** The partition of {@code nid}. */
    public Partition partition(int nid) {
        checkNid(nid);
        return Partition.values()[partitions[nid]];
    }

    /** How many positions are in {@code partition}. */
    public int count(Partition partition) {
        return counts[partition.ordinal()];
    }

    /** The count of every partition, in {@link Partition} order (zero counts included). */
    public Map<Partition, Integer> counts() {
        Map<Partition, Integer> result = new EnumMap<>(Partition.class);
        for (Partition partition : Partition.values()) {
            result.put(partition, counts[partition.ordinal()]);
        }
        return Collections.unmodifiableMap(result);
    }

    /** The nids of {@code partition}, ascending. */
    public int[] nids(Partition partition) {
        int[] result = new int[counts[partition.ordinal()]];
        int next = 0;
        for (int nid = 0; nid < partitions.length; nid++) {
            if (partitions[nid] == partition.ordinal()) {
                result[next++] = nid;
            }
        }
        return result;
    }

    /** Where {@code nid} sits in the mesh. */
    public MeshPosition position(int nid) {
        checkNid(nid);
        int node = nid % nodesPerRouter;
        int rest = nid / nodesPerRouter;
        int px = rest % x;
        rest /= x;
        int py = rest % y;
        return new MeshPosition(px, py, rest / y, node);
    }

    /** The nid at router ({@code x}, {@code y}, {@code z}), node slot {@code node}. */
    public int nid(int x, int y, int z, int node) {
        if (x < 0 || x >= this.x || y < 0 || y >= this.y || z < 0 || z >= this.z || node < 0 || node >= nodesPerRouter) {
            throw new IllegalArgumentException("(" + x + "," + y + "," + z + ") node " + node + " is outside the "
                    + meshText() + " mesh with " + nodesPerRouter + " node(s) per router");
        }
        return node + nodesPerRouter * (x + this.x * (y + this.y * z));
    }

    /** The nid at {@code position}. */
    public int nid(MeshPosition position) {
        return nid(position.x(), position.y(), position.z(), position.node());
    }

    /**
     * This machine after node {@code nid} was re-booted into {@code partition}: a new description
     * that differs from this one in that node only (this one is unchanged). Re-booting a node into
     * the partition it is already in returns this description.
     *
     * @throws IllegalArgumentException when {@code nid} is outside the mesh, or it or
     *     {@code partition} is {@link Partition#ABSENT} (a missing node cannot boot, and a node
     *     cannot be removed by re-booting it)
     */
    public MachineDescription withPartition(int nid, Partition partition) {
        Objects.requireNonNull(partition, "partition");
        checkNid(nid);
        if (partitions[nid] == Partition.ABSENT.ordinal()) {
            throw new IllegalArgumentException("nid " + nid + " is an empty router slot: there is no node to re-boot");
        }
        if (partition == Partition.ABSENT) {
            throw new IllegalArgumentException("nid " + nid + " cannot be re-booted into 'absent': it is not an operating system");
        }
        if (partitions[nid] == partition.ordinal()) {
            return this;
        }
        byte[] changed = partitions.clone();
        changed[nid] = (byte) partition.ordinal();
        return new MachineDescription(name, description, source, x, y, z, nodesPerRouter, memoryPerNode,
                linkBandwidthBytesPerSecond, changed, placement);
    }

    /** Which cluster member hosts which node. */
    public MemberPlacement placement() {
        return placement;
    }

    /** This machine with its nodes placed on members by {@code placement} (this one is unchanged). */
    public MachineDescription withPlacement(MemberPlacement placement) {
        return new MachineDescription(name, description, source, x, y, z, nodesPerRouter, memoryPerNode,
                linkBandwidthBytesPerSecond, partitions, placement);
    }

    /**
     * A short digest of everything that shapes the machine (name, mesh, memory, links, partitions,
     * placement; not the free text): members of one cluster must agree on it.
     */
    public String fingerprint() {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update((name + "|" + x + "x" + y + "x" + z + "|" + nodesPerRouter + "|" + memoryPerNode + "|"
                    + linkBandwidthBytesPerSecond + "|" + placement + "|").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(partitions);
            return java.util.HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** True when {@code other} has the same mesh (dimensions and nodes per router). */
    public boolean sameMesh(MachineDescription other) {
        return x == other.x && y == other.y && z == other.z && nodesPerRouter == other.nodesPerRouter;
    }

    /**
     * The nids whose partition differs between {@code baseline} and this description, ascending.
     *
     * @throws IllegalArgumentException when the meshes differ
     */
    public List<Integer> changedFrom(MachineDescription baseline) {
        if (!sameMesh(baseline)) {
            throw new IllegalArgumentException("cannot compare a " + meshText() + " mesh with a "
                    + baseline.meshText() + " one");
        }
        List<Integer> changed = new ArrayList<>();
        for (int nid = 0; nid < partitions.length; nid++) {
            if (partitions[nid] != baseline.partitions[nid]) {
                changed.add(nid);
            }
        }
        return changed;
    }

    /** The mesh as people write it: "4 x 4" or "38 x 32 x 2". */
    public String meshText() {
        return z == 1 ? x + " x " + y : x + " x " + y + " x " + z;
    }

    private void checkNid(int nid) {
        if (!contains(nid)) {
            throw new IllegalArgumentException("nid " + nid + " is outside the machine (nids 0.." + (partitions.length - 1) + ")");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MachineDescription that
                && name.equals(that.name) && description.equals(that.description) && source.equals(that.source)
                && x == that.x && y == that.y && z == that.z && nodesPerRouter == that.nodesPerRouter
                && memoryPerNode == that.memoryPerNode
                && linkBandwidthBytesPerSecond == that.linkBandwidthBytesPerSecond
                && Arrays.equals(partitions, that.partitions) && placement.equals(that.placement);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, x, y, z, nodesPerRouter, memoryPerNode, linkBandwidthBytesPerSecond)
                * 31 + Arrays.hashCode(partitions);
    }

    @Override
    public String toString() {
        return name + ": " + meshText() + " mesh, " + nodesPerRouter + " node(s) per router, " + nodeCount()
                + " nodes (" + count(Partition.COMPUTE) + " compute, " + count(Partition.SERVICE) + " service, "
                + count(Partition.IO) + " I/O, " + count(Partition.SYSTEM) + " system), "
                + memoryPerNode + " bytes per node";
    }
}
