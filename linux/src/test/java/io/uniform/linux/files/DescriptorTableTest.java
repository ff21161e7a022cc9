package io.uniform.linux.files;

import static io.uniform.linux.files.GuestTask.CREATE_RW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.uniform.linux.wait.Blocked;
import io.uniform.process.Errno;
import io.uniform.process.files.ServiceFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table itself: numbering, dup, dup3, fcntl, fork, close-on-exec and the limit. */
class DescriptorTableTest {
    private static final int O_CLOEXEC = FileFlags.O_CLOEXEC;
    private static final int O_NONBLOCK = FileFlags.O_NONBLOCK;

    @TempDir
    Path root;

    private GuestTask task;

    private GuestTask task() throws Exception {
        Files.writeString(root.resolve("abcdef"), "abcdef");
        task = new GuestTask(root);
        return task;
    }

    private int fcntl(int fd, int command, int argument) {
        return task.call(d -> d.fcntl64(task.space, fd, command, argument));
    }

    @Test
    void dupSharesTheOffsetAndTakesTheLowestFreeNumber() throws Exception {
        task();
        int fd = task.open("abcdef", ServiceFileSystem.O_RDONLY);
        assertEquals(3, fd);
        assertEquals(4, task.call(d -> d.dup(fd)));
        assertEquals("ab", task.read(fd, 2));
        assertEquals("cd", task.read(4, 2), "the copy reads on from the same offset");
        assertEquals(0, task.call(d -> d.close(fd)));
        assertEquals("ef", task.read(4, 2), "closing one descriptor leaves the description to the other");
        assertEquals(0, task.call(d -> d.close(0)));
        assertEquals(0, task.call(d -> d.dup(4)), "0 is free again, and lowest");
        assertEquals(3, task.call(d -> d.dup(4)));
        assertEquals(-Errno.EBADF, task.call(d -> d.dup(99)));
        assertEquals(-Errno.EBADF, task.call(d -> d.dup(-1)));
        assertEquals(-Errno.EBADF, task.call(d -> d.dup(Descriptors.MAX_OPEN)));
    }

    @Test
    void dup3SharesTheOffsetAndReplacesWhatNewfdLedTo() throws Exception {
        task();
        Files.writeString(root.resolve("other"), "other");
        int fd = task.open("abcdef", ServiceFileSystem.O_RDONLY);
        int other = task.open("other", ServiceFileSystem.O_RDONLY);
        assertEquals(other, task.call(d -> d.dup3(fd, other, 0)));
        assertEquals("abc", task.read(fd, 3));
        assertEquals("def", task.read(other, 3), "other now leads to abcdef, at its offset");
        assertEquals(0, fcntl(other, FileFlags.F_GETFD, 0));

        assertEquals(50, task.call(d -> d.dup3(fd, 50, O_CLOEXEC)), "any free number up to the limit");
        assertEquals(FileFlags.FD_CLOEXEC, fcntl(50, FileFlags.F_GETFD, 0));
        assertEquals(-Errno.EINVAL, task.call(d -> d.dup3(fd, fd, 0)), "onto itself");
        assertEquals(-Errno.EINVAL, task.call(d -> d.dup3(fd, 60, O_NONBLOCK)), "flags other than O_CLOEXEC");
        assertEquals(-Errno.EBADF, task.call(d -> d.dup3(fd, Descriptors.MAX_OPEN, 0)));
        assertEquals(-Errno.EBADF, task.call(d -> d.dup3(fd, -1, 0)));
        assertEquals(-Errno.EBADF, task.call(d -> d.dup3(99, 60, 0)));
        assertEquals(6, task.descriptors.openCount(), "0, 1, 2, fd, other (led elsewhere now) and 50");
    }

    @Test
    void closeOneThenDupIsTheClassicRedirection() throws Exception {
        task();
        int[] pipe = task.pipe(0);
        assertEquals(0, task.call(d -> d.close(1)));
        assertEquals(1, task.call(d -> d.dup(pipe[1])));
        assertEquals(12, task.write(1, "into a pipe\n"));
        assertEquals("into a pipe\n", task.read(pipe[0], 64));
        assertEquals("", task.out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTaskHoldsAtMost1024Descriptors() throws Exception {
        task();
        for (int fd = 3; fd < Descriptors.MAX_OPEN - 1; fd++) {
            assertEquals(fd, task.call(d -> d.dup(2)));
        }
        int pipeFds = task.buffer(8);
        assertEquals(-Errno.EMFILE, task.call(d -> d.pipe2(task.space, pipeFds, 0)), "a pipe needs two");
        assertEquals(Descriptors.MAX_OPEN - 1, task.descriptors.openCount(), "the failed pipe2 took none");
        assertEquals(Descriptors.MAX_OPEN - 1, task.open("abcdef", ServiceFileSystem.O_RDONLY));
        assertEquals(-Errno.EMFILE, task.call(d -> d.dup(2)));
        assertEquals(-Errno.EMFILE, task.open("abcdef", ServiceFileSystem.O_RDONLY));
        assertEquals(-Errno.EMFILE, task.open("new", CREATE_RW));
        assertEquals(false, Files.exists(root.resolve("new")), "EMFILE comes before the file system is asked");
        assertEquals(-Errno.EMFILE, fcntl(2, FileFlags.F_DUPFD, 0));
        assertEquals(-Errno.EINVAL, fcntl(2, FileFlags.F_DUPFD, Descriptors.MAX_OPEN), "beyond the limit");
        assertEquals(0, task.call(d -> d.close(500)));
        assertEquals(500, task.call(d -> d.dup(2)));
    }

    @Test
    void aForkedTableSharesOffsetsButClosesItsOwnDescriptors() throws Exception {
        task();
        int fd = task.open("abcdef", ServiceFileSystem.O_RDONLY);
        Descriptors child = task.descriptors.fork();
        assertEquals(task.descriptors.openCount(), child.openCount());
        assertEquals("ab", task.read(fd, 2));
        assertEquals("cd", task.read(child, fd, 2), "the child's descriptor reads on from the parent's offset");
        assertEquals(0, GuestTask.on(child, d -> d.close(fd)));
        assertEquals("ef", task.read(fd, 2), "the parent's stays open");
        child.closeAll();
        assertEquals(0, child.openCount());
        assertEquals(0, task.seek(fd, 0, 0), "and usable");
        assertEquals(4, task.descriptors.openCount());
    }

    @Test
    void aForkedTableSharesPipeEnds() throws Exception {
        task();
        int[] pipe = task.pipe(0);
        Descriptors child = task.descriptors.fork();
        assertEquals(0, task.call(d -> d.close(pipe[1])));
        int buffer = task.buffer(8);
        assertThrows(Blocked.class, () -> task.descriptors.read(task.space, pipe[0], buffer, 8),
                "the child still holds the write end: no end of file yet");
        int data = task.string("x");
        assertEquals(1, GuestTask.on(child, d -> d.write(task.space, pipe[1], data, 1)));
        assertEquals(0, GuestTask.on(child, d -> d.close(pipe[1])));
        assertEquals("x", task.read(pipe[0], 8));
        assertEquals("", task.read(pipe[0], 8), "every writer closed: end of file");

        int[] other = task.pipe(0);
        Descriptors second = task.descriptors.fork();
        task.descriptors.closeAll();
        assertEquals(-Errno.EBADF, task.call(d -> d.write(task.space, other[1], data, 1)));
        assertEquals(1, GuestTask.on(second, d -> d.write(task.space, other[1], data, 1)), "the child's read end keeps the pipe readable");
        assertEquals(0, GuestTask.on(second, d -> d.close(other[0])));
        assertEquals(-Errno.EPIPE, GuestTask.on(second, d -> d.write(task.space, other[1], data, 1)));
    }

    @Test
    void closeOnExecClosesTheMarkedDescriptorsOnly() throws Exception {
        task();
        int marked = task.open("abcdef", ServiceFileSystem.O_RDONLY | O_CLOEXEC);
        int plain = task.open("abcdef", ServiceFileSystem.O_RDONLY);
        int[] pipe = task.pipe(O_CLOEXEC);
        int dupOfMarked = task.call(d -> d.dup(marked));
        int setLater = task.call(d -> d.dup(plain));
        assertEquals(0, fcntl(setLater, FileFlags.F_SETFD, FileFlags.FD_CLOEXEC));
        int clearedLater = task.call(d -> d.dup3(plain, 40, O_CLOEXEC));
        assertEquals(0, fcntl(clearedLater, FileFlags.F_SETFD, 0));
        assertEquals(0, fcntl(dupOfMarked, FileFlags.F_GETFD, 0), "FD_CLOEXEC belongs to the descriptor, not the description");

        Descriptors child = task.descriptors.fork();
        assertEquals(FileFlags.FD_CLOEXEC, GuestTask.on(child, d -> d.fcntl64(task.space, marked, FileFlags.F_GETFD, 0)),
                "fork keeps the flag");
        task.descriptors.closeOnExec();
        for (int closed : new int[] {marked, pipe[0], pipe[1], setLater}) {
            assertEquals(-Errno.EBADF, fcntl(closed, FileFlags.F_GETFD, 0), "fd " + closed);
        }
        for (int open : new int[] {0, 1, 2, plain, dupOfMarked, clearedLater}) {
            assertEquals(0, fcntl(open, FileFlags.F_GETFD, 0), "fd " + open);
        }
        assertEquals(10, child.openCount(), "the child's table is its own");
    }

    @Test
    void fcntlReportsAndChangesTheStatusFlagsOfTheDescription() throws Exception {
        task();
        int file = task.open("abcdef", ServiceFileSystem.O_WRONLY | ServiceFileSystem.O_APPEND | ServiceFileSystem.O_TRUNC | O_CLOEXEC);
        int copy = task.call(d -> d.dup(file));
        assertEquals(ServiceFileSystem.O_WRONLY | ServiceFileSystem.O_APPEND | FileFlags.O_LARGEFILE, fcntl(copy, FileFlags.F_GETFL, 0),
                "open-time flags and O_CLOEXEC do not show; O_LARGEFILE does, as on a 64-bit kernel");
        assertEquals(0, fcntl(file, FileFlags.F_SETFL, ServiceFileSystem.O_RDWR | O_NONBLOCK));
        assertEquals(ServiceFileSystem.O_WRONLY | O_NONBLOCK | FileFlags.O_LARGEFILE, fcntl(copy, FileFlags.F_GETFL, 0),
                "O_APPEND cleared, O_NONBLOCK set, the access mode kept, for every descriptor of it");
        assertEquals(3, task.write(file, "xyz"));
        assertEquals(0, task.seek(file, 0, 0));
        assertEquals(0, fcntl(file, FileFlags.F_SETFL, ServiceFileSystem.O_APPEND));
        assertEquals(3, task.write(file, "end"));
        assertEquals("xyzend", Files.readString(root.resolve("abcdef")), "without O_APPEND at the offset, with it at the end");

        int[] pipe = task.pipe(O_NONBLOCK);
        assertEquals(O_NONBLOCK, fcntl(pipe[0], FileFlags.F_GETFL, 0));
        assertEquals(ServiceFileSystem.O_WRONLY | O_NONBLOCK, fcntl(pipe[1], FileFlags.F_GETFL, 0));
        assertEquals(ServiceFileSystem.O_RDONLY, fcntl(0, FileFlags.F_GETFL, 0));
        assertEquals(ServiceFileSystem.O_WRONLY, fcntl(2, FileFlags.F_GETFL, 0));

        int high = fcntl(file, FileFlags.F_DUPFD, 40);
        assertEquals(40, high);
        assertEquals(0, fcntl(high, FileFlags.F_GETFD, 0));
        assertEquals(41, fcntl(file, FileFlags.F_DUPFD_CLOEXEC, 40));
        assertEquals(FileFlags.FD_CLOEXEC, fcntl(41, FileFlags.F_GETFD, 0));
        assertEquals(-Errno.EINVAL, fcntl(file, FileFlags.F_DUPFD, -1));
        assertEquals(-Errno.EINVAL, fcntl(file, 5, 0), "F_GETLK is not supported");
        assertEquals(-Errno.EBADF, fcntl(99, FileFlags.F_GETFD, 0));
        assertEquals(-Errno.EBADF, fcntl(99, 5, 0), "EBADF before the command is looked at");
    }
}
