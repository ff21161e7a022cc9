package io.uniform.cli;

import static io.uniform.portals.Ptl.PTL_EQ_HANDLER_NONE;
import static io.uniform.portals.Ptl.PTL_IFACE_DEFAULT;
import static io.uniform.portals.Ptl.PTL_INS_AFTER;
import static io.uniform.portals.Ptl.PTL_MD_EVENT_START_DISABLE;
import static io.uniform.portals.Ptl.PTL_MD_MANAGE_REMOTE;
import static io.uniform.portals.Ptl.PTL_MD_OP_PUT;
import static io.uniform.portals.Ptl.PTL_MD_THRESH_INF;
import static io.uniform.portals.Ptl.PTL_OK;
import static io.uniform.portals.Ptl.PTL_PID_ANY;
import static io.uniform.portals.Ptl.PTL_RETAIN;

import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.portals.Identity;
import io.uniform.portals.KernelBufferDelivery;
import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import io.uniform.portals.MemoryDescriptor;
import io.uniform.portals.Outcome;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsEngine;
import io.uniform.portals.ProcessId;
import io.uniform.portals.Ptl;
import io.uniform.portals.PutRequest;
import java.util.Arrays;

/**
 * The deposit part of {@code uniform bench-portals}: puts delivered by one {@link PortalsEngine}
 * into a receiving process's memory, either {@linkplain Path#DIRECT straight into the user's
 * buffer}, as both kernels deliver them, or {@linkplain Path#KERNEL_BUFFER through a kernel
 * buffer} and copied from there ({@link KernelBufferDelivery}). The process is set up as
 * pingpong.elf's receiver is: one entry on its portal taking puts from anyone into a 1 MiB
 * buffer at the offset each put names, one event per put, which the process takes, as it would.
 */
final class DepositBench {
    /** How a put reaches the user's buffer. */
    enum Path { DIRECT, KERNEL_BUFFER }

    private static final int PORTAL = 5;
    private static final int BASE = 0x10000;
    private static final int REGION = 4 << 20;
    private static final int EVENTS = 16;

    private final PortalsEngine engine = new PortalsEngine();
    private final KernelBufferDelivery kernelBuffer = new KernelBufferDelivery(engine);
    private final FlatAddressSpace space = new FlatAddressSpace(new PhysicalMemory(REGION), BASE, REGION, 0);
    private final Identity self = new Identity(new ProcessId(1, 1), 0, 1);
    private final ProcessId sender = new ProcessId(0, 0);
    private int heap = BASE;
    private final int out = allocate(EventT.SIZE); // handles and the event the process takes
    private final int ni;
    private final int eq;
    private final int buffer;

    DepositBench() {
        PortalsEngine.NiInit init = engine.niInit(space, 0, allocate(Ni.SIZE), PTL_IFACE_DEFAULT, PTL_PID_ANY, self, 0, 0, out);
        require(init.status(), "PtlNIInit");
        ni = init.ni();
        require(engine.eqAlloc(space, ni, ni, EVENTS, PTL_EQ_HANDLER_NONE, allocate(EqRec.SIZE + EVENTS * EventT.SIZE), out), "PtlEQAlloc");
        eq = space.load32(out);
        require(engine.meAttach(space, ni, ni, PORTAL, ProcessId.ANY, 0, 0, PTL_RETAIN, PTL_INS_AFTER, allocate(MeRec.SIZE), out),
                "PtlMEAttach");
        int me = space.load32(out);
        buffer = allocate(ActorPingPong.LARGEST);
        MemoryDescriptor md = new MemoryDescriptor(buffer, ActorPingPong.LARGEST, PTL_MD_THRESH_INF, 0,
                PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, 0, eq);
        require(engine.mdAttach(space, ni, me, md, PTL_RETAIN, allocate(MdRec.SIZE), out), "PtlMDAttach");
    }

    private int allocate(int bytes) {
        int address = heap;
        heap += (bytes + 7) & ~7;
        return address;
    }

    private static void require(int status, String call) {
        if (status != PTL_OK) {
            throw new IllegalStateException(call + " failed: " + Ptl.errorName(status));
        }
    }

    /** A put of {@code bytes} bytes from another node of the job to this process, as it arrives. */
    PutRequest put(int bytes) {
        byte[] data = new byte[bytes];
        Arrays.fill(data, (byte) bytes);
        return new PutRequest(sender, 0, self.jid(), self.id(), PORTAL, 0, 0, 0, 0, false, 0, Payload.copyOf(data));
    }

    /**
     * Delivers {@code put} {@code count} times along {@code path}, the process taking each event;
     * returns the seconds it took. Checks that every put was taken and that the buffer holds its
     * data, so that a path that did not deposit cannot pass for a fast one.
     */
    double deliver(Path path, PutRequest put, int count) {
        int length = put.payload().length();
        space.zero(buffer, length);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Outcome outcome = path == Path.DIRECT ? engine.deliver(space, ni, put) : kernelBuffer.deliver(space, ni, put);
            if (!outcome.ok() || engine.eqGet(space, ni, eq, out) != PTL_OK) {
                throw new IllegalStateException(path + ": a put of " + length + " bytes was not taken: " + outcome);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!Arrays.equals(space.read(buffer, length), put.payload().toByteArray())) {
            throw new IllegalStateException(path + ": the buffer does not hold the put's " + length + " bytes");
        }
        return seconds;
    }
}
