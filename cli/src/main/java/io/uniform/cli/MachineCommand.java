package io.uniform.cli;

import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.MeshMap;
import io.uniform.config.Partition;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
/**
 * {@code uniform machine}: prints a machine description as a mesh map (the static view: each
 * node's partition). {@code --reboot NID=PARTITION} applies run-time partition changes and shows
 * the changed boundary; {@code --list} lists the presets. Bad input exits with 2.
 */
@Command(name = "machine",
        description = {"Print a machine as a mesh map: each node's partition (C compute, S service, I I/O, Y system).",
                "With --reboot, re-boot nodes into other partitions and show the changed boundary (lower case).",
                "With --cluster, draw the running cluster's machine live, and which member hosts which nodes.",
                "Exit status 2 on bad input (unknown preset, bad machine file, bad --reboot)."})
final class MachineCommand implements Callable<Integer> {
    static final int EXIT_USAGE = 2;
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern REBOOT = Pattern.compile("\\s*(\\d+)\\s*=\\s*(\\S+)\\s*");

    @Parameters(index = "0", arity = "0..1", paramLabel = "PRESET",
            description = "A preset (see --list; default: the uniform.machine preset).")
    String preset;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A HOCON machine file: a machine block (optionally 'preset = NAME' plus overrides) "
                    + "or a 'uniform { machines {...}, machine = NAME }' section.")
    Path config;

    @Option(names = "--reboot", paramLabel = "NID=PARTITION", split = ",",
            description = "Re-boot node NID into PARTITION (compute, service, io, system); repeatable, applied in order.")
    List<String> reboots = new ArrayList<>();

    @Option(names = "--list", description = "List the presets with their sizes.")
    boolean list;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--boot", description = "Boot the machine (one actor per node) in this JVM, apply --reboot through it, "
            + "and draw each node's live state: . idle, # running, x down.")
    boolean boot;

    @Override
    public Integer call() {
        try {
            if (list) {
                if (preset != null || config != null || !reboots.isEmpty()) {
                    return usage("--list takes no PRESET, --config or --reboot");
                }
                System.out.print(listing());
                return 0;
            }
            if (preset != null && config != null) {
                return usage("give a PRESET or --config FILE, not both");
            }
            if (cluster.given()) {
                if (preset != null || config != null || boot) {
                    return usage("on a cluster, the machine is the one its members run: no PRESET, --config or --boot");
                }
                return onCluster(cluster.seed(), reboots);
            }
            MachineDescription machine = config != null ? MachineDescriptions.fromFile(config)
                    : preset != null ? MachineDescriptions.preset(preset) : MachineDescriptions.defaultMachine();
            if (reboots.isEmpty() && !boot) {
                System.out.print(MeshMap.render(machine));
                return 0;
            }
            MachineDescription after = machine;
            Map<Integer, Partition> asked = new LinkedHashMap<>();
            for (String reboot : reboots) {
                Matcher matcher = REBOOT.matcher(reboot);
                if (!matcher.matches()) {
                    return usage("--reboot '" + reboot + "': expected NID=PARTITION, e.g. 5=service");
                }
                Optional<Partition> partition = Partition.parse(matcher.group(2)).filter(Partition::isNode);
                if (partition.isEmpty()) {
                    return usage("--reboot '" + reboot + "': unknown partition '" + matcher.group(2)
                            + "' (compute, service, io, system)");
                }
                int nid;
                try {
                    nid = Integer.parseInt(matcher.group(1));
                } catch (NumberFormatException e) {
                    nid = -1;
                }
                if (!after.contains(nid)) {
                    return usage("--reboot '" + reboot + "': nid " + matcher.group(1) + " is outside " + after.name()
                            + " (nids 0.." + (after.positionCount() - 1) + ")");
                }
                try {
                    after = after.withPartition(nid, partition.get());
                } catch (IllegalArgumentException e) {
                    return usage("--reboot '" + reboot + "': " + e.getMessage());
                }
                asked.put(nid, partition.get());
            }
            if (boot) {
                return bootAndDraw(machine, asked);
            }
            System.out.print(MeshMap.diff(machine, after));
            return 0;
        } catch (MachineConfigException | IllegalArgumentException e) {
            return usage(e.getMessage());
        }
    }

    /** Draws the running cluster's machine (after the --reboot requests), with the member of each node below the map. */
    private static int onCluster(String seed, List<String> reboots) {
        MachineConnection connection;
        try {
            connection = MachineConnection.cluster(seed);
        } catch (ClusterMember.Unavailable e) {
            System.err.println("uniform: machine: " + e.getMessage());
            return 1;
        }
        try (connection) {
            Machine.Status status = AskPattern.<Machine.Command, Machine.Status>ask(connection.machine(), Machine.GetStatus::new, ASK_TIMEOUT,
                    connection.system().scheduler()).toCompletableFuture().join();
            // The members' machine: a preset, or a machine file of the same name beside it (names its own otherwise).
            MachineDescription machine = MachineDescriptions.presetNames().contains(status.machine())
                    ? MachineDescriptions.preset(status.machine()) : null;
            Map<Integer, Partition> asked = new LinkedHashMap<>();
            for (String reboot : reboots) {
                Matcher matcher = REBOOT.matcher(reboot);
                Optional<Partition> partition = matcher.matches() ? Partition.parse(matcher.group(2)).filter(Partition::isNode) : Optional.empty();
                if (partition.isEmpty()) {
                    return usage("--reboot '" + reboot + "': expected NID=PARTITION, e.g. 5=service");
                }
                asked.put(Integer.parseInt(matcher.group(1)), partition.get());
            }
            int result = machine != null ? rebootAndDraw(connection, machine, asked) : 0;
            System.out.print(membersText(AskPattern.<Machine.Command, Machine.Status>ask(connection.machine(), Machine.GetStatus::new,
                    ASK_TIMEOUT, connection.system().scheduler()).toCompletableFuture().join()));
            return result;
        } catch (CompletionException e) {
            System.err.println("uniform: machine: the machine did not answer: " + e.getCause());
            return 1;
        }
    }

    /** Each member and the nids it hosts, as ranges: "member 127.0.0.1:25520: nodes 0-5 (6)". */
    static String membersText(Machine.Status status) {
        Map<String, java.util.TreeSet<Integer>> byMember = new java.util.TreeMap<>();
        status.members().forEach((nid, member) -> byMember.computeIfAbsent(member, m -> new java.util.TreeSet<>()).add(nid));
        StringBuilder out = new StringBuilder();
        byMember.forEach((member, nids) -> {
            List<String> ranges = new ArrayList<>();
            Integer first = null;
            Integer last = null;
            for (int nid : nids) {
                if (last != null && nid == last + 1) {
                    last = nid;
                    continue;
                }
                if (first != null) {
                    ranges.add(first.equals(last) ? "" + first : first + "-" + last);
                }
                first = nid;
                last = nid;
            }
            ranges.add(first.equals(last) ? "" + first : first + "-" + last);
            out.append("member ").append(member).append(": nodes ").append(String.join(",", ranges)).append(" (").append(nids.size()).append(")\n");
        });
        return out.toString();
    }

    /** Boots {@code machine}, asks it to re-boot the nodes, and draws its live status: 1 if a re-boot was refused or the machine did not answer. */
    private static int bootAndDraw(MachineDescription machine, Map<Integer, Partition> reboots) {
        try (MachineConnection connection = MachineConnection.local(machine, com.typesafe.config.ConfigFactory.empty())) {
            return rebootAndDraw(connection, machine, reboots);
        } catch (CompletionException e) {
            System.err.println("uniform: machine: the machine did not answer: " + e.getCause());
            return 1;
        }
    }

    private static int rebootAndDraw(MachineConnection connection, MachineDescription machine, Map<Integer, Partition> reboots) {
        ActorSystem<?> system = connection.system();
        int status = 0;
        for (Map.Entry<Integer, Partition> reboot : reboots.entrySet()) {
            NodeActor.RebootResult result = AskPattern.<Machine.Command, NodeActor.RebootResult>ask(connection.machine(),
                    replyTo -> new Machine.Reboot(reboot.getKey(), reboot.getValue(), replyTo), ASK_TIMEOUT, system.scheduler())
                    .toCompletableFuture().join();
            if (!result.accepted()) {
                System.err.println("uniform: machine: node " + reboot.getKey() + " stays " + result.partition().label() + ": " + result.reason());
                status = 1;
            }
        }
        Machine.Status live = AskPattern.<Machine.Command, Machine.Status>ask(connection.machine(), Machine.GetStatus::new, ASK_TIMEOUT,
                system.scheduler()).toCompletableFuture().join();
        System.out.print(MeshMap.render(live.applyTo(machine), machine, live.states()::get, MeshMap.DEFAULT_WIDTH));
        return status;
    }

    private static int usage(String message) {
        System.err.println("uniform: machine: " + message);
        return EXIT_USAGE;
    }

    /** The presets as a table, the default marked, then what each is and where its figures come from. */
    static String listing() {
        String defaultName = MachineDescriptions.defaultPresetName();
        List<MachineDescription> machines = new ArrayList<>();
        for (String name : MachineDescriptions.presetNames()) {
            machines.add(MachineDescriptions.preset(name));
        }
        int nameWidth = "preset".length();
        for (MachineDescription machine : machines) {
            nameWidth = Math.max(nameWidth, machine.name().length() + 2);
        }
        String row = "%-" + nameWidth + "s  %-21s %6s %8s %8s %5s %7s %12s %9s%n";
        StringBuilder out = new StringBuilder();
        out.append(String.format(row, "preset", "mesh", "nodes", "compute", "service", "I/O", "system", "memory/node",
                "links"));
        for (MachineDescription machine : machines) {
            String mesh = machine.meshText() + (machine.nodesPerRouter() > 1 ? ", " + machine.nodesPerRouter() + "/router" : "");
            out.append(String.format(row, machine.name() + (machine.name().equals(defaultName) ? " *" : ""), mesh,
                    machine.nodeCount(), machine.count(Partition.COMPUTE), machine.count(Partition.SERVICE),
                    machine.count(Partition.IO), machine.count(Partition.SYSTEM), mebibytes(machine.memoryPerNode()),
                    machine.linkBandwidthBytesPerSecond() / 1_000_000 + " MB/s"));
        }
        out.append("* the default (uniform.machine); N/router: nodes per mesh router\n");
        for (MachineDescription machine : machines) {
            out.append('\n').append(machine.name()).append(": ").append(machine.description()).append('\n');
            if (!machine.source().isEmpty()) {
                out.append("  source: ").append(machine.source()).append('\n');
            }
        }
        return out.toString();
    }

    private static String mebibytes(long bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB";
    }
}
