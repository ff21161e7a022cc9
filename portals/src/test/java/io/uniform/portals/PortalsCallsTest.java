package io.uniform.portals;

import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.EventT;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MeRec;
import io.uniform.portals.Layout.Ni;
import io.uniform.portals.PortalsCalls.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder alone, as the C library drives it: argument blocks written into the caller's
 * memory member by member as {@code uniform_portals_abi.h} lays them out, every call through
 * {@link PortalsCalls#perform}, messages carried from one process's result to the other's
 * engine by hand.
 */
class PortalsCallsTest {
    private static final int JID = 7;

    /** A process and the library's side of the call: blocks, records and out-words in its memory. */
    static final class Caller {
        final Proc proc;
        final ProcessPortals portals;
        final PortalsCalls calls;
        final int out; // out-parameter scratch: handles, ids, one event

        Caller(Proc proc, JobMap job) {
            this.proc = proc;
            this.portals = new ProcessPortals(proc.self, job);
            this.calls = new PortalsCalls(proc.engine);
            this.out = proc.alloc(EventT.SIZE);
        }

        /** Writes a block for {@code call} with the given members (name, value, ...; the rest 0); returns its address. */
        int block(PortalsCall call, Object... members) {
            int block = proc.alloc(call.block().size());
            proc.space.zero(block, call.block().size());
            for (int i = 0; i < members.length; i += 2) {
                int at = call.field((String) members[i]).at(block);
                Object value = members[i + 1];
                if (value instanceof Integer word) {
                    proc.space.store32(at, word);
                } else if (value instanceof Long wide) {
                    Words.store64(proc.space, at, wide);
                } else if (value instanceof ProcessId id) {
                    id.write(proc.space, at);
                } else {
                    ((MemoryDescriptor) value).write(proc.space, at);
                }
            }
            return block;
        }

        Result call(PortalsCall call, Object... members) {
            return calls.perform(proc.space, portals, call.number(), block(call, members));
        }

        /** Calls and asserts PTL_OK; returns the word the call stored at {@link #out}. */
        int ok(PortalsCall call, Object... members) {
            Result result = call(call, members);
            assertEquals(PTL_OK, result.status(), () -> call + ": " + Ptl.errorName(result.status()));
            assertFalse(result.blocks());
            return proc.space.load32(out);
        }

        int ni() {
            return portals.ni();
        }

        Caller init() {
            int ni = ok(PortalsCall.NI_INIT, "iface", PTL_IFACE_DEFAULT, "pid", PTL_PID_ANY, "ni_handle", out,
                    "block", proc.alloc(Ni.SIZE));
            assertEquals(ni, portals.ni());
            return this;
        }

        int eqAlloc(int count) {
            return ok(PortalsCall.EQ_ALLOC, "ni_handle", ni(), "count", (long) count, "eq_handle", out,
                    "record", proc.alloc(EqRec.SIZE + count * EventT.SIZE));
        }

        int meAttach(int pt, long bits) {
            return ok(PortalsCall.ME_ATTACH, "ni_handle", ni(), "pt_index", pt, "match_id", ProcessId.ANY,
                    "match_bits", bits, "unlink_op", PTL_UNLINK, "position", PTL_INS_AFTER, "me_handle", out,
                    "record", proc.alloc(MeRec.SIZE));
        }

        int mdAttach(int me, MemoryDescriptor md) {
            return ok(PortalsCall.MD_ATTACH, "me_handle", me, "md", md, "unlink_op", PTL_UNLINK, "md_handle", out,
                    "record", proc.alloc(MdRec.SIZE));
        }

        int mdBind(MemoryDescriptor md) {
            return ok(PortalsCall.MD_BIND, "ni_handle", ni(), "md", md, "unlink_op", PTL_UNLINK, "md_handle", out,
                    "record", proc.alloc(MdRec.SIZE));
        }

        /** PtlEQGet through the kernel: the status and the event. */
        Event eqGet(int eq, int expectedStatus) {
            Result result = call(PortalsCall.EQ_GET, "eq_handle", eq, "event", out);
            assertEquals(expectedStatus, result.status(), () -> Ptl.errorName(result.status()));
            return result.status() == PTL_EQ_EMPTY ? null : Event.read(proc.space, out);
        }

        /** Delivers every message of {@code result} to this process; returns what it answered. */
        List<Outcome> receive(Result result) {
            List<Outcome> answers = new ArrayList<>();
            for (PortalsMessage message : result.send()) {
                assertEquals(proc.id(), message.destination());
                answers.add(proc.engine.receive(proc.space, ni(), message));
            }
            return answers;
        }
    }

    /** Two processes of job 7 on nodes 1 and 2, ranks 0 and 1, not yet initialized. */
    static Caller[] pair() {
        Node node = new Node();
        Proc a = node.process(1, 10, 100, JID);
        Proc b = node.process(2, 20, 100, JID);
        JobMap job = new JobMap(0, List.of(a.id(), b.id()));
        return new Caller[] {new Caller(a, job), new Caller(b, job.forRank(1))};
    }

    @Test
    void twoProcessesExchangeAPutAndAGetThroughTheDecoderAlone() {
        Caller[] pair = pair();
        Caller a = pair[0].init();
        Caller b = pair[1].init();
        assertNotEquals(0, a.ni());

        // b: a receive buffer on portal 4 with an event queue
        int eq = b.eqAlloc(8);
        int me = b.meAttach(4, 0x1234L);
        int buffer = b.proc.alloc(64);
        b.mdAttach(me, new MemoryDescriptor(buffer, 64, PTL_MD_THRESH_INF, 0,
                PTL_MD_OP_PUT | PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, 0, eq));

        // a: puts 16 bytes with an acknowledgment
        byte[] data = Proc.bytes(16, 3);
        int aEq = a.eqAlloc(8);
        int source = a.mdBind(new MemoryDescriptor(a.proc.buffer(data), 16, PTL_MD_THRESH_INF, 0, 0, 0, aEq));
        Result put = a.call(PortalsCall.PUT, "md_handle", source, "ack_req", PTL_ACK_REQ, "target_id", b.proc.id(),
                "pt_index", 4, "ac_index", 0, "match_bits", 0x1234L, "remote_offset", 0L, "hdr_data", 99L);
        assertEquals(PTL_OK, put.status());
        assertEquals(List.of(aEq), put.wokenEventQueues());
        assertEquals(1, put.send().size());
        assertTrue(put.send().get(0) instanceof PutRequest);

        Outcome delivered = b.receive(put).get(0);
        assertTrue(delivered.ok());
        assertEquals(List.of(eq), delivered.eventQueues());
        assertArrayEquals(data, b.proc.read(buffer, 16));
        assertEquals(PTL_EVENT_PUT_START, b.eqGet(eq, PTL_OK).type());
        Event end = b.eqGet(eq, PTL_OK);
        assertEquals(PTL_EVENT_PUT_END, end.type());
        assertEquals(a.proc.id(), end.initiator());
        assertEquals(99L, end.hdrData());
        b.eqGet(eq, PTL_EQ_EMPTY);

        // the acknowledgment goes back to a
        assertEquals(1, delivered.send().size());
        assertTrue(a.proc.engine.receive(a.proc.space, a.ni(), delivered.send().get(0)).ok());
        assertEquals(List.of(PTL_EVENT_SEND_START, PTL_EVENT_SEND_END, PTL_EVENT_ACK),
                List.of(a.eqGet(aEq, PTL_OK).type(), a.eqGet(aEq, PTL_OK).type(), a.eqGet(aEq, PTL_OK).type()));

        // a gets the 16 bytes back, into a region of a larger descriptor
        int sink = a.proc.alloc(32);
        int target = a.mdBind(new MemoryDescriptor(sink, 32, PTL_MD_THRESH_INF, 0, 0, 0, aEq));
        Result get = a.call(PortalsCall.GET_REGION, "md_handle", target, "local_offset", 8L, "length", 16L,
                "target_id", b.proc.id(), "pt_index", 4, "ac_index", 0, "match_bits", 0x1234L,
                "remote_offset", 0L);
        assertEquals(PTL_OK, get.status());
        Outcome served = b.receive(get).get(0);
        assertTrue(served.ok());
        assertEquals(1, served.send().size());
        assertTrue(a.proc.engine.receive(a.proc.space, a.ni(), served.send().get(0)).ok());
        assertArrayEquals(data, a.proc.read(sink + 8, 16));
        assertEquals(PTL_EVENT_REPLY_START, a.eqGet(aEq, PTL_OK).type());
        Event reply = a.eqGet(aEq, PTL_OK);
        assertEquals(PTL_EVENT_REPLY_END, reply.type());
        assertEquals(16, reply.mlength());
        assertEquals(8, reply.offset());
        assertEquals(PTL_EVENT_GET_START, b.eqGet(eq, PTL_OK).type());
        assertEquals(PTL_EVENT_GET_END, b.eqGet(eq, PTL_OK).type());
    }

    @Test
    void putRegionAndGetCarryTheirBlocksMembers() {
        Caller[] pair = pair();
        Caller a = pair[0].init();
        Caller b = pair[1].init();
        int eq = b.eqAlloc(8);
        int buffer = b.proc.alloc(32);
        b.mdAttach(b.meAttach(9, 5L), new MemoryDescriptor(buffer, 32, PTL_MD_THRESH_INF, 0,
                PTL_MD_OP_PUT | PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, 0, eq));
        byte[] data = Proc.bytes(32, 11);
        int source = a.mdBind(new MemoryDescriptor(a.proc.buffer(data), 32, PTL_MD_THRESH_INF, 0, 0, 0,
                PTL_EQ_NONE));
        Result put = a.call(PortalsCall.PUT_REGION, "md_handle", source, "local_offset", 4L, "length", 8L,
                "ack_req", PTL_NO_ACK_REQ, "target_id", b.proc.id(), "pt_index", 9, "ac_index", 0,
                "match_bits", 5L, "remote_offset", 20L, "hdr_data", 0L);
        assertEquals(PTL_OK, put.status());
        assertTrue(b.receive(put).get(0).send().isEmpty(), "no acknowledgment asked");
        byte[] expected = new byte[8];
        System.arraycopy(data, 4, expected, 0, 8);
        assertArrayEquals(expected, b.proc.read(buffer + 20, 8));
        b.eqGet(eq, PTL_OK);
        assertEquals(20, b.eqGet(eq, PTL_OK).offset());

        int sink = a.mdBind(new MemoryDescriptor(a.proc.alloc(8), 8, PTL_MD_THRESH_INF, 0, 0, 0, PTL_EQ_NONE));
        Result get = a.call(PortalsCall.GET, "md_handle", sink, "target_id", b.proc.id(), "pt_index", 9,
                "ac_index", 0, "match_bits", 5L, "remote_offset", 20L);
        assertEquals(PTL_OK, get.status());
        Outcome served = b.receive(get).get(0);
        a.proc.engine.receive(a.proc.space, a.ni(), served.send().get(0));
        assertArrayEquals(expected, a.proc.read(MemoryDescriptor.read(a.proc.space, MdRec.MD.at(sink)).start(), 8));
    }

    @Test
    void jobInfoAndJobProcessAnswerFromTheJobMap() {
        Caller[] pair = pair();
        Caller b = pair[1];
        int rank = b.proc.alloc(8);
        int size = rank + 4;
        assertEquals(PTL_OK, b.call(PortalsCall.JOB_INFO, "rank", rank, "size", size).status());
        assertEquals(1, b.proc.space.load32(rank));
        assertEquals(2, b.proc.space.load32(size));

        for (int r = 0; r < 2; r++) {
            b.ok(PortalsCall.JOB_PROCESS, "rank", r, "id", b.out);
            assertEquals(pair[r].proc.id(), ProcessId.read(b.proc.space, b.out));
        }
        b.proc.space.store32(b.out, 0x5a5a5a5a);
        assertEquals(PTL_PROCESS_INVALID, b.call(PortalsCall.JOB_PROCESS, "rank", 2, "id", b.out).status());
        assertEquals(PTL_PROCESS_INVALID, b.call(PortalsCall.JOB_PROCESS, "rank", -1, "id", b.out).status());
        assertEquals(0x5a5a5a5a, b.proc.space.load32(b.out));
        assertEquals(PTL_SEGV, b.call(PortalsCall.JOB_PROCESS, "rank", 0, "id", 0).status());

        // a bad output pointer: nothing written, not even the good one
        b.proc.space.store32(rank, 77);
        assertEquals(PTL_SEGV, b.call(PortalsCall.JOB_INFO, "rank", rank, "size", Proc.BASE).status(),
                "the first page is read-only text");
        assertEquals(77, b.proc.space.load32(rank));
        assertEquals(PTL_SEGV, b.call(PortalsCall.JOB_INFO, "rank", 0x10, "size", size).status());

        // no interface needed, and a job of one
        Proc alone = new Node().process(5, 50, 100, JID);
        Caller single = new Caller(alone, JobMap.single(alone.id()));
        single.ok(PortalsCall.JOB_INFO, "rank", single.out, "size", single.out + 4);
        assertEquals(0, alone.space.load32(single.out));
        assertEquals(1, alone.space.load32(single.out + 4));
    }

    @Test
    void eqWaitOnAnEmptyQueueAsksTheKernelToBlockAndReturnsOnceAnEventCame() {
        Caller[] pair = pair();
        Caller a = pair[0].init();
        Caller b = pair[1].init();
        int eq = b.eqAlloc(4);
        int buffer = b.proc.alloc(8);
        b.mdAttach(b.meAttach(1, 0L), new MemoryDescriptor(buffer, 8, 1, 0, PTL_MD_OP_PUT, 0, eq));

        int timed = b.block(PortalsCall.EQ_WAIT, "eq_handle", eq, "timeout", 250);
        assertEquals(250, b.calls.perform(b.proc.space, b.portals, PortalsCall.EQ_WAIT.number(), timed).waitTimeout());
        int wait = b.block(PortalsCall.EQ_WAIT, "eq_handle", eq, "timeout", PTL_TIME_FOREVER);
        Result blocked = b.calls.perform(b.proc.space, b.portals, PortalsCall.EQ_WAIT.number(), wait);
        assertTrue(blocked.blocks());
        assertEquals(eq, blocked.waitForEq());
        assertEquals(PTL_TIME_FOREVER, blocked.waitTimeout());
        assertEquals(PTL_EQ_EMPTY, blocked.status());
        assertTrue(blocked.send().isEmpty());

        int source = a.mdBind(new MemoryDescriptor(a.proc.buffer(Proc.bytes(8, 1)), 8, 1, 0, 0, 0, PTL_EQ_NONE));
        Result put = a.call(PortalsCall.PUT, "md_handle", source, "ack_req", PTL_NO_ACK_REQ, "target_id",
                b.proc.id(), "pt_index", 1, "match_bits", 0L);
        Outcome delivered = b.receive(put).get(0);
        assertEquals(List.of(eq), delivered.eventQueues(), "the kernel wakes the waiter on this queue");

        Result retried = b.calls.perform(b.proc.space, b.portals, PortalsCall.EQ_WAIT.number(), wait);
        assertEquals(PTL_OK, retried.status());
        assertFalse(retried.blocks());
        assertEquals(PortalsCalls.NO_WAIT, retried.waitForEq());
        // EQ_WAIT takes nothing: the library reads the event itself
        assertEquals(PTL_EVENT_PUT_START, b.eqGet(eq, PTL_OK).type());

        // errors never block
        Result bad = b.call(PortalsCall.EQ_WAIT, "eq_handle", eq + 8);
        assertEquals(PTL_EQ_INVALID, bad.status());
        assertFalse(bad.blocks());
        b.ok(PortalsCall.EQ_FREE, "eq_handle", eq);
        assertFalse(b.call(PortalsCall.EQ_WAIT, "eq_handle", eq).blocks());
        assertEquals(PTL_EQ_INVALID, b.call(PortalsCall.EQ_WAIT, "eq_handle", eq).status());
    }

    @Test
    void niInitAndFiniKeepTheProcessesInterfaceAddress() {
        Caller a = pair()[0];
        assertEquals(0, a.ni());
        assertEquals(PTL_NO_INIT, a.call(PortalsCall.GET_ID, "ni_handle", 0, "id", a.out).status());
        a.init();
        int ni = a.ni();
        a.ok(PortalsCall.GET_ID, "ni_handle", ni, "id", a.out);
        assertEquals(a.proc.id(), ProcessId.read(a.proc.space, a.out));
        assertEquals(100, a.ok(PortalsCall.GET_UID, "ni_handle", ni, "uid", a.out));
        assertEquals(JID, a.ok(PortalsCall.GET_JID, "ni_handle", ni, "jid", a.out));
        a.ok(PortalsCall.NI_STATUS, "ni_handle", ni, "register_index", PTL_SR_DROP_COUNT, "status", a.out);
        assertEquals(PTL_SR_INDEX_INVALID, a.call(PortalsCall.NI_STATUS, "ni_handle", ni, "register_index", 99,
                "status", a.out).status());

        // a second init answers with the live block and leaves the process's address alone
        int other = a.proc.alloc(Ni.SIZE);
        assertEquals(ni, a.ok(PortalsCall.NI_INIT, "iface", 0, "pid", PTL_PID_ANY, "ni_handle", a.out,
                "block", other));
        assertEquals(ni, a.ni());
        assertEquals(PTL_PID_INVALID, a.call(PortalsCall.NI_INIT, "pid", 12345, "ni_handle", a.out, "block",
                other).status());
        assertEquals(ni, a.ni());

        ProcessPortals saved = a.portals.copy();
        assertEquals(PTL_NI_INVALID, a.call(PortalsCall.NI_FINI, "ni_handle", ni + 8).status());
        assertEquals(ni, a.ni());
        a.ok(PortalsCall.NI_FINI, "ni_handle", ni);
        assertEquals(0, a.ni());
        assertEquals(ni, saved.ni(), "a copy is independent");
        assertEquals(saved, new ProcessPortals(ni, a.portals.identity(), a.portals.job()));
    }

    @Test
    void theAccessControlAndMatchEntryCallsReachTheEngine() {
        Caller a = pair()[0].init();
        int ni = a.ni();
        a.ok(PortalsCall.AC_ENTRY, "ni_handle", ni, "ac_index", 3, "match_id", new ProcessId(9, 90),
                "user_id", PTL_UID_ANY, "job_id", 12, "pt_index", 5);
        int entry = Ni.acEntry(ni, 3);
        assertEquals(new ProcessId(9, 90), ProcessId.read(a.proc.space, entry));
        assertEquals(12, a.proc.space.load32(Layout.AcEntry.JID.at(entry)));
        assertEquals(5, a.proc.space.load32(Layout.AcEntry.PT_INDEX.at(entry)));
        assertEquals(PTL_AC_INDEX_INVALID, a.call(PortalsCall.AC_ENTRY, "ni_handle", ni, "ac_index", 32,
                "match_id", ProcessId.ANY).status());

        int first = a.ok(PortalsCall.ME_ATTACH, "ni_handle", ni, "pt_index", 2, "match_id", ProcessId.ANY,
                "match_bits", 1L, "unlink_op", PTL_RETAIN, "position", PTL_INS_AFTER, "me_handle", a.out,
                "record", a.proc.alloc(MeRec.SIZE));
        int ptOut = a.proc.alloc(4);
        int any = a.ok(PortalsCall.ME_ATTACH_ANY, "ni_handle", ni, "pt_index", ptOut, "match_id", ProcessId.ANY,
                "match_bits", 7L, "ignore_bits", 0xf0L, "unlink_op", PTL_RETAIN, "me_handle", a.out,
                "record", a.proc.alloc(MeRec.SIZE));
        assertEquals(0, a.proc.space.load32(ptOut), "the first portal with an empty list");
        assertEquals(0xf0L, Words.load64(a.proc.space, MeRec.IGNORE_BITS.at(any)));
        int before = a.ok(PortalsCall.ME_INSERT, "base", first, "match_id", ProcessId.ANY, "match_bits", 2L,
                "unlink_op", PTL_UNLINK, "position", PTL_INS_BEFORE, "me_handle", a.out,
                "record", a.proc.alloc(MeRec.SIZE));
        assertEquals(before, a.proc.space.load32(Ni.ptEntry(ni, 2)), "inserted at the head");
        int md = a.mdAttach(first, new MemoryDescriptor(a.proc.alloc(8), 8, 1, 0, PTL_MD_OP_PUT, 0, PTL_EQ_NONE));
        a.ok(PortalsCall.MD_UNLINK, "md_handle", md);
        assertEquals(PTL_MD_INVALID, a.call(PortalsCall.MD_UNLINK, "md_handle", md).status());
        a.ok(PortalsCall.ME_UNLINK, "me_handle", before);
        assertEquals(PTL_ME_INVALID, a.call(PortalsCall.ME_UNLINK, "me_handle", before).status());
        assertEquals(first, a.proc.space.load32(Ni.ptEntry(ni, 2)), "kept: attached with PTL_RETAIN");
        assertEquals(0, a.proc.space.load32(MeRec.MD.at(first)));
        assertEquals(PTL_NO_SPACE, a.call(PortalsCall.EQ_ALLOC, "ni_handle", ni, "count", -1L, "eq_handle",
                a.out, "record", a.proc.alloc(64)).status(), "a count beyond 63 bits");
    }

    @Test
    void aBlockTheKernelCannotReadIsSegvAndAnUnknownOpFails() {
        Caller a = pair()[0].init();
        ProcessPortals before = a.portals.copy();
        for (PortalsCall call : PortalsCall.values()) {
            for (int args : new int[] {0, 0x10, Proc.BASE + Proc.SIZE, Proc.BASE + Proc.SIZE - 2, -4}) {
                Result result = a.calls.perform(a.proc.space, a.portals, call.number(), args);
                assertEquals(PTL_SEGV, result.status(), call + " at " + Integer.toHexString(args));
                assertTrue(result.send().isEmpty());
                assertFalse(result.blocks());
            }
        }
        for (int op : new int[] {0, 25, -1, PortalsCall.UK_SYS_PORTALS}) {
            assertEquals(PTL_FAIL, a.calls.perform(a.proc.space, a.portals, op, a.out).status());
        }
        assertEquals(before, a.portals);
        // a block in read-only memory is fine: the kernel only reads it
        int handle = a.proc.alloc(4);
        int block = Proc.BASE + 0x100;
        a.proc.flat.store32(block, a.ni());
        a.proc.flat.store32(block + 4, handle);
        assertEquals(PTL_OK, a.calls.perform(a.proc.space, a.portals, PortalsCall.GET_UID.number(), block).status());
        assertEquals(100, a.proc.space.load32(handle));
        // an output into read-only memory is not
        a.proc.flat.store32(block + 4, Proc.BASE + 0x200);
        assertEquals(PTL_SEGV, a.calls.perform(a.proc.space, a.portals, PortalsCall.GET_UID.number(), block).status());
    }

    /** Every op with every block member random, over and over: a return code each time, never an exception. */
    @Test
    void randomBlocksAreReturnCodes() {
        Caller[] pair = pair();
        Caller a = pair[0].init();
        Random random = new Random(5);
        int block = a.proc.alloc(128);
        byte[] bytes = new byte[128];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(bytes);
            if (random.nextBoolean()) { // plausible pointers and handles, sometimes
                for (int word = 0; word < 32; word += 1 + random.nextInt(3)) {
                    int value = a.ni() + random.nextInt(Proc.SIZE / 2) & ~7;
                    bytes[word * 4] = (byte) value;
                    bytes[word * 4 + 1] = (byte) (value >> 8);
                    bytes[word * 4 + 2] = (byte) (value >> 16);
                    bytes[word * 4 + 3] = (byte) (value >> 24);
                }
            }
            a.proc.space.write(block, bytes, 0, bytes.length);
            PortalsCall call = PortalsCall.values()[random.nextInt(PortalsCall.values().length)];
            if (call == PortalsCall.NI_FINI || call == PortalsCall.NI_INIT) {
                continue; // keep the interface: the point is the other calls' decoding
            }
            Result result = a.calls.perform(a.proc.space, a.portals, call.number(), block);
            assertTrue(result.status() >= PTL_OK && result.status() < PTL_MAX_ERRNO, call + ": " + result.status());
        }
    }

    @Test
    void aProcessesPortalsStateMatchesItsJob() {
        ProcessId self = new ProcessId(1, 2);
        Identity identity = new Identity(self, 0, 3);
        assertThrows(IllegalArgumentException.class,
                () -> new ProcessPortals(identity, new JobMap(1, List.of(self, new ProcessId(4, 5)))));
        assertThrows(IllegalArgumentException.class, () -> new JobMap(0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new JobMap(2, List.of(self, self)));
        assertThrows(IllegalArgumentException.class, () -> JobMap.single(ProcessId.ANY));
        List<ProcessId> ranks = List.copyOf(List.of(self, new ProcessId(4, 5)));
        JobMap job = new JobMap(0, ranks);
        assertTrue(job.forRank(1).processes() == job.processes(), "ranks share one list");
        assertEquals(new ProcessId(4, 5), job.forRank(1).self());
        assertEquals(2, job.size());
    }
}
