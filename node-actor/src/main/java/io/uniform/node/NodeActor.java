package io.uniform.node;

import io.uniform.config.Partition;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.node.yod.JobEvent;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import io.uniform.puma.pct.YodDirectory;
import io.uniform.puma.qk.PctFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One MPP node: hosts the CPU and the kernel of its partition (Puma's QK + PCT on a compute
 * node, the Linux personality on the others), one process at a time.
 *
 * <p>The CPU runs in bounded slices on {@code uniform.cpu-dispatcher}, never on the actor's
 * thread: the actor submits a slice as a {@link CompletableFuture} on that executor and pipes
 * the result to itself. While a slice runs the actor does not touch the kernel; between slices
 * it handles its mailbox (state queries, kills, reboots), sends the slice's output to the job's
 * yod, and submits the next slice.
 */
public final class NodeActor extends AbstractBehavior<NodeActor.Command> {
    /** The protocol of a node. */
    public sealed interface Command {}

    /** Start rank {@code rank} of job {@code jobId} (of {@code size} ranks); events go to {@code yod}. */
    public record Launch(int jobId, int rank, int size, byte[] program, List<String> argv, byte[] stdin,
                         ActorRef<JobEvent> yod) implements Command, CborSerializable {
        public Launch {
            argv = List.copyOf(argv);
        }
    }

    /** Kill the node's process of job {@code jobId}, if any (at the end of the running slice). */
    public record Kill(int jobId, String reason) implements Command, CborSerializable {}

    public record GetState(ActorRef<State> replyTo) implements Command, CborSerializable {}

    /** Re-boot the node into {@code partition}'s operating system; only when it holds no process. */
    public record Reboot(Partition partition, ActorRef<RebootResult> replyTo) implements Command, CborSerializable {}

    /** What a node is doing. */
    public enum Status { IDLE, BOOTING, RUNNING }

    /** A node's state: {@code jobId} and {@code rank} are meaningful when RUNNING. */
    public record State(int nid, Partition partition, Status status, int jobId, int rank, long slices, int pctReloads)
            implements CborSerializable {
        @Override
        public String toString() {
            return "nid " + nid + " (" + partition.label() + "): " + switch (status) {
                case IDLE -> "idle";
                case BOOTING -> "booting";
                case RUNNING -> "running job " + jobId + " rank " + rank;
            };
        }
    }

    /** The answer to a {@link Reboot}: accepted (the node now runs {@code partition}'s OS) or refused with a reason. */
    public record RebootResult(int nid, boolean accepted, Partition partition, String reason) implements CborSerializable {}

    /** A slice ended on the CPU dispatcher (local only: never leaves this JVM). */
    private record SliceDone(Kernel.SliceResult result, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

    /** A reboot finished. */
    private record Booted(Partition partition, ActorRef<RebootResult> replyTo) implements Command, NoSerializationVerificationNeeded {}

    /** How a node is built: not a message, so it may hold a PCT factory. */
    public record Settings(int nid, Partition partition, long memoryBytes, long sliceInstructions, int outputChunkBytes,
                           Function<YodDirectory, PctFactory> bootPct) {
        public Settings {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(bootPct, "bootPct");
            if (sliceInstructions <= 0 || outputChunkBytes <= 0) {
                throw new IllegalArgumentException("slices and output chunks must be positive");
            }
        }

        /** A node with the slice and chunk sizes of {@code uniform.node} in the configuration and the standard PCT. */
        public static Settings of(int nid, Partition partition, long memoryBytes, com.typesafe.config.Config config) {
            return new Settings(nid, partition, memoryBytes, config.getLong("uniform.node.slice-instructions"),
                    (int) config.getBytes("uniform.node.output-chunk-bytes").longValue(), PumaKernel.STANDARD);
        }

        public Settings withBootPct(Function<YodDirectory, PctFactory> factory) {
            return new Settings(nid, partition, memoryBytes, sliceInstructions, outputChunkBytes, factory);
        }
    }

    public static final String CPU_DISPATCHER = "uniform.cpu-dispatcher";

    public static Behavior<Command> create(Settings settings) {
        return Behaviors.setup(context -> new NodeActor(context, settings));
    }

    private final Settings settings;
    private final Executor cpu;
    private Partition partition;
    private boolean booting;
    // The job on this node, when there is one.
    private Kernel kernel;
    private int jobId;
    private int rank;
    private ActorRef<JobEvent> yod;
    private boolean sliceRunning;
    private String pendingKill;
    private long slices;
    private int pctReloads;

    private NodeActor(ActorContext<Command> context, Settings settings) {
        super(context);
        this.settings = settings;
        this.partition = settings.partition();
        this.cpu = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(CPU_DISPATCHER));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Launch.class, this::onLaunch)
                .onMessage(Kill.class, this::onKill)
                .onMessage(GetState.class, this::onGetState)
                .onMessage(Reboot.class, this::onReboot)
                .onMessage(SliceDone.class, this::onSliceDone)
                .onMessage(Booted.class, this::onBooted)
                .build();
    }

    private Behavior<Command> onLaunch(Launch launch) {
        int nid = settings.nid();
        if (booting) {
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid, "node " + nid + " is booting"));
            return this;
        }
        if (kernel != null) {
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid,
                    "node " + nid + " is running job " + jobId));
            return this;
        }
        try {
            kernel = partition == Partition.COMPUTE
                    ? PumaKernel.load(settings.memoryBytes(), settings.bootPct(), PumaKernel.STANDARD, launch.jobId(), launch.rank(),
                            launch.size(), launch.program(), launch.argv(), launch.stdin())
                    : LinuxKernel.exec(partition, settings.memoryBytes(), launch.program(), launch.argv(), launch.stdin());
        } catch (ElfFormatException | ExecFailure | IllegalArgumentException e) {
            launch.yod().tell(new JobEvent.LaunchRefused(launch.jobId(), launch.rank(), nid, e.getMessage()));
            return this;
        }
        jobId = launch.jobId();
        rank = launch.rank();
        yod = launch.yod();
        pendingKill = null;
        runSlice();
        return this;
    }

    private void runSlice() {
        Kernel running = kernel;
        long budget = settings.sliceInstructions();
        sliceRunning = true;
        CompletableFuture<Kernel.SliceResult> slice = CompletableFuture.supplyAsync(() -> running.runSlice(budget), cpu);
        getContext().pipeToSelf(slice, SliceDone::new);
    }

    private Behavior<Command> onSliceDone(SliceDone done) {
        sliceRunning = false;
        slices++;
        if (done.failure() != null) {
            Throwable cause = done.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : done.failure();
            getContext().getLog().error("node {}: the emulator failed while running job {}", settings.nid(), jobId, cause);
            sendOutput(kernel.drainOutput());
            finish(new Kernel.Ended(ExitStatus.killed(Signal.SIGKILL), "emulator failure on node " + settings.nid() + ": " + cause));
            return this;
        }
        Kernel.SliceResult result = done.result();
        pctReloads += result.pctReloads();
        if (result.pctReloads() > 0 && kernel instanceof PumaKernel puma) {
            getContext().getLog().warn("node {}: the PCT faulted ({}) and was reloaded", settings.nid(), puma.lastPctFault());
        }
        sendOutput(result.output());
        if (result.ended() != null) {
            finish(result.ended());
        } else if (pendingKill != null) {
            Kernel.Ended ended = kernel.kill(pendingKill);
            sendOutput(kernel.drainOutput());
            finish(ended);
        } else {
            runSlice();
        }
        return this;
    }

    private void sendOutput(List<Kernel.Chunk> chunks) {
        int max = settings.outputChunkBytes();
        for (Kernel.Chunk chunk : chunks) {
            byte[] bytes = chunk.bytes();
            for (int from = 0; from < bytes.length; from += max) {
                yod.tell(new JobEvent.Output(jobId, rank, chunk.fd(), Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + max))));
            }
        }
    }

    private void finish(Kernel.Ended ended) {
        yod.tell(new JobEvent.Exited(jobId, rank, settings.nid(), ended.status(), ended.report()));
        kernel.release();
        kernel = null;
        yod = null;
        pendingKill = null;
    }

    private Behavior<Command> onKill(Kill kill) {
        if (kernel == null || kill.jobId() != jobId) {
            return this;
        }
        String reason = kill.reason() == null ? "killed" : kill.reason();
        if (sliceRunning) {
            pendingKill = reason; // the kernel belongs to the CPU until the slice returns
        } else {
            Kernel.Ended ended = kernel.kill(reason);
            sendOutput(kernel.drainOutput());
            finish(ended);
        }
        return this;
    }

    private Behavior<Command> onGetState(GetState get) {
        Status status = booting ? Status.BOOTING : kernel != null ? Status.RUNNING : Status.IDLE;
        get.replyTo().tell(new State(settings.nid(), partition, status, kernel != null ? jobId : 0, kernel != null ? rank : 0,
                slices, pctReloads));
        return this;
    }

    private Behavior<Command> onReboot(Reboot reboot) {
        int nid = settings.nid();
        if (!reboot.partition().isNode()) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition, "a node cannot be re-booted into " + reboot.partition().label()));
        } else if (kernel != null) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition,
                    "node " + nid + " is running job " + jobId + ": a node re-boots only when it holds no process"));
        } else if (booting) {
            reboot.replyTo().tell(new RebootResult(nid, false, partition, "node " + nid + " is already booting"));
        } else {
            booting = true;
            // The kernel of a node is built when a process arrives; booting only switches the
            // personality, on the CPU's executor like any other work of the node's processor.
            CompletableFuture<Partition> boot = CompletableFuture.supplyAsync(reboot::partition, cpu);
            getContext().pipeToSelf(boot, (booted, failure) -> new Booted(booted == null ? partition : booted, reboot.replyTo()));
        }
        return this;
    }

    private Behavior<Command> onBooted(Booted booted) {
        booting = false;
        partition = booted.partition();
        booted.replyTo().tell(new RebootResult(settings.nid(), true, partition, null));
        return this;
    }
}
