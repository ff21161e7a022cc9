package io.uniform.cli;

import io.uniform.node.Machine;
import io.uniform.node.cluster.MachineCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
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
                    + "its nodes, print where each listens, and write the seed's address to the cluster file.",
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

        @Option(names = "--hostname", paramLabel = "H", defaultValue = "127.0.0.1", description = "The members' address (default: ${DEFAULT-VALUE}).")
        String hostname;

        @Option(names = "--cluster-file", paramLabel = "FILE", description = "Where to write the seed's address (default: ~/.uniform/cluster).")
        Path clusterFile;

        @Override
        public Integer call() throws Exception {
            if (members < 1) {
                return usage("up", "--members must be at least 1, not " + members);
            }
            Path file = clusterFile != null ? clusterFile : ClusterOptions.defaultFile();
            Path logs = file.toAbsolutePath().getParent().resolve(file.getFileName() + "-logs");
            Files.createDirectories(logs);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                ports.add(port != 0 ? port + i : freePort());
            }
            String seed = new MemberAddress(hostname, ports.get(0)).hostPort();
            List<Process> processes = new ArrayList<>();
            Thread stopMembers = new Thread(() -> stop(processes), "uniform-cluster-down");
            Runtime.getRuntime().addShutdownHook(stopMembers);
            for (int i = 0; i < members; i++) {
                List<String> command = new ArrayList<>(List.of(javaCommand(), "-cp", System.getProperty("java.class.path"),
                        Uniform.class.getName(), "member", "--port", "" + ports.get(i), "--hostname", hostname));
                command.addAll(i == 0 ? List.of("--seed") : List.of("--join", seed));
                if (preset != null) {
                    command.add(preset);
                }
                if (config != null) {
                    command.addAll(List.of("--config", config.toAbsolutePath().toString()));
                }
                Path log = logs.resolve("member-" + i + ".log");
                processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
                System.out.println("member " + i + ": pid " + processes.get(i).pid() + ", log " + log);
            }
            // The members are starting too: the client may knock before the seed listens.
            com.typesafe.config.Config patient = com.typesafe.config.ConfigFactory.parseMap(java.util.Map.of(
                    "uniform.cluster.join-timeout", FORMING.toSeconds() + "s",
                    "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes", FORMING.toSeconds() + "s"));
            try (MachineConnection client = MachineConnection.cluster(seed, patient)) {
                awaitMembers(client, processes);
                for (Member member : Cluster.get(client.system()).state().getMembers()) {
                    if (member.hasRole(MachineCluster.HOST_ROLE)) {
                        System.out.println("member " + member.address() + " is up");
                    }
                }
            } catch (ClusterMember.Unavailable | IllegalStateException e) {
                System.err.println("uniform: cluster up: " + e.getMessage() + " (see the logs in " + logs + ")");
                return 1;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, seed + "\n");
            System.out.println("the cluster's seed is " + seed + " (written to " + file + "); `uniform cluster down` or Ctrl-C stops it");
            System.out.flush();
            int status = 0;
            for (Process process : processes) {
                status = Math.max(status, process.waitFor() == 0 ? 0 : 1);
            }
            Files.deleteIfExists(file);
            System.out.println("every member has left");
            return status;
        }

        /** Waits until every member is Up and the machine has placed all its nodes on them; throws if a member died first. */
        private static void awaitMembers(MachineConnection client, List<Process> processes) throws InterruptedException {
            long deadline = System.nanoTime() + FORMING.toNanos();
            while (System.nanoTime() < deadline) {
                for (Process process : processes) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("member pid " + process.pid() + " exited with status " + process.exitValue());
                    }
                }
                int up = 0;
                for (Member member : Cluster.get(client.system()).state().getMembers()) {
                    up += member.hasRole(MachineCluster.HOST_ROLE) && member.status().equals(MemberStatus.up()) ? 1 : 0;
                }
                if (up == processes.size() && placedOn(client) == processes.size()) {
                    return;
                }
                Thread.sleep(POLL.toMillis()); // polling other processes: there is no event to wait on
            }
            throw new IllegalStateException("the members were not all up within " + FORMING.toSeconds() + " s");
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

        private static void stop(List<Process> processes) {
            // SIGTERM: each member leaves gracefully (its JVM's shutdown hook runs the coordinated shutdown).
            processes.forEach(Process::destroy);
            for (Process process : processes) {
                try {
                    process.waitFor(100, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(hostname))) {
                return socket.getLocalPort();
            }
        }

        private static String javaCommand() {
            return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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
                List<Member> hosts = new ArrayList<>();
                for (Member member : self.state().getMembers()) {
                    if (member.hasRole(MachineCluster.HOST_ROLE)) {
                        hosts.add(member);
                    }
                }
                // The oldest (the machine's) last: the others first hand their nodes to it.
                hosts.sort((a, b) -> a.isOlderThan(b) ? 1 : b.isOlderThan(a) ? -1 : 0);
                for (Member member : hosts) {
                    self.manager().tell(Leave.create(member.address()));
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
