package io.uniform.interconnect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.MeshPosition;
import io.uniform.config.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MeshTest {
    private static final MachineDescription DEFAULT = MachineDescriptions.preset("default");
    private static final MachineDescription PARAGON = MachineDescriptions.preset("paragon");
    private static final MachineDescription ASCI_RED = MachineDescriptions.preset("asci-red");

    private static List<Router> routers(int... xyz) {
        List<Router> result = new ArrayList<>();
        for (int i = 0; i < xyz.length; i += 3) {
            result.add(new Router(xyz[i], xyz[i + 1], xyz[i + 2]));
        }
        return result;
    }

    /**
     * What a dimension-order route must be, checked step by step: it starts and ends on the
     * right routers, crosses one link a step, never turns back, and finishes x before it moves
     * in y, and y before z.
     */
    private static void assertDimensionOrder(Mesh mesh, int from, int to) {
        Route route = mesh.route(from, to);
        assertEquals(from, route.from());
        assertEquals(to, route.to());
        List<Router> path = route.routers();
        Router start = mesh.router(from);
        Router end = mesh.router(to);
        assertEquals(start, path.get(0), () -> from + "->" + to + " starts on the sender's router");
        assertEquals(end, path.get(path.size() - 1), () -> from + "->" + to + " ends on the receiver's router");
        assertEquals(start.distance(end), route.hops(), () -> from + "->" + to + " is minimal");
        assertEquals(route.hops(), mesh.hops(from, to));
        int phase = 0; // 0: moving in x, 1: in y, 2: in z
        for (int i = 1; i < path.size(); i++) {
            Router a = path.get(i - 1);
            Router b = path.get(i);
            int axis = a.x() != b.x() ? 0 : a.y() != b.y() ? 1 : 2;
            assertTrue(axis >= phase, () -> from + "->" + to + " moves in x, then y, then z: " + path);
            phase = axis;
        }
    }

    // ---- positions ----

    @Test
    void positionsAndRoutersAgreeWithTheDescriptionForEverySlot() {
        for (MachineDescription machine : List.of(DEFAULT, PARAGON, ASCI_RED)) {
            Mesh mesh = Mesh.of(machine);
            assertEquals(machine.positionCount(), mesh.positionCount());
            for (int nid = 0; nid < machine.positionCount(); nid++) {
                MeshPosition position = machine.position(nid);
                assertEquals(position, mesh.position(nid), machine.name() + " nid " + nid);
                assertEquals(new Router(position.x(), position.y(), position.z()), mesh.router(nid));
                assertEquals(machine.partition(nid) != Partition.ABSENT, mesh.hasNode(nid), machine.name() + " nid " + nid);
            }
        }
    }

    @Test
    void slotsOutsideTheMeshAreRefused() {
        Mesh mesh = Mesh.of(DEFAULT);
        assertFalse(mesh.hasNode(-1));
        assertFalse(mesh.hasNode(16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mesh.router(16));
        assertTrue(e.getMessage().contains("nid 16 is outside the machine (nids 0..15)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mesh.position(-1));
        assertThrows(IllegalArgumentException.class, () -> mesh.hops(0, 16));
        assertThrows(IllegalArgumentException.class, () -> mesh.hops(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> mesh.route(Integer.MIN_VALUE, 0));
    }

    // ---- the default 4 x 4 ----

    @Test
    void theDefaultMeshRoutesInXThenY() {
        Mesh mesh = Mesh.of(DEFAULT);
        assertEquals(routers(0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 3, 1, 0, 3, 2, 0, 3, 3, 0), mesh.route(0, 15).routers());
        // Dimension order is not symmetric: the way back also goes along x first, so in another row.
        assertEquals(routers(3, 3, 0, 2, 3, 0, 1, 3, 0, 0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0), mesh.route(15, 0).routers());
        assertEquals(6, mesh.hops(0, 15));
        assertEquals(6, mesh.diameter());
        // Along a row only, along a column only.
        assertEquals(routers(2, 1, 0, 1, 1, 0), mesh.route(6, 5).routers());
        assertEquals(routers(1, 3, 0, 1, 2, 0, 1, 1, 0, 1, 0, 0), mesh.route(13, 1).routers());
    }

    @Test
    void aNodeIsZeroHopsFromItself() {
        Mesh mesh = Mesh.of(DEFAULT);
        for (int nid = 0; nid < 16; nid++) {
            Route route = mesh.route(nid, nid);
            assertEquals(List.of(mesh.router(nid)), route.routers());
            assertEquals(0, route.hops());
        }
    }

    @Test
    void everyPairOfTheDefaultMeshIsRoutedInDimensionOrderAndHopsAreSymmetric() {
        Mesh mesh = Mesh.of(DEFAULT);
        int longest = 0;
        for (int from = 0; from < 16; from++) {
            for (int to = 0; to < 16; to++) {
                assertDimensionOrder(mesh, from, to);
                assertEquals(mesh.hops(from, to), mesh.hops(to, from));
                longest = Math.max(longest, mesh.hops(from, to));
            }
        }
        assertEquals(mesh.diameter(), longest);
    }

    // ---- the Paragon preset ----

    @Test
    void theParagonMeshSpansFortySixHopsCornerToCorner() {
        Mesh mesh = Mesh.of(PARAGON);
        assertEquals(46, mesh.diameter());
        Route corner = mesh.route(0, 511);
        assertEquals(46, corner.hops());
        assertEquals(new Router(15, 0, 0), corner.routers().get(15), "all of x first");
        // The service column (x = 0) to the I/O column (x = 15) on one row: 15 hops along x.
        assertEquals(Partition.SERVICE, PARAGON.partition(16 * 7));
        assertEquals(Partition.IO, PARAGON.partition(16 * 7 + 15));
        assertEquals(15, mesh.hops(16 * 7, 16 * 7 + 15));
        Random random = new Random(1);
        for (int i = 0; i < 2_000; i++) {
            assertDimensionOrder(mesh, random.nextInt(512), random.nextInt(512));
        }
    }

    // ---- ASCI Red: 3D, two nodes a router, empty slots ----

    @Test
    void asciRedNodesOfOneRouterAreZeroHopsApart() {
        Mesh mesh = Mesh.of(ASCI_RED);
        assertEquals(0, mesh.hops(0, 1));
        assertEquals(List.of(new Router(0, 0, 0)), mesh.route(1, 0).routers());
        assertEquals(0, mesh.hops(4600, 4601));
        assertEquals(1, mesh.hops(1, 2), "slot 1 of router (0,0,0) to slot 0 of router (1,0,0)");
    }

    @Test
    void asciRedRoutesCrossThePlanesLast() {
        Mesh mesh = Mesh.of(ASCI_RED);
        assertEquals(37 + 31 + 1, mesh.diameter());
        // Service nid 0 at (0,0,0) to system nid 2432 at (0,0,1): one hop, in z.
        assertEquals(Partition.SYSTEM, ASCI_RED.partition(2432));
        assertEquals(routers(0, 0, 0, 0, 0, 1), mesh.route(0, 2432).routers());
        // nid 3 at (1,0,0)#1 to the last node, 4601 at (20,28,1)#1: x, then y, then z.
        assertEquals(new MeshPosition(20, 28, 1, 1), mesh.position(4601));
        Route route = mesh.route(3, 4601);
        assertEquals(19 + 28 + 1, route.hops());
        assertEquals(new Router(20, 0, 0), route.routers().get(19));
        assertEquals(new Router(20, 28, 0), route.routers().get(19 + 28));
        assertEquals(new Router(20, 28, 1), route.routers().get(route.hops()));
        Random random = new Random(2);
        int[] present = ASCI_RED.nids(Partition.COMPUTE);
        for (int i = 0; i < 5_000; i++) {
            int from = present[random.nextInt(present.length)];
            int to = present[random.nextInt(present.length)];
            assertDimensionOrder(mesh, from, to);
        }
    }

    @Test
    void absentSlotsHaveARouterButNoRoutes() {
        Mesh mesh = Mesh.of(ASCI_RED);
        assertEquals(Partition.ABSENT, ASCI_RED.partition(4602));
        assertFalse(mesh.hasNode(4602));
        assertFalse(mesh.hasNode(4863));
        assertTrue(mesh.hasNode(4601));
        assertEquals(new Router(37, 31, 1), mesh.router(4863));
        IllegalArgumentException to = assertThrows(IllegalArgumentException.class, () -> mesh.route(0, 4602));
        assertTrue(to.getMessage().contains("nid 4602 (to) is an empty router slot: there is no node to send to"),
                to.getMessage());
        IllegalArgumentException from = assertThrows(IllegalArgumentException.class, () -> mesh.hops(4863, 0));
        assertTrue(from.getMessage().contains("nid 4863 (from) is an empty router slot: there is no node to send from"),
                from.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mesh.transferNanos(4700, 4700, 1));
    }

    @Test
    void routesLeadThroughRoutersWhoseSlotsAreEmpty() {
        Mesh mesh = Mesh.of(ASCI_RED);
        // From the last node, (20,28,1), to (37,0,1) slot 0: along x on row 28 of plane 1, whose
        // routers from x = 21 on hold no node, then down y.
        int to = ASCI_RED.nid(37, 0, 1, 0);
        assertTrue(mesh.hasNode(to));
        Route route = mesh.route(4600, to);
        assertEquals(17 + 28, route.hops());
        for (int x = 21; x <= 37; x++) {
            Router router = route.routers().get(x - 20);
            assertEquals(new Router(x, 28, 1), router);
            assertEquals(Partition.ABSENT, ASCI_RED.partition(ASCI_RED.nid(x, 28, 1, 0)), "router " + router + " is empty");
            assertEquals(Partition.ABSENT, ASCI_RED.partition(ASCI_RED.nid(x, 28, 1, 1)));
        }
    }

    @Test
    void aRebootedNodeKeepsItsRoutes() {
        MachineDescription rebooted = DEFAULT.withPartition(5, Partition.SERVICE).withPartition(0, Partition.COMPUTE);
        Mesh before = Mesh.of(DEFAULT);
        Mesh after = Mesh.of(rebooted);
        for (int from = 0; from < 16; from++) {
            for (int to = 0; to < 16; to++) {
                assertEquals(before.route(from, to), after.route(from, to));
            }
        }
    }

    @Test
    void aMeshBuiltInCodeRoutesIn3D() {
        Mesh mesh = Mesh.of(MachineDescription.of("cube", 3, 3, 3, 1, 1 << 20, 1_000_000));
        assertEquals(6, mesh.diameter());
        assertEquals(routers(0, 0, 0, 1, 0, 0, 2, 0, 0, 2, 1, 0, 2, 2, 0, 2, 2, 1, 2, 2, 2), mesh.route(0, 26).routers());
        assertEquals(routers(2, 2, 2, 1, 2, 2, 0, 2, 2, 0, 1, 2, 0, 0, 2, 0, 0, 1, 0, 0, 0), mesh.route(26, 0).routers());
        for (int from = 0; from < 27; from++) {
            for (int to = 0; to < 27; to++) {
                assertDimensionOrder(mesh, from, to);
            }
        }
    }

    // ---- routes as values ----

    @Test
    void aRouteIsAnImmutablePathOfNeighbours() {
        List<Router> path = new ArrayList<>(routers(0, 0, 0, 1, 0, 0));
        Route route = new Route(0, 1, path);
        path.add(new Router(2, 0, 0));
        assertEquals(1, route.hops(), "the route copied its path");
        assertThrows(UnsupportedOperationException.class, () -> route.routers().add(new Router(5, 5, 5)));
        assertThrows(IllegalArgumentException.class, () -> new Route(0, 1, List.of()));
        IllegalArgumentException jump = assertThrows(IllegalArgumentException.class,
                () -> new Route(0, 2, routers(0, 0, 0, 2, 0, 0)));
        assertTrue(jump.getMessage().contains("not neighbours"), jump.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Route(0, 0, routers(0, 0, 0, 0, 0, 0)),
                "a router is not its own neighbour");
        assertThrows(IllegalArgumentException.class, () -> new Router(-1, 0, 0));
    }

    // ---- latency ----

    @Test
    void withoutAModelThereIsNoTransferTime() {
        Mesh mesh = Mesh.of(DEFAULT);
        assertTrue(mesh.latency().isEmpty());
        assertEquals(OptionalLong.empty(), mesh.transferNanos(0, 15, 1024));
    }

    @Test
    void transferTimeIsAHeadCostPerHopPlusTheBodyAtLinkRateOnce() {
        Mesh mesh = Mesh.of(DEFAULT).withLatency(50);
        LatencyModel model = mesh.latency().orElseThrow();
        assertEquals(new LatencyModel(50, 160_000_000L), model, "the default preset's links: 160 MB/s");
        // 1 MiB over 6 hops: 6 x 50 ns + 1,048,576 B / 160 MB/s = 300 ns + 6,553,600 ns.
        assertEquals(OptionalLong.of(6_553_900L), mesh.transferNanos(0, 15, 1 << 20));
        // Wormhole, not store and forward: more hops add only their head cost.
        assertEquals(mesh.transferNanos(0, 15, 4096).getAsLong() - 6 * 50,
                mesh.transferNanos(0, 0, 4096).getAsLong());
        assertEquals(OptionalLong.of(0), mesh.transferNanos(3, 3, 0));
        assertEquals(OptionalLong.of(300), mesh.transferNanos(0, 15, 0));
        // 1 byte at 160 MB/s is 6.25 ns: rounded up.
        assertEquals(7, model.transferNanos(0, 1));
        assertEquals(1000, model.transferNanos(0, 160));
    }

    @Test
    void theModelTakesTheMachinesBandwidth() {
        LatencyModel red = LatencyModel.of(ASCI_RED, 40);
        assertEquals(800_000_000L, red.linkBandwidthBytesPerSecond());
        Mesh mesh = Mesh.of(ASCI_RED).withLatency(red);
        // 800 bytes at 800 MB/s: 1 us.
        int far = ASCI_RED.nid(37, 31, 0, 0);
        assertEquals(37 + 31, mesh.hops(0, far), "(0,0,0) to (37,31,0) stays in plane 0");
        assertEquals(OptionalLong.of(68 * 40 + 1000), mesh.transferNanos(0, far, 800));
        assertNotEquals(Mesh.of(ASCI_RED).toString(), mesh.toString());
    }

    @Test
    void transferTimesSaturateInsteadOfOverflowing() {
        LatencyModel model = new LatencyModel(1, 1_000_000_000L);
        // 10^10 bytes at 10^9 B/s: the product with 10^9 passes a long, the answer does not.
        assertEquals(10_000_000_000L, model.transferNanos(0, 10_000_000_000L));
        assertEquals(10_000_000_003L, model.transferNanos(3, 10_000_000_000L));
        assertEquals(Long.MAX_VALUE, new LatencyModel(0, 1).transferNanos(0, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, new LatencyModel(Long.MAX_VALUE, 1).transferNanos(2, 0));
        assertEquals(Long.MAX_VALUE, new LatencyModel(Long.MAX_VALUE - 1, 1).transferNanos(1, 2));
        // A remainder on the slow path still rounds up.
        // (10^10 + 1) bytes at 3 x 10^9 B/s: 3,333,333,333.67 ns.
        assertEquals(3_333_333_334L, new LatencyModel(0, 3_000_000_000L).transferNanos(0, 10_000_000_001L));
    }

    @Test
    void nonsenseModelsAndMessagesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyModel(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LatencyModel(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LatencyModel(0, -5));
        LatencyModel model = new LatencyModel(10, 100);
        assertThrows(IllegalArgumentException.class, () -> model.transferNanos(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> model.transferNanos(0, -1));
        Mesh mesh = Mesh.of(DEFAULT).withLatency(model);
        assertThrows(IllegalArgumentException.class, () -> mesh.transferNanos(0, 1, -1));
    }
}
