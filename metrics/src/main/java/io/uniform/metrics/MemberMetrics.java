package io.uniform.metrics;

import com.typesafe.config.Config;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.uniform.node.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

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
     * {@code system}; {@code machineRef}, if not null, is the machine this member hosts.
     *
     * @throws UncheckedIOException the endpoint's port cannot be bound (in use, not allowed)
     */
    public static MemberMetrics start(ActorSystem<?> system, String machine, ActorRef<Machine.Command> machineRef, Config config) {
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
                ClusterView.create(machine, machineRef, ClusterView.Settings.of(config), latest::set), "metrics", Props.empty());
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
