package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;

/**
 * A node's memory holding test processes side by side, each in its own flat region at the same
 * virtual base (as Puma lays them out), so that a test can check that nothing a process does
 * reaches its neighbor. The first page of every process is read-only, like a text segment.
 */
final class Node {
    static final int PROCESSES = 4;

    final PhysicalMemory memory = new PhysicalMemory(PROCESSES * Proc.SIZE);
    final PortalsEngine engine;
    private int next;

    Node() {
        this(new PortalsEngine());
    }

    Node(PortalsEngine engine) {
        this.engine = engine;
    }

    /** A process of job {@code jid} and user {@code uid} with Portals id (nid, pid). */
    Proc process(int nid, int pid, int uid, int jid) {
        FlatAddressSpace flat = new FlatAddressSpace(memory, Proc.BASE, Proc.SIZE, next++ * Proc.SIZE);
        AddressSpace space = Proc.readOnly(flat, Proc.BASE, Proc.BASE + 0x1000);
        return new Proc(engine, space, flat, new Identity(new ProcessId(nid, pid), uid, jid));
    }

    /** Two initialized processes of job 7, user 100, on nodes 1 and 2. */
    static Proc[] pair() {
        Node node = new Node();
        return new Proc[] {node.process(1, 10, 100, 7).init(), node.process(2, 20, 100, 7).init()};
    }
}
