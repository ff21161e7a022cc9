package io.uniform.linux.files;

import static io.uniform.linux.files.GuestTask.CREATE_RW;
import static io.uniform.linux.files.GuestTask.WILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.uniform.linux.wait.Blocked;
import io.uniform.process.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** readv and writev: the iovec array, its limits and bad segments, on files, the console and pipes. */
class VectorIoTest {
    @TempDir
    Path root;

    /** An rv32 iovec array of (base, length) pairs. */
    private static int iovec(GuestTask task, int... baseLengthPairs) {
        int array = task.buffer(baseLengthPairs.length * 4);
        for (int i = 0; i < baseLengthPairs.length; i++) {
            task.space.store32(array + 4 * i, baseLengthPairs[i]);
        }
        return array;
    }

    private static String text(GuestTask task, int address, int length) {
        return new String(task.space.read(address, length), StandardCharsets.UTF_8);
    }

    @Test
    void writevGathersAndReadvScatters() throws Exception {
        GuestTask task = new GuestTask(root);
        int fd = task.open("data", CREATE_RW);
        int out = iovec(task, task.string("vec"), 3, task.string("tored "), 6, task.string("write\n"), 6);
        assertEquals(15, task.call(d -> d.writev(task.space, fd, out, 3)));
        assertEquals("vectored write\n", Files.readString(root.resolve("data")));

        assertEquals(0, task.seek(fd, 0, 0));
        int first = task.buffer(4);
        int second = task.buffer(10);
        int in = iovec(task, first, 4, second, 10);
        assertEquals(14, task.call(d -> d.readv(task.space, fd, in, 2)));
        assertEquals("vect", text(task, first, 4));
        assertEquals("ored write", text(task, second, 10));
        assertEquals(1, task.call(d -> d.readv(task.space, fd, in, 2)), "what is left: the newline");
    }

    @Test
    void theArrayHasAtMost1024SegmentsOfLessThan2GiB() throws Exception {
        GuestTask task = new GuestTask(root);
        int fd = task.open("data", CREATE_RW);
        int byte1 = task.string("x");
        int[] pairs = new int[2 * GuestBuffers.IOV_MAX];
        for (int i = 0; i < pairs.length; i += 2) {
            pairs[i] = byte1;
            pairs[i + 1] = 1;
        }
        int full = iovec(task, pairs);
        assertEquals(1024, task.call(d -> d.writev(task.space, fd, full, 1024)));
        assertEquals(-Errno.EINVAL, task.call(d -> d.writev(task.space, fd, full, 1025)));
        assertEquals(-Errno.EINVAL, task.call(d -> d.writev(task.space, fd, full, -1)));
        assertEquals(0, task.call(d -> d.writev(task.space, fd, WILD, 0)), "no segments: nothing is read of the array");
        int negative = iovec(task, byte1, 1, byte1, 0x80000000);
        assertEquals(-Errno.EINVAL, task.call(d -> d.writev(task.space, fd, negative, 2)), "a segment of 2 GiB");
        assertEquals(1024, Files.size(root.resolve("data")), "the refused calls wrote nothing");
    }

    @Test
    void aBadSegmentFailsTheCallFirstAndShortensItLater() throws Exception {
        GuestTask task = new GuestTask(root);
        int fd = task.open("data", CREATE_RW);
        int good = task.string("good");
        assertEquals(-Errno.EFAULT, task.call(d -> d.writev(task.space, fd, WILD, 1)), "the array itself");
        int wildFirst = iovec(task, WILD, 4, good, 4);
        assertEquals(-Errno.EFAULT, task.call(d -> d.writev(task.space, fd, wildFirst, 2)));
        int wildSecond = iovec(task, good, 4, WILD, 4, good, 4);
        assertEquals(4, task.call(d -> d.writev(task.space, fd, wildSecond, 3)), "up to the bad segment");
        int emptyWild = iovec(task, WILD, 0, good, 4);
        assertEquals(4, task.call(d -> d.writev(task.space, fd, emptyWild, 2)), "an empty segment is never touched");
        assertEquals("goodgood", Files.readString(root.resolve("data")));

        assertEquals(0, task.seek(fd, 0, 0));
        int target = task.buffer(4);
        int readWildSecond = iovec(task, target, 4, WILD, 4);
        assertEquals(4, task.call(d -> d.readv(task.space, fd, readWildSecond, 2)));
        assertEquals(4, task.seek(fd, 0, 1), "the bytes the bad segment would have taken are still unread");
        int readWildFirst = iovec(task, WILD, 4, target, 4);
        assertEquals(-Errno.EFAULT, task.call(d -> d.readv(task.space, fd, readWildFirst, 2)));
        assertEquals(4, task.seek(fd, 0, 1));
    }

    @Test
    void theConsoleTakesVectorsToo() {
        GuestTask task = new GuestTask(root, "abcdefgh".getBytes(StandardCharsets.UTF_8));
        int out = iovec(task, task.string("to "), 3, task.string("out\n"), 4);
        assertEquals(7, task.call(d -> d.writev(task.space, 1, out, 2)));
        assertEquals("to out\n", task.out.toString(StandardCharsets.UTF_8));
        int first = task.buffer(3);
        int second = task.buffer(10);
        int in = iovec(task, first, 3, second, 10);
        assertEquals(8, task.call(d -> d.readv(task.space, 0, in, 2)), "the first segment waits, the second takes what is there");
        assertEquals("abc", text(task, first, 3));
        assertEquals("defgh", text(task, second, 5));
    }

    @Test
    void writevToAPipeThatFillsReturnsWhatFitInsteadOfWaiting() {
        GuestTask task = new GuestTask(null);
        int[] pipe = task.pipe(0);
        int big = task.buffer(60_000);
        int vector = iovec(task, big, 60_000, big, 40_000);
        assertEquals(Pipe.CAPACITY, task.call(d -> d.writev(task.space, pipe[1], vector, 2)));
        Blocked blocked = assertThrows(Blocked.class, () -> task.descriptors.writev(task.space, pipe[1], vector, 2));
        assertEquals(0, blocked.progress(), "a full pipe: the call waits, having moved nothing");

        int first = task.buffer(10);
        int second = task.buffer(10);
        int in = iovec(task, first, 10, second, 10);
        assertEquals(20, task.call(d -> d.readv(task.space, pipe[0], in, 2)), "readv from a pipe fills every segment");
    }
}
