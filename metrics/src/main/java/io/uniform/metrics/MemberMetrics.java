package io.uniform.metrics;

import com.typesafe.config.Config;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.uniform.node.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.uniform.node.cluster.MachineCluster;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Metrics on one member: its {@link ClusterView} (which samples this member and hears the others)
 * and, when {@code uniform.metrics.port} is not 0, an HTTP endpoint serving this member's figures
 * at {@code /metrics} in Prometheus text format. Closing it stops the endpoint and the view.
 */
public final class MemberMetrics implements AutoCloseable {
    private final ActorSystem<?> system;
    private final ActorRef<ClusterView.Command> view;
    private final HTTPServer server;

    private MemberMetrics(ActorSystem<?> system, ActorRef<ClusterView.Command> view, HTTPServer server) {
        this.system = system;
        this.view = view;
        this.server = server;
    }

    /**
     * Starts metrics for machine {@code machine} (the name its nodes are listed under) on
     * {@code system}, a JVM that runs the whole machine: {@code machineRef}, if not null, is it.
     *
     * @throws UncheckedIOException the endpoint's port cannot be bound (in use, not allowed)
     */
    public static MemberMetrics start(ActorSystem<?> system, String machine, ActorRef<Machine.Command> machineRef, Config config) {
        return start(system, machine, () -> machineRef, config);
    }

    /**
     * Starts metrics on a host member of a cluster: its nodes, and the jobs of the machine
     * {@code machineProxy} reaches while the machine singleton runs on this member (the oldest
     * Up host member), so that each job is reported once.
     *
     * @throws UncheckedIOException the endpoint's port cannot be bound (in use, not allowed)
     */
    public static MemberMetrics onMember(ActorSystem<?> system, String machine, ActorRef<Machine.Command> machineProxy, Config config) {
        Cluster cluster = Cluster.get(system);
        return start(system, machine, () -> runsTheMachine(cluster) ? machineProxy : null, config);
    }

    /** The whole machine's view on a member that has nothing of its own to show (a client command: top). */
    public static MemberMetrics listening(ActorSystem<?> system, String machine, Config config) {
        ActorRef<ClusterView.Command> view = system.systemActorOf(ClusterView.listening(machine, ClusterView.Settings.of(config)),
                "metrics", Props.empty());
        return new MemberMetrics(system, view, null);
    }

    /** Whether the singleton's place is this member: the oldest Up one with the host role. */
    private static boolean runsTheMachine(Cluster cluster) {
        Member oldest = null;
        for (Member member : cluster.state().getMembers()) {
            if (member.status().equals(MemberStatus.up()) && member.hasRole(MachineCluster.HOST_ROLE)
                    && (oldest == null || member.isOlderThan(oldest))) {
                oldest = member;
            }
        }
        return oldest != null && oldest.equals(cluster.selfMember());
    }

    private static MemberMetrics start(ActorSystem<?> system, String machine, Supplier<ActorRef<Machine.Command>> jobsFrom, Config config) {
        AtomicReference<MemberReport> latest = new AtomicReference<>();
        int port = config.getInt("uniform.metrics.port");
        HTTPServer server = null;
        if (port != 0) {
            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(new Exposition(latest::get));
            String host = config.getString("uniform.metrics.host");
            try {
                server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
            } catch (IOException e) {
                throw new UncheckedIOException("the metrics endpoint cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
            }
        }
        ActorRef<ClusterView.Command> view = system.systemActorOf(
                ClusterView.create(machine, jobsFrom, ClusterView.Settings.of(config), latest::set), "metrics", Props.empty());
        return new MemberMetrics(system, view, server);
    }

    /** The machine-wide view on this member. */
    public ActorRef<ClusterView.Command> view() {
        return view;
    }

    /** The port the endpoint listens on (the one bound, when 0 would not have started one), or 0 with no endpoint. */
    public int port() {
        return server == null ? 0 : server.getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        system.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(view));
    }
}
