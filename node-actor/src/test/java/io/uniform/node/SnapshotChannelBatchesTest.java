package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.interconnect.ProcessId;
import io.uniform.node.yod.Checkpoint;
import io.uniform.portals.Ack;
import io.uniform.portals.Payload;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.PutRequest;
import io.uniform.portals.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A snapshot's recorded channel messages go to yod in batches bounded by bytes as well as by
 * count: a batch serialized as it travels (Kryo) is never larger than its byte bound, however
 * large the messages in flight were, and the pieces make the same messages whole again.
 */
class SnapshotChannelBatchesTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final int BATCH_BYTES = 128 * 1024;
    private static final int PIECE_BYTES = 64 * 1024;
    private static final ChannelId FROM_0 = new ChannelId(new ProcessId(1, 0), new ProcessId(2, 1));
    private static final ChannelId FROM_2 = new ChannelId(new ProcessId(3, 2), new ProcessId(2, 1));

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    private static Payload data(int seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return Payload.copyOf(bytes);
    }

    private static io.uniform.portals.ProcessId portals(ProcessId id) {
        return new io.uniform.portals.ProcessId(id.nid(), id.pid());
    }

    private static PortalsMessage put(ChannelId channel, int seed, int length) {
        return new PutRequest(portals(channel.sender()), 0, 1, portals(channel.receiver()), 4, 0, seed, 0, seed, true, 2, data(seed, length));
    }

    /** Messages as a rank's kernel took them after its cut: 1 MiB puts, a large reply, many small ones, acks, on two channels. */
    private static List<Envelope<PortalsMessage>> recorded() {
        List<Envelope<PortalsMessage>> messages = new ArrayList<>();
        long[] next = new long[2];
        Random random = new Random(11);
        for (int i = 0; i < 300; i++) {
            ChannelId channel = random.nextBoolean() ? FROM_0 : FROM_2;
            int which = channel == FROM_0 ? 0 : 1;
            int kind = random.nextInt(10);
            PortalsMessage message = kind == 0 ? put(channel, i, 1024 * 1024)
                    : kind == 1 ? new Reply(portals(channel.sender()), 0, 1, portals(channel.receiver()), 4, i, 2, 0, 200_000,
                            data(i, 200_000))
                    : kind == 2 ? new Ack(portals(channel.sender()), 0, 1, portals(channel.receiver()), 4, i, 2, 0, 8, 8)
                    : put(channel, i, random.nextInt(3_000));
            messages.add(new Envelope<>(channel, next[which]++, message));
        }
        return messages;
    }

    @Test
    void everyBatchAsItTravelsFitsItsByteBoundAndItsCountAndThePiecesMakeTheMessagesWholeAgain() {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(TEST_KIT.system()));
        List<Envelope<PortalsMessage>> messages = recorded();
        List<List<Envelope<PortalsMessage>>> batches = SnapshotRecording.batches(messages, 64, BATCH_BYTES, PIECE_BYTES);
        long largest = 0;
        for (List<Envelope<PortalsMessage>> batch : batches) {
            assertTrue(!batch.isEmpty() && batch.size() <= 64, "a batch of " + batch.size());
            Checkpoint.RankChannels sent = new Checkpoint.RankChannels("17.3." + java.util.UUID.randomUUID(), 1023, batch);
            Serializer serializer = serialization.findSerializerFor(sent);
            largest = Math.max(largest, serializer.toBinary(sent).length);
        }
        assertTrue(largest <= BATCH_BYTES, "a batch of " + largest + " bytes");
        assertTrue(largest > BATCH_BYTES / 2, "batches are filled: the largest holds " + largest + " bytes");
        List<Envelope<PortalsMessage>> pieces = batches.stream().flatMap(List::stream).toList();
        assertEquals(messages.stream().map(Envelope::payload).toList(), SnapshotRecording.wholeMessages(pieces));
    }

    /** The shipped bounds of what crosses between members agree: each message stays well under Artery's default frame. */
    @Test
    void theShippedBoundsOfFragmentsHandoffPartsAndChannelBatchesFitTheDefaultFrameWithRoomForTheirHeaders() {
        com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.load();
        long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
        long fragment = config.getBytes("uniform.portals.fragment-bytes");
        long handoffPart = config.getBytes("uniform.migration.handoff-part-bytes");
        long batch = config.getBytes("uniform.snapshots.channel-batch-bytes");
        assertEquals(256 * 1024, frame);
        for (long bound : new long[] {fragment + SnapshotRecording.PIECE_BYTES, handoffPart + SnapshotRecording.PIECE_BYTES, batch}) {
            assertTrue(bound <= frame / 2, bound + " bytes against a frame of " + frame);
        }
        assertTrue(fragment + SnapshotRecording.PIECE_BYTES + SnapshotRecording.BATCH_BYTES <= batch, "a batch carries a whole fragment");
    }

    @Test
    void manySmallMessagesAreBatchedByCount() {
        List<Envelope<PortalsMessage>> small = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            small.add(new Envelope<>(FROM_0, i, put(FROM_0, i, 8)));
        }
        assertEquals(List.of(64, 64, 2), SnapshotRecording.batches(small, 64, BATCH_BYTES, PIECE_BYTES).stream().map(List::size).toList());
    }

    @Test
    void piecesThatDoNotMakeWholeMessagesAreRefusedAndABatchTooSmallForAPieceIsNoBatch() {
        List<Envelope<PortalsMessage>> one = List.of(new Envelope<>(FROM_0, 0, put(FROM_0, 1, 300_000)));
        List<Envelope<PortalsMessage>> pieces = SnapshotRecording.batches(one, 64, BATCH_BYTES, PIECE_BYTES).stream()
                .flatMap(List::stream).toList();
        assertEquals(5, pieces.size());
        assertThrows(IllegalArgumentException.class, () -> SnapshotRecording.wholeMessages(pieces.subList(0, 4)), "the last missing");
        assertThrows(IllegalArgumentException.class, () -> SnapshotRecording.wholeMessages(pieces.subList(1, 5)), "the first missing");
        List<Envelope<PortalsMessage>> interrupted = new ArrayList<>(pieces.subList(0, 2));
        interrupted.add(new Envelope<>(FROM_0, 1, put(FROM_0, 2, 5)));
        assertThrows(IllegalArgumentException.class, () -> SnapshotRecording.wholeMessages(interrupted), "a whole message among pieces");
        assertThrows(IllegalArgumentException.class, () -> SnapshotRecording.batches(one, 64, PIECE_BYTES, PIECE_BYTES));
    }
}
