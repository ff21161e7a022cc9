package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.node.Machine;
import io.uniform.node.cluster.MachineCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/** Member JVMs started on this host as child processes ({@code cluster up}, {@code chaos}), and waiting for them. */
public final class MemberProcesses {
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 25;
    /** A started member logs to a file read after the fact: with times, and the cluster's membership changes (logback-member.xml). */
    private static final List<String> MEMBER_LOGGING = List.of("-Dlogback.configurationFile=logback-member.xml", "-Dpekko.loglevel=INFO");

    private MemberProcesses() {}

    /**
     * Starts {@code uniform member} on {@code hostname:port} with this JVM's class path and its
     * {@code -Dpekko.*} / {@code -Duniform.*} settings (so that {@code UNIFORM_JAVA_OPTS} tunes a
     * whole cluster): the seed when {@code seed} is null, else joining it; Prometheus text on
     * {@code metricsPort} (0: none); the machine is {@code preset} or the file {@code config}
     * (both null: the default); its output goes to {@code log}. It waits up to {@code joinTimeout}
     * to join: members started together on a loaded host may take a minute to start, the seed
     * among them. A member {@code behindProxy} (null: none) binds another port than it advertises.
     */
    public static Process start(String hostname, int port, int metricsPort, String seed, String preset, Path config, Path log,
                                Duration joinTimeout, BehindProxy behindProxy) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaCommand()));
        command.addAll(MEMBER_LOGGING);
        command.addAll(settingsPassedOn());
        command.addAll(List.of("-Duniform.cluster.join-timeout=" + joinTimeout.toSeconds() + "s",
                "-cp", System.getProperty("java.class.path"), Uniform.class.getName(), "member", "--port", "" + port, "--hostname", hostname,
                "--metrics-port", "" + metricsPort));
        command.addAll(seed == null ? List.of("--seed") : List.of("--join", seed));
        if (behindProxy != null) {
            command.addAll(List.of("--bind-port", "" + behindProxy.bindPort(), "--outbound-hostname", behindProxy.outboundHostname()));
        }
        if (preset != null) {
            command.add(preset);
        }
        if (config != null) {
            command.addAll(List.of("--config", config.toAbsolutePath().toString()));
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * A member reached through a proxy (chaos's {@code PartitionProxy}): others connect to the
     * port it advertises, the proxy forwards that to {@code bindPort}, and the member opens its
     * own connections from {@code outboundHostname}, by which the proxy knows them as its.
     */
    public record BehindProxy(int bindPort, String outboundHostname) {}

    /** Starts one member JVM: the seed when {@code seed} is null, else one joining {@code seed} (HOST:PORT); returns its HOST:PORT. */
    @FunctionalInterface
    public interface MemberStart {
        String start(String seed) throws IOException, InterruptedException, ClusterMember.Unavailable;
    }

    /** A cluster of member JVMs this JVM formed: the seed's HOST:PORT and a client joined to it (closing it leaves). */
    public record Formed(String seed, MachineConnection client) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    /**
     * Starts {@code count} members on this host (Artery from {@code port} and metrics from
     * {@code metricsPort}, free ports where 0), their output in {@code logs}, adding each to
     * {@code processes} as it starts (so that a shutdown hook can stop them) and printing where it
     * listens; returns once all are Up and hold nodes ({@link #form}).
     */
    public static Formed startMembers(int count, String hostname, int port, int metricsPort, String preset, Path config, Path logs,
                                      List<Process> processes, Duration forming)
            throws IOException, ClusterMember.Unavailable, InterruptedException {
        return form(count, seed -> {
            int i = processes.size();
            int memberPort = port != 0 ? port + i : freePort(hostname);
            int memberMetrics = metricsPort != 0 ? metricsPort + i : freePort(hostname);
            Path log = logs.resolve("member-" + i + ".log");
            processes.add(start(hostname, memberPort, memberMetrics, seed, preset, config, log, forming, null));
            System.out.println("member " + i + ": pid " + processes.get(i).pid() + ", " + hostname + ":" + memberPort
                    + ", metrics http://" + hostname + ":" + memberMetrics + "/metrics, log " + log);
            return new MemberAddress(hostname, memberPort).hostPort();
        }, processes, logs, forming, ConfigFactory.empty());
    }

    /**
     * Forms a cluster of {@code count} members that {@code start} starts ({@code processes} holds
     * them, their logs are in {@code logs}): the seed first, and the others only once the seed runs
     * the machine with its nodes placed, as a client joined to it sees. Started beside the seed on
     * a loaded 2-core host, the other JVMs starved it: its receptionist's start took longer than
     * Pekko's creation timeout and failed, and the machine never heard of any host. Each step has
     * {@code forming}; a failure says how far the cluster got and ends with each member's log.
     * The client is configured with {@code clientSettings} over the usual.
     */
    public static Formed form(int count, MemberStart start, Collection<Process> processes, Path logs, Duration forming, Config clientSettings)
            throws IOException, ClusterMember.Unavailable, InterruptedException {
        String seed = start.start(null);
        MachineConnection client = null;
        try {
            client = joinWhileStarting(seed, forming, clientSettings);
            client = awaitMembers(client, seed, processes, 1, forming, logs, clientSettings);
            for (int i = 1; i < count; i++) {
                start.start(seed);
            }
            client = awaitMembers(client, seed, processes, count, forming, logs, clientSettings);
            Formed formed = new Formed(seed, client);
            client = null; // the caller's now
            return formed;
        } catch (ClusterMember.Unavailable e) {
            throw new ClusterMember.Unavailable(e.getMessage() + logTails(logs));
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** Stops member JVMs gracefully: SIGTERM, so that each leaves (its shutdown hook runs the coordinated shutdown). */
    public static void stop(List<Process> processes) {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                process.waitFor(100, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until a member listens at {@code member} (HOST:PORT); else says it did not within {@code timeout}. */
    public static void awaitListening(String member, Duration timeout) throws ClusterMember.Unavailable, InterruptedException {
        MemberAddress address = MemberAddress.parse(member);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!listening(address)) {
            if (System.nanoTime() > deadline) {
                throw new ClusterMember.Unavailable("the member " + member + " did not listen within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(POLL.toMillis()); // another process's port: there is no event to wait on
        }
    }

    private static boolean listening(MemberAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), (int) POLL.toMillis());
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** A port free on {@code hostname} now. */
    public static int freePort(String hostname) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(hostname))) {
            return socket.getLocalPort();
        }
    }

    /**
     * Joins the cluster at {@code seed} as a client while its members are starting. It first waits
     * for the seed to listen: a client whose handshakes fail while the seed's JVM starts backs off
     * and took a minute longer to join on a loaded host.
     */
    private static MachineConnection joinWhileStarting(String seed, Duration forming, Config clientSettings)
            throws ClusterMember.Unavailable, InterruptedException {
        awaitListening(seed, forming);
        return MachineConnection.cluster(seed, clientSettings.withFallback(ConfigFactory.parseMap(Map.of(
                "uniform.cluster.join-timeout", forming.toSeconds() + "s",
                "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes", forming.toSeconds() + "s"))));
    }

    /**
     * Waits until {@code count} host members are Up and the machine has placed its nodes on that
     * many; throws, saying how far they got and with the end of each log in {@code logs}, if one of
     * {@code processes} died first or the time ran out. A client that the split brain resolver
     * downed (its heartbeats came late: a starved JVM looks dead) joins {@code seed} again; the
     * client in use is returned.
     */
    private static MachineConnection awaitMembers(MachineConnection client, String seed, Collection<Process> processes, int count,
                                                  Duration timeout, Path logs, Config clientSettings) throws InterruptedException, ClusterMember.Unavailable {
        long deadline = System.nanoTime() + timeout.toNanos();
        MachineConnection watching = client;
        try {
            while (true) {
                for (Process process : processes) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("member pid " + process.pid() + " exited with status " + process.exitValue()
                                + logTails(logs));
                    }
                }
                if (watching.system().getWhenTerminated().toCompletableFuture().isDone()) {
                    System.err.println("uniform: the client watching the members was removed from the cluster: it joins again");
                    watching = joinWhileStarting(seed, Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)), clientSettings);
                }
                List<String> hosts = new ArrayList<>();
                int up = 0;
                for (Member member : Cluster.get(watching.system()).state().getMembers()) {
                    if (member.hasRole(MachineCluster.HOST_ROLE)) {
                        hosts.add(member.address().hostPort() + " " + member.status());
                        up += member.status().equals(MemberStatus.up()) ? 1 : 0;
                    }
                }
                long placed = placedOn(watching);
                if (up == count && placed == count) {
                    return watching;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the members were not all up within " + timeout.toSeconds() + " s: " + up + " of "
                            + count + " Up (" + String.join(", ", hosts) + "), nodes placed on " + placed + logTails(logs));
                }
                Thread.sleep(POLL.toMillis()); // polling other processes: there is no event to wait on
            }
        } catch (RuntimeException | InterruptedException | ClusterMember.Unavailable e) {
            if (watching != client) {
                watching.close(); // the caller closes only the client it gave
            }
            throw e;
        }
    }

    /** The last lines of each member log in {@code logs} (stack frames left out): what a failure to form shows. */
    static String logTails(Path logs) {
        StringBuilder tails = new StringBuilder();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(file -> file.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log).stream().filter(line -> !line.startsWith("\tat ")).toList();
                tails.append("\n--- the end of ").append(log).append(" ---\n");
                lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()).forEach(line -> tails.append(line).append('\n'));
            }
        } catch (IOException | UncheckedIOException e) {
            tails.append("\n(the member logs in ").append(logs).append(" cannot be read: ").append(e).append(')');
        }
        return tails.toString();
    }

    /** How many members host nodes, as the machine says (0 if it does not answer yet). */
    private static long placedOn(MachineConnection client) {
        try {
            Machine.Status status = AskPattern.<Machine.Command, Machine.Status>ask(client.machine(), Machine.GetStatus::new,
                    Duration.ofSeconds(5), client.system().scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
            return status.members().values().stream().distinct().count();
        } catch (Exception notYet) {
            return 0;
        }
    }

    /** Asks every host member to leave gracefully, the oldest (the machine's) last, so that the others first hand their nodes to it. */
    public static List<Member> askHostsToLeave(Cluster self) {
        List<Member> hosts = new ArrayList<>();
        for (Member member : self.state().getMembers()) {
            if (member.hasRole(MachineCluster.HOST_ROLE)) {
                hosts.add(member);
            }
        }
        hosts.sort((a, b) -> a.isOlderThan(b) ? 1 : b.isOlderThan(a) ? -1 : 0);
        hosts.forEach(member -> self.manager().tell(Leave.create(member.address())));
        return hosts;
    }

    /** This JVM's {@code -Dpekko.*} and {@code -Duniform.*} settings, for the members it starts. */
    private static List<String> settingsPassedOn() {
        List<String> settings = new ArrayList<>();
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("pekko.") || name.startsWith("uniform."))
                .sorted().forEach(name -> settings.add("-D" + name + "=" + System.getProperty(name)));
        return settings;
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
