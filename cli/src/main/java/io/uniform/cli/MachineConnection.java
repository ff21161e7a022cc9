package io.uniform.cli;

import com.typesafe.config.Config;
import io.uniform.config.MachineDescription;
import io.uniform.node.Machine;
import io.uniform.node.cluster.MachineCluster;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The machine a command works on: one it boots in this JVM, or a running cluster's, which the
 * command joins as a client-only member (it hosts no node) and leaves gracefully when done.
 */
public final class MachineConnection implements AutoCloseable {
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);

    private final ActorSystem<?> system;
    private final ActorRef<Machine.Command> machine;
    private final boolean clustered;

    private MachineConnection(ActorSystem<?> system, ActorRef<Machine.Command> machine, boolean clustered) {
        this.system = system;
        this.machine = machine;
        this.clustered = clustered;
    }

    /** A machine of {@code description} booted in this JVM, configured by {@code settings}. */
    public static MachineConnection local(MachineDescription description, Config settings) {
        ActorSystem<Machine.Command> system = ActorSystem.create(Machine.create(description), ClusterMember.SYSTEM,
                settings.withFallback(JobSession.quietConfig()));
        return new MachineConnection(system, system, false);
    }

    /** The machine of the cluster whose member listens at {@code seed} (HOST:PORT), joined as a client. */
    public static MachineConnection cluster(String seed) throws ClusterMember.Unavailable {
        return cluster(seed, com.typesafe.config.ConfigFactory.empty());
    }

    /** As {@link #cluster(String)}, with {@code overrides} over the client's configuration. */
    public static MachineConnection cluster(String seed, Config overrides) throws ClusterMember.Unavailable {
        ActorSystem<Void> system = ClusterMember.start(overrides.withFallback(ClusterMember.config(ClusterMember.hostnameFacing(seed), 0,
                MachineCluster.CLIENT_ROLE, seed)));
        ClusterMember.awaitUp(system, seed);
        return new MachineConnection(system, MachineCluster.proxy(system, ClusterMember.machineName(system)), true);
    }

    /** The cluster's machine if {@code cluster} names one, else {@code description} booted here. */
    static MachineConnection open(ClusterOptions cluster, MachineDescription description, Config settings) throws ClusterMember.Unavailable {
        return cluster.given() ? cluster(cluster.seed()) : local(description, settings);
    }

    public ActorSystem<?> system() {
        return system;
    }

    /** True for a running cluster's machine. */
    public boolean clustered() {
        return clustered;
    }

    public ActorRef<Machine.Command> machine() {
        return machine;
    }

    @Override
    public void close() {
        if (clustered) {
            ClusterMember.leave(system);
            return;
        }
        system.terminate();
        // Whatever happens while shutting down must not hide the command's result.
        try {
            system.getWhenTerminated().toCompletableFuture().get(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            System.err.println("uniform: the machine did not shut down within " + SHUTDOWN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            System.err.println("uniform: the machine did not shut down cleanly: " + e);
        }
    }
}
