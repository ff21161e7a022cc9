package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;

/** Starting, joining and leaving a uniform cluster from the command line: the parts every member and client share. */
public final class ClusterMember {
    /** The actor system's name: members must share it to form a cluster. */
    static final String SYSTEM = "uniform";
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(90);

    /** The cluster could not be joined, or this member could not start: the message says why. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private ClusterMember() {}

    /** A member at {@code hostname:port} (0: any free port) with {@code role}, joining {@code seed} (HOST:PORT, or several, comma-separated). */
    static Config config(String hostname, int port, String role, String seed) {
        org.slf4j.LoggerFactory.getILoggerFactory(); // bind SLF4J before the system's threads race to
        return ConfigFactory.parseMap(java.util.Map.of(
                        "pekko.remote.artery.canonical.hostname", hostname,
                        "pekko.remote.artery.canonical.port", port,
                        "pekko.cluster.roles", List.of(role)))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(
                        MemberAddress.parseList(seed).stream().map(MemberAddress::pekkoAddress).toList()))
                .withFallback(ConfigFactory.systemProperties()) // -D settings win over the cluster defaults
                .withFallback(ConfigFactory.parseResources("uniform-cluster.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    /** The address this host is reached at from {@code seed}'s host (the first's, of several): loopback for a seed on loopback. */
    static String hostnameFacing(String seed) {
        MemberAddress address = MemberAddress.parseList(seed).get(0);
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(address.host(), address.port())); // no packet is sent: it picks the route
            return probe.getLocalAddress().getHostAddress();
        } catch (java.io.IOException | RuntimeException e) {
            return "127.0.0.1";
        }
    }

    /** Starts the actor system of a member configured by {@code config}; a port in use is an {@link Unavailable}. */
    static ActorSystem<Void> start(Config config) throws Unavailable {
        try {
            return ActorSystem.create(Behaviors.empty(), SYSTEM, config);
        } catch (Exception e) { // Scala code throws checked exceptions too: Artery's bind timeout is a TimeoutException
            String where = config.getString("pekko.remote.artery.canonical.hostname") + ":" + config.getInt("pekko.remote.artery.canonical.port");
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof java.net.BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
                    throw new Unavailable("cannot listen on " + bound(config) + ": the port is in use (another member, or another program)"
                            + (bound(config).equals(where) ? "" : "; the others reach this member at " + where));
                }
            }
            throw new Unavailable("cannot start a cluster member on " + where + ": " + e.getMessage());
        }
    }

    /** Where Artery listens: its bind address and port, each the advertised (canonical) one where not set. */
    private static String bound(Config config) {
        String hostname = config.getString("pekko.remote.artery.bind.hostname");
        String port = config.getString("pekko.remote.artery.bind.port");
        return (hostname.isEmpty() ? config.getString("pekko.remote.artery.canonical.hostname") : hostname) + ":"
                + (port.isEmpty() ? config.getString("pekko.remote.artery.canonical.port") : port);
    }

    /** Waits until this member is Up in the cluster at {@code seed}; else stops it and says why. */
    static void awaitUp(ActorSystem<?> system, String seed) throws Unavailable {
        Duration timeout = system.settings().config().getDuration("uniform.cluster.join-timeout");
        CompletableFuture<Void> up = new CompletableFuture<>();
        Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
        system.getWhenTerminated().thenRun(() -> up.completeExceptionally(new IllegalStateException("stopped")));
        try {
            up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            system.terminate();
            throw new Unavailable("cannot join the cluster at " + seed + " within " + timeout.toSeconds()
                    + " s: no member answered there (is `uniform cluster up` running, and the address right?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            system.terminate();
            throw new Unavailable("interrupted while joining the cluster at " + seed);
        }
    }

    /** The machine's name on the cluster (its singleton's). */
    static String machineName(ActorSystem<?> system) {
        return system.settings().config().getString("uniform.cluster.machine");
    }

    /** Leaves the cluster gracefully (a host member first releases its nodes) and waits for the system's end. */
    static void leave(ActorSystem<?> system) {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.clusterLeavingReason());
        try {
            system.getWhenTerminated().toCompletableFuture().get(LEAVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("uniform: the cluster member did not stop within " + LEAVE_TIMEOUT.toSeconds() + " s: " + e);
        }
    }
}
