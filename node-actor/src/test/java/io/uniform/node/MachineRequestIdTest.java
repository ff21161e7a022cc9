package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request sent twice (a job's keeper sends it again when the machine that took it may have died
 * unanswered; the singleton's proxy may deliver the first late) runs once: the machine answers a
 * copy of it, whichever of the two comes first, as it answered the first, and starts no job for it.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class MachineRequestIdTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    @TempDir
    Path directory;

    private ActorRef<Machine.Command> machine() {
        return testKit.spawn(Machine.create(MachineDescriptions.defaultMachine()));
    }

    private static Machine.Run hello(int ranks, TestProbe<JobReport> client) {
        return new Machine.Run(new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), null), Partition.COMPUTE, ranks, client.getRef());
    }

    @Test
    void aCopyWhileTheJobRunsIsAnsweredWithItsStartAndACopyAfterItsEndWithItsEnd() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        Machine.Run waitingForInput = new Machine.Run(new Program(GuestFiles.elf("tests/stdin_echo.elf"), List.of("stdin_echo"), null),
                JobPlacement.COMPUTE, 1, client.getRef(), new Yod.Options(null, true, null, 0));
        machine.tell(waitingForInput);
        JobReport.JobStarted started = client.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT);
        assertEquals(new JobReport.InputWanted(started.jobId()), client.receiveMessage(JOB_TIMEOUT));

        machine.tell(copy(waitingForInput));
        assertEquals(started, client.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT), "the first's answer: the same job, the same yod");
        started.yod().tell(new Yod.Input(new byte[0]));
        JobReport.JobFinished finished = endOf(client);
        assertEquals(0, finished.shellStatus(), finished::toString);

        machine.tell(copy(waitingForInput));
        assertEquals(finished, client.expectMessageClass(JobReport.JobFinished.class, JOB_TIMEOUT), "the first's end, not a second run");
        assertNextJobIs(machine, started.jobId() + 1);
    }

    @Test
    void twoCopiesSentTogetherRunOneJobWhicheverIsTakenFirst() {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        Machine.Run original = hello(2, client);
        // The copy ahead of the original: as a keeper's resend overtakes a request the proxy had kept.
        machine.tell(copy(original));
        machine.tell(original);

        List<JobReport.JobStarted> starts = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JobReport report;
        while (!((report = client.receiveMessage(JOB_TIMEOUT)) instanceof JobReport.JobFinished)) {
            if (report instanceof JobReport.JobStarted start) {
                starts.add(start);
            } else if (report instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            }
        }
        JobReport.JobFinished finished = (JobReport.JobFinished) report;
        assertEquals(0, finished.shellStatus(), finished::toString);
        assertTrue(!starts.isEmpty() && starts.stream().allMatch(starts.get(0)::equals), () -> "one job started: " + starts);
        assertEquals("Hello, world!\nHello, world!\n", out.toString(StandardCharsets.UTF_8), "two ranks' output, once");
        assertEquals(2, finished.statuses().size(), finished::toString);
        client.expectNoMessage(Duration.ofMillis(500));
        assertNextJobIs(machine, finished.jobId() + 1);
    }

    @Test
    void aCopyOfARefusedRequestGetsTheSameRefusal() throws Exception {
        ActorRef<Machine.Command> machine = machine();
        TestProbe<JobReport> client = testKit.createTestProbe();
        Machine.Run noRanks = hello(0, client);
        machine.tell(noRanks);
        JobReport.JobFinished refused = client.expectMessageClass(JobReport.JobFinished.class, JOB_TIMEOUT);
        assertEquals("a job needs at least one rank, not 0", refused.error());
        machine.tell(copy(noRanks));
        assertEquals(refused, client.expectMessageClass(JobReport.JobFinished.class, JOB_TIMEOUT));

        Path truncated = Files.write(directory.resolve("truncated.snapshot"), new byte[] {1, 2, 3});
        Machine.Restart restart = new Machine.Restart(truncated.toString(), null, client.getRef(), Yod.Options.NONE);
        machine.tell(restart);
        JobReport.JobFinished unreadable = client.expectMessageClass(JobReport.JobFinished.class, JOB_TIMEOUT);
        assertEquals(1, unreadable.shellStatus(), unreadable::toString);
        machine.tell(new Machine.Restart(restart.snapshotFile(), restart.expected(), restart.client(), restart.options(), restart.requestId()));
        assertEquals(unreadable, client.expectMessageClass(JobReport.JobFinished.class, JOB_TIMEOUT));
        assertNextJobIs(machine, unreadable.jobId() + 1);
    }

    @Test
    void aRequestWithoutAnIdIsRefusedWhereItIsMade() {
        TestProbe<JobReport> client = testKit.createTestProbe();
        Machine.Run run = hello(1, client);
        String error = assertThrows(NullPointerException.class,
                () -> new Machine.Run(run.program(), run.placement(), run.size(), run.client(), run.options(), null)).getMessage();
        assertEquals("requestId", error);
        assertThrows(NullPointerException.class, () -> new Machine.Restart("a.snapshot", null, client.getRef(), Yod.Options.NONE, null));
        assertThrows(NullPointerException.class,
                () -> new Machine.RecoverJob(1, "a.snapshot", List.of(), List.of(), Yod.Options.NONE, client.getRef(), null, List.of()));
    }

    /** The same request again, as a keeper sends it: another message of the same id. */
    private static Machine.Run copy(Machine.Run run) {
        return new Machine.Run(run.program(), run.placement(), run.size(), run.client(), run.options(), run.requestId());
    }

    /** Nothing ran for the copies: a new request is the job after the first's. */
    private void assertNextJobIs(ActorRef<Machine.Command> machine, int jobId) {
        TestProbe<JobReport> next = testKit.createTestProbe();
        machine.tell(hello(1, next));
        assertEquals(jobId, next.expectMessageClass(JobReport.JobStarted.class, JOB_TIMEOUT).jobId());
        assertEquals(0, endOf(next).shellStatus());
    }

    /** The end of the job {@code client} hears of, past its other reports. */
    private static JobReport.JobFinished endOf(TestProbe<JobReport> client) {
        JobReport report;
        while (!((report = client.receiveMessage(JOB_TIMEOUT)) instanceof JobReport.JobFinished)) {
            assertTrue(report instanceof JobEvent.Output || report instanceof JobReport.InputWanted, report::toString);
        }
        return (JobReport.JobFinished) report;
    }
}
