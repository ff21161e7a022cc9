package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.guest.GuestFiles;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import io.uniform.process.Errno;
import io.uniform.process.ExitStatus;
import io.uniform.process.files.FileStatus;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** yod as a job's I/O service: two ranks on probe nodes call it the way a Puma node does. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class YodIoTest {
    private static final int JOB = 7;
    private static final int O_RDWR_CREAT = 02 | 0100;
    private static final long WINDOW = 8;

    @JUnit5TestKit
    ActorTestKit testKit = TestKits.serializing();

    @TempDir
    Path parent;

    private Path root;
    private TestProbe<NodeActor.Command> rank0;
    private TestProbe<NodeActor.Command> rank1;
    private TestProbe<JobReport> client;
    private TestProbe<JobReport.JobFinished> done;
    private ActorRef<Yod.Command> yod;
    private final long[] sequences = new long[2];

    @BeforeEach
    void startJob() throws IOException {
        root = Files.createDirectory(parent.resolve("service-fs-" + System.nanoTime()));
        Files.writeString(parent.resolve("outside.txt"), "a secret beside the root");
        rank0 = testKit.createTestProbe();
        rank1 = testKit.createTestProbe();
        client = testKit.createTestProbe();
        done = testKit.createTestProbe();
        Program program = new Program(GuestFiles.elf("tests/hello.elf"), List.of("hello"), "abc".getBytes(StandardCharsets.US_ASCII));
        yod = testKit.spawn(Yod.create(new Yod.Job(JOB, program,
                List.of(new Yod.Placement(5, rank0.getRef()), new Yod.Placement(6, rank1.getRef())),
                new Yod.Options(root.toString(), true, null, WINDOW), null), client.getRef(), done.getRef()));
        JobReport.JobStarted started = (JobReport.JobStarted) client.receiveMessage();
        assertEquals(List.of(5, 6), started.nids());
        rank0.expectMessageClass(NodeActor.Launch.class);
        rank1.expectMessageClass(NodeActor.Launch.class);
    }

    private TestProbe<NodeActor.Command> node(int rank) {
        return rank == 0 ? rank0 : rank1;
    }

    /** Sends the rank's next call and returns yod's answer. */
    private IoReply call(int rank, IoRequest request) {
        long sequence = sequences[rank]++;
        yod.tell(new JobEvent.IoCall(JOB, rank, 5 + rank, sequence, request));
        NodeActor.IoDone answer = node(rank).expectMessageClass(NodeActor.IoDone.class);
        assertEquals(sequence, answer.sequence());
        assertEquals(JOB, answer.jobId());
        return answer.reply();
    }

    @Test
    void filesAreCreatedWrittenReadStatedAndUnlinkedInTheRoot() throws IOException {
        assertEquals(3, call(0, new IoRequest.Open("data.txt", O_RDWR_CREAT, 0644)).result());
        byte[] text = "hello, service partition\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(text.length, call(0, new IoRequest.Write(3, text)).result());
        assertEquals(Files.readString(root.resolve("data.txt")), new String(text, StandardCharsets.US_ASCII));
        assertEquals(7, call(0, new IoRequest.Seek(3, 7, 0)).result());
        IoReply read = call(0, new IoRequest.Read(3, 7));
        assertEquals("service", new String(read.data(), StandardCharsets.US_ASCII));
        IoReply stat = call(0, new IoRequest.Stat("/data.txt"));
        assertEquals(FileStatus.STATX_SIZE, stat.data().length);
        assertEquals(text.length, ByteBuffer.wrap(stat.data()).order(ByteOrder.LITTLE_ENDIAN).getLong(40), "stx_size");
        assertEquals(-Errno.EBADF, call(1, new IoRequest.Read(3, 1)).result(), "descriptors are per rank");
        assertEquals(0, call(0, new IoRequest.Close(3)).result());
        assertEquals(0, call(0, new IoRequest.Unlink("data.txt")).result());
        assertFalse(Files.exists(root.resolve("data.txt")));
    }

    @Test
    void nothingOutsideTheRootCanBeReached() {
        for (String escape : List.of("../outside.txt", "/../outside.txt", "a/../../outside.txt", "/etc/passwd")) {
            assertEquals(-Errno.ENOENT, call(0, new IoRequest.Open(escape, 0, 0)).result(), escape);
            assertEquals(-Errno.ENOENT, call(0, new IoRequest.Unlink(escape)).result(), escape);
        }
        assertTrue(Files.exists(parent.resolve("outside.txt")));
    }

    @Test
    void aRetriedRequestIsAnsweredAgainButPerformedOnce() {
        byte[] line = "once\n".getBytes(StandardCharsets.US_ASCII);
        JobEvent.IoCall write = new JobEvent.IoCall(JOB, 1, 6, 0, new IoRequest.Write(1, line));
        yod.tell(write);
        assertEquals(line.length, rank1.expectMessageClass(NodeActor.IoDone.class).reply().result());
        JobEvent.Output output = (JobEvent.Output) client.receiveMessage();
        assertArrayEquals(line, output.bytes());
        assertEquals(1, output.rank());
        yod.tell(write); // the PCT faulted after forwarding: the same trap, the same sequence number
        assertEquals(line.length, rank1.expectMessageClass(NodeActor.IoDone.class).reply().result());
        client.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void rankZeroReadsTheProgramsInputThenAsksTheClientForMore() {
        assertEquals(0, call(1, new IoRequest.Read(0, 10)).data().length, "other ranks read end-of-file");
        assertEquals(0, call(0, new IoRequest.Read(0, 0)).result(), "a read of nothing does not wait for input");
        assertEquals("abc", new String(call(0, new IoRequest.Read(0, 10)).data(), StandardCharsets.US_ASCII));

        yod.tell(new JobEvent.IoCall(JOB, 0, 5, sequences[0]++, new IoRequest.Read(0, 2)));
        assertEquals(new JobReport.InputWanted(JOB), client.receiveMessage());
        rank0.expectNoMessage(Duration.ofMillis(100));
        yod.tell(new Yod.Input("xyz".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("xy", new String(rank0.expectMessageClass(NodeActor.IoDone.class).reply().data(), StandardCharsets.US_ASCII));
        assertEquals("z", new String(call(0, new IoRequest.Read(0, 2)).data(), StandardCharsets.US_ASCII));

        yod.tell(new JobEvent.IoCall(JOB, 0, 5, sequences[0]++, new IoRequest.Read(0, 2)));
        assertEquals(new JobReport.InputWanted(JOB), client.receiveMessage());
        yod.tell(new Yod.Input(new byte[0]));
        IoReply end = rank0.expectMessageClass(NodeActor.IoDone.class).reply();
        assertEquals(0, end.result(), "end of input");
        assertEquals(0, call(0, new IoRequest.Read(0, 2)).result(), "and it stays ended");
    }

    @Test
    void aWriteThatWouldPassTheClientsOutputWindowWaitsForItsAcknowledgement() {
        byte[] five = "12345".getBytes(StandardCharsets.US_ASCII);
        assertEquals(5, call(0, new IoRequest.Write(1, five)).result());
        JobEvent.IoCall held = new JobEvent.IoCall(JOB, 1, 6, sequences[1]++, new IoRequest.Write(1, five));
        yod.tell(held);
        yod.tell(held); // retried after a PCT fault while it was held: still performed once
        rank1.expectNoMessage(Duration.ofMillis(200)); // 5 + 5 > 8: rank 1 waits
        assertEquals(JobEvent.Output.class, client.receiveMessage().getClass());
        yod.tell(new Yod.OutputAck(5));
        assertEquals(5, rank1.expectMessageClass(NodeActor.IoDone.class).reply().result());
        JobEvent.Output second = (JobEvent.Output) client.receiveMessage();
        assertEquals(1, second.rank());
        yod.tell(new Yod.OutputAck(5));
        client.expectNoMessage(Duration.ofMillis(200));
        rank1.expectNoMessage(Duration.ofMillis(10));
        byte[] large = new byte[20];
        assertEquals(20, call(0, new IoRequest.Write(2, large)).result(), "a write larger than the window goes when nothing is outstanding");
    }

    @Test
    void stdioIsNotAFile() {
        assertEquals(-Errno.ESPIPE, call(0, new IoRequest.Seek(1, 0, 0)).result());
        assertEquals(-Errno.EBADF, call(0, new IoRequest.Write(0, new byte[1])).result());
        assertEquals(-Errno.EBADF, call(0, new IoRequest.Read(2, 1)).result());
        IoReply terminal = call(0, new IoRequest.Fstat(1));
        int mode = ByteBuffer.wrap(terminal.data()).order(ByteOrder.LITTLE_ENDIAN).getShort(28) & 0xffff;
        assertEquals(0020000, mode & FileStatus.S_IFMT, "a character device");
    }

    @Test
    void theJobFinishesWhenEveryRankHasEnded() {
        assertEquals(3, call(0, new IoRequest.Open("left-open", O_RDWR_CREAT, 0600)).result());
        yod.tell(new JobEvent.Exited(JOB, 0, 5, ExitStatus.exited(0), null, 0));
        yod.tell(new JobEvent.Exited(JOB, 1, 6, ExitStatus.exited(3), null, 0));
        JobReport.JobFinished finished = done.receiveMessage();
        assertEquals(3, finished.shellStatus());
        assertEquals(2, finished.statuses().size());
    }
}
