package io.uniform.portals;

import static io.uniform.portals.Proc.bytes;
import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The extra-copy receive path the deposit benchmark measures against is an honest alternative:
 * a put that goes through the kernel's buffer leaves the receiver exactly as a direct deposit
 * does (data, offsets, events, acknowledgment), whatever the sizes in turn.
 */
class KernelBufferDeliveryTest {
    @Test
    void aPutThroughTheKernelBufferEndsAsADirectDepositDoes() {
        Node node = new Node();
        Proc sender = node.process(1, 10, 100, 7).init();
        Proc direct = node.process(2, 20, 100, 7).init();
        Proc buffered = node.process(3, 30, 100, 7).init();
        KernelBufferDelivery kernel = new KernelBufferDelivery(node.engine);
        // Both receivers make the same calls in the same order, so their records lie at the same addresses.
        int directEq = direct.eqAlloc(8);
        int bufferedEq = buffered.eqAlloc(8);
        Proc.Recv directRecv = direct.recv(4, 1, 8192, PTL_MD_THRESH_INF, PTL_MD_OP_PUT, directEq);
        Proc.Recv bufferedRecv = buffered.recv(4, 1, 8192, PTL_MD_THRESH_INF, PTL_MD_OP_PUT, bufferedEq);
        for (int length : new int[] {1000, 3000, 1000}) {
            int md = sender.source(bytes(length, length), 2, PTL_EQ_NONE);
            Outcome toDirect = sender.put(md, PTL_ACK_REQ, direct.id(), 4, 1);
            Outcome toBuffered = sender.put(md, PTL_ACK_REQ, buffered.id(), 4, 1);
            Outcome deposited = direct.receive(toDirect);
            Outcome staged = kernel.deliver(buffered.space, buffered.ni, (PutRequest) toBuffered.send().get(0));
            assertTrue(deposited.ok() && staged.ok(), () -> deposited + " / " + staged);
            assertEquals(List.of(directEq), deposited.eventQueues());
            assertEquals(List.of(bufferedEq), staged.eventQueues());
            Ack directAck = (Ack) deposited.send().get(0);
            Ack bufferedAck = (Ack) staged.send().get(0);
            assertEquals(List.of(directAck.rlength(), directAck.mlength(), directAck.offset()),
                    List.of(bufferedAck.rlength(), bufferedAck.mlength(), bufferedAck.offset()));
        }
        assertArrayEquals(direct.read(directRecv.buffer(), 8192), buffered.read(bufferedRecv.buffer(), 8192));
        assertEquals(direct.events(directEq), buffered.events(bufferedEq));
    }
}
