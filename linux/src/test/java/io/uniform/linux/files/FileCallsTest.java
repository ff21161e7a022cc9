package io.uniform.linux.files;

import static io.uniform.linux.files.GuestTask.AT_FDCWD;
import static io.uniform.linux.files.GuestTask.CREATE_RW;
import static io.uniform.linux.files.GuestTask.WILD;
import static io.uniform.linux.files.GuestTask.mode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.uniform.process.Errno;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.GuestPath;
import io.uniform.process.files.ServiceFileSystem;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file calls on regular files and the console: openat, close, read, write, _llseek, the stats, unlinkat, ioctl. */
class FileCallsTest {
    private static final int AT_EMPTY_PATH = FileFlags.AT_EMPTY_PATH;

    @TempDir
    Path root;

    @Test
    void createWriteSeekReadStatCloseAndUnlinkAFile() throws Exception {
        GuestTask task = new GuestTask(root);
        int fd = task.open("notes.txt", CREATE_RW | ServiceFileSystem.O_EXCL);
        assertEquals(3, fd, "the first file gets descriptor 3");
        assertEquals(11, task.write(fd, "hello world"));
        assertEquals("hello world", Files.readString(root.resolve("notes.txt")));

        assertEquals(6, task.seek(fd, 6, 0));
        assertEquals("world", task.read(fd, 64));
        assertEquals("", task.read(fd, 64), "end of file");
        assertEquals(7, task.seek(fd, -4, 2));
        assertEquals(9, task.seek(fd, 2, 1));
        assertEquals(-Errno.EINVAL, task.seek(fd, -100, 1), "before the start");
        assertEquals(-Errno.EINVAL, task.seek(fd, 0, 3), "unknown whence");
        assertEquals(1L << 33, task.seek(fd, 1L << 33, 0), "a 64-bit offset, high word and low word");

        ByteBuffer byPath = task.statx(AT_FDCWD, "notes.txt", 0);
        assertEquals(FileStatus.S_IFREG, mode(byPath) & FileStatus.S_IFMT);
        assertEquals(11, byPath.getLong(40));
        ByteBuffer byFd = task.statx(fd, "", AT_EMPTY_PATH);
        assertEquals(byPath.getLong(32), byFd.getLong(32), "the same inode");
        assertEquals(FileStatus.S_IFDIR, mode(task.statx(AT_FDCWD, "", AT_EMPTY_PATH)) & FileStatus.S_IFMT, "the working directory");
        assertEquals(-Errno.ENOENT, task.statxError(AT_FDCWD, "", 0), "an empty path without AT_EMPTY_PATH");

        assertEquals(0, task.call(d -> d.close(fd)));
        assertEquals(-Errno.EBADF, task.call(d -> d.close(fd)));
        int buffer = task.buffer(4);
        assertEquals(-Errno.EBADF, task.call(d -> d.read(task.space, fd, buffer, 4)));
        assertEquals(-Errno.EEXIST, task.open("notes.txt", CREATE_RW | ServiceFileSystem.O_EXCL));

        int path = task.string("notes.txt");
        assertEquals(0, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, 0)));
        assertFalse(Files.exists(root.resolve("notes.txt")));
        assertEquals(-Errno.ENOENT, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, 0)));
        assertEquals(-Errno.ENOENT, task.open("notes.txt", ServiceFileSystem.O_RDONLY));
    }

    @Test
    void readsAndWritesOfManyPiecesMoveTheWholeCount() throws Exception {
        GuestTask task = new GuestTask(root);
        byte[] data = new byte[200_000]; // three 64 KiB pieces and a bit
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        int fd = task.open("big", CREATE_RW);
        int source = task.buffer(data.length);
        task.space.write(source, data, 0, data.length);
        assertEquals(data.length, task.call(d -> d.write(task.space, fd, source, data.length)));
        assertArrayEquals(data, Files.readAllBytes(root.resolve("big")));

        assertEquals(0, task.seek(fd, 0, 0));
        int target = task.buffer(data.length + 100);
        assertEquals(data.length, task.call(d -> d.read(task.space, fd, target, data.length + 100)), "up to the end of the file");
        assertArrayEquals(data, task.space.read(target, data.length));
    }

    @Test
    void aWildPointerIsEfaultAndChangesNothing() throws Exception {
        GuestTask task = new GuestTask(root);
        assertEquals(-Errno.EFAULT, task.call(d -> d.openat(task.space, AT_FDCWD, WILD, CREATE_RW, 0644)));
        assertEquals(-Errno.EFAULT, task.call(d -> d.openat(task.space, AT_FDCWD, 0, CREATE_RW, 0644)), "a null path");
        int fd = task.open("data", CREATE_RW);
        assertEquals(3, fd, "the faulting opens opened nothing");
        assertEquals(6, task.write(fd, "abcdef"));
        assertEquals(0, task.seek(fd, 0, 0));

        int buffer = task.buffer(4);
        assertEquals(-Errno.EFAULT, task.call(d -> d.read(task.space, fd, WILD, 4)));
        assertEquals(-Errno.EFAULT, task.call(d -> d.read(task.space, fd, buffer, 0x80000000)), "a count of 2 GiB");
        assertEquals("abcd", task.read(fd, 4), "the faulting reads consumed nothing");
        assertEquals(-Errno.EFAULT, task.call(d -> d.write(task.space, fd, WILD, 4)));
        assertEquals(-Errno.EFAULT, task.call(d -> d.write(task.space, fd, 0xfffffffc, 8)), "past the top of the address space");
        assertEquals(-Errno.EFAULT, task.call(d -> d.llseek(task.space, fd, 0, 1, WILD, 0)));
        assertEquals("ef", task.read(fd, 4), "the faulting write and seek moved nothing");
        assertEquals("abcdef", Files.readString(root.resolve("data")));
    }

    @Test
    void aBufferThatGoesBadAfterItsFirstPieceEndsTheTransferShort() throws Exception {
        GuestTask task = new GuestTask(root);
        byte[] data = new byte[100_000];
        Files.write(root.resolve("data"), data);
        int fd = task.open("data", ServiceFileSystem.O_RDWR);
        int nearTheEnd = GuestTask.endMinus(70_000);
        assertEquals(65_536, task.call(d -> d.read(task.space, fd, nearTheEnd, data.length)), "one whole piece, then the fault");
        assertEquals(65_536, task.seek(fd, 0, 1), "the bytes not stored were not consumed");
        assertEquals(0, task.seek(fd, 0, 0));
        assertEquals(65_536, task.call(d -> d.write(task.space, fd, nearTheEnd, data.length)));
    }

    @Test
    void aPathOfPathMaxBytesWithoutItsNulIsEnametoolong() throws Exception {
        GuestTask task = new GuestTask(root);
        String longest = "a/".repeat(2047) + "a"; // 4095 bytes: the longest path there is
        assertEquals(GuestPath.PATH_MAX - 1, longest.length());
        assertEquals(-Errno.ENOENT, task.open(longest, ServiceFileSystem.O_RDONLY), "looked up, and not there");
        String tooLong = longest + "a";
        assertEquals(-Errno.ENAMETOOLONG, task.open(tooLong, ServiceFileSystem.O_RDONLY));
        assertEquals(-Errno.ENAMETOOLONG, task.statxError(AT_FDCWD, tooLong, 0));
        int path = task.string(tooLong);
        assertEquals(-Errno.ENAMETOOLONG, task.call(d -> d.mkdirat(task.space, AT_FDCWD, path, 0755)));
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(0, left.count(), "nothing was created");
        }
    }

    @Test
    void aPathThatIsNotUtf8IsEinval() {
        GuestTask task = new GuestTask(root);
        int path = task.string(new byte[] {'x', (byte) 0xff, 'y'});
        assertEquals(-Errno.EINVAL, task.call(d -> d.openat(task.space, AT_FDCWD, path, CREATE_RW, 0644)));
    }

    @Test
    void pathsStayInsideTheRoot() throws Exception {
        GuestTask task = new GuestTask(root);
        assertEquals(-Errno.ENOENT, task.open("../../etc/passwd", ServiceFileSystem.O_RDONLY), "the host's /etc/passwd is not reached");
        assertEquals(-Errno.ENOENT, task.open("/etc/passwd", ServiceFileSystem.O_RDONLY));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc"));
        assertEquals(-Errno.ENOENT, task.open("escape/passwd", ServiceFileSystem.O_RDONLY), "a link's target is inside the root too");
        int escape = task.open("/", ServiceFileSystem.O_RDONLY | ServiceFileSystem.O_DIRECTORY);
        assertEquals(-Errno.ENOENT, task.openAt(escape, "../../etc/passwd", ServiceFileSystem.O_RDONLY), "nor from a directory descriptor");

        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "guest:x:0:0::/:/bin/sh\n");
        int fd = task.open("../../etc/passwd", ServiceFileSystem.O_RDONLY);
        assertEquals("guest:x:0:0::/:/bin/sh\n", task.read(fd, 4096), "the root's own /etc/passwd");
    }

    @Test
    void withoutAFileSystemEveryPathIsEnoent() {
        GuestTask task = new GuestTask(null);
        assertEquals(-Errno.ENOENT, task.open("anything", CREATE_RW));
        assertEquals(-Errno.ENOENT, task.statxError(AT_FDCWD, "/", 0));
        assertEquals(-Errno.ENOENT, task.statxError(AT_FDCWD, "", AT_EMPTY_PATH));
        int path = task.string("anything");
        assertEquals(-Errno.ENOENT, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, 0)));
        assertEquals(-Errno.ENOENT, task.call(d -> d.mkdirat(task.space, AT_FDCWD, path, 0755)));
        assertEquals(Errno.ENOENT, errno(() -> task.descriptors.readWholeFile("/anything")));
        assertEquals(FileStatus.S_IFCHR, mode(task.statx(1, "", AT_EMPTY_PATH)) & FileStatus.S_IFMT, "the console is there still");
        int[] pipe = task.pipe(0);
        assertEquals(2, task.write(pipe[1], "ok"), "and pipes");
    }

    @Test
    void descriptorsZeroToTwoAreTheConsole() throws Exception {
        GuestTask task = new GuestTask(root, "typed\n".getBytes(StandardCharsets.UTF_8));
        for (int fd = 0; fd < 3; fd++) {
            assertEquals(FileStatus.S_IFCHR | 0620, mode(task.statx(fd, "", AT_EMPTY_PATH)), "fd " + fd + " is a character device");
        }
        assertEquals(-Errno.ESPIPE, task.seek(0, 0, 1));
        assertEquals(-Errno.ESPIPE, task.seek(2, 0, 1));
        int buffer = task.buffer(4);
        assertEquals(-Errno.EBADF, task.call(d -> d.read(task.space, 1, buffer, 4)));
        assertEquals(-Errno.EBADF, task.write(0, "x"));
        assertEquals("typed\n", task.read(0, 64), "stdin gives what it holds");
        assertEquals("", task.read(0, 64), "then end of file");

        assertEquals(3, task.write(1, "hi\n"));
        assertEquals(4, task.write(2, "err\n"));
        assertEquals(0, task.call(d -> d.close(1)));
        assertEquals(-Errno.EBADF, task.write(1, "gone\n"));
        assertEquals(-Errno.EBADF, task.call(d -> d.close(1)));
        assertEquals(-Errno.EBADF, task.statxError(1, "", AT_EMPTY_PATH));
        assertEquals("hi\n", task.out.toString(StandardCharsets.UTF_8));
        assertEquals("err\n", task.err.toString(StandardCharsets.UTF_8));
        assertEquals(1, task.open("new", CREATE_RW), "the lowest free descriptor, 1 included");
        assertEquals(3, task.write(1, "new"));
        assertEquals("new", Files.readString(root.resolve("new")));
        assertEquals("hi\n", task.out.toString(StandardCharsets.UTF_8), "the console saw nothing more");
    }

    @Test
    void aDupOfStdoutWritesToTheConsoleToo() {
        GuestTask task = new GuestTask(root);
        int copy = task.call(d -> d.dup(1));
        assertEquals(3, copy);
        assertEquals(0, task.call(d -> d.close(1)));
        assertEquals(5, task.write(copy, "still"));
        assertEquals("still", task.out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void statxAndNewfstatatFollowALinkUnlessAskedNotTo() throws Exception {
        GuestTask task = new GuestTask(root);
        Files.writeString(root.resolve("file"), "12345");
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        assertEquals(FileStatus.S_IFREG, mode(task.statx(AT_FDCWD, "link", 0)) & FileStatus.S_IFMT);
        assertEquals(FileStatus.S_IFLNK, mode(task.statx(AT_FDCWD, "link", FileFlags.AT_SYMLINK_NOFOLLOW)) & FileStatus.S_IFMT);
        assertEquals(FileStatus.S_IFREG, stat64(task, "link", 0).getInt(16) & FileStatus.S_IFMT);
        assertEquals(FileStatus.S_IFLNK, stat64(task, "link", FileFlags.AT_SYMLINK_NOFOLLOW).getInt(16) & FileStatus.S_IFMT);
    }

    @Test
    void newfstatatAndFstat64FillTheStat64OfPathsAndDescriptors() throws Exception {
        GuestTask task = new GuestTask(root);
        Files.writeString(root.resolve("file"), "12345");
        long inode = (Long) Files.getAttribute(root.resolve("file"), "unix:ino");
        ByteBuffer byPath = stat64(task, "/file", 0);
        assertEquals(inode, byPath.getLong(8));
        assertEquals(FileStatus.S_IFREG | 0644, byPath.getInt(16) & ~0022, "mode, whatever the host's umask took");
        assertEquals(5, byPath.getLong(48));

        int fd = task.open("file", ServiceFileSystem.O_RDONLY);
        int buffer = task.buffer(FileStatus.STAT64_SIZE);
        assertEquals(0, task.call(d -> d.fstat64(task.space, fd, buffer)));
        assertEquals(inode, GuestTask.little(task.space.read(buffer, FileStatus.STAT64_SIZE)).getLong(8));
        assertEquals(0, task.call(d -> d.fstat64(task.space, 1, buffer)));
        assertEquals(FileStatus.S_IFCHR | 0620, task.space.load32(buffer + 16));
        int[] pipe = task.pipe(0);
        assertEquals(0, task.call(d -> d.fstat64(task.space, pipe[0], buffer)));
        assertEquals(FileStatus.S_IFIFO | 0600, task.space.load32(buffer + 16));
        assertEquals(-Errno.EBADF, task.call(d -> d.fstat64(task.space, 99, buffer)));

        int empty = task.string("");
        assertEquals(0, task.call(d -> d.newfstatat(task.space, fd, empty, buffer, AT_EMPTY_PATH)));
        assertEquals(inode, task.space.load32(buffer + 8), "AT_EMPTY_PATH: the descriptor itself");
        assertEquals(-Errno.ENOENT, task.call(d -> d.newfstatat(task.space, fd, empty, buffer, 0)));
        assertEquals(-Errno.EINVAL, task.call(d -> d.newfstatat(task.space, AT_FDCWD, empty, buffer, 0x1)));
    }

    private static ByteBuffer stat64(GuestTask task, String path, int flags) {
        int buffer = task.buffer(FileStatus.STAT64_SIZE);
        int pathAddress = task.string(path);
        assertEquals(0, task.call(d -> d.newfstatat(task.space, AT_FDCWD, pathAddress, buffer, flags)), "fstatat " + path);
        return GuestTask.little(task.space.read(buffer, FileStatus.STAT64_SIZE));
    }

    @Test
    void fstatOfAnUnlinkedOpenFileStillWorks() throws Exception {
        GuestTask task = new GuestTask(root);
        int fd = task.open("temporary", CREATE_RW);
        assertEquals(3, task.write(fd, "abc"));
        int path = task.string("temporary");
        assertEquals(0, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, 0)));
        ByteBuffer status = task.statx(fd, "", AT_EMPTY_PATH);
        assertEquals(0, status.getInt(16), "no links");
        assertEquals(3, status.getLong(40));
    }

    @Test
    void unknownFlagsAreEinval() throws Exception {
        GuestTask task = new GuestTask(root);
        Files.createDirectory(root.resolve("dir"));
        assertEquals(-Errno.EINVAL, task.statxError(AT_FDCWD, "dir", 0x1));
        assertEquals(-Errno.EINVAL, task.statxError(AT_FDCWD, "dir", FileFlags.AT_STATX_SYNC_TYPE));
        int path = task.string("dir");
        int buffer = task.buffer(FileStatus.STATX_SIZE);
        assertEquals(-Errno.EINVAL, task.call(d -> d.statx(task.space, AT_FDCWD, path, 0, 0x80000000, buffer)), "a reserved mask bit");
        assertEquals(-Errno.EINVAL, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, 0x1)));
        assertEquals(-Errno.EISDIR, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, 0)));
        assertTrue(Files.isDirectory(root.resolve("dir")));
    }

    @Test
    void ioctlIsEnottyForEveryOpenDescriptor() throws Exception {
        GuestTask task = new GuestTask(root);
        int file = task.open("f", CREATE_RW);
        int[] pipe = task.pipe(0);
        int termios = task.buffer(64);
        int tcgets = 0x5401;
        for (int fd : List.of(0, 1, 2, file, pipe[0], pipe[1])) {
            assertEquals(-Errno.ENOTTY, task.call(d -> d.ioctl(task.space, fd, tcgets, termios)), "fd " + fd);
        }
        assertEquals(-Errno.EBADF, task.call(d -> d.ioctl(task.space, 99, tcgets, termios)));
        assertEquals(-Errno.EBADF, task.call(d -> d.ioctl(task.space, -1, tcgets, termios)));
    }

    @Test
    void appendWritesGoToTheEnd() throws Exception {
        GuestTask task = new GuestTask(root);
        Files.writeString(root.resolve("log"), "one\n");
        int fd = task.open("log", ServiceFileSystem.O_WRONLY | ServiceFileSystem.O_APPEND);
        assertEquals(0, task.seek(fd, 0, 0));
        assertEquals(4, task.write(fd, "two\n"));
        assertEquals("one\ntwo\n", Files.readString(root.resolve("log")));
    }

    @Test
    void readWholeFileReadsAnExecutableRegularFileOnly() throws Exception {
        GuestTask task = new GuestTask(root);
        byte[] program = new byte[300_000];
        program[0] = 0x7f;
        program[program.length - 1] = 1;
        Path executable = Files.write(root.resolve("prog"), program);
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertArrayEquals(program, task.descriptors.readWholeFile("/prog"));
        assertArrayEquals(program, task.descriptors.readWholeFile("prog"), "relative to the working directory, the root");

        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Errno.EACCES, errno(() -> task.descriptors.readWholeFile("/prog")), "no execute bit");
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rw-r--r-x"));
        assertArrayEquals(program, task.descriptors.readWholeFile("/prog"), "one execute bit is enough, as for root");
        Files.createDirectory(root.resolve("dir"));
        assertEquals(Errno.EACCES, errno(() -> task.descriptors.readWholeFile("/dir")));
        assertEquals(Errno.ENOENT, errno(() -> task.descriptors.readWholeFile("/missing")));

        Path huge = root.resolve("huge");
        try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
            sparse.setLength(Descriptors.MAX_PROGRAM_BYTES + 1L);
        }
        Files.setPosixFilePermissions(huge, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(Errno.ENOMEM, errno(() -> task.descriptors.readWholeFile("/huge")));
        assertEquals(3, task.descriptors.openCount(), "readWholeFile leaves no descriptor behind");
    }

    @Test
    void closeAllClosesEveryHostFile() throws Exception {
        Path descriptors = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(descriptors), "needs /proc/self/fd to see the host's open files");
        GuestTask task = new GuestTask(root);
        Path file = root.toRealPath().resolve("kept-open");
        assertEquals(3, task.open("kept-open", CREATE_RW));
        assertEquals(4, task.open("kept-open", ServiceFileSystem.O_RDONLY));
        assertEquals(5, task.call(d -> d.dup(4)));
        assertEquals(2, hostDescriptorsOn(descriptors, file), "a dup shares the host file");
        task.descriptors.closeAll();
        assertEquals(0, task.descriptors.openCount());
        assertEquals(0, hostDescriptorsOn(descriptors, file));
    }

    static long hostDescriptorsOn(Path descriptors, Path file) throws IOException {
        try (Stream<Path> open = Files.list(descriptors)) {
            return open.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException gone) {
                    return false; // closed while listed (the listing's own descriptor)
                }
            }).count();
        }
    }

    /** A call of the table that must fail: its errno. */
    @FunctionalInterface
    interface Failing {
        void run() throws FileSystemException;
    }

    static int errno(Failing call) {
        try {
            call.run();
        } catch (FileSystemException expected) {
            return expected.errno();
        }
        throw new AssertionError("the call succeeded");
    }
}
