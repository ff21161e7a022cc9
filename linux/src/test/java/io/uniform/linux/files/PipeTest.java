package io.uniform.linux.files;

import static io.uniform.linux.files.GuestTask.AT_FDCWD;
import static io.uniform.linux.files.GuestTask.WILD;
import static io.uniform.linux.files.GuestTask.mode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.linux.wait.Blocked;
import io.uniform.linux.wait.WaitQueue;
import io.uniform.process.Errno;
import io.uniform.process.files.FileStatus;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** pipe2 and the pipe's semantics: order, end of file, EPIPE, waiting, atomicity, O_NONBLOCK, wake-ups. */
class PipeTest {
    private static final int CAPACITY = Pipe.CAPACITY;

    private GuestTask task;
    private int readEnd;
    private int writeEnd;

    @BeforeEach
    void setUp() {
        task = new GuestTask(null);
        int[] pipe = task.pipe(0);
        readEnd = pipe[0];
        writeEnd = pipe[1];
    }

    /** Writes {@code length} bytes of a pattern starting at {@code first}; the result. */
    private int write(int fd, int first, int length) {
        int buffer = pattern(first, length);
        return task.call(d -> d.write(task.space, fd, buffer, length));
    }

    /** A write of the pattern from {@code first} that must wait. */
    private Blocked blockedWrite(int first, int length) {
        int buffer = pattern(first, length);
        return assertThrows(Blocked.class, () -> task.descriptors.write(task.space, writeEnd, buffer, length));
    }

    private int pattern(int first, int length) {
        int buffer = task.buffer(length);
        for (int i = 0; i < length; i++) {
            task.space.store8(buffer + i, first + i);
        }
        return buffer;
    }

    private Blocked blockedRead() {
        int buffer = task.buffer(16);
        return assertThrows(Blocked.class, () -> task.descriptors.read(task.space, readEnd, buffer, 16));
    }

    /** Reads up to {@code length} bytes; they must follow the pattern from {@code first}. */
    private int readPattern(int first, int length) {
        int buffer = task.buffer(length);
        int n = task.call(d -> d.read(task.space, readEnd, buffer, length));
        for (int i = 0; i < n; i++) {
            assertEquals((byte) (first + i), (byte) task.space.load8(buffer + i), "byte " + i);
        }
        return n;
    }

    @Test
    void pipe2GivesTheLowestTwoDescriptorsReadEndFirst() {
        assertEquals(3, readEnd);
        assertEquals(4, writeEnd);
        assertEquals(0, task.call(d -> d.close(0)));
        int[] next = task.pipe(0);
        assertArrayEquals(new int[] {0, 5}, next);
        int fds = task.buffer(8);
        assertEquals(-Errno.EINVAL, task.call(d -> d.pipe2(task.space, fds, 040000)), "O_DIRECT packet mode is not supported");
        assertEquals(6, task.descriptors.openCount(), "the failed pipe2 took none");
    }

    @Test
    void bytesComeOutInTheOrderTheyWentInAcrossTheRingsEnd() {
        assertEquals(60_000, write(writeEnd, 0, 60_000));
        assertEquals(50_000, readPattern(0, 50_000));
        assertEquals(50_000, write(writeEnd, 60_000, 50_000), "wraps around the ring's end");
        assertEquals(60_000, readPattern(50_000, 100_000), "all there is, in order");
    }

    @Test
    void anEmptyPipeWithAWriterBlocksTheReaderAndWithoutOneIsAtItsEnd() {
        Blocked blocked = blockedRead();
        assertEquals(0, blocked.progress());
        assertEquals(3, task.write(writeEnd, "abc"));
        assertEquals(0, task.call(d -> d.close(writeEnd)));
        assertEquals("abc", task.read(readEnd, 16), "what was written comes out after the writer closed");
        assertEquals("", task.read(readEnd, 16), "then end of file");
        assertEquals("", task.read(readEnd, 16));
    }

    @Test
    void aReadOfNothingReturnsAtOnce() {
        int buffer = task.buffer(4);
        assertEquals(0, task.call(d -> d.read(task.space, readEnd, buffer, 0)), "empty, with a writer: still no waiting");
        assertEquals(0, task.call(d -> d.write(task.space, writeEnd, buffer, 0)));
    }

    @Test
    void writingWithoutAReaderIsEpipe() {
        assertEquals(0, task.call(d -> d.close(readEnd)));
        assertEquals(-Errno.EPIPE, task.write(writeEnd, "lost"));
        int buffer = task.buffer(4);
        assertEquals(0, task.call(d -> d.write(task.space, writeEnd, buffer, 0)), "a write of nothing is 0 even then, as on Linux");
    }

    @Test
    void theWrongEndIsEbadfAndAPipeIsNotSeekable() {
        int buffer = task.buffer(4);
        assertEquals(-Errno.EBADF, task.call(d -> d.read(task.space, writeEnd, buffer, 4)));
        assertEquals(-Errno.EBADF, task.write(readEnd, "x"));
        assertEquals(-Errno.ESPIPE, task.seek(readEnd, 0, 0));
        assertEquals(-Errno.ENOTDIR, task.call(d -> d.getdents64(task.space, readEnd, buffer, 4)));
    }

    @Test
    void aSmallWriteGoesInWholeOrWaits() {
        assertEquals(CAPACITY - 100, write(writeEnd, 0, CAPACITY - 100));
        Blocked blocked = blockedWrite(0, Pipe.ATOMIC_WRITE);
        assertEquals(0, blocked.progress(), "nothing of an atomic write moved");
        assertEquals(CAPACITY - 100, readPattern(0, CAPACITY), "the pipe holds what it held");
        assertEquals(100, write(writeEnd, 7, 100));
        assertEquals(100, readPattern(7, 200));
    }

    @Test
    void aLargeWriteMovesWhatFitsThenWaitsWithThatProgress() {
        assertEquals(10, write(writeEnd, 0, 10));
        Blocked blocked = blockedWrite(10, 100_000);
        assertEquals(CAPACITY - 10, blocked.progress());
        assertEquals(0, blockedWrite(0, 1).progress(), "a full pipe takes nothing");
        assertEquals(CAPACITY, readPattern(0, 2 * CAPACITY), "the first write, then the part that fitted");
    }

    @Test
    void nonBlockingEndsNeverWait() {
        int[] pipe = task.pipe(FileFlags.O_NONBLOCK);
        int buffer = task.buffer(100_000);
        assertEquals(-Errno.EAGAIN, task.call(d -> d.read(task.space, pipe[0], buffer, 16)), "empty");
        assertEquals(CAPACITY, task.call(d -> d.write(task.space, pipe[1], buffer, 100_000)), "a large write: what fits");
        assertEquals(-Errno.EAGAIN, task.call(d -> d.write(task.space, pipe[1], buffer, 1)), "full");
        assertEquals(100, task.call(d -> d.read(task.space, pipe[0], buffer, 100)));
        assertEquals(-Errno.EAGAIN, task.call(d -> d.write(task.space, pipe[1], buffer, 101)), "a small write that does not fit");
        assertEquals(100, task.call(d -> d.write(task.space, pipe[1], buffer, 100)));

        assertEquals(0, task.call(d -> d.fcntl64(task.space, readEnd, FileFlags.F_SETFL, FileFlags.O_NONBLOCK)));
        assertEquals(-Errno.EAGAIN, task.call(d -> d.read(task.space, readEnd, buffer, 16)), "set by F_SETFL");
        assertEquals(0, task.call(d -> d.close(writeEnd)));
        assertEquals(0, task.call(d -> d.read(task.space, readEnd, buffer, 16)), "without writers: end of file, not EAGAIN");
    }

    @Test
    void everyChangeWakesTheWaiters() {
        WaitQueue queue = blockedRead().queue();
        AtomicInteger woken = new AtomicInteger();
        queue.add(woken::incrementAndGet);
        assertEquals(1, task.write(writeEnd, "x"));
        assertEquals(1, woken.get(), "a write wakes the reader");

        assertEquals(CAPACITY - 1, write(writeEnd, 0, CAPACITY - 1));
        Blocked full = blockedWrite(0, 10);
        assertSame(queue, full.queue(), "readers and writers wait on the pipe's one queue");
        queue.add(woken::incrementAndGet);
        assertEquals("x", task.read(readEnd, 1));
        assertEquals(2, woken.get(), "a read wakes the writer");

        queue.add(woken::incrementAndGet);
        assertEquals(0, task.call(d -> d.close(readEnd)));
        assertEquals(3, woken.get(), "closing the read end wakes the writer, to find EPIPE");
        int[] other = task.pipe(0);
        WaitQueue otherQueue = assertThrows(Blocked.class, () -> task.descriptors.read(task.space, other[0], task.buffer(1), 1)).queue();
        otherQueue.add(woken::incrementAndGet);
        assertEquals(0, task.call(d -> d.close(other[1])));
        assertEquals(4, woken.get(), "closing the write end wakes the reader, to find end of file");
    }

    @Test
    void aClosedEndStaysOpenWhileADuplicateLeadsToIt() {
        int copy = task.call(d -> d.dup(writeEnd));
        assertEquals(0, task.call(d -> d.close(writeEnd)));
        blockedRead();
        assertEquals(0, task.call(d -> d.close(copy)));
        assertEquals("", task.read(readEnd, 16), "the last writer closed");
    }

    @Test
    void aBadBufferLosesNoBytes() {
        assertEquals(5, task.write(writeEnd, "hello"));
        assertEquals(-Errno.EFAULT, task.call(d -> d.read(task.space, readEnd, WILD, 5)));
        assertEquals(-Errno.EFAULT, task.call(d -> d.write(task.space, writeEnd, WILD, 5)));
        assertEquals("hello", task.read(readEnd, 16), "the bytes are still there, and only they");
    }

    @Test
    void aPipeIsAFifoToTheStatCalls() {
        ByteBuffer status = task.statx(readEnd, "", FileFlags.AT_EMPTY_PATH);
        assertEquals(FileStatus.S_IFIFO | 0600, mode(status));
        assertEquals(status.getLong(32), task.statx(writeEnd, "", FileFlags.AT_EMPTY_PATH).getLong(32), "both ends are one inode");
        int[] other = task.pipe(0);
        assertNotEquals(status.getLong(32), task.statx(other[0], "", FileFlags.AT_EMPTY_PATH).getLong(32), "each pipe its own");
        assertTrue(status.getLong(32) > 0);
        assertEquals(-Errno.ENOENT, task.statxError(AT_FDCWD, "", 0));
    }
}
