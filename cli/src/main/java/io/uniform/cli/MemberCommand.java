package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.metrics.MemberMetrics;
import io.uniform.node.Machine;
import io.uniform.node.MessageBounds;
import io.uniform.node.cluster.MachineCluster;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform member}: one member JVM of a cluster that hosts nodes of the machine (and may
 * run the machine itself, on the oldest member). It runs until Ctrl-C, {@code uniform cluster
 * down}, or the cluster downs it; leaving, it first has its nodes drained and handed over.
 */
@Command(name = "member",
        description = {"Start one cluster member that hosts nodes of the machine: --seed for the first member (it joins itself), "
                + "--join HOST:PORT for the others.",
                "Runs until Ctrl-C or `uniform cluster down`. Exit status 0 after a graceful leave, 1 if it cannot join, "
                        + "2 on bad input, 3 if its port (or its metrics port) is in use, 4 if the cluster runs another machine."})
final class MemberCommand implements Callable<Integer> {
    static final int EXIT_PORT_IN_USE = 3;
    static final int EXIT_OTHER_MACHINE = 4;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PRESET", description = "The machine preset (default: the uniform.machine preset); "
            + "every member of a cluster must start with the same one.")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON machine file instead of a PRESET (as `uniform machine --config`).")
    java.nio.file.Path config;

    @Option(names = "--join", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "A running member's address to join (several, comma-separated: the first that answers).")
    String join;

    @Option(names = "--seed", description = "Be the first member: join this member's own address.")
    boolean seed;

    @Option(names = "--port", paramLabel = "P", defaultValue = "25520", description = "The TCP port this member listens on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--hostname", paramLabel = "H", defaultValue = "127.0.0.1",
            description = "The address other members reach this one at (default: ${DEFAULT-VALUE}; another host's members need a routable one).")
    String hostname;

    @Option(names = "--bind-port", paramLabel = "P", defaultValue = "0",
            description = "Listen on this port while other members connect to --port, which something in between (a NAT, a proxy) "
                    + "forwards here; 0: listen on --port itself (default).")
    int bindPort;

    @Option(names = "--outbound-hostname", paramLabel = "H",
            description = "Open this member's connections to the others from this local address (default: the system's choice); "
                    + "`uniform chaos` gives each member a loopback address of its own, by which its proxy tells them apart.")
    String outboundHostname;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "Serve this member's figures (its nodes, its JVM, the jobs if it runs the machine) in Prometheus text format at "
                    + "http://HOST:PORT/metrics (HOST: uniform.metrics.host, all interfaces by default); 0: no endpoint (default).")
    int metricsPort;

    /** Ends the member with this exit status when the cluster's machine is another one. */
    static final class OtherMachine implements CoordinatedShutdown.Reason {}

    @Override
    public Integer call() {
        if (seed == (join != null)) {
            return usage("give --seed (the first member) or --join HOST:PORT (the others)");
        }
        MachineDescription description;
        String seedAddress;
        try {
            if (preset != null && config != null) {
                return usage("give a PRESET or --config FILE, not both");
            }
            description = config != null ? MachineDescriptions.fromFile(config)
                    : preset == null ? MachineDescriptions.defaultMachine() : MachineDescriptions.preset(preset);
            if (metricsPort < 0 || metricsPort > 65535) {
                return usage("--metrics-port " + metricsPort + ": a port from 1 to 65535 (0: no endpoint)");
            }
            if (port < 0 || port > 65535 || seed && port == 0) {
                return usage("--port " + port + ": a member listens on a port from 1 to 65535 (0: any free one, not for the seed)");
            }
            if (bindPort < 0 || bindPort > 65535 || bindPort != 0 && port == 0) {
                return usage("--bind-port " + bindPort + ": a port from 1 to 65535 behind a --port that is given (0: --port itself)");
            }
            seedAddress = seed ? new MemberAddress(hostname, port).hostPort() : ClusterOptions.normalized(join);
        } catch (MachineConfigException | IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        // A real member JVM: it exits when its actor system ends (left, downed, or refused).
        Config config = ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on\n"
                        + "pekko.coordinated-shutdown.reason-overrides.\"" + OtherMachine.class.getName() + "\".exit-code = " + EXIT_OTHER_MACHINE)
                .withFallback(behindProxy())
                .withFallback(ClusterMember.config(hostname, port, MachineCluster.HOST_ROLE, seedAddress));
        try {
            MessageBounds.check(config); // before the member starts: a bad bound fails here, once
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        ActorSystem<Void> system;
        try {
            system = ClusterMember.start(config);
        } catch (ClusterMember.Unavailable e) {
            System.err.println("uniform: member: " + e.getMessage());
            return EXIT_PORT_IN_USE;
        }
        AtomicInteger status = new AtomicInteger();
        String machine = ClusterMember.machineName(system);
        ActorRef<Machine.Command> proxy = MachineCluster.startMember(system, machine, description, refusal -> {
            System.err.println("uniform: member: refused: " + refusal);
            status.set(EXIT_OTHER_MACHINE);
            CoordinatedShutdown.get(system).runAll(new OtherMachine());
        });
        MemberMetrics metrics;
        try {
            metrics = MemberMetrics.onMember(system, machine, proxy,
                    ConfigFactory.parseMap(java.util.Map.of("uniform.metrics.port", metricsPort)).withFallback(system.settings().config()));
        } catch (UncheckedIOException e) {
            System.err.println("uniform: member: " + e.getMessage());
            system.terminate();
            return EXIT_PORT_IN_USE;
        }
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "uniform-metrics", () -> {
            metrics.close();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
        try {
            ClusterMember.awaitUp(system, seedAddress);
        } catch (ClusterMember.Unavailable e) {
            System.err.println("uniform: member: " + e.getMessage());
            return 1;
        }
        System.out.println("member " + Cluster.get(system).selfMember().address() + " is up: it hosts nodes of machine "
                + description.name() + " (fingerprint " + description.fingerprint() + ")"
                + (metrics.port() == 0 ? "" : "; metrics at http://" + system.settings().config().getString("uniform.metrics.host") + ":"
                + metrics.port() + "/metrics"));
        System.out.flush();
        system.getWhenTerminated().toCompletableFuture().join();
        return status.get();
    }

    /** Artery's bind port and outbound address where they differ from what the member advertises. */
    private Config behindProxy() {
        java.util.Map<String, Object> settings = new java.util.HashMap<>();
        if (bindPort != 0) {
            settings.put("pekko.remote.artery.bind.port", bindPort);
        }
        if (outboundHostname != null) {
            settings.put("pekko.remote.artery.advanced.tcp.outbound-client-hostname", outboundHostname);
        }
        return ConfigFactory.parseMap(settings);
    }

    private static int usage(String message) {
        System.err.println("uniform: member: " + message);
        return 2;
    }
}
