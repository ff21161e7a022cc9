package io.uniform.interconnect;

import io.uniform.config.MachineDescription;
import io.uniform.config.MeshPosition;
import io.uniform.config.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The mesh of a machine as the interconnect sees it: which router each nid sits on, the
 * dimension-order route between two nodes, hop counts, and optionally a {@link LatencyModel}.
 * Immutable, so one instance serves every node actor of a JVM.
 *
 * <h2>Routes</h2>
 * Routing is dimension order, as on the Paragon's and ASCI Red's mesh routers: a message first
 * travels along x until it reaches the receiver's column, then along y, then along z. The route
 * is deterministic and minimal, so its hop count is the Manhattan distance between the two
 * routers. Two nodes on one router (ASCI Red has two a router) are zero hops apart.
 *
 * <h2>What it reads of the description</h2>
 * Only what a re-boot cannot change: the mesh's dimensions, the node slots per router, the
 * empty (absent) slots and the link bandwidth; never a node's partition. A node re-booted into the other partition
 * ({@link MachineDescription#withPartition}) keeps its router and its routes, so a mesh built
 * from the boot-time description stays right for the machine's whole life. Routes lead
 * <em>through</em> any router, including routers whose slots are empty (a router carries traffic
 * whether or not a node sits on it), but only <em>between</em> nodes: a route to or from an
 * absent slot is refused, as there is no node to send or receive.
 */
public final class Mesh {
    private final MachineDescription machine;
    private final LatencyModel latency;

    private Mesh(MachineDescription machine, LatencyModel latency) {
        this.machine = machine;
        this.latency = latency;
    }

    /** The mesh of {@code machine}, without a latency model. */
    public static Mesh of(MachineDescription machine) {
        return new Mesh(Objects.requireNonNull(machine, "machine"), null);
    }

    /** This mesh with {@code model} for virtual transfer times. */
    public Mesh withLatency(LatencyModel model) {
        return new Mesh(machine, Objects.requireNonNull(model, "model"));
    }

    /** This mesh with a model of its own link bandwidth and {@code perHopNanos} a hop. */
    public Mesh withLatency(long perHopNanos) {
        return withLatency(LatencyModel.of(machine, perHopNanos));
    }

    /** The latency model, when one was given. */
    public Optional<LatencyModel> latency() {
        return Optional.ofNullable(latency);
    }

    /** Node slots: nids run from 0 to this minus one. */
    public int positionCount() {
        return machine.positionCount();
    }

    /** True when {@code nid} is a slot of this mesh with a node in it (not an absent slot). */
    public boolean hasNode(int nid) {
        return machine.contains(nid) && machine.partition(nid) != Partition.ABSENT;
    }

    /** The most hops any route takes: from one corner of the mesh to the opposite one. */
    public int diameter() {
        return (machine.x() - 1) + (machine.y() - 1) + (machine.z() - 1);
    }

    /**
     * Where slot {@code nid} sits, numbered as {@link MachineDescription#position} numbers it;
     * an absent slot has a position too.
     */
    public MeshPosition position(int nid) {
        return machine.position(nid);
    }

    /** The router slot {@code nid} is on; an absent slot has a router too. */
    public Router router(int nid) {
        MeshPosition position = position(nid);
        return new Router(position.x(), position.y(), position.z());
    }

    /**
     * Router-to-router links a message from node {@code from} to node {@code to} crosses: 0
     * between two nodes of one router (and from a node to itself).
     *
     * @throws IllegalArgumentException when either nid is outside the mesh or an absent slot
     */
    public int hops(int from, int to) {
        checkNode(from, "from");
        checkNode(to, "to");
        return router(from).distance(router(to));
    }

    /**
     * The dimension-order route from node {@code from} to node {@code to}: x first, then y,
     * then z.
     *
     * @throws IllegalArgumentException when either nid is outside the mesh or an absent slot
     */
    public Route route(int from, int to) {
        checkNode(from, "from");
        checkNode(to, "to");
        Router start = router(from);
        Router end = router(to);
        List<Router> routers = new ArrayList<>(start.distance(end) + 1);
        int cx = start.x();
        int cy = start.y();
        int cz = start.z();
        routers.add(start);
        while (cx != end.x()) {
            cx += Integer.signum(end.x() - cx);
            routers.add(new Router(cx, cy, cz));
        }
        while (cy != end.y()) {
            cy += Integer.signum(end.y() - cy);
            routers.add(new Router(cx, cy, cz));
        }
        while (cz != end.z()) {
            cz += Integer.signum(end.z() - cz);
            routers.add(new Router(cx, cy, cz));
        }
        return new Route(from, to, routers);
    }

    /**
     * Virtual nanoseconds to move {@code bytes} from node {@code from} to node {@code to} under
     * this mesh's latency model; empty when it has none.
     *
     * @throws IllegalArgumentException when either nid is outside the mesh or an absent slot,
     *     or {@code bytes} is negative
     */
    public OptionalLong transferNanos(int from, int to, long bytes) {
        int hops = hops(from, to);
        return latency == null ? OptionalLong.empty() : OptionalLong.of(latency.transferNanos(hops, bytes));
    }

    private void checkNode(int nid, String role) {
        if (machine.partition(nid) == Partition.ABSENT) {
            throw new IllegalArgumentException("nid " + nid + " (" + role + ") is an empty router slot: there is no node "
                    + (role.equals("from") ? "to send from" : "to send to"));
        }
    }

    @Override
    public String toString() {
        return machine.meshText() + " mesh, " + machine.nodesPerRouter() + " node(s) per router"
                + (latency == null ? "" : ", " + latency);
    }
}
