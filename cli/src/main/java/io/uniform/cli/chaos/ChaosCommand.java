package io.uniform.cli.chaos;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.uniform.cli.ClusterMember;
import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescriptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform chaos --seed S --duration D [--members N] [PRESET]}: a cluster of member JVMs on
 * this host runs jobs while members are killed, leave and join, are partitioned off and healed, nodes crash, PCTs fault and ranks
 * migrate, on a schedule drawn from the seed; a history checker then judges the run.
 */
@Command(name = "chaos",
        description = {"Start N member JVMs on this host and run the shipped parallel programs on them while members are killed "
                + "(SIGKILL), leave and join, are partitioned off (at a TCP proxy between them) and healed, nodes crash, PCTs fault "
                + "and ranks migrate, on a schedule drawn from --seed; "
                + "every action is printed with its time.",
                "At the end a checker verifies the history: completed jobs printed what their failure-free runs printed, no message "
                        + "was lost, duplicated or reordered, no node is left allocated, every job completed or was reported failed, "
                        + "every member left or joined as asked.",
                "Exit status 0 when every invariant holds, 1 when one is broken (the report says which), 2 on bad input."})
public final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--seed", required = true, paramLabel = "S", description = "The seed of the schedule: the same seed, the same actions at the same times.")
    long seed;

    @Option(names = "--duration", required = true, paramLabel = "D", converter = DurationConverter.class,
            description = "How long the chaos lasts (e.g. 120s, 10m); forming the cluster before it and the end after it take longer.")
    Duration duration;

    @Option(names = "--members", paramLabel = "N", defaultValue = "3", description = "Members at the start, 3 to 5 (default: ${DEFAULT-VALUE}).")
    int members;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PRESET", description = "The machine preset (default: the uniform.machine preset).")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON machine file instead of a PRESET.")
    Path config;

    @Option(names = "--hostname", paramLabel = "H", defaultValue = "127.0.0.1",
            description = "The members' loopback address, where the proxy that partitions them listens (default: ${DEFAULT-VALUE}).")
    String hostname;

    @Option(names = "--logs", paramLabel = "DIR", description = "Where the members' logs go (default: a new directory under the system's temporary one).")
    Path logs;

    @Option(names = "--jobs", paramLabel = "J", defaultValue = "2", description = "Jobs kept running at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--settle", paramLabel = "D", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long the jobs still running when the chaos ends may take to end (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Override
    public Integer call() throws Exception {
        if (members < 3 || members > 5) {
            return usage("--members must be from 3 to 5, not " + members);
        }
        if (jobs < 1) {
            return usage("--jobs must be at least 1, not " + jobs);
        }
        if (duration.isNegative() || duration.isZero()) {
            return usage("--duration must be longer than 0");
        }
        if (preset != null && config != null) {
            return usage("give a PRESET or --config FILE, not both");
        }
        try {
            if (!java.net.InetAddress.getByName(hostname).isLoopbackAddress()) {
                return usage("--hostname " + hostname + ": the members and the proxy that partitions them run on this host, "
                        + "on a loopback address (127.x.x.x)");
            }
        } catch (java.net.UnknownHostException e) {
            return usage("--hostname " + hostname + ": no such host");
        }
        try {
            if (config != null) {
                MachineDescriptions.fromFile(config);
            } else if (preset != null) {
                MachineDescriptions.preset(preset);
            }
        } catch (MachineConfigException e) {
            return usage(e.getMessage());
        }
        Path logDirectory = logs != null ? Files.createDirectories(logs) : Files.createTempDirectory("uniform-chaos-");
        System.out.println("chaos: the members' logs are in " + logDirectory);
        ChaosHistory history = new ChaosHistory(System.out);
        HistoryChecker.Verdict verdict;
        try {
            verdict = new ChaosRun(new ChaosRun.Settings(seed, duration, members, preset, config, hostname, logDirectory, jobs, settle), history)
                    .run();
        } catch (ClusterMember.Unavailable | IllegalStateException e) {
            System.err.println("uniform: chaos: the cluster could not be formed: " + e.getMessage() + " (see the logs in " + logDirectory + ")");
            return 1;
        }
        history.note("chaos: " + verdict.counts());
        if (verdict.passed()) {
            history.note("chaos: all " + verdict.checks() + " checks of the invariants hold");
            return 0;
        }
        history.note("chaos: " + verdict.violations().size() + " of " + verdict.checks() + " checks of the invariants failed:");
        verdict.violations().forEach(violation -> history.note("  BROKEN: " + violation));
        return 1;
    }

    private static int usage(String message) {
        System.err.println("uniform: chaos: " + message);
        return 2;
    }

    /** A duration as HOCON writes one: 90s, 2m, 500ms. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return ConfigFactory.parseMap(Map.of("duration", value)).getDuration("duration");
            } catch (ConfigException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 10m)");
            }
        }
    }
}
