package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Proc.md;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.uniform.portals.Layout.EqRec;
import io.uniform.portals.Layout.MdRec;
import io.uniform.portals.Layout.MdT;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events (spec 3.11), acknowledgments and replies (spec 3.13, 4), event queue overflow. */
class EventsTest {
    private final Proc[] pair = Node.pair();
    private final Proc a = pair[0]; // (1, 10), uid 100, job 7
    private final Proc b = pair[1]; // (2, 20)

    @Test
    void putEventsCarryTheSpecificationsFields() {
        int eq = b.eqAlloc(8);
        Proc.Recv r = b.recv(6, 0x1234_5678_9ABC_DEF0L, 32, 3, PTL_MD_OP_PUT, eq);
        int md = a.source(bytes(20, 1), 1, PTL_EQ_NONE);
        Outcome sent = a.engine.put(a.space, a.ni, a.self, md, PTL_NO_ACK_REQ, b.id(), 6, 0, 0x1234_5678_9ABC_DEF0L,
                0, 0xFEED_0000_0000_0001L);
        Outcome got = b.receive(sent);
        assertEquals(List.of(eq), got.eventQueues());
        List<Event> events = b.events(eq);
        assertEquals(2, events.size());
        Event start = events.get(0);
        Event end = events.get(1);
        assertEquals(PTL_EVENT_PUT_START, start.type());
        assertEquals(PTL_EVENT_PUT_END, end.type());
        MemoryDescriptor after = new MemoryDescriptor(r.buffer(), 32, 2, 0, PTL_MD_OP_PUT, 0, eq);
        assertEquals(new Event(PTL_EVENT_PUT_END, a.id(), 100, 7, 6, 0x1234_5678_9ABC_DEF0L, 20, 20, 0, r.md(), after,
                0xFEED_0000_0000_0001L, start.sequence(), PTL_NI_OK, start.sequence() + 1), end);
        assertEquals(start.sequence(), start.link());
        assertEquals(1, start.sequence());
        assertArrayEquals(bytes(20, 1), b.read(r.buffer(), 20));
    }

    @Test
    void startAndEndEventsCanEachBeDisabled() {
        int eq = b.eqAlloc(8);
        b.recv(1, 1, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_START_DISABLE, eq);
        b.recv(2, 1, 8, 1, PTL_MD_OP_PUT | PTL_MD_EVENT_END_DISABLE, eq);
        b.recv(3, 1, 8, 2, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE | PTL_MD_EVENT_END_DISABLE,
                eq);
        for (int pt = 1; pt <= 3; pt++) {
            b.receive(a.put(a.source(bytes(8, pt), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), pt, 1));
        }
        assertEquals(List.of("PUT_END", "UNLINK", "PUT_START", "UNLINK"), b.eventTypes(eq));
        Outcome quiet = b.receive(a.put(a.source(bytes(8, 9), 1, PTL_EQ_NONE), PTL_NO_ACK_REQ, b.id(), 3, 1));
        assertEquals(List.of(eq), quiet.eventQueues(), "only the UNLINK");
        assertEquals(List.of("UNLINK"), b.eventTypes(eq));
    }

    @Test
    void theInitiatorLogsSendEventsAndConsumesItsThreshold() {
        int eq = a.eqAlloc(8);
        b.recv(0, 1, 8, 1, PTL_MD_OP_PUT, PTL_EQ_NONE);
        int md = a.mdBind(md(a.buffer(bytes(8, 4)), 8, 2, 0, eq), PTL_UNLINK);
        Outcome sent = a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1);
        assertEquals(List.of(eq), sent.eventQueues());
        List<Event> events = a.events(eq);
        assertEquals(List.of(PTL_EVENT_SEND_START, PTL_EVENT_SEND_END), events.stream().map(Event::type).toList());
        Event end = events.get(1);
        assertEquals(a.id(), end.initiator());
        assertEquals(8, end.mlength());
        assertEquals(1, end.md().threshold());
        assertEquals(1, a.space.load32(MdRec.md(md, MdT.THRESHOLD)));
        PutRequest request = assertInstanceOf(PutRequest.class, sent.send().get(0));
        assertEquals(new PutRequest(a.id(), 100, 7, b.id(), 0, 0, 1, 0, 0, false, md, Payload.copyOf(bytes(8, 4))),
                request);
    }

    @Test
    void anAcknowledgmentComesBackWhenAskedForAndNotDisabled() {
        int eq = a.eqAlloc(8);
        Proc.Recv r = b.recv(0, 1, 16, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE, PTL_EQ_NONE);
        int md = a.mdBind(md(a.buffer(bytes(8, 4)), 8, PTL_MD_THRESH_INF,
                PTL_MD_EVENT_START_DISABLE | PTL_MD_EVENT_END_DISABLE, eq), PTL_RETAIN);
        Outcome sent = a.engine.put(a.space, a.ni, a.self, md, PTL_ACK_REQ, b.id(), 0, 0, 1, 4, 0);
        Outcome got = b.receive(sent);
        Ack ack = assertInstanceOf(Ack.class, got.send().get(0));
        assertEquals(new Ack(b.id(), 100, 7, a.id(), 0, 1, md, 8, 8, 4), ack);
        Outcome acked = a.receive(got);
        assertEquals(List.of(eq), acked.eventQueues());
        List<Event> events = a.events(eq);
        assertEquals(1, events.size(), "ACK is neither a START nor an END event");
        Event event = events.get(0);
        assertEquals(PTL_EVENT_ACK, event.type());
        assertEquals(b.id(), event.initiator());
        assertEquals(8, event.mlength());
        assertEquals(4, event.offset());
        assertArrayEquals(bytes(8, 4), b.read(r.buffer() + 4, 8));
    }

    @Test
    void noAcknowledgmentWhenNotAskedOrWhenTheTargetDisablesThem() {
        b.recv(0, 1, 8, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_ACK_DISABLE | PTL_MD_MANAGE_REMOTE, PTL_EQ_NONE);
        b.recv(1, 1, 8, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE, PTL_EQ_NONE);
        int md = a.source(bytes(8, 1), PTL_MD_THRESH_INF, PTL_EQ_NONE);
        assertEquals(List.of(), b.receive(a.put(md, PTL_ACK_REQ, b.id(), 0, 1)).send());
        assertEquals(List.of(), b.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 1, 1)).send());
        assertEquals(1, b.receive(a.put(md, PTL_ACK_REQ, b.id(), 1, 1)).send().size());
        assertEquals(PTL_FAIL, a.put(md, 5, b.id(), 1, 1).status(), "no such ack request");
    }

    @Test
    void anAcknowledgmentToAnExhaustedDescriptorIsDropped() {
        b.recv(0, 1, 8, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE, PTL_EQ_NONE);
        int md = a.source(bytes(8, 1), 1, PTL_EQ_NONE); // one operation: the send; unlinked by it
        Outcome got = b.receive(a.put(md, PTL_ACK_REQ, b.id(), 0, 1));
        assertEquals(Drop.MD_INVALID, a.receive(got).drop());
        int retained = a.mdBind(md(a.buffer(bytes(8, 1)), 8, 1, 0, PTL_EQ_NONE), PTL_RETAIN);
        got = b.receive(a.put(retained, PTL_ACK_REQ, b.id(), 0, 1));
        assertEquals(Drop.MD_INACTIVE, a.receive(got).drop());
        assertEquals(2, a.status(PTL_SR_DROP_COUNT));
    }

    @Test
    void aGetIsAnsweredWithTheTargetsDataAndLogsGetAndReplyEvents() {
        int eqB = b.eqAlloc(8);
        int source = b.buffer(bytes(64, 9));
        b.mdAttach(b.meAttach(5, 0x77), md(source, 64, 1, PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, eqB), PTL_UNLINK);
        int eqA = a.eqAlloc(8);
        int into = a.alloc(24);
        int md = a.mdBind(md(into, 16, 1, 0, eqA), PTL_UNLINK);
        Outcome asked = a.get(md, b.id(), 5, 0x77, 10);
        assertEquals(List.of(), asked.eventQueues(), "sending a get logs nothing");
        assertEquals(1, a.space.load32(MdRec.md(md, MdT.THRESHOLD)), "and does not consume the threshold");
        GetRequest request = assertInstanceOf(GetRequest.class, asked.send().get(0));
        assertEquals(new GetRequest(a.id(), 100, 7, b.id(), 5, 0, 0x77, 10, 16, md, 0), request);
        Outcome answered = b.receive(asked);
        assertEquals(List.of("GET_START", "GET_END", "UNLINK"), b.eventTypes(eqB));
        Reply reply = assertInstanceOf(Reply.class, answered.send().get(0));
        assertEquals(Payload.copyOf(Arrays.copyOfRange(bytes(64, 9), 10, 26)), reply.data());
        Outcome done = a.receive(answered);
        assertEquals(List.of(eqA), done.eventQueues());
        List<Event> events = a.events(eqA);
        assertEquals(List.of(PTL_EVENT_REPLY_START, PTL_EVENT_REPLY_END, PTL_EVENT_UNLINK),
                events.stream().map(Event::type).toList());
        assertEquals(b.id(), events.get(1).initiator());
        assertEquals(16, events.get(1).mlength());
        assertArrayEquals(Arrays.copyOfRange(bytes(64, 9), 10, 26), a.read(into, 16));
        assertArrayEquals(new byte[8], a.read(into + 16, 8));
        assertEquals(PTL_MD_INVALID, a.engine.mdUnlink(a.space, a.ni, md), "the reply exhausted it");
    }

    @Test
    void aGetRegionRepliesIntoPartOfTheDescriptorAndTheTargetTruncates() {
        int source = b.buffer(bytes(12, 2));
        b.mdAttach(b.meAttach(5, 1), md(source, 12, 1, PTL_MD_OP_GET | PTL_MD_TRUNCATE, PTL_EQ_NONE), PTL_UNLINK);
        int into = a.alloc(32);
        int md = a.mdBind(md(into, 32, 1, 0, PTL_EQ_NONE), PTL_UNLINK);
        Outcome asked = a.engine.getRegion(a.space, a.ni, a.self, md, 8, 20, b.id(), 5, 0, 1, 0);
        Outcome answered = b.receive(asked);
        assertEquals(12, answered.send().get(0).dataLength(), "truncated to the target's 12 bytes");
        assertNull(a.receive(answered).drop());
        assertArrayEquals(bytes(12, 2), a.read(into + 8, 12));
        assertEquals(PTL_MD_ILLEGAL, a.engine.getRegion(a.space, a.ni, a.self,
                a.mdBind(md(into, 32, 1, 0, PTL_EQ_NONE), PTL_UNLINK), 30, 4, b.id(), 5, 0, 1, 0).status());
    }

    @Test
    void aReplyLongerThanTheInitiatorsDescriptorIsTruncatedOnlyIfItAllows() {
        int source = b.buffer(bytes(16, 3));
        b.mdAttach(b.meAttach(5, 1), md(source, 16, PTL_MD_THRESH_INF, PTL_MD_OP_GET, PTL_EQ_NONE), PTL_UNLINK);
        int md = a.mdBind(md(a.alloc(16), 16, 2, 0, PTL_EQ_NONE), PTL_UNLINK);
        Outcome answered = b.receive(a.get(md, b.id(), 5, 1, 0));
        a.space.store32(MdRec.md(md, MdT.LENGTH), 8); // the process shrinks its descriptor meanwhile
        assertEquals(Drop.REPLY_TOO_LONG, a.receive(answered).drop());
        a.space.store32(MdRec.md(md, MdT.OPTIONS), PTL_MD_TRUNCATE);
        assertNull(a.receive(answered).drop());
        assertArrayEquals(Arrays.copyOf(bytes(16, 3), 8), a.read(a.space.load32(MdRec.md(md, MdT.START)), 8));
    }

    @Test
    void anOverflowingQueueOverwritesTheOldestAndTheNextGetSaysDropped() {
        int eq = b.eqAlloc(4);
        b.recv(0, 1, 8, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE, eq);
        int md = a.source(bytes(8, 1), PTL_MD_THRESH_INF, PTL_EQ_NONE);
        for (int i = 0; i < 3; i++) {
            b.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1)); // 2 events each: 6 into 4 slots
        }
        assertEquals(2, b.space.load32(EqRec.DROPPED.at(eq)));
        assertEquals(PTL_OK, b.engine.eqPending(b.space, b.ni, eq));
        Proc.Got first = b.eqGet(eq);
        assertEquals(PTL_EQ_DROPPED, first.status());
        assertEquals(3, first.event().sequence(), "the oldest event left: events 1 and 2 were overwritten");
        assertEquals(PTL_EVENT_PUT_START, first.event().type());
        assertEquals(List.of(4, 5, 6), b.events(eq).stream().map(Event::sequence).toList());
        assertEquals(PTL_EQ_EMPTY, b.eqGet(eq).status());
        assertEquals(PTL_EQ_EMPTY, b.engine.eqPending(b.space, b.ni, eq));
        b.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1));
        assertEquals(List.of(7, 8), b.events(eq).stream().map(Event::sequence).toList(), "in step again");
    }

    @Test
    void aQueueThatWrapsWithoutOverflowingLosesNothing() {
        int eq = b.eqAlloc(3);
        b.recv(0, 1, 8, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_MANAGE_REMOTE | PTL_MD_EVENT_START_DISABLE, eq);
        int md = a.source(bytes(8, 1), PTL_MD_THRESH_INF, PTL_EQ_NONE);
        for (int i = 1; i <= 10; i++) {
            b.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1));
            assertEquals(List.of(i), b.events(eq).stream().map(Event::sequence).toList());
        }
        assertEquals(0, b.space.load32(EqRec.DROPPED.at(eq)));
    }

    @Test
    void countersFollowTheTraffic() {
        b.recv(0, 1, 64, PTL_MD_THRESH_INF, PTL_MD_OP_PUT | PTL_MD_OP_GET | PTL_MD_MANAGE_REMOTE, PTL_EQ_NONE);
        int md = a.source(bytes(40, 1), PTL_MD_THRESH_INF, PTL_EQ_NONE);
        b.receive(a.put(md, PTL_NO_ACK_REQ, b.id(), 0, 1));
        a.receive(b.receive(a.get(md, b.id(), 0, 1, 0)));
        assertEquals(2, a.status(PTL_SR_SEND_COUNT));
        assertEquals(40, a.status(PTL_SR_SEND_LENGTH), "a get request carries no data");
        assertEquals(1, a.status(PTL_SR_RECV_COUNT));
        assertEquals(40, a.status(PTL_SR_RECV_LENGTH));
        assertEquals(2, b.status(PTL_SR_RECV_COUNT));
        assertEquals(80, b.status(PTL_SR_RECV_LENGTH));
        assertEquals(1, b.status(PTL_SR_SEND_COUNT));
        assertEquals(0, b.status(PTL_SR_DROP_COUNT));
    }
}
