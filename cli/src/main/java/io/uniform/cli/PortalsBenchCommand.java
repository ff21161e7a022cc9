package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.cli.ActorPingPong.SizeFigures;
import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.guest.GuestFiles;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.portals.PutRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code uniform bench-portals}: the Portals transport of the embedded machine against its own
 * limit, and the paper's comparison. transport: pingpong.elf as a 2-rank job (one-way latency
 * and streaming bandwidth, 1 KiB to 1 MiB, as the guest measures them with its monotonic clock)
 * against a plain Pekko actor pair doing the same in the same actor system ({@link ActorPingPong}),
 * alternately; with {@code --across-members}, on two cluster members ({@link TwoMembers}), a rank
 * and an actor of the pair on each, so that both cross Artery. deposit: puts delivered straight into a process's buffer against through a kernel
 * buffer ({@link DepositBench}).
 */
@Command(name = "bench-portals",
        description = {"Benchmark the Portals transport, each figure against a reference measured alternately in this JVM:",
                "transport: pingpong.elf as 2 ranks (latency and bandwidth from 1 KiB to 1 MiB) against a plain Pekko actor pair",
                "  moving the same byte arrays in the same actor system (--across-members: both across two cluster members);",
                "deposit: puts delivered by the engine straight into the user's buffer against through a kernel buffer (one copy more)."})
final class PortalsBenchCommand implements Callable<Integer> {
    /** The parts of the benchmark. */
    enum Part { transport, deposit }

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "The parts to run: ${COMPLETION-CANDIDATES} (default: all).")
    EnumSet<Part> only;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Measured runs of each side (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warm-up", paramLabel = "N", defaultValue = "2", description = "Unmeasured runs of each side first (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--machine", paramLabel = "PRESET", defaultValue = "default",
            description = "The machine the jobs run on (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--on", split = ",", paramLabel = "WHERE", defaultValue = "compute,service",
            description = "Where the two ranks run, a column each: compute (Puma), service (Linux), mixed (one of each) "
                    + "(default: ${DEFAULT-VALUE}).")
    List<JobOptions.On> placements;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "50", description = "Round trips per size (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--stream", paramLabel = "N", defaultValue = "16",
            description = "Messages streamed back to back per size before the acknowledgment (default: ${DEFAULT-VALUE}).")
    int stream;

    @Option(names = "--across-members",
            description = "transport: run the two ranks, and the pair's two actors, on two cluster members (two actor systems of this JVM "
                    + "joined over Artery TCP on loopback, the nodes dealt round-robin), so that every message crosses Artery, "
                    + "the puts and the pair's byte arrays both through Kryo.")
    boolean acrossMembers;

    @Option(names = "--deposit-mib", paramLabel = "MIB", defaultValue = "64",
            description = "MiB of puts delivered per size on each path in each deposit run, the paths taking turns "
                    + "1 MiB at a time (default: ${DEFAULT-VALUE}).")
    int depositMib;

    private static final String PROGRAM = "elf/mpp/pingpong.elf";
    /**
     * The two members' settings over the cluster's: frames of 2 MiB, as a 1 MiB byte array sent
     * whole needs (Artery's default 256 KiB drops it), and byte arrays on the Kryo lane the puts take.
     */
    private static final Config ACROSS_MEMBERS = ConfigFactory.parseString("""
            pekko.remote.artery.advanced.maximum-frame-size = 2MiB
            pekko.actor.serialization-bindings { "[B" = uniform-kryo }
            """);
    private static final int SIZES = Integer.numberOfTrailingZeros(ActorPingPong.LARGEST / ActorPingPong.SMALLEST) + 1;
    private static final Pattern GUEST_FIGURES = Pattern.compile(
            "(?m)^pingpong: +(\\d+) bytes +latency +(\\S+) us +bandwidth +(\\S+) MiB/s$");

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || warmUp < 0 || rounds < 1 || stream < 1 || depositMib < 1 || placements.isEmpty()) {
            System.err.println("uniform: --runs, --rounds, --stream and --deposit-mib must be at least 1, --warm-up at least 0, --on name a place");
            return 2;
        }
        EnumSet<Part> parts = only == null || only.isEmpty() ? EnumSet.allOf(Part.class) : only;
        MachineDescription description;
        byte[] elf;
        try {
            description = MachineDescriptions.preset(machine);
            elf = ProgramFile.read(GuestFiles.directory().resolve(PROGRAM));
        } catch (MachineConfigException e) {
            System.err.println("uniform: " + e.getMessage());
            return 2;
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        }
        if (parts.contains(Part.transport)) {
            transport(description, elf);
        }
        if (parts.contains(Part.deposit)) {
            deposit();
        }
        return 0;
    }

    // ---- transport --------------------------------------------------------------------------

    private void transport(MachineDescription description, byte[] elf) throws Exception {
        Program program = new Program(elf, List.of(PROGRAM, Integer.toString(rounds), Integer.toString(stream)), new byte[0]);
        SizeFigures[][][] figures;
        String where;
        if (acrossMembers) {
            try (TwoMembers members = TwoMembers.start(description, ACROSS_MEMBERS)) {
                Map<Integer, String> memberOf = members.memberOfNode();
                figures = transportRuns(members.first, members.second, members.machine, program, nids -> {
                    if (nids.size() != 2 || memberOf.get(nids.get(0)).equals(memberOf.get(nids.get(1)))) {
                        throw new IllegalStateException("the ranks' nodes " + nids + " are not on two members: " + memberOf);
                    }
                });
                where = "2 cluster members (actor systems of this JVM over Artery TCP on loopback, 2 MiB frames), a rank on each, "
                        + "against a Pekko actor pair, an actor on each, its byte arrays through Kryo as the puts";
            }
        } else {
            ActorSystem<Machine.Command> system = MachineBenchCommand.start(description);
            try {
                figures = transportRuns(system, system, system, program, nids -> {});
                where = "one actor system, against a Pekko actor pair in it (serialize-messages "
                        + (system.settings().config().getBoolean("pekko.actor.serialize-messages") ? "on" : "off") + ")";
            } finally {
                MachineBenchCommand.stop(system);
            }
        }
        System.out.printf("transport: %s as 2 ranks of %s on %s; %d round trips and %d streamed per size; median of %d runs after %d warm-up, "
                        + "ratio uniform/pekko with its range over the runs%n",
                PROGRAM.substring(PROGRAM.lastIndexOf('/') + 1), description.name(), where, rounds, stream, runs, warmUp);
        table("latency, one way (us)", figures, SizeFigures::latencyMicros);
        table("bandwidth (MiB/s)", figures, SizeFigures::bandwidthMiBs);
        System.out.println();
    }

    /**
     * The measured runs, [run][column][size]: the placements' figures, then the Pekko pair's in the
     * last column (its driver in {@code first}, its responder in {@code second}), the jobs run by
     * {@code machine} from {@code first}; {@code placed} checks each job's nodes.
     */
    private SizeFigures[][][] transportRuns(ActorSystem<?> first, ActorSystem<?> second, ActorRef<Machine.Command> machine, Program program,
                                            Consumer<List<Integer>> placed) throws Exception {
        int columns = placements.size();
        SizeFigures[][][] figures = new SizeFigures[runs][columns + 1][];
        for (int run = -warmUp; run < runs; run++) {
            // The pair goes first every other run, so neither side always follows the other's garbage.
            boolean pairFirst = run % 2 == 0;
            List<SizeFigures> pair = pairFirst ? ActorPingPong.run(first, second, rounds, stream) : null;
            SizeFigures[][] jobs = new SizeFigures[columns][];
            for (int column = 0; column < columns; column++) {
                jobs[column] = pingpongJob(first, machine, program, placements.get(column), placed);
            }
            if (!pairFirst) {
                pair = ActorPingPong.run(first, second, rounds, stream);
            }
            if (run >= 0) {
                System.arraycopy(jobs, 0, figures[run], 0, columns);
                figures[run][columns] = pair.toArray(SizeFigures[]::new);
            }
        }
        return figures;
    }

    /** One pingpong.elf job of 2 ranks placed {@code on}: its figures per size, as rank 0 printed them; {@code placed} checks its nodes. */
    private static SizeFigures[] pingpongJob(ActorSystem<?> system, ActorRef<Machine.Command> machine, Program program, JobOptions.On on,
                                             Consumer<List<Integer>> placed) throws Exception {
        List<List<Integer>> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();
        BenchCommand.Measured job = MachineBenchCommand.runJob(system, machine, program, on.placement, 2, started -> nodes.add(started.nids()));
        nodes.forEach(placed);
        String output = new String(job.output(), StandardCharsets.UTF_8);
        List<SizeFigures> sizes = new ArrayList<>();
        Matcher line = GUEST_FIGURES.matcher(output);
        while (line.find()) {
            sizes.add(new SizeFigures(Integer.parseInt(line.group(1)), Double.parseDouble(line.group(2)), Double.parseDouble(line.group(3))));
        }
        boolean expected = job.status() == 0 && sizes.size() == SIZES && output.contains("pingpong: 2 ranks, " + SIZES + " sizes");
        for (int index = 0; expected && index < SIZES; index++) {
            expected = sizes.get(index).bytes() == ActorPingPong.SMALLEST << index;
        }
        if (!expected) {
            throw new IllegalStateException("pingpong.elf on " + on + " nodes ended with status " + job.status() + " and printed:\n" + output);
        }
        return sizes.toArray(SizeFigures[]::new);
    }

    /**
     * One table of the figure {@code value} picks: per size, each column's median (three
     * significant digits, so that a slow figure never shows as 0.00), then each placement's ratio to the pair.
     */
    private void table(String title, SizeFigures[][][] figures, ToDoubleFunction<SizeFigures> value) {
        int columns = placements.size();
        StringBuilder header = new StringBuilder(String.format("%-9s", "bytes"));
        placements.forEach(on -> header.append(String.format(" %12s", on)));
        header.append(String.format(" %12s", "pekko"));
        placements.forEach(on -> header.append(String.format(" %24s", on + "/pekko")));
        System.out.println(title);
        System.out.println(header);
        for (int size = 0; size < SIZES; size++) {
            StringBuilder row = new StringBuilder(String.format("%-9d", ActorPingPong.SMALLEST << size));
            for (int column = 0; column <= columns; column++) {
                row.append(String.format(" %12s", significant(median(figures, column, size, value))));
            }
            for (int column = 0; column < columns; column++) {
                double[] ratios = new double[runs];
                for (int run = 0; run < runs; run++) {
                    ratios[run] = value.applyAsDouble(figures[run][column][size]) / value.applyAsDouble(figures[run][columns][size]);
                }
                row.append(String.format(" %24s", withRange(ratios)));
            }
            System.out.println(row);
        }
    }

    private static double median(SizeFigures[][][] figures, int column, int size, ToDoubleFunction<SizeFigures> value) {
        return BenchCommand.median(Arrays.stream(figures).mapToDouble(run -> value.applyAsDouble(run[column][size])).toArray());
    }

    /** The median of {@code values} and their range, e.g. {@code 12.3 (10.1-15.0)}. */
    private static String withRange(double[] values) {
        double min = Arrays.stream(values).min().orElseThrow();
        double max = Arrays.stream(values).max().orElseThrow();
        return String.format("%s (%s-%s)", significant(BenchCommand.median(values)), significant(min), significant(max));
    }

    /** Three significant digits (more above 1000), for figures and ratios alike. */
    private static String significant(double value) {
        return value >= 100 ? String.format("%.0f", value) : value >= 10 ? String.format("%.1f", value)
                : value >= 1 ? String.format("%.2f", value) : String.format("%.3g", value);
    }

    // ---- deposit ----------------------------------------------------------------------------

    private void deposit() {
        DepositBench bench = new DepositBench();
        DepositBench.Path[] paths = DepositBench.Path.values();
        // [path][size][run]: seconds for the size's puts.
        double[][][] seconds = new double[paths.length][SIZES][runs];
        int[] counts = new int[SIZES];
        for (int size = 0; size < SIZES; size++) {
            int bytes = ActorPingPong.SMALLEST << size;
            // The paths take turns a batch of 1 MiB at a time, so that a burst of load on the host hits both alike.
            int batch = Math.max(1, ActorPingPong.LARGEST / bytes);
            counts[size] = batch * depositMib;
            PutRequest put = bench.put(bytes);
            for (int run = -warmUp; run < runs; run++) {
                for (int batchIndex = 0; batchIndex < depositMib; batchIndex++) {
                    for (int turn = 0; turn < paths.length; turn++) {
                        int path = (turn + batchIndex) % paths.length;
                        double taken = bench.deliver(paths[path], put, batch);
                        if (run >= 0) {
                            seconds[path][size][run] += taken;
                        }
                    }
                }
            }
        }
        System.out.printf("deposit: %d MiB of puts per size delivered by one PortalsEngine into a process's buffer: direct "
                + "(straight into it, as the kernels do) against kernel-buffer (into a kernel buffer, then copied); "
                + "median of %d runs after %d warm-up, ratio with its range over the runs%n", depositMib, runs, warmUp);
        System.out.printf("%-9s %8s %12s %14s %14s %16s %24s%n", "bytes", "puts", "direct us", "direct MiB/s", "kernel-buf us",
                "kernel-buf MiB/s", "kernel-buf/direct time");
        for (int size = 0; size < SIZES; size++) {
            int bytes = ActorPingPong.SMALLEST << size;
            double[] directSeconds = seconds[DepositBench.Path.DIRECT.ordinal()][size];
            double[] bufferedSeconds = seconds[DepositBench.Path.KERNEL_BUFFER.ordinal()][size];
            double direct = BenchCommand.median(directSeconds) / counts[size];
            double buffered = BenchCommand.median(bufferedSeconds) / counts[size];
            double[] ratios = new double[runs];
            for (int run = 0; run < runs; run++) {
                ratios[run] = bufferedSeconds[run] / directSeconds[run];
            }
            System.out.printf("%-9d %8d %12.2f %14.0f %14.2f %16.0f %24s%n", bytes, counts[size], direct * 1e6, bytes / direct / (1 << 20),
                    buffered * 1e6, bytes / buffered / (1 << 20), withRange(ratios));
        }
        System.out.println();
    }
}
