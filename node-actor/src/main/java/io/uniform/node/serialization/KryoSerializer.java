package io.uniform.node.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.uniform.config.Partition;
import io.uniform.interconnect.ChannelId;
import io.uniform.interconnect.Envelope;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.node.yod.Yod;
import io.uniform.portals.Ack;
import io.uniform.portals.GetRequest;
import io.uniform.portals.Payload;
import io.uniform.portals.ProcessId;
import io.uniform.portals.PutRequest;
import io.uniform.portals.Reply;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for {@link io.uniform.node.KryoSerializable} messages, the bulk lane: Kryo
 * writes byte arrays as they are, with no per-field names. Only the classes registered here can
 * be read (registration is required), so a peer cannot make this JVM instantiate anything else.
 * Kryo instances are not thread-safe: they are pooled.
 */
public final class KryoSerializer extends JSerializer {
    /** Pekko's serializer id for this lane (ids up to 40 are Pekko's own). */
    public static final int IDENTIFIER = 7_151_001;

    private final Pool<Kryo> pool;

    public KryoSerializer(ExtendedActorSystem system) {
        ActorRefResolver resolver = ActorRefResolver.get(Adapter.toTyped(system));
        this.pool = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                return kryo(resolver);
            }
        };
    }

    private static Kryo kryo(ActorRefResolver resolver) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        Serializer<ActorRef<?>> refs = new Serializer<>() {
            @Override
            public void write(Kryo k, Output output, ActorRef<?> ref) {
                output.writeString(resolver.toSerializationFormat(ref));
            }

            @Override
            public ActorRef<?> read(Kryo k, Input input, Class<? extends ActorRef<?>> type) {
                return resolver.resolveActorRef(input.readString());
            }
        };
        kryo.register(org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter.class, refs);
        Serializer<List<?>> lists = new Serializer<>() {
            @Override
            public void write(Kryo k, Output output, List<?> list) {
                output.writeVarInt(list.size(), true);
                list.forEach(element -> k.writeClassAndObject(output, element));
            }

            @Override
            public List<?> read(Kryo k, Input input, Class<? extends List<?>> type) {
                int size = input.readVarInt(true);
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(k.readClassAndObject(input));
                }
                return List.copyOf(list);
            }
        };
        // The immutable lists records hold (List.of and List.copyOf make these classes).
        for (Class<?> type : List.of(List.of().getClass(), List.of(1).getClass(), List.of(1, 2, 3).getClass(), ArrayList.class)) {
            kryo.register(type, lists);
        }
        kryo.register(byte[].class);
        kryo.register(Partition.class);
        kryo.register(JobPlacement.class);
        kryo.register(Program.class);
        kryo.register(Yod.Options.class);
        kryo.register(NodeActor.InjectPctFault.class);
        kryo.register(NodeActor.JobPeers.class);
        kryo.register(NodeActor.Launch.class);
        kryo.register(Machine.Run.class);
        // Portals traffic: the bulk lane, so a put's data is written as it is.
        kryo.register(NodeActor.Packet.class);
        kryo.register(Envelope.class);
        kryo.register(ChannelId.class);
        kryo.register(io.uniform.interconnect.ProcessId.class);
        kryo.register(ProcessId.class);
        kryo.register(PutRequest.class);
        kryo.register(GetRequest.class);
        kryo.register(Reply.class);
        kryo.register(Ack.class);
        kryo.register(Payload.class, new Serializer<Payload>() {
            @Override
            public void write(Kryo k, Output output, Payload payload) {
                byte[] bytes = payload.toByteArray();
                output.writeVarInt(bytes.length, true);
                output.writeBytes(bytes);
            }

            @Override
            public Payload read(Kryo k, Input input, Class<? extends Payload> type) {
                return Payload.copyOf(input.readBytes(input.readVarInt(true)));
            }
        });
        // Migration: the frozen process's state, its pages and its channels.
        kryo.register(int[].class);
        kryo.register(io.uniform.cpu.HartState.class);
        kryo.register(io.uniform.process.image.ProcessState.class);
        kryo.register(io.uniform.process.image.Area.class);
        kryo.register(io.uniform.process.image.OpenFile.class);
        kryo.register(NodeActor.Immigrate.class);
        kryo.register(NodeActor.Pages.class);
        kryo.register(NodeActor.Handoff.class);
        kryo.register(NodeActor.HandoffPart.class);
        kryo.register(NodeActor.Channels.class);
        kryo.register(io.uniform.interconnect.ChannelReceiver.State.class);
        kryo.register(io.uniform.interconnect.ChannelReceiver.Stats.class);
        kryo.register(io.uniform.interconnect.ChannelSender.State.class);
        kryo.register(io.uniform.interconnect.FlowControl.class);
        kryo.register(io.uniform.interconnect.HopCount.class);
        kryo.register(io.uniform.interconnect.LocationUpdate.class);
        kryo.register(io.uniform.interconnect.Location.class);
        kryo.register(io.uniform.interconnect.ChannelMarker.class);
        // Snapshots: a rank's parts on their way to yod and into the snapshot file, and back to a node restoring it.
        kryo.register(io.uniform.node.yod.Checkpoint.RankState.class);
        kryo.register(io.uniform.node.yod.Checkpoint.RankPages.class);
        kryo.register(io.uniform.node.yod.Checkpoint.RankChannels.class);
        kryo.register(NodeActor.Restore.class);
        kryo.register(NodeActor.RestorePages.class);
        kryo.register(NodeActor.RestoreChannels.class);
        kryo.register(Machine.Restart.class);
        // Appended, so that what was registered before keeps its number: a put or reply larger than a packet travels in parts.
        kryo.register(io.uniform.portals.Fragment.class);
        return kryo;
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object message) {
        Kryo kryo = pool.obtain();
        try (Output output = new Output(4096, -1)) {
            kryo.writeClassAndObject(output, message);
            return output.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = pool.obtain();
        try (Input input = new Input(bytes)) {
            return kryo.readClassAndObject(input);
        } finally {
            pool.free(kryo);
        }
    }
}
