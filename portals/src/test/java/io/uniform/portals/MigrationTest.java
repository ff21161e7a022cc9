package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.uniform.cpu.memory.FlatAddressSpace;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine keeps nothing per process: a process's Portals state is its memory plus the address
 * of its interface block, so a memory image restored on another node, with that one address,
 * goes on receiving where it left off (match lists, offsets, thresholds, event sequence).
 */
class MigrationTest {
    @Test
    void aRestoredImageAndTheInterfaceAddressAreTheWholePortalsState() {
        Proc[] pair = Node.pair();
        Proc a = pair[0];
        Proc b = pair[1];
        int eq = b.eqAlloc(8);
        Proc.Recv r = b.recv(2, 1, 32, 3, PTL_MD_OP_PUT, eq);
        int md = a.source(bytes(8, 1), PTL_MD_THRESH_INF, PTL_EQ_NONE);
        b.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 2, 1));
        assertEquals(2, b.events(eq).size());

        FlatAddressSpace.Image image = b.flat.capture();
        Node elsewhere = new Node(new PortalsEngine()); // another node, another engine, memory at another place
        elsewhere.process(9, 90, 1, 1);
        Proc moved = elsewhere.process(b.id().nid(), b.id().pid(), 100, 7);
        moved.flat.restore(image);
        moved.ni = b.ni; // all the kernel carries over

        assertNull(moved.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 2, 1)).drop());
        assertNull(moved.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 2, 1)).drop());
        List<Event> events = moved.events(eq);
        assertEquals(List.of(3, 4, 5, 6, 7), events.stream().map(Event::sequence).toList());
        assertEquals(PTL_EVENT_UNLINK, events.get(4).type(), "the third put exhausted the threshold of 3");
        assertEquals(List.of(8L, 16L), events.stream().filter(e -> e.type() == PTL_EVENT_PUT_END)
                .map(Event::offset).toList());
        assertArrayEquals(bytes(8, 1), moved.read(r.buffer() + 16, 8));
    }
}
