package io.uniform.portals;

import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A test process: a flat address space over a shared node memory, and the part of the unified
 * library the engine needs: record storage from a bump allocator, the calls, the ring reader.
 * Handles are addresses, as in the C library. Methods named like a Portals call assert
 * {@code PTL_OK} and return the handle; the {@code try*} forms return the status.
 */
final class Proc {
    static final int BASE = 0x10000;
    static final int SIZE = 256 * 1024;

    final PortalsEngine engine;
    final AddressSpace space;
    final FlatAddressSpace flat;
    final Identity self;
    int ni;
    private int heap = BASE + 0x1000; // the first page is the "text": see Node.readOnlyText
    private final int out; // out-parameter scratch (handles, ids, one event)

    Proc(PortalsEngine engine, AddressSpace space, FlatAddressSpace flat, Identity self) {
        this.engine = engine;
        this.space = space;
        this.flat = flat;
        this.self = self;
        this.out = alloc(EventT.SIZE);
    }

    ProcessId id() {
        return self.id();
    }

    int alloc(int size) {
        int address = heap;
        heap += (size + 7) & ~7;
        if (heap > BASE + SIZE) {
            throw new IllegalStateException("test process out of memory");
        }
        return address;
    }

    /** A buffer holding {@code bytes}. */
    int buffer(byte[] bytes) {
        int address = alloc(bytes.length);
        space.write(address, bytes, 0, bytes.length);
        return address;
    }

    byte[] read(int address, int length) {
        return space.read(address, length);
    }

    int handleOut() {
        return space.load32(out);
    }

    int outPtr() {
        return out;
    }

    // ---- calls ------------------------------------------------------------------------------

    Proc init() {
        return init(0);
    }

    Proc init(int desiredLimits) {
        PortalsEngine.NiInit result = engine.niInit(space, ni, alloc(Ni.SIZE), PTL_IFACE_DEFAULT, PTL_PID_ANY, self,
                desiredLimits, 0, out);
        assertEquals(PTL_OK, result.status(), () -> Ptl.errorName(result.status()));
        ni = result.ni();
        assertEquals(ni, handleOut());
        return this;
    }

    int tryMeAttach(int pt, ProcessId match, long bits, long ignore, int unlink, int position) {
        return engine.meAttach(space, ni, ni, pt, match, bits, ignore, unlink, position, alloc(MeRec.SIZE), out);
    }

    int meAttach(int pt, ProcessId match, long bits, long ignore, int unlink, int position) {
        return ok(tryMeAttach(pt, match, bits, ignore, unlink, position));
    }

    /** An entry at the end of portal {@code pt}'s list matching anyone on {@code bits} exactly. */
    int meAttach(int pt, long bits) {
        return meAttach(pt, ProcessId.ANY, bits, 0, PTL_UNLINK, PTL_INS_AFTER);
    }

    int meInsert(int base, ProcessId match, long bits, long ignore, int unlink, int position) {
        return ok(engine.meInsert(space, ni, base, match, bits, ignore, unlink, position, alloc(MeRec.SIZE), out));
    }

    int tryMdAttach(int me, MemoryDescriptor md, int unlink) {
        return engine.mdAttach(space, ni, me, md, unlink, alloc(MdRec.SIZE), out);
    }

    int mdAttach(int me, MemoryDescriptor md, int unlink) {
        return ok(tryMdAttach(me, md, unlink));
    }

    int tryMdBind(MemoryDescriptor md, int unlink) {
        return engine.mdBind(space, ni, ni, md, unlink, alloc(MdRec.SIZE), out);
    }

    int mdBind(MemoryDescriptor md, int unlink) {
        return ok(tryMdBind(md, unlink));
    }

    int eqAlloc(int count) {
        return ok(engine.eqAlloc(space, ni, ni, count, PTL_EQ_HANDLER_NONE, alloc(EqRec.SIZE + count * EventT.SIZE),
                out));
    }

    private int ok(int status) {
        assertEquals(PTL_OK, status, () -> Ptl.errorName(status));
        return handleOut();
    }

    /** A receive buffer of {@code length} bytes on portal {@code pt}, matching {@code bits}. */
    Recv recv(int pt, long bits, int length, int threshold, int options, int eq) {
        int me = meAttach(pt, bits);
        int buffer = alloc(length);
        int md = mdAttach(me, md(buffer, length, threshold, options, eq), PTL_UNLINK);
        return new Recv(me, md, buffer);
    }

    record Recv(int me, int md, int buffer) {
    }

    static MemoryDescriptor md(int start, long length, int threshold, int options, int eq) {
        return new MemoryDescriptor(start, length, threshold, 0, options, 0, eq);
    }

    /** A bound descriptor over {@code bytes}, for sending. */
    int source(byte[] bytes, int threshold, int eq) {
        return mdBind(md(buffer(bytes), bytes.length, threshold, 0, eq), PTL_UNLINK);
    }

    Outcome put(int md, int ackReq, ProcessId target, int pt, long bits) {
        return engine.put(space, ni, self, md, ackReq, target, pt, 0, bits, 0, 0);
    }

    Outcome get(int md, ProcessId target, int pt, long bits, long remoteOffset) {
        return engine.get(space, ni, self, md, target, pt, 0, bits, remoteOffset);
    }

    /** Receives every message of {@code outcome}; returns what this process answered. */
    List<Outcome> receiveAll(Outcome outcome) {
        List<Outcome> answers = new ArrayList<>();
        for (PortalsMessage message : outcome.send()) {
            answers.add(engine.receive(space, ni, message));
        }
        return answers;
    }

    /** Receives the one message of {@code outcome}. */
    Outcome receive(Outcome outcome) {
        assertEquals(PTL_OK, outcome.status(), () -> Ptl.errorName(outcome.status()));
        assertEquals(1, outcome.send().size(), "messages sent");
        return engine.receive(space, ni, outcome.send().get(0));
    }

    /** PtlEQGet through the engine: the status and, unless empty, the event. */
    Got eqGet(int eq) {
        int status = engine.eqGet(space, ni, eq, out);
        return new Got(status, status == PTL_OK || status == PTL_EQ_DROPPED ? Event.read(space, out) : null);
    }

    record Got(int status, Event event) {
    }

    /** Every event waiting in {@code eq}, asserting none was dropped. */
    List<Event> events(int eq) {
        List<Event> events = new ArrayList<>();
        while (true) {
            Got got = eqGet(eq);
            if (got.status() == PTL_EQ_EMPTY) {
                return events;
            }
            assertEquals(PTL_OK, got.status(), () -> Ptl.errorName(got.status()));
            events.add(got.event());
        }
    }

    /** The event types waiting in {@code eq}, by name. */
    List<String> eventTypes(int eq) {
        return events(eq).stream().map(e -> eventName(e.type())).toList();
    }

    static String eventName(int type) {
        return List.of("GET_START", "GET_END", "PUT_START", "PUT_END", "GETPUT_START", "GETPUT_END", "REPLY_START",
                "REPLY_END", "SEND_START", "SEND_END", "ACK", "UNLINK").get(type);
    }

    long status(int register) {
        assertEquals(PTL_OK, engine.niStatus(space, ni, ni, register, out));
        return Words.load64(space, out);
    }

    int count(Layout.Field counter) {
        return space.load32(counter.at(ni));
    }

    /** A copy of this process's whole region, to prove that nothing else touched it. */
    byte[] image() {
        return space.read(BASE, SIZE);
    }

    static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i * 7);
        }
        return bytes;
    }

    static byte[] zeros(int length) {
        return new byte[length];
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    /** Wraps a space so that the pages of {@code [start, end)} cannot be written, like a text segment. */
    static AddressSpace readOnly(FlatAddressSpace flat, int start, int end) {
        return new AddressSpace() {
            @Override
            public PhysicalMemory physical() {
                return flat.physical();
            }

            @Override
            public int translate(int va, Access access) {
                if (access == Access.WRITE && Integer.compareUnsigned(va - start, end - start) < 0) {
                    return ACCESS_FAULT;
                }
                return flat.translate(va, access);
            }

            @Override
            public int mappingEpoch() {
                return 0;
            }
        };
    }
}
