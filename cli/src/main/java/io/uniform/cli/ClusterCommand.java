package io.uniform.cli;

import io.uniform.node.cluster.MachineCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code uniform cluster up} and {@code uniform cluster down}: a cluster of member JVMs on this host. */
@Command(name = "cluster", description = "Start (up) or stop (down) a cluster of member JVMs on this host.",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class})
final class ClusterCommand {
    private static final Duration FORMING = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(250);

    @Command(name = "up",
            description = {"Start N member JVMs on this host (Artery TCP on --hostname), wait until all are Up and the machine has placed "
                    + "its nodes, print where each listens, and write every member's address (the seed's first) to the cluster file, so that "
                    + "a client joins through any member still there; members that join later (`uniform member --join`) are added to it, "
                    + "and members removed are dropped.",
                    "Runs until Ctrl-C or `uniform cluster down`; each member's output goes to a log beside the cluster file."})
    static final class Up implements Callable<Integer> {
        @Option(names = "--members", paramLabel = "N", defaultValue = "3", description = "Members to start (default: ${DEFAULT-VALUE}).")
        int members;

        @Parameters(index = "0", arity = "0..1", paramLabel = "PRESET", description = "The machine preset (default: the uniform.machine preset).")
        String preset;

        @Option(names = "--config", paramLabel = "FILE", description = "A HOCON machine file instead of a PRESET.")
        Path config;

        @Option(names = "--port", paramLabel = "P", defaultValue = "0",
                description = "The first member's port; the others take the next ones (default: free ports the system picks).")
        int port;

        @Option(names = "--metrics-port", paramLabel = "P", defaultValue = "0",
                description = "The first member's metrics port (Prometheus text at /metrics); the others take the next ones "
                        + "(default: free ports the system picks).")
        int metricsPort;

        @Option(names = "--hostname", paramLabel = "H", defaultValue = "127.0.0.1", description = "The members' address (default: ${DEFAULT-VALUE}).")
        String hostname;

        @Option(names = "--cluster-file", paramLabel = "FILE", description = "Where to write the members' addresses (default: ~/.uniform/cluster).")
        Path clusterFile;

        @Override
        public Integer call() throws Exception {
            if (members < 1) {
                return usage("up", "--members must be at least 1, not " + members);
            }
            Path file = clusterFile != null ? clusterFile : ClusterOptions.defaultFile();
            Path logs = file.toAbsolutePath().getParent().resolve(file.getFileName() + "-logs");
            Files.createDirectories(logs);
            if (port < 0 || port + members - 1 > 65535 || metricsPort < 0 || metricsPort + members - 1 > 65535) {
                return usage("up", "--port and --metrics-port must leave room for " + members + " ports below 65536");
            }
            List<Process> processes = new ArrayList<>();
            Thread stopMembers = new Thread(() -> MemberProcesses.stop(processes), "uniform-cluster-down");
            Runtime.getRuntime().addShutdownHook(stopMembers);
            MemberProcesses.Formed formed;
            try {
                formed = MemberProcesses.startMembers(members, hostname, port, metricsPort, preset, config, logs, processes, FORMING);
            } catch (ClusterMember.Unavailable | IllegalStateException e) {
                System.err.println("uniform: cluster up: " + e.getMessage()); // it ends with the members' logs
                return 1;
            }
            int status = 0;
            // The formed client stays in the cluster while it runs: it keeps the file up to date as members join and leave.
            try (formed) {
                String seed = formed.seed();
                List<Member> formedMembers = new ArrayList<>();
                Cluster.get(formed.client().system()).state().getMembers().forEach(formedMembers::add);
                List<String> hosts = ClusterFile.upHosts(formedMembers);
                hosts.forEach(host -> System.out.println("member " + host + " is up"));
                // Every member's, the seed's (the oldest's) first: a client started after the seed died joins through one still there.
                ClusterFile.write(file, hosts);
                formed.client().system().systemActorOf(ClusterFile.follower(file), "cluster-file", Props.empty());
                System.out.println("the cluster's seed is " + seed + " (its members' addresses are written to " + file
                        + ", and kept up to date); `uniform cluster down` or Ctrl-C stops it");
                System.out.flush();
                for (Process process : processes) {
                    status = Math.max(status, process.waitFor() == 0 ? 0 : 1);
                }
            }
            Files.deleteIfExists(file);
            System.out.println("every member has left");
            return status;
        }
    }

    @Command(name = "down", description = "Make every member of the running cluster leave gracefully (each exits), then return.")
    static final class Down implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() throws InterruptedException {
            String seed;
            try {
                seed = cluster.seed(); // without --cluster: the cluster file's
            } catch (IllegalArgumentException e) {
                return usage("down", e.getMessage());
            }
            try (MachineConnection client = MachineConnection.cluster(seed)) {
                Cluster self = Cluster.get(client.system());
                for (Member member : MemberProcesses.askHostsToLeave(self)) {
                    System.out.println("member " + member.address() + " is leaving");
                }
                long deadline = System.nanoTime() + FORMING.toNanos();
                while (hostsLeft(self) > 0) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("uniform: cluster down: " + hostsLeft(self) + " members still there after " + FORMING.toSeconds() + " s");
                        return 1;
                    }
                    Thread.sleep(POLL.toMillis()); // membership is polled: leaving takes seconds
                }
                System.out.println("every member has left");
                return 0;
            } catch (ClusterMember.Unavailable e) {
                System.err.println("uniform: cluster down: " + e.getMessage());
                return 1;
            }
        }

        private static int hostsLeft(Cluster self) {
            int left = 0;
            for (Member member : self.state().getMembers()) {
                left += member.hasRole(MachineCluster.HOST_ROLE) ? 1 : 0;
            }
            return left;
        }
    }

    private static int usage(String command, String message) {
        System.err.println("uniform: cluster " + command + ": " + message);
        return 2;
    }
}
