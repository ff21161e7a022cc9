package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import io.uniform.process.Signal;
import io.uniform.puma.pct.FaultInjectingPct;
import io.uniform.puma.pct.SchedulingPolicy;
import io.uniform.puma.pct.StandardPct;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embedded machine end to end: programs launched through the {@link Machine} and a yod onto
 * compute (Puma) and service (Linux) nodes, with every message serialized as if it crossed JVMs.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger MACHINES = new AtomicInteger();


    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    private final MachineDescription description = MachineDescriptions.defaultMachine();

    /** Everything a job reported. */
    record Outcome(int jobId, List<Integer> nids, byte[] stdout, byte[] stderr, JobReport.JobFinished finished) {
        JobReport.RankStatus rank0() {
            return finished.statuses().get(0);
        }

        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private ActorRef<Machine.Command> machine() {
        return testKit.spawn(Machine.create(description), "machine-" + MACHINES.incrementAndGet());
    }

    private static Machine.Run run(Partition partition, String elf, List<String> argv, TestProbe<JobReport> client) {
        return run(partition, elf, argv, client, 1);
    }

    private static Machine.Run run(Partition partition, String elf, List<String> argv, TestProbe<JobReport> client, int size) {
        return new Machine.Run(new Program(GuestFiles.elf(elf), argv, null), partition, size, client.getRef());
    }

    private static Outcome collect(TestProbe<JobReport> client) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int jobId = -1;
        List<Integer> nids = List.of();
        while (true) {
            JobReport report = client.receiveMessage(JOB_TIMEOUT);
            if (report instanceof JobReport.JobStarted started) {
                jobId = started.jobId();
                nids = started.nids();
            } else if (report instanceof JobEvent.Output output) {
                (output.fd() == 1 ? out : err).writeBytes(output.bytes());
            } else if (report instanceof JobReport.JobFinished finished) {
                return new Outcome(jobId, nids, out.toByteArray(), err.toByteArray(), finished);
            }
        }
    }

    private Outcome runToEnd(Partition partition, String elf, String... argv) {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(run(partition, elf, List.of(argv), client));
        return collect(client);
    }

    @Test
    void everyMessageIsSerializedAsIfItCrossedJvms() {
        assertTrue(testKit.system().settings().config().getBoolean("pekko.actor.serialize-messages"));
        assertEquals("jackson-cbor", testKit.system().settings().config()
                .getString("pekko.actor.serialization-bindings.\"io.uniform.node.CborSerializable\""));
    }

    @Test
    void helloRunsOnAComputeNode() {
        Outcome outcome = runToEnd(Partition.COMPUTE, "tests/hello.elf", "hello", "one", "two");
        assertNull(outcome.finished().error());
        assertEquals(0, outcome.rank0().shellStatus(), outcome.finished()::toString);
        assertArrayEquals(GuestFiles.expected("tests/hello.out"), outcome.stdout(), outcome::out);
        assertEquals(Partition.COMPUTE, description.partition(outcome.nids().get(0)));
        assertEquals(outcome.nids().get(0), outcome.rank0().nid());
    }

    @Test
    void helloRunsOnAServiceNode() {
        Outcome outcome = runToEnd(Partition.SERVICE, "tests/hello.elf", "hello", "one", "two");
        assertEquals(0, outcome.finished().shellStatus(), outcome.finished()::toString);
        assertArrayEquals(GuestFiles.expected("tests/hello.out"), outcome.stdout(), outcome::out);
        assertEquals(Partition.SERVICE, description.partition(outcome.nids().get(0)));
    }

    @Test
    void theExitCodeComesBackOnBothPartitions() {
        assertEquals(42, runToEnd(Partition.COMPUTE, "tests/exitcode.elf", "exitcode").finished().shellStatus());
        assertEquals(42, runToEnd(Partition.SERVICE, "tests/exitcode.elf", "exitcode").finished().shellStatus());
    }

    @Test
    void aFaultIsReportedWithItsCause() {
        for (Partition partition : List.of(Partition.COMPUTE, Partition.SERVICE)) {
            Outcome outcome = runToEnd(partition, "tests/fault.elf", "fault");
            assertEquals(139, outcome.finished().shellStatus(), outcome.finished()::toString);
            assertEquals(Signal.SIGSEGV, outcome.rank0().status().signal());
            assertNotNull(outcome.rank0().report(), "a kill report on " + partition);
            assertArrayEquals(GuestFiles.expected("tests/fault.out"), outcome.stdout(), outcome::out);
        }
    }

    @Test
    void aCallPumaLacksMovesTheProcessToLinuxWhereTheLibraryCallsItAgain() {
        Outcome outcome = runToEnd(Partition.COMPUTE, "linux/unimplemented.elf", "unimplemented");
        assertEquals(0, outcome.finished().shellStatus(), outcome.finished()::toString);
        assertEquals(Partition.SERVICE, description.partition(outcome.rank0().nid()), "it ended on a Linux node");
        // The emulator's Linux has no signal handlers either: its answer, ENOSYS, is what the program prints.
        assertEquals("rt_sigaction -38\nrt_sigaction -38\n", outcome.out());
    }

    @Test
    void aCallPumaLacksEndsTheProcessWithAClearReportWhenNoLinuxNodeCanTakeIt() {
        MachineDescription computeOnly = MachineDescription.of("compute-only", 1, 1, 1, 1, 64 << 20, 160_000_000L);
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(computeOnly), "compute-only-" + MACHINES.incrementAndGet());
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(run(Partition.COMPUTE, "linux/unimplemented.elf", List.of("unimplemented"), client));
        Outcome outcome = collect(client);
        assertEquals(128 + 31, outcome.finished().shellStatus(), "SIGSYS: " + outcome.finished());
        assertEquals("needs rt_sigaction, which Puma lacks, and it could not move to Linux: no node of the service partition is free",
                outcome.rank0().report());
    }

    @Test
    void aMalformedProgramIsRefusedAndTheNodeRunsTheNextJob() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program("not an elf".getBytes(StandardCharsets.US_ASCII), List.of("x"), null), Partition.COMPUTE, 1,
                client.getRef()));
        Outcome refused = collect(client);
        assertNull(refused.rank0().status());
        assertEquals(126, refused.finished().shellStatus());
        machine.tell(run(Partition.COMPUTE, "tests/hello.elf", List.of("hello", "one", "two"), client));
        Outcome next = collect(client);
        assertEquals(refused.nids(), next.nids(), "the same node");
        assertEquals(0, next.finished().shellStatus());
    }

    @Test
    void aJobLargerThanThePartitionIsRefused() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        int size = description.count(Partition.COMPUTE) + 1;
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null), Partition.COMPUTE, size, client.getRef()));
        JobReport.JobFinished finished = client.expectMessageClass(JobReport.JobFinished.class);
        assertTrue(finished.error().contains("needs " + size), finished.error());
    }

    @Test
    void aMixedJobPutsItsLastHalfOnServiceNodesAndTheRestOnComputeNodes() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null), JobPlacement.MIXED, 5,
                client.getRef(), Yod.Options.NONE));
        Outcome outcome = collect(client);
        List<Partition> partitions = outcome.nids().stream().map(description::partition).toList();
        assertEquals(List.of(Partition.COMPUTE, Partition.COMPUTE, Partition.COMPUTE, Partition.SERVICE, Partition.SERVICE), partitions);
        assertEquals(0, outcome.finished().shellStatus(), outcome.finished()::toString);
        assertEquals(5, outcome.finished().statuses().size());

        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null), JobPlacement.MIXED, 1,
                client.getRef(), Yod.Options.NONE));
        JobReport.JobFinished refused = client.expectMessageClass(JobReport.JobFinished.class);
        assertTrue(refused.error().contains("a mixed job needs at least 2 ranks"), refused.error());
    }

    @Test
    void aNodeAnswersWhileItsCpuComputesAndRefusesToRebootUntilEmpty() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(run(Partition.COMPUTE, "bench/bench_sieve.elf", List.of("bench_sieve", "1000000"), client));
        JobReport.JobStarted started = client.expectMessageClass(JobReport.JobStarted.class);
        int nid = started.nids().get(0);
        TestProbe<Machine.NodeRef> nodes = testKit.createTestProbe();
        machine.tell(new Machine.GetNode(nid, nodes.getRef()));
        ActorRef<NodeActor.Command> node = nodes.receiveMessage().node();

        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        long firstSlices = askState(node, states, started.jobId()).slices();
        // The node keeps answering, each time within a second, while the CPU goes on computing.
        states.awaitAssert(Duration.ofSeconds(10), () -> {
            NodeActor.State state = askState(node, states, started.jobId());
            assertTrue(state.slices() > firstSlices, "the CPU kept computing between the queries: " + state.slices());
            return state;
        });

        TestProbe<NodeActor.RebootResult> reboots = testKit.createTestProbe();
        node.tell(new NodeActor.Reboot(Partition.SERVICE, reboots.getRef()));
        NodeActor.RebootResult refused = reboots.receiveMessage(Duration.ofSeconds(1));
        assertFalse(refused.accepted());
        assertTrue(refused.reason().contains("running job " + started.jobId()), refused.reason());
        assertEquals(Partition.COMPUTE, refused.partition());

        TestProbe<JobEvent> otherYod = testKit.createTestProbe();
        node.tell(new NodeActor.Launch(99, 0, 1, new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null), otherYod.getRef()));
        JobEvent.LaunchRefused busy = otherYod.expectMessageClass(JobEvent.LaunchRefused.class);
        assertTrue(busy.reason().contains("running job " + started.jobId()), busy.reason());

        machine.tell(new Machine.KillJob(started.jobId(), "killed by the test"));
        Outcome killed = collect(client);
        assertEquals(137, killed.finished().shellStatus(), killed.finished()::toString);
        assertEquals("killed by the test", killed.rank0().report());

        node.tell(new NodeActor.Reboot(Partition.SERVICE, reboots.getRef()));
        NodeActor.RebootResult accepted = reboots.receiveMessage(Duration.ofSeconds(5));
        assertTrue(accepted.accepted(), accepted::toString);
        node.tell(new NodeActor.GetState(states.getRef()));
        NodeActor.State rebooted = states.receiveMessage();
        assertEquals(Partition.SERVICE, rebooted.partition());
        assertEquals(NodeActor.Status.IDLE, rebooted.status());

        // Now a Linux node: the same ELF runs there unchanged.
        node.tell(new NodeActor.Launch(7, 0, 1, new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello", "one", "two"), null), otherYod.getRef()));
        assertArrayEquals(GuestFiles.expected("tests/hello.out"), otherYod.expectMessageClass(JobEvent.Output.class).bytes());
        JobEvent.Exited exited = otherYod.expectMessageClass(JobEvent.Exited.class);
        assertEquals(0, exited.status().shellStatus());
    }

    @Test
    void aPctFaultIsContainedTheNodeReloadsItAndTheProgramFinishes() {
        NodeActor.Settings settings = NodeActor.Settings.of(3, Partition.COMPUTE, description.memoryPerNode(), testKit.system().settings().config())
                .withBootPct(yods -> () -> new FaultInjectingPct(new StandardPct(SchedulingPolicy.FIFO, 1, yods), FaultInjectingPct.onNth("write", 3)));
        ActorRef<NodeActor.Command> node = testKit.spawn(NodeActor.create(settings), "faulty-node");
        TestProbe<JobEvent> yod = testKit.createTestProbe();
        node.tell(new NodeActor.Launch(1, 0, 1, new Program(GuestFiles.elf("tests/printf_torture.elf"), List.of("printf_torture"), null), yod.getRef()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JobEvent.Exited exited = StandInYod.runToEnd(yod, node, out, JOB_TIMEOUT);
        assertEquals(0, exited.status().shellStatus(), exited::toString);
        assertArrayEquals(GuestFiles.expected("tests/printf_torture.out"), out.toByteArray());
        TestProbe<NodeActor.State> states = testKit.createTestProbe();
        node.tell(new NodeActor.GetState(states.getRef()));
        assertEquals(1, states.receiveMessage().pctReloads());
    }

    @Test
    void aPctFaultInjectedIntoARunningProcessIsContainedAndTheProgramFinishes() throws Exception {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/stdin_echo.elf"), List.of("stdin_echo"), null),
                JobPlacement.COMPUTE, 1, client.getRef(), new Yod.Options(null, true, null, 0)));
        JobReport.JobStarted started = client.expectMessageClass(JobReport.JobStarted.class);
        // The process now waits for its input: the fault is armed in a live PCT, between slices.
        assertEquals(new JobReport.InputWanted(started.jobId()), client.receiveMessage(JOB_TIMEOUT));
        machine.tell(new Machine.InjectPctFault(started.nids().get(0), "write", 1));
        // Once the machine has answered, the injection is in the node's mailbox ahead of the input's answer.
        TestProbe<Machine.Status> status = testKit.createTestProbe();
        machine.tell(new Machine.GetStatus(status.getRef()));
        status.receiveMessage(JOB_TIMEOUT);
        byte[] input = java.nio.file.Files.readAllBytes(GuestFiles.directory().resolve("expected").resolve("stdin_echo.in"));
        started.yod().tell(new Yod.Input(input));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JobReport report;
        while (!((report = client.receiveMessage(JOB_TIMEOUT)) instanceof JobReport.JobFinished)) {
            if (report instanceof JobReport.InputWanted) {
                started.yod().tell(new Yod.Input(new byte[0]));
            } else if (report instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            }
        }
        JobReport.JobFinished finished = (JobReport.JobFinished) report;
        assertEquals(0, finished.shellStatus(), finished::toString);
        assertEquals(1, finished.statuses().get(0).pctReloads(), finished::toString);
        assertArrayEquals(GuestFiles.expected("tests/stdin_echo.out"), out.toByteArray(), out::toString);
    }

    @Test
    void aPctFaultAskedForAtLaunchIsContainedOnEveryRank() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/malloc_stress.elf"), List.of("malloc_stress"), null),
                JobPlacement.COMPUTE, 3, client.getRef(), new Yod.Options(null, false, new NodeActor.InjectPctFault("brk", 2), 0)));
        Outcome outcome = collect(client);
        assertEquals(0, outcome.finished().shellStatus(), outcome.finished()::toString);
        outcome.finished().statuses().forEach(status -> assertEquals(1, status.pctReloads(), status::toString));
    }

    @Test
    void aCrashedNodeLosesItsRankToTheJobAndIsBootedAgain() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        // The process waits for input it never gets: it runs until its node crashes.
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/stdin_echo.elf"), List.of("stdin_echo"), null),
                JobPlacement.COMPUTE, 1, client.getRef(), new Yod.Options(null, true, null, 0)));
        JobReport.JobStarted started = client.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT);
        int nid = started.nids().get(0);
        machine.tell(new Machine.CrashNode(nid));
        Outcome crashed = collect(client);
        JobReport.RankStatus lost = crashed.rank0();
        assertEquals(Signal.SIGKILL, lost.status().signal(), crashed.finished()::toString);
        assertEquals("node " + nid + " was lost", lost.report());
        // Back once its host has answered with the new actor (the job's end may come first).
        TestProbe<Machine.Status> status = testKit.createTestProbe();
        status.awaitAssert(JOB_TIMEOUT, () -> {
            machine.tell(new Machine.GetStatus(status.getRef()));
            assertEquals(Machine.Status.LOCAL, status.receiveMessage().members().get(nid));
            return null;
        });
        // Every compute node, the crashed one booted again among them, takes a rank of the next job.
        int computeNodes = description.count(Partition.COMPUTE);
        machine.tell(run(Partition.COMPUTE, "tests/hello.elf", List.of("hello"), client, computeNodes));
        Outcome next = collect(client);
        assertEquals(0, next.finished().shellStatus(), next.finished()::toString);
        assertTrue(next.nids().contains(nid), next.nids()::toString);
    }

    @Test
    void theMachineOwnsThePartitionMapAndAllocatesFromTheBoundaryAsRebooted() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<Machine.Status> status = testKit.createTestProbe();
        TestProbe<NodeActor.RebootResult> reboots = testKit.createTestProbe();
        TestProbe<JobReport> waiting = testKit.createTestProbe();
        TestProbe<JobReport> client = testKit.createTestProbe();
        machine.tell(new Machine.Run(new Program(GuestFiles.elf("tests/stdin_echo.elf"), List.of("stdin_echo"), null),
                JobPlacement.COMPUTE, 1, waiting.getRef(), new Yod.Options(null, true, null, 0)));
        JobReport.JobStarted started = waiting.expectMessageClass(JobReport.JobStarted.class);
        int busy = started.nids().get(0);
        machine.tell(new Machine.GetStatus(status.getRef()));
        Machine.Status running = status.receiveMessage();
        assertEquals(io.uniform.config.NodeState.running(started.jobId()), running.states().get(busy));
        assertEquals(description.nodeCount() - 1, running.states().values().stream().filter(io.uniform.config.NodeState.IDLE::equals).count());

        machine.tell(new Machine.Reboot(busy, Partition.SERVICE, reboots.getRef()));
        NodeActor.RebootResult refused = reboots.receiveMessage();
        assertFalse(refused.accepted());
        assertTrue(refused.reason().contains("running a job"), refused.reason());

        int idle = java.util.Arrays.stream(description.nids(Partition.COMPUTE)).filter(nid -> nid != busy).findFirst().orElseThrow();
        machine.tell(new Machine.Reboot(idle, Partition.SERVICE, reboots.getRef()));
        assertTrue(reboots.receiveMessage().accepted());
        machine.tell(new Machine.GetStatus(status.getRef()));
        Machine.Status rebooted = status.receiveMessage();
        assertEquals(Partition.SERVICE, rebooted.partitions().get(idle));
        assertEquals(List.of(idle), rebooted.applyTo(description).changedFrom(description));

        int compute = description.count(Partition.COMPUTE);
        machine.tell(run(Partition.COMPUTE, "tests/hello.elf", List.of("hello"), client, compute));
        JobReport.JobFinished tooBig = client.expectMessageClass(JobReport.JobFinished.class);
        assertTrue(tooBig.error().contains("the compute partition has " + (compute - 1) + " nodes"), tooBig.error());
        int service = description.count(Partition.SERVICE) + 1;
        machine.tell(run(Partition.SERVICE, "tests/hello.elf", List.of("hello"), client, service));
        Outcome onService = collect(client);
        assertEquals(0, onService.finished().shellStatus(), onService.finished()::toString);
        assertTrue(onService.nids().contains(idle), "the re-booted node serves the service partition: " + onService.nids());
        started.yod().tell(new Yod.KillJob("done"));
    }

    @Test
    void everyBadInputGetsAClearErrorAndTheOneNodeRunsTheNextJob() {
        // One compute node of 4 MiB: every job lands on it, and its region is 4 MiB.
        MachineDescription tiny = MachineDescription.of("one-node", 1, 1, 1, 1, 4 << 20, 160_000_000L);
        ActorRef<Machine.Command> machine = testKit.spawn(Machine.create(tiny), "one-node-" + MACHINES.incrementAndGet());
        TestProbe<JobReport> client = testKit.createTestProbe();
        record Bad(String what, Program program, int size, String expected) {}
        List<Bad> bad = List.of(
                new Bad("malformed ELF", new Program("not an ELF".getBytes(StandardCharsets.US_ASCII), List.of("x"), null), 1, "ELF"),
                new Bad("image too large for the region", new Program(GuestFiles.elf("tests/big_bss.elf"), List.of("big_bss"), null), 1,
                        "outside the allowed address range"),
                new Bad("trap structure outside the region", puma("wild"), 1, "outside the user region"),
                new Bad("garbage in the PCB", puma("pcb"), 1, "pid"),
                new Bad("unknown trap number", puma("unknown"), 1, null),
                new Bad("-sz larger than the partition", puma("unknown"), 2, "the compute partition has 1 nodes; the job needs 2"));
        for (Bad input : bad) {
            machine.tell(new Machine.Run(input.program(), Partition.COMPUTE, input.size(), client.getRef()));
            Outcome outcome = collect(client);
            String said = outcome.finished().error() != null ? outcome.finished().error()
                    : String.valueOf(outcome.rank0().report()) + " / " + outcome.out();
            if (input.expected() != null) {
                assertTrue(said.contains(input.expected()), input.what() + ": " + said);
            } else {
                assertEquals("bad_trap unknown\nresult -38 stored -38\n", outcome.out(), input.what());
            }
            machine.tell(run(Partition.COMPUTE, "tests/hello.elf", List.of("hello", "one", "two"), client));
            Outcome next = collect(client);
            assertEquals(0, next.finished().shellStatus(), () -> "after " + input.what() + ": " + next.finished());
            assertArrayEquals(GuestFiles.expected("tests/hello.out"), next.stdout(), input.what());
        }
    }

    private static Program puma(String mode) {
        return new Program(GuestFiles.elf("puma/bad_trap.elf"), List.of("bad_trap", mode), null);
    }

    /** Asks the node for its state, which it must give within a second while it runs job {@code jobId}. */
    private static NodeActor.State askState(ActorRef<NodeActor.Command> node, TestProbe<NodeActor.State> states, int jobId) {
        node.tell(new NodeActor.GetState(states.getRef()));
        NodeActor.State state = states.receiveMessage(Duration.ofSeconds(1));
        assertEquals(NodeActor.Status.RUNNING, state.status(), state::toString);
        assertEquals(jobId, state.jobId());
        return state;
    }
}
