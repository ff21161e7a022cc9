package io.uniform.cli;

import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import io.uniform.node.Program;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform bench-machine}: measures the embedded machine, each figure against a reference
 * measured alternately in the same run: booting a large machine against the default one (time
 * until every node answers, heap per idle node), {@code uniform run} against {@code uniform exec}
 * of the same CPU-bound program (what the actor slicing costs, together with the difference of
 * the two kernels' memory: Puma's flat region against the Linux kernel's paged memory, which
 * {@code uniform bench --flat} measures alone), and yod's launch latency of a large job against
 * a one-rank job.
 */
@Command(name = "bench-machine",
        description = {"Benchmark the embedded machine, each figure against a reference measured alternately in this JVM:",
                "boot: the large machine against the default one (time until every node answers GetState, heap per idle node);",
                "slicing: uniform run (a one-rank Puma job: flat memory, slices on the CPU dispatcher, I/O through yod)",
                "  against uniform exec (the Linux kernel: paged memory); bench --flat measures the memory models alone;",
                "launch: yod's latency from Machine.Run to JobFinished of a trivial program, each job size against the first."})
final class MachineBenchCommand implements Callable<Integer> {
    /** The parts of the benchmark. */
    enum Part { boot, slicing, launch }

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "The parts to run: ${COMPLETION-CANDIDATES} (default: all).")
    EnumSet<Part> only;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Measured runs of each side of boot and slicing (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--boot-machine", paramLabel = "PRESET", defaultValue = "asci-red",
            description = "The machine whose boot is measured against the default machine's (default: ${DEFAULT-VALUE}).")
    String bootMachine;

    @Parameters(paramLabel = "PROG.elf", arity = "0..*",
            description = "CPU-bound programs for the slicing part (default: guest/elf/bench/bench_crc.elf and bench_matmul.elf).")
    List<Path> programs = new ArrayList<>();

    @Option(names = "--arg", paramLabel = "ARG", description = "An argument passed to every slicing program (default: none, their full scale).")
    List<String> programArguments = new ArrayList<>();

    @Option(names = "--launch-machine", paramLabel = "PRESET", defaultValue = "asci-red",
            description = "The machine jobs are launched on (default: ${DEFAULT-VALUE}).")
    String launchMachine;

    @Option(names = "--sizes", split = ",", paramLabel = "RANKS", defaultValue = "1,64",
            description = "Job sizes launched; the first is the reference (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--launches", paramLabel = "N", defaultValue = "21", description = "Measured launches of each size (default: ${DEFAULT-VALUE}).")
    int launches;

    @Option(names = "--warm-up", paramLabel = "N", defaultValue = "3", description = "Unmeasured launches of each size first (default: ${DEFAULT-VALUE}).")
    int warmUp;

    private static final String LAUNCH_PROGRAM = "elf/tests/exitcode.elf";
    private static final int NODES_ASKED_AT_ONCE = 64;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || launches < 1 || warmUp < 0 || sizes.isEmpty() || sizes.stream().anyMatch(size -> size < 1)) {
            System.err.println("uniform: --runs and --launches must be at least 1, --warm-up at least 0, every size at least 1");
            return 2;
        }
        EnumSet<Part> parts = only == null || only.isEmpty() ? EnumSet.allOf(Part.class) : only;
        // Every machine and program is resolved before anything runs, so a bad name fails at once.
        MachineDescription reference;
        MachineDescription large;
        MachineDescription launchOn;
        List<Path> selected = programs.isEmpty()
                ? List.of(GuestFiles.directory().resolve("elf/bench/bench_crc.elf"), GuestFiles.directory().resolve("elf/bench/bench_matmul.elf"))
                : programs;
        List<byte[]> elves = new ArrayList<>();
        byte[] launchElf;
        try {
            reference = MachineDescriptions.defaultMachine();
            large = MachineDescriptions.preset(bootMachine);
            launchOn = MachineDescriptions.preset(launchMachine);
            for (Path program : selected) {
                elves.add(ProgramFile.read(program));
            }
            launchElf = ProgramFile.read(GuestFiles.directory().resolve(LAUNCH_PROGRAM));
        } catch (MachineConfigException e) {
            System.err.println("uniform: " + e.getMessage());
            return 2;
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        }
        boolean ok = true;
        if (parts.contains(Part.boot)) {
            ok &= boot(reference, large);
        }
        if (parts.contains(Part.slicing)) {
            ok &= slicing(reference, selected, elves);
        }
        if (parts.contains(Part.launch)) {
            ok &= launch(launchOn, launchElf);
        }
        return ok ? 0 : 1;
    }

    // ---- boot -------------------------------------------------------------------------------

    private record Booted(double seconds, long heapBytes, int nodes) {}

    private boolean boot(MachineDescription reference, MachineDescription large) throws Exception {
        bootOnce(reference); // warm-up: loads the classes of the actor system and the nodes
        MachineDescription[] machines = {reference, large};
        double[][] seconds = new double[2][runs];
        double[][] heap = new double[2][runs];
        int[] nodes = new int[2];
        for (int run = 0; run < runs; run++) {
            for (int side = 0; side < 2; side++) {
                Booted booted = bootOnce(machines[side]);
                seconds[side][run] = booted.seconds();
                heap[side][run] = booted.heapBytes();
                nodes[side] = booted.nodes();
            }
        }
        System.out.printf("boot: until every node answers GetState; heap used after System.gc() minus before (median of %d runs)%n", runs);
        System.out.printf("%-12s %8s %10s %10s %14s%n", "machine", "nodes", "boot s", "heap MiB", "heap/node KiB");
        double[] bootSeconds = new double[2];
        double[] heapBytes = new double[2];
        for (int side = 0; side < 2; side++) {
            bootSeconds[side] = BenchCommand.median(seconds[side]);
            heapBytes[side] = BenchCommand.median(heap[side]);
            System.out.printf("%-12s %8d %10.3f %10.1f %14.1f%n", machines[side].name(), nodes[side], bootSeconds[side],
                    heapBytes[side] / (1 << 20), heapBytes[side] / nodes[side] / 1024);
        }
        System.out.printf("ratio %s/%s: boot time %.2f, heap %.2f, heap per node %.2f%n", large.name(), reference.name(),
                bootSeconds[1] / bootSeconds[0], heapBytes[1] / heapBytes[0],
                (heapBytes[1] / nodes[1]) / (heapBytes[0] / nodes[0]));
        int extra = nodes[1] - nodes[0];
        if (extra > 0) {
            System.out.printf("each of the %d extra nodes: %.3f ms of boot, %.1f KiB of heap%n", extra,
                    (bootSeconds[1] - bootSeconds[0]) * 1e3 / extra, (heapBytes[1] - heapBytes[0]) / extra / 1024);
        }
        System.out.println();
        return true;
    }

    /** Boots {@code description} until every node has answered its state, measures the heap, shuts down. */
    private static Booted bootOnce(MachineDescription description) throws Exception {
        long before = usedHeapAfterGc();
        long start = System.nanoTime();
        ActorSystem<Machine.Command> system = start(description);
        try {
            int[] nids = nodeNids(description);
            CompletableFuture<Integer> answered = new CompletableFuture<>();
            system.systemActorOf(stateCollector(system, nids, answered), "bench-boot", Props.empty());
            int nodes = answered.get(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            long heap = usedHeapAfterGc() - before;
            return new Booted(seconds, heap, nodes);
        } finally {
            stop(system);
        }
    }

    private static int[] nodeNids(MachineDescription description) {
        return Arrays.stream(Partition.values()).filter(Partition::isNode)
                .flatMapToInt(partition -> Arrays.stream(description.nids(partition))).toArray();
    }

    /**
     * Asks the machine for every node, then every node for its state; completes {@code answered}
     * with the number of nodes when all have answered. At most {@link #NODES_ASKED_AT_ONCE}
     * nodes are asked for at a time: the machine's node directory looks through every request
     * still waiting each time it finds a node, so thousands at once would cost time squared.
     */
    private static Behavior<Object> stateCollector(ActorRef<Machine.Command> machine, int[] nids, CompletableFuture<Integer> answered) {
        return Behaviors.setup(context -> {
            ActorRef<Object> self = context.getSelf();
            int[] asked = {0};
            int[] states = {0};
            Runnable askNext = () -> {
                if (asked[0] < nids.length) {
                    machine.tell(new Machine.GetNode(nids[asked[0]++], self.narrow()));
                }
            };
            for (int i = 0; i < NODES_ASKED_AT_ONCE; i++) {
                askNext.run();
            }
            return Behaviors.receiveMessage(message -> {
                if (message instanceof Machine.NodeRef ref) {
                    if (ref.node() == null) {
                        answered.completeExceptionally(new IllegalStateException("the machine has no node " + ref.nid()));
                        return Behaviors.stopped();
                    }
                    ref.node().tell(new NodeActor.GetState(self.narrow()));
                    askNext.run();
                } else if (message instanceof NodeActor.State && ++states[0] == nids.length) {
                    answered.complete(states[0]);
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        });
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---- slicing ----------------------------------------------------------------------------

    private boolean slicing(MachineDescription description, List<Path> selected, List<byte[]> elves) throws Exception {
        boolean allMatch = true;
        ActorSystem<Machine.Command> system = start(description);
        try {
            System.out.printf("slicing: uniform run (one rank on a compute node of %s: Puma, flat memory) against uniform exec "
                    + "(Linux, paged memory), alternately (median of %d runs)%n", description.name(), runs);
            System.out.printf("%-24s %14s %10s %10s %14s%n", "program", "instructions", "exec s", "run s", "ratio run/exec");
            for (int index = 0; index < selected.size(); index++) {
                Path program = selected.get(index);
                List<String> argv = new ArrayList<>();
                argv.add(program.toString());
                argv.addAll(programArguments);
                Program job = new Program(elves.get(index), argv, new byte[0]);
                double[] execSeconds = new double[runs];
                double[] runSeconds = new double[runs];
                long instructions = 0;
                for (int run = 0; run < runs; run++) {
                    // Each side goes first every other run, so neither always follows the other's garbage.
                    boolean execFirst = run % 2 == 0;
                    BenchCommand.Measured exec = execFirst ? BenchCommand.execInProcess(program, elves.get(index), programArguments) : null;
                    BenchCommand.Measured onMachine = runJob(system, job, JobPlacement.COMPUTE, 1);
                    if (!execFirst) {
                        exec = BenchCommand.execInProcess(program, elves.get(index), programArguments);
                    }
                    execSeconds[run] = exec.seconds();
                    runSeconds[run] = onMachine.seconds();
                    instructions = exec.instructions();
                    if (!Arrays.equals(exec.output(), onMachine.output()) || exec.status() != onMachine.status()) {
                        allMatch = false;
                        System.err.printf("uniform: %s: run and exec differ (status %d vs %d, %d vs %d bytes of stdout)%n", program,
                                onMachine.status(), exec.status(), onMachine.output().length, exec.output().length);
                    }
                }
                double exec = BenchCommand.median(execSeconds);
                double run = BenchCommand.median(runSeconds);
                System.out.printf("%-24s %14d %10.3f %10.3f %14.3f%n", program.getFileName(), instructions, exec, run, run / exec);
            }
        } finally {
            stop(system);
        }
        System.out.println("target: ratio run/exec <= 1.10" + (allMatch ? "" : "; OUTPUT OR STATUS DIFFERED (see stderr)"));
        System.out.println();
        return allMatch;
    }

    // ---- launch -----------------------------------------------------------------------------

    private boolean launch(MachineDescription description, byte[] elf) throws Exception {
        Program program = new Program(elf, List.of(LAUNCH_PROGRAM), new byte[0]);
        double[][] seconds = new double[sizes.size()][launches];
        boolean consistent = true;
        ActorSystem<Machine.Command> system = start(description);
        try {
            for (int round = -warmUp; round < launches; round++) {
                for (int index = 0; index < sizes.size(); index++) {
                    BenchCommand.Measured launched = runJob(system, program, JobPlacement.COMPUTE, sizes.get(index));
                    if (launched.status() != 42) { // exitcode.elf exits 42 on every rank
                        consistent = false;
                        System.err.printf("uniform: a job of %d ranks ended with status %d, not 42%n", sizes.get(index), launched.status());
                    }
                    if (round >= 0) {
                        seconds[index][round] = launched.seconds();
                    }
                }
            }
        } finally {
            stop(system);
        }
        System.out.printf("launch: Machine.Run until JobFinished of %s on %s (median of %d after %d warm-up launches)%n",
                Path.of(LAUNCH_PROGRAM).getFileName(), description.name(), launches, warmUp);
        System.out.printf("%-8s %10s %12s%n", "ranks", "ms", "ratio");
        double reference = BenchCommand.median(seconds[0]);
        for (int index = 0; index < sizes.size(); index++) {
            double median = BenchCommand.median(seconds[index]);
            System.out.printf("%-8d %10.2f %12.2f%n", sizes.get(index), median * 1e3, median / reference);
        }
        System.out.println();
        return consistent;
    }

    // ---- the machine ------------------------------------------------------------------------

    static ActorSystem<Machine.Command> start(MachineDescription description) {
        return ActorSystem.create(Machine.create(description), "uniform-bench", JobSession.quietConfig());
    }

    static void stop(ActorSystem<?> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /**
     * Runs {@code program} as a job of {@code size} ranks placed as {@code placement} says: the
     * time from sending {@link Machine.Run} until {@link JobReport.JobFinished}, stdout (stderr
     * passes through) and the job's shell status.
     */
    static BenchCommand.Measured runJob(ActorSystem<Machine.Command> system, Program program, JobPlacement placement, int size)
            throws Exception {
        return runJob(system, system, program, placement, size, started -> {});
    }

    /**
     * {@link #runJob(ActorSystem, Program, JobPlacement, int)} on {@code machine}, reached from
     * {@code system} (a cluster's, from a client); {@code started} hears of the job's start (its id, its ranks' nodes).
     */
    static BenchCommand.Measured runJob(ActorSystem<?> system, ActorRef<Machine.Command> machine, Program program, JobPlacement placement,
                                        int size, Consumer<JobReport.JobStarted> started) throws Exception {
        CompletableFuture<JobReport.JobFinished> finished = new CompletableFuture<>();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        // Should the machine stop before the job finishes, stop waiting rather than hang.
        system.getWhenTerminated().thenRun(() -> finished.completeExceptionally(new IllegalStateException("the machine stopped")));
        ActorRef<JobReport> client = system.systemActorOf(client(stdout, finished, started), "bench-client-" + CLIENTS.incrementAndGet(),
                Props.empty());
        long start = System.nanoTime();
        machine.tell(new Machine.Run(program, placement, size, client, Yod.Options.NONE));
        JobReport.JobFinished done = finished.get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        String refused = done.error() != null ? done.error()
                : done.statuses().stream().filter(status -> status.status() == null).map(JobReport.RankStatus::report).findFirst().orElse(null);
        if (refused != null) {
            throw new IllegalStateException("the job could not run: " + refused);
        }
        return new BenchCommand.Measured(seconds, 0, stdout.toByteArray(), done.shellStatus());
    }

    /** A job's client: collects stdout, passes stderr on, tells {@code started} of the start, completes {@code finished} at the end. */
    static Behavior<JobReport> client(ByteArrayOutputStream stdout, CompletableFuture<JobReport.JobFinished> finished,
                                      Consumer<JobReport.JobStarted> started) {
        return Behaviors.receiveMessage(report -> {
            if (report instanceof JobReport.JobStarted start) {
                started.accept(start);
            } else if (report instanceof JobEvent.Output output) {
                if (output.fd() == 2) {
                    System.err.write(output.bytes(), 0, output.bytes().length);
                } else {
                    stdout.write(output.bytes(), 0, output.bytes().length);
                }
            } else if (report instanceof JobReport.JobFinished done) {
                finished.complete(done);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }
}
