package io.uniform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.uniform.cpu.Hart;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.guest.GuestFiles;
import io.uniform.process.Errno;
import io.uniform.process.ExitStatus;
import io.uniform.process.ProcessClock;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.ServiceFileSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file calls of the Linux personality (openat, close, read, write, _llseek, statx,
 * unlinkat) on a {@link ServiceFileSystem} over a temporary directory. Each call is made
 * directly: an {@code ecall} placed in the process's memory runs with the registers the test
 * sets, so every argument (wild pointers included) is exactly what the test chose.
 */
class FileCallsTest {
    private static final int OPENAT = 56;
    private static final int CLOSE = 57;
    private static final int LLSEEK = 62;
    private static final int READ = 63;
    private static final int WRITE = 64;
    private static final int EXIT_GROUP = 94;
    private static final int STATX = 291;
    private static final int UNLINKAT = 35;

    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int AT_REMOVEDIR = 0x200;
    private static final int EOPNOTSUPP = 95;
    private static final int S_IFCHR = 0020000;
    private static final int CREATE_RW = ServiceFileSystem.O_CREAT | ServiceFileSystem.O_RDWR;
    /** Below {@link LinuxProcess#LOAD_BASE}: never mapped. */
    private static final int WILD = 0x10;

    private static final int ECALL = 0x00000073;
    private static final int JUMP_TO_SELF = 0x0000006f;

    @TempDir
    Path root;

    /**
     * A fresh process whose calls the test makes one at a time; it can run its program too, as
     * the call stub lies in the stack 1 MiB below where the program's stack starts.
     */
    private static final class Guest {
        final LinuxProcess process;
        final Hart hart;
        final AddressSpace space;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int code;
        private int free;

        Guest(Path root) throws Exception {
            this(root, "tests/hello.elf");
        }

        Guest(Path root, String program) throws Exception {
            ServiceFileSystem fileSystem = root == null ? null : new ServiceFileSystem(root);
            Console console = new Console(new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
            process = LinuxProcess.exec(GuestFiles.elf(program), List.of(program), Map.of(),
                    LinuxProcess.Limits.DEFAULT, console, fileSystem, ProcessClock.host());
            hart = process.hart();
            space = hart.addressSpace();
            code = (hart.register(2) - (1 << 20)) & ~0xfff; // in the stack's unused part
            space.store32(code, ECALL);
            space.store32(code + 4, JUMP_TO_SELF); // where a slice ends if it goes on after the call
            free = code + 0x1000;
        }

        /** Makes system call {@code number}; its result. */
        int call(int number, int... args) {
            for (int i = 0; i < args.length; i++) {
                hart.setRegister(10 + i, args[i]);
            }
            hart.setRegister(17, number);
            hart.setPc(code);
            process.runSlice(1);
            assertEquals(code + 4, hart.pc(), "the call returned");
            return hart.register(10);
        }

        /** {@code size} bytes of guest memory, zeroed. */
        int buffer(int size) {
            int address = free;
            free += (size + 15) & ~15;
            space.zero(address, size);
            return address;
        }

        /** A NUL-terminated copy of {@code bytes} in guest memory. */
        int string(byte[] bytes) {
            int address = buffer(bytes.length + 1);
            space.write(address, bytes, 0, bytes.length);
            return address;
        }

        int string(String text) {
            return string(text.getBytes(StandardCharsets.UTF_8));
        }

        int open(String path, int flags) {
            return call(OPENAT, AT_FDCWD, string(path), flags, 0644);
        }

        int write(int fd, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return call(WRITE, fd, string(bytes), bytes.length);
        }

        /** Reads up to {@code max} bytes; they must come. */
        String read(int fd, int max) {
            int buffer = buffer(max);
            int n = call(READ, fd, buffer, max);
            assertTrue(n >= 0, "read: " + n);
            return new String(space.read(buffer, n), StandardCharsets.UTF_8);
        }

        /** _llseek; the position it stores, or the error it returns. */
        long seek(int fd, long offset, int whence) {
            int result = buffer(8);
            int r = call(LLSEEK, fd, (int) (offset >> 32), (int) offset, result, whence);
            return r < 0 ? r : Integer.toUnsignedLong(space.load32(result)) | (long) space.load32(result + 4) << 32;
        }

        /** statx into a fresh buffer: the structure, or null after asserting the error. */
        ByteBuffer statx(int dirfd, String path, int flags) {
            int buffer = buffer(FileStatus.STATX_SIZE);
            int r = call(STATX, dirfd, string(path), flags, FileStatus.STATX_BASIC_STATS, buffer);
            assertEquals(0, r, "statx " + path);
            return ByteBuffer.wrap(space.read(buffer, FileStatus.STATX_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        }

        int statxError(int dirfd, String path, int flags) {
            return call(STATX, dirfd, string(path), flags, FileStatus.STATX_BASIC_STATS, buffer(FileStatus.STATX_SIZE));
        }
    }

    private static int mode(ByteBuffer statx) {
        return statx.getShort(28) & 0xffff;
    }

    private static long size(ByteBuffer statx) {
        return statx.getLong(40);
    }

    // ---- the guest program

    @Test
    void theFilesProgramPrintsTheGoldenOutputAndLeavesNothingBehind() throws Exception {
        Guest guest = new Guest(root, "tests/files.elf");
        Optional<ExitStatus> status = Optional.empty();
        while (status.isEmpty() && guest.hart.cycles() < 200_000_000L) {
            status = guest.process.runSlice(1 << 20);
        }
        assertEquals(Optional.of(ExitStatus.exited(0)), status);
        assertArrayEquals(GuestFiles.expected("tests/files.out"), guest.out.toByteArray(),
                () -> guest.out.toString(StandardCharsets.UTF_8));
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(List.of(), left.toList(), "the program removed its file");
        }
    }

    // ---- the calls

    @Test
    void createWriteSeekReadStatCloseAndUnlinkAFile() throws Exception {
        Guest guest = new Guest(root);
        int fd = guest.open("notes.txt", CREATE_RW | ServiceFileSystem.O_EXCL);
        assertEquals(3, fd, "the first file gets descriptor 3");
        assertEquals(11, guest.write(fd, "hello world"));
        assertEquals("hello world", Files.readString(root.resolve("notes.txt")));

        assertEquals(6, guest.seek(fd, 6, 0));
        assertEquals("world", guest.read(fd, 64));
        assertEquals("", guest.read(fd, 64), "end of file");
        assertEquals(7, guest.seek(fd, -4, 2));
        assertEquals(9, guest.seek(fd, 2, 1));
        assertEquals(-Errno.EINVAL, guest.seek(fd, -100, 1), "before the start");
        assertEquals(-Errno.EINVAL, guest.seek(fd, 0, 3), "unknown whence");
        assertEquals(1L << 33, guest.seek(fd, 1L << 33, 0), "a 64-bit offset, high word and low word");

        ByteBuffer byPath = guest.statx(AT_FDCWD, "notes.txt", 0);
        assertEquals(FileStatus.S_IFREG, mode(byPath) & FileStatus.S_IFMT);
        assertEquals(11, size(byPath));
        ByteBuffer byFd = guest.statx(fd, "", AT_EMPTY_PATH);
        assertEquals(byPath.getLong(32), byFd.getLong(32), "the same inode");
        assertEquals(11, size(byFd));
        ByteBuffer cwd = guest.statx(AT_FDCWD, "", AT_EMPTY_PATH);
        assertEquals(FileStatus.S_IFDIR, mode(cwd) & FileStatus.S_IFMT, "the working directory");
        assertEquals(-Errno.ENOENT, guest.statxError(AT_FDCWD, "", 0), "an empty path without AT_EMPTY_PATH");

        assertEquals(0, guest.call(CLOSE, fd));
        assertEquals(-Errno.EBADF, guest.call(CLOSE, fd));
        assertEquals(-Errno.EBADF, guest.call(READ, fd, guest.buffer(4), 4));
        assertEquals(-Errno.EEXIST, guest.open("notes.txt", CREATE_RW | ServiceFileSystem.O_EXCL));

        assertEquals(0, guest.call(UNLINKAT, AT_FDCWD, guest.string("notes.txt"), 0));
        assertFalse(Files.exists(root.resolve("notes.txt")));
        assertEquals(-Errno.ENOENT, guest.call(UNLINKAT, AT_FDCWD, guest.string("notes.txt"), 0));
        assertEquals(-Errno.ENOENT, guest.open("notes.txt", ServiceFileSystem.O_RDONLY));
    }

    @Test
    void readsAndWritesOfManyChunksMoveTheWholeCount() throws Exception {
        Guest guest = new Guest(root);
        byte[] data = new byte[200_000]; // three 64 KiB chunks and a bit
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        int fd = guest.open("big", CREATE_RW);
        int source = guest.buffer(data.length);
        guest.space.write(source, data, 0, data.length);
        assertEquals(data.length, guest.call(WRITE, fd, source, data.length));
        assertArrayEquals(data, Files.readAllBytes(root.resolve("big")));

        assertEquals(0, guest.seek(fd, 0, 0));
        int target = guest.buffer(data.length + 100);
        assertEquals(data.length, guest.call(READ, fd, target, data.length + 100), "up to the end of the file");
        assertArrayEquals(data, guest.space.read(target, data.length));
    }

    @Test
    void aWildPointerIsEfaultAndChangesNothing() throws Exception {
        Guest guest = new Guest(root);
        assertEquals(-Errno.EFAULT, guest.call(OPENAT, AT_FDCWD, WILD, CREATE_RW, 0644));
        assertEquals(-Errno.EFAULT, guest.call(OPENAT, AT_FDCWD, 0xfffffff0, CREATE_RW, 0644));
        assertEquals(-Errno.EFAULT, guest.call(OPENAT, AT_FDCWD, 0, CREATE_RW, 0644), "a null path");
        int fd = guest.open("data", CREATE_RW);
        assertEquals(3, fd, "the faulting opens opened nothing");
        assertEquals(6, guest.write(fd, "abcdef"));
        assertEquals(0, guest.seek(fd, 0, 0));

        assertEquals(-Errno.EFAULT, guest.call(READ, fd, WILD, 4));
        assertEquals(-Errno.EFAULT, guest.call(READ, fd, guest.buffer(4), 0x80000000), "a count of 2 GiB");
        assertEquals("abcd", guest.read(fd, 4), "the faulting reads consumed nothing");
        assertEquals(-Errno.EFAULT, guest.call(WRITE, fd, WILD, 4));
        assertEquals(-Errno.EFAULT, guest.call(WRITE, fd, 0xfffffffc, 8), "a buffer past the top of the address space");
        assertEquals(-Errno.EFAULT, guest.call(LLSEEK, fd, 0, 1, WILD, 0));
        assertEquals("ef", guest.read(fd, 4), "the faulting write and seek moved nothing");
        assertEquals("abcdef", Files.readString(root.resolve("data")));

        assertEquals(-Errno.EFAULT, guest.call(STATX, AT_FDCWD, guest.string("data"), 0, FileStatus.STATX_BASIC_STATS, WILD));
        assertEquals(-Errno.EFAULT, guest.call(STATX, AT_FDCWD, WILD, 0, FileStatus.STATX_BASIC_STATS, guest.buffer(256)));
        assertEquals(-Errno.EFAULT, guest.call(STATX, fd, WILD, AT_EMPTY_PATH, FileStatus.STATX_BASIC_STATS, guest.buffer(256)));
        assertEquals(-Errno.EFAULT, guest.call(UNLINKAT, AT_FDCWD, WILD, 0));
        assertTrue(Files.exists(root.resolve("data")));
        assertTrue(guest.process.exitStatus().isEmpty(), "a bad pointer fails the call, not the process");
    }

    @Test
    void aPathOfPathMaxBytesWithoutItsNulIsEnametoolong() throws Exception {
        Guest guest = new Guest(root);
        String longest = "a/".repeat(2047) + "a"; // 4095 bytes: the longest path there is
        assertEquals(io.uniform.process.files.GuestPath.PATH_MAX - 1, longest.length());
        assertEquals(-Errno.ENOENT, guest.open(longest, ServiceFileSystem.O_RDONLY), "looked up, and not there");
        String tooLong = longest + "a";
        assertEquals(-Errno.ENAMETOOLONG, guest.open(tooLong, ServiceFileSystem.O_RDONLY));
        assertEquals(-Errno.ENAMETOOLONG, guest.open(tooLong + "/more", CREATE_RW));
        assertEquals(-Errno.ENAMETOOLONG, guest.statxError(AT_FDCWD, tooLong, 0));
        assertEquals(-Errno.ENAMETOOLONG, guest.call(UNLINKAT, AT_FDCWD, guest.string(tooLong), 0));
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(0, left.count(), "nothing was created");
        }
    }

    @Test
    void aPathThatIsNotUtf8IsEinval() throws Exception {
        Guest guest = new Guest(root);
        int path = guest.string(new byte[] {'x', (byte) 0xff, 'y'});
        assertEquals(-Errno.EINVAL, guest.call(OPENAT, AT_FDCWD, path, CREATE_RW, 0644));
    }

    @Test
    void pathsStayInsideTheRoot() throws Exception {
        Guest guest = new Guest(root);
        assertEquals(-Errno.ENOENT, guest.open("../../etc/passwd", ServiceFileSystem.O_RDONLY),
                "the host's /etc/passwd is not reached");
        assertEquals(-Errno.ENOENT, guest.open("/etc/passwd", ServiceFileSystem.O_RDONLY));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc"));
        assertEquals(-Errno.ENOENT, guest.open("escape/passwd", ServiceFileSystem.O_RDONLY), "a link's target is inside the root too");

        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "guest:x:0:0::/:/bin/sh\n");
        int fd = guest.open("../../etc/passwd", ServiceFileSystem.O_RDONLY);
        assertTrue(fd >= 3, "opened: " + fd);
        assertEquals("guest:x:0:0::/:/bin/sh\n", guest.read(fd, 4096), "the root's own /etc/passwd");
        assertEquals(-Errno.EEXIST, guest.open("/../etc/passwd", CREATE_RW | ServiceFileSystem.O_EXCL));
    }

    @Test
    void withoutAFileSystemEveryPathIsEnoent() throws Exception {
        Guest guest = new Guest(null);
        assertEquals(-Errno.ENOENT, guest.open("anything", CREATE_RW));
        assertEquals(-Errno.ENOENT, guest.statxError(AT_FDCWD, "/", 0));
        assertEquals(-Errno.ENOENT, guest.call(UNLINKAT, AT_FDCWD, guest.string("anything"), 0));
        assertEquals(-Errno.EBADF, guest.call(READ, 3, guest.buffer(4), 4));
        assertEquals(S_IFCHR, mode(guest.statx(1, "", AT_EMPTY_PATH)) & FileStatus.S_IFMT, "the console is there still");
    }

    @Test
    void descriptorsZeroToTwoAreTheConsole() throws Exception {
        Guest guest = new Guest(root);
        for (int fd = 0; fd < 3; fd++) {
            assertEquals(S_IFCHR | 0620, mode(guest.statx(fd, "", AT_EMPTY_PATH)), "fd " + fd + " is a character device");
        }
        assertEquals(-Errno.ESPIPE, guest.seek(0, 0, 1));
        assertEquals(-Errno.EBADF, guest.call(READ, 1, guest.buffer(4), 4));
        assertEquals(-Errno.EBADF, guest.write(0, "x"));
        assertEquals(0, guest.call(READ, 0, guest.buffer(4), 4), "stdin is empty");

        assertEquals(3, guest.write(1, "hi\n"));
        assertEquals(0, guest.call(CLOSE, 1));
        assertEquals(-Errno.EBADF, guest.write(1, "gone\n"));
        assertEquals(-Errno.EBADF, guest.call(CLOSE, 1));
        assertEquals(-Errno.EBADF, guest.statxError(1, "", AT_EMPTY_PATH));
        assertEquals(-Errno.EBADF, guest.seek(1, 0, 1));
        assertEquals("hi\n", guest.out.toString(StandardCharsets.UTF_8));
        assertEquals(3, guest.open("new", CREATE_RW), "new descriptors start at 3 even when 1 is free");
        assertEquals(2, guest.write(2, "ok"), "the others stay open");
    }

    @Test
    void aRelativePathNeedsAtFdcwd() throws Exception {
        Guest guest = new Guest(root);
        Files.createDirectory(root.resolve("dir"));
        Files.writeString(root.resolve("dir/inner"), "inner");
        assertEquals(-Errno.EBADF, guest.call(OPENAT, 7, guest.string("dir/inner"), 0, 0), "dirfd not open");
        assertEquals(-Errno.ENOTDIR, guest.call(OPENAT, 2, guest.string("dir/inner"), 0, 0), "the console is no directory");
        int file = guest.open("dir/inner", ServiceFileSystem.O_RDONLY);
        assertEquals(-Errno.ENOTDIR, guest.call(OPENAT, file, guest.string("inner"), 0, 0));
        int dir = guest.open("dir", ServiceFileSystem.O_RDONLY | ServiceFileSystem.O_DIRECTORY);
        assertTrue(dir >= 3, "a directory opens: " + dir);
        assertEquals(-EOPNOTSUPP, guest.call(OPENAT, dir, guest.string("inner"), 0, 0), "not supported, and says so");
        assertEquals(-Errno.EISDIR, guest.call(READ, dir, guest.buffer(4), 4));
        int absolute = guest.call(OPENAT, 7, guest.string("/dir/inner"), 0, 0);
        assertTrue(absolute >= 3, "an absolute path ignores dirfd: " + absolute);
        assertEquals("inner", guest.read(absolute, 16));
    }

    @Test
    void unknownFlagsAreEinvalAndDirectoriesAreNotRemoved() throws Exception {
        Guest guest = new Guest(root);
        Files.createDirectory(root.resolve("dir"));
        assertEquals(-Errno.EINVAL, guest.statxError(AT_FDCWD, "dir", 0x1));
        assertEquals(-Errno.EINVAL, guest.call(UNLINKAT, AT_FDCWD, guest.string("dir"), 0x1));
        assertEquals(-Errno.EISDIR, guest.call(UNLINKAT, AT_FDCWD, guest.string("dir"), 0));
        assertEquals(-EOPNOTSUPP, guest.call(UNLINKAT, AT_FDCWD, guest.string("dir"), AT_REMOVEDIR));
        assertTrue(Files.isDirectory(root.resolve("dir")));
    }

    @Test
    void exitClosesEveryFile() throws Exception {
        Path descriptors = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(descriptors), "needs /proc/self/fd to see the host's open files");
        Guest guest = new Guest(root);
        Path file = root.toRealPath().resolve("kept-open");
        assertTrue(guest.open("kept-open", CREATE_RW) >= 3);
        assertTrue(guest.open("kept-open", ServiceFileSystem.O_RDONLY) >= 3);
        assertEquals(2, hostDescriptorsOn(descriptors, file));
        guest.call(EXIT_GROUP, 0);
        assertEquals(Optional.of(ExitStatus.exited(0)), guest.process.exitStatus());
        assertEquals(0, hostDescriptorsOn(descriptors, file));
    }

    private static long hostDescriptorsOn(Path descriptors, Path file) throws IOException {
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
}
