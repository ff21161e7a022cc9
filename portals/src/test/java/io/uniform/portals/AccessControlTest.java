package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Access control (spec 2.3, 3.12): a process receives from its own job only, unless it grants more. */
class AccessControlTest {
    private final Node node = new Node();
    private final Proc receiver = node.process(2, 20, 100, 7).init();
    private final Proc sameJob = node.process(1, 10, 100, 7).init();
    private final Proc otherJob = node.process(3, 30, 200, 8).init();
    private final Proc otherUser = node.process(4, 40, 300, 9).init();

    private Outcome put(Proc from, int pt, int ac) {
        int md = from.source(bytes(8, from.id().nid()), 1, PTL_EQ_NONE);
        return receiver.receive(from.engine.put(from.space, from.ni, from.self, md, PTL_NO_ACK_REQ, receiver.id(),
                pt, ac, 1, 0, 0));
    }

    private int buffer(int pt) {
        return receiver.recv(pt, 1, 8, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE,
                PTL_EQ_NONE).buffer();
    }

    @Test
    void entryZeroAdmitsTheProcesssOwnJobOnly() {
        int buffer = buffer(4);
        assertEquals(Drop.ACCESS_DENIED, put(otherJob, 4, 0).drop());
        assertArrayEquals(new byte[8], receiver.read(buffer, 8), "nothing deposited");
        assertEquals(1, receiver.status(PTL_SR_DROP_COUNT));
        assertEquals(8, receiver.status(PTL_SR_DROP_LENGTH));
        assertNull(put(sameJob, 4, 0).drop());
        assertArrayEquals(bytes(8, 1), receiver.read(buffer, 8));
    }

    @Test
    void anEntryGrantsAnotherJobThroughItsIndex() {
        int buffer = buffer(4);
        assertEquals(PTL_OK, receiver.engine.acEntry(receiver.space, receiver.ni, receiver.ni, 1, ProcessId.ANY,
                PTL_UID_ANY, 8, PTL_PT_INDEX_ANY));
        assertNull(put(otherJob, 4, 1).drop());
        assertArrayEquals(bytes(8, 3), receiver.read(buffer, 8));
        assertEquals(Drop.ACCESS_DENIED, put(otherJob, 4, 0).drop(), "entry 0 still admits job 7 only");
        assertEquals(Drop.ACCESS_DENIED, put(sameJob, 4, 1).drop(), "entry 1 admits job 8 only");
        assertEquals(Drop.ACCESS_DENIED, put(otherUser, 4, 5).drop(), "an entry never set admits nothing");
    }

    @Test
    void anEntryCanNameTheUserThePortalAndTheProcess() {
        buffer(4);
        buffer(5);
        receiver.engine.acEntry(receiver.space, receiver.ni, receiver.ni, 2, ProcessId.ANY, 300, PTL_JID_ANY, 5);
        receiver.engine.acEntry(receiver.space, receiver.ni, receiver.ni, 3, new ProcessId(3, 31), PTL_UID_ANY,
                PTL_JID_ANY, PTL_PT_INDEX_ANY);
        receiver.engine.acEntry(receiver.space, receiver.ni, receiver.ni, 4, new ProcessId(3, PTL_PID_ANY),
                PTL_UID_ANY, PTL_JID_ANY, PTL_PT_INDEX_ANY);
        assertNull(put(otherUser, 5, 2).drop());
        assertEquals(Drop.ACCESS_DENIED, put(otherUser, 4, 2).drop(), "another portal");
        assertEquals(Drop.ACCESS_DENIED, put(otherJob, 5, 2).drop(), "another user");
        assertEquals(Drop.ACCESS_DENIED, put(otherJob, 4, 3).drop(), "another pid");
        assertNull(put(otherJob, 4, 4).drop());
    }

    @Test
    void getsAreAccessControlledToo() {
        buffer(4);
        int md = otherJob.mdBind(Proc.md(otherJob.alloc(8), 8, 1, 0, PTL_EQ_NONE), PTL_UNLINK);
        Outcome denied = receiver.receive(otherJob.get(md, receiver.id(), 4, 1, 0));
        assertEquals(Drop.ACCESS_DENIED, denied.drop());
        assertEquals(0, denied.send().size(), "no reply");
    }

    @Test
    void indicesOutsideTheTablesAreRefusedByTheCallAndDroppedByTheReceiver() {
        assertEquals(PTL_AC_INDEX_INVALID, receiver.engine.acEntry(receiver.space, receiver.ni, receiver.ni,
                UK_PTL_AC_ENTRIES, ProcessId.ANY, PTL_UID_ANY, PTL_JID_ANY, PTL_PT_INDEX_ANY));
        assertEquals(PTL_PT_INDEX_INVALID, receiver.engine.acEntry(receiver.space, receiver.ni, receiver.ni, 1,
                ProcessId.ANY, PTL_UID_ANY, PTL_JID_ANY, UK_PTL_PT_ENTRIES));
        int md = sameJob.source(bytes(8, 1), PTL_MD_THRESH_INF, PTL_EQ_NONE);
        assertEquals(PTL_AC_INDEX_INVALID, sameJob.engine.put(sameJob.space, sameJob.ni, sameJob.self, md,
                PTL_NO_ACK_REQ, receiver.id(), 4, UK_PTL_AC_ENTRIES, 1, 0, 0).status());
        PutRequest forged = new PutRequest(sameJob.id(), 100, 7, receiver.id(), 4, 40, 1, 0, 0, false, md,
                Payload.copyOf(bytes(8, 1)));
        assertEquals(Drop.AC_INDEX_INVALID, receiver.engine.deliver(receiver.space, receiver.ni, forged).drop());
    }
}
