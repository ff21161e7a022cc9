package io.uniform.node.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.uniform.guest.GuestFiles;
import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.portals.Payload;
import io.uniform.portals.ProcessId;
import io.uniform.portals.PutRequest;
import io.uniform.portals.Reply;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The bulk lane: messages carrying program images go through Kryo, and come back whole. */
class KryoSerializerTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private final Serialization serialization = SerializationExtension.get(Adapter.toClassic(TEST_KIT.system()));

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    private Object roundTrip(Object message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), "the Kryo lane");
        return serialization.deserialize(serializer.toBinary(message), serializer.identifier(), "").get();
    }

    @Test
    void aLaunchComesBackWithItsImageArgumentsAndAWorkingReference() {
        TestProbe<JobEvent> yod = TEST_KIT.createTestProbe();
        byte[] image = GuestFiles.elf("tests/hello.elf");
        NodeActor.Launch launch = new NodeActor.Launch(3, 1, 4, new Program(image, List.of("hello", "x"), new byte[] {7}), yod.getRef(),
                new NodeActor.InjectPctFault("write", 2), "/srv/files", new NodeActor.JobPeers(List.of(3, 5, 7), null));
        NodeActor.Launch back = (NodeActor.Launch) roundTrip(launch);
        assertArrayEquals(image, back.program().image());
        assertEquals(List.of("hello", "x"), back.program().argv());
        assertArrayEquals(new byte[] {7}, back.program().stdin());
        assertEquals(launch.pctFault(), back.pctFault());
        assertEquals("/srv/files", back.filesRoot());
        assertEquals(launch.peers(), back.peers());
        assertEquals(List.of(3, 1, 4), List.of(back.jobId(), back.rank(), back.size()));
        JobEvent.LaunchRefused probe = new JobEvent.LaunchRefused(3, 1, 9, "through the resolved reference");
        back.yod().tell(probe);
        assertEquals(probe, yod.receiveMessage());
    }

    @Test
    void aPortalsPacketComesBackWithItsEnvelopeAndData() {
        byte[] data = new byte[100_000];
        new java.util.Random(7).nextBytes(data);
        PutRequest put = new PutRequest(new ProcessId(3, 0), 0, 9, new ProcessId(5, 1), 4, 0, 0xfeedL, 128, -1L, true, 0x2000,
                Payload.copyOf(data));
        ChannelId channel = new ChannelId(new io.uniform.interconnect.ProcessId(3, 0), new io.uniform.interconnect.ProcessId(5, 1));
        NodeActor.Packet packet = new NodeActor.Packet(9, new io.uniform.interconnect.Location(2, 3), new Envelope<>(channel, 41, put));
        NodeActor.Packet back = (NodeActor.Packet) roundTrip(packet);
        assertEquals(packet, back);
        assertArrayEquals(data, ((PutRequest) back.envelope().payload()).payload().toByteArray());
        Reply reply = new Reply(new ProcessId(5, 1), 0, 9, new ProcessId(3, 0), 4, 1, 0x3000, 0, 3, Payload.copyOf(new byte[] {1, 2, 3}));
        assertEquals(reply, ((NodeActor.Packet) roundTrip(new NodeActor.Packet(9, new io.uniform.interconnect.Location(2, 3), new Envelope<>(channel, 0, reply)))).envelope().payload());
    }

    @Test
    void sendingChannelsComeBackWithTheirUnacknowledgedEnvelopesProbesAndUnsettledMarkers() {
        ChannelId channel = new ChannelId(new io.uniform.interconnect.ProcessId(3, 0), new io.uniform.interconnect.ProcessId(5, 1));
        List<io.uniform.interconnect.ChannelSender<io.uniform.portals.PortalsMessage>> senders = new java.util.ArrayList<>();
        for (long delivered : new long[] {1, 2}) {
            io.uniform.interconnect.ChannelSender<io.uniform.portals.PortalsMessage> sender = new io.uniform.interconnect.ChannelSender<>(
                    channel, new io.uniform.interconnect.FlowControl(2, 1), new io.uniform.interconnect.Location(5, 0), 1);
            for (int i = 0; i < 3; i++) {
                sender.send(new Reply(new ProcessId(3, 0), 0, 9, new ProcessId(5, 1), 4, 1, i, 0, 0, Payload.EMPTY));
            }
            sender.grant(new io.uniform.interconnect.CreditGrant(channel, 2, delivered)); // 1: one unacknowledged; 2: a probe kept
            sender.repoint(new io.uniform.interconnect.Location(6, 2), 2); // 1: a marker not settled yet
            senders.add(sender);
        }
        NodeActor.Channels channels = new NodeActor.Channels(List.of(), senders.stream().map(sender -> sender.state()).toList());
        assertEquals(channels, roundTrip(channels));
        assertEquals(1, channels.sending().get(0).unacked().size());
        assertEquals(1, channels.sending().get(0).unsettled().size());
        assertEquals(1L, channels.sending().get(1).probe().sequence());
    }

    @Test
    void aRunComesBackWithItsOptions() {
        TestProbe<JobReport> client = TEST_KIT.createTestProbe();
        Machine.Run run = new Machine.Run(new Program(new byte[] {1, 2, 3}, List.of(), null), JobPlacement.MIXED, 2, client.getRef(),
                new Yod.Options("/tmp/files", true, null, 1 << 20));
        Machine.Run back = (Machine.Run) roundTrip(run);
        assertEquals(run.options(), back.options());
        assertEquals(JobPlacement.MIXED, back.placement());
        assertEquals(client.getRef(), back.client());
    }

    @Test
    void onlyRegisteredClassesCross() {
        Serializer kryo = serialization.serializerByIdentity().apply(KryoSerializer.IDENTIFIER);
        assertThrows(IllegalArgumentException.class, () -> kryo.toBinary(new java.util.Date()));
    }
}
