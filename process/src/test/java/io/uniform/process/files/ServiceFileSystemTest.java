package io.uniform.process.files;

import static io.uniform.process.files.ServiceFileSystem.O_APPEND;
import static io.uniform.process.files.ServiceFileSystem.O_CREAT;
import static io.uniform.process.files.ServiceFileSystem.O_DIRECTORY;
import static io.uniform.process.files.ServiceFileSystem.O_EXCL;
import static io.uniform.process.files.ServiceFileSystem.O_RDONLY;
import static io.uniform.process.files.ServiceFileSystem.O_RDWR;
import static io.uniform.process.files.ServiceFileSystem.O_TRUNC;
import static io.uniform.process.files.ServiceFileSystem.O_WRONLY;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Files, their contents and their errors, inside the root. Confinement is {@link ConfinementTest}'s. */
class ServiceFileSystemTest {
    @TempDir
    Path root;

    private ServiceFileSystem fs;

    @BeforeEach
    void setUp() {
        fs = new ServiceFileSystem(root);
    }

    static int errno(Executable operation) {
        return assertThrows(FileSystemException.class, operation).errno();
    }

    static String readAll(OpenFile file) throws FileSystemException {
        byte[] buffer = new byte[4096];
        StringBuilder text = new StringBuilder();
        for (int count; (count = file.read(buffer, 0, buffer.length)) > 0; ) {
            text.append(new String(buffer, 0, count, UTF_8));
        }
        return text.toString();
    }

    private static void write(OpenFile file, String text) throws FileSystemException {
        byte[] bytes = text.getBytes(UTF_8);
        assertEquals(bytes.length, file.write(bytes, 0, bytes.length));
    }

    @Test
    void rootIsCanonicalAndMustBeAnExistingDirectory() throws IOException {
        Files.createDirectory(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        assertEquals(root.resolve("real").toRealPath(), new ServiceFileSystem(root.resolve("alias")).root());
        Files.writeString(root.resolve("plain"), "x");
        assertThrows(IllegalArgumentException.class, () -> new ServiceFileSystem(root.resolve("plain")));
        assertThrows(IllegalArgumentException.class, () -> new ServiceFileSystem(root.resolve("missing")));
    }

    @Test
    void createWriteSeekAndReadBack() throws Exception {
        try (OpenFile file = fs.open("/notes.txt", O_CREAT | O_RDWR, 0644)) {
            assertTrue(file.readable());
            assertTrue(file.writable());
            write(file, "hello, world");
            assertEquals(12, file.position());
            assertEquals(7, file.seek(7, OpenFile.SEEK_SET));
            byte[] buffer = new byte[16];
            assertEquals(5, file.read(buffer, 2, 16 - 2));
            assertEquals("world", new String(buffer, 2, 5, UTF_8));
            assertEquals(0, file.read(buffer, 0, 16), "end of file");
            assertEquals(5, file.seek(-7, OpenFile.SEEK_CUR));
            assertEquals(10, file.seek(-2, OpenFile.SEEK_END));
            assertEquals("ld", readAll(file));
        }
        assertEquals("hello, world", Files.readString(root.resolve("notes.txt")));
        try (OpenFile again = fs.open("notes.txt", O_RDONLY, 0)) {
            assertEquals("hello, world", readAll(again), "a relative path starts at the root");
        }
    }

    @Test
    void writeBeyondTheEndLeavesAHoleOfZeros() throws Exception {
        try (OpenFile file = fs.open("/sparse", O_CREAT | O_WRONLY, 0644)) {
            file.seek(3, OpenFile.SEEK_SET);
            write(file, "x");
        }
        assertArrayEquals(new byte[] {0, 0, 0, 'x'}, Files.readAllBytes(root.resolve("sparse")));
    }

    @Test
    void appendWritesAtTheEndWhereverThePositionIs() throws Exception {
        Files.writeString(root.resolve("log"), "one\n");
        try (OpenFile file = fs.open("/log", O_RDWR | O_APPEND, 0)) {
            file.seek(0, OpenFile.SEEK_SET);
            write(file, "two\n");
            assertEquals(8, file.position());
            file.seek(1, OpenFile.SEEK_SET);
            write(file, "three\n");
            assertEquals(14, file.position());
            file.seek(0, OpenFile.SEEK_SET);
            assertEquals("one\ntwo\nthree\n", readAll(file));
        }
    }

    @Test
    void truncateEmptiesAnExistingFile() throws Exception {
        Files.writeString(root.resolve("data"), "old contents");
        try (OpenFile file = fs.open("/data", O_WRONLY | O_TRUNC, 0)) {
            assertEquals(0, file.stat().size());
            write(file, "new");
        }
        assertEquals("new", Files.readString(root.resolve("data")));
        try (OpenFile file = fs.open("/data", O_RDONLY, 0)) {
            assertEquals("new", readAll(file), "without O_TRUNC the contents stay");
        }
    }

    @Test
    void exclusiveCreateFailsOnAnExistingFileAndLeavesItAlone() throws Exception {
        try (OpenFile file = fs.open("/lock", O_CREAT | O_EXCL | O_WRONLY, 0600)) {
            write(file, "mine");
        }
        assertEquals(Errno.EEXIST, errno(() -> fs.open("/lock", O_CREAT | O_EXCL | O_WRONLY, 0600)));
        assertEquals("mine", Files.readString(root.resolve("lock")));
        try (OpenFile file = fs.open("/lock", O_CREAT | O_RDONLY, 0600)) {
            assertEquals("mine", readAll(file), "O_CREAT alone opens the existing file");
        }
    }

    @Test
    void exclusiveCreateDoesNotCreateThroughADanglingLink() throws Exception {
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("target"));
        assertEquals(Errno.EEXIST, errno(() -> fs.open("/dangling", O_CREAT | O_EXCL | O_WRONLY, 0600)));
        assertFalse(Files.exists(root.resolve("target")));
        fs.open("/dangling", O_CREAT | O_WRONLY, 0600).close();
        assertTrue(Files.isRegularFile(root.resolve("target")), "plain O_CREAT creates the link's target");
    }

    @Test
    void createdFileIsReadOnlyWhenOpenedSoEvenWithModeZero() throws Exception {
        try (OpenFile file = fs.open("/locked", O_CREAT | O_RDONLY, 0)) {
            assertTrue(file.readable());
            assertFalse(file.writable());
            assertEquals(FileStatus.S_IFREG, file.stat().mode());
            assertEquals(Errno.EBADF, errno(() -> file.write(new byte[1], 0, 1)));
        }
    }

    @Test
    void statReportsSizeModeTypeAndTimes() throws Exception {
        try (OpenFile file = fs.open("/f", O_CREAT | O_WRONLY, 0600)) {
            write(file, "12345");
        }
        Files.setPosixFilePermissions(root.resolve("f"), PosixFilePermissions.fromString("rw-r-----"));
        FileStatus status = fs.stat("/f");
        assertEquals(FileStatus.S_IFREG | 0640, status.mode());
        assertEquals(5, status.size());
        assertEquals(1, status.nlink());
        assertEquals(8, status.blocks(), "one 4 KiB block in 512-byte units");
        assertEquals(4096, status.blockSize());
        assertEquals(Files.getAttribute(root.resolve("f"), "unix:ino"), status.inode());
        assertEquals(Files.getLastModifiedTime(root.resolve("f")).toInstant(),
                java.time.Instant.EPOCH.plusNanos(status.modifyNanos()));

        Files.createDirectory(root.resolve("d"));
        FileStatus directory = fs.stat("/d/");
        assertEquals(FileStatus.S_IFDIR, directory.mode() & FileStatus.S_IFMT);
        assertEquals(FileStatus.S_IFDIR, fs.stat("/").mode() & FileStatus.S_IFMT);
        assertEquals(Files.getAttribute(root, "unix:ino"), fs.stat("/").inode());
    }

    @Test
    void statFollowsLinksInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("data/sub"));
        Files.writeString(root.resolve("data/sub/file"), "inside");
        Files.createSymbolicLink(root.resolve("relative"), Path.of("data/sub/file"));
        Files.createSymbolicLink(root.resolve("data/absolute"), Path.of("/data/sub/file"));
        Files.createSymbolicLink(root.resolve("data/sub/updir"), Path.of(".."));
        long inode = (Long) Files.getAttribute(root.resolve("data/sub/file"), "unix:ino");
        assertEquals(inode, fs.stat("relative").inode());
        assertEquals(inode, fs.stat("/data/absolute").inode());
        assertEquals(inode, fs.stat("/data/sub/updir/sub/file").inode());
        assertEquals(inode, fs.stat("/data/sub/updir/../data/./sub//file").inode());
        try (OpenFile file = fs.open("/data/absolute", O_RDONLY, 0)) {
            assertEquals("inside", readAll(file));
        }
    }

    @Test
    void unlinkRemovesTheNameAndThenItIsGone() throws Exception {
        fs.open("/gone", O_CREAT | O_WRONLY, 0644).close();
        fs.unlink("/gone");
        assertFalse(Files.exists(root.resolve("gone")));
        assertEquals(Errno.ENOENT, errno(() -> fs.stat("/gone")));
        assertEquals(Errno.ENOENT, errno(() -> fs.open("/gone", O_RDONLY, 0)));
        assertEquals(Errno.ENOENT, errno(() -> fs.unlink("/gone")));
    }

    @Test
    void unlinkOfALinkRemovesTheLinkNotItsTarget() throws Exception {
        Files.writeString(root.resolve("target"), "kept");
        Files.createSymbolicLink(root.resolve("link"), Path.of("target"));
        fs.unlink("/link");
        assertFalse(Files.exists(root.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(root.resolve("target")));
    }

    @Test
    void unlinkOfADirectoryIsEISDIR() throws Exception {
        Files.createDirectory(root.resolve("d"));
        assertEquals(Errno.EISDIR, errno(() -> fs.unlink("/d")));
        assertEquals(Errno.EISDIR, errno(() -> fs.unlink("/")));
        assertTrue(Files.isDirectory(root.resolve("d")));
    }

    @Test
    void statOfAnOpenFileSurvivesUnlink() throws Exception {
        try (OpenFile file = fs.open("/temporary", O_CREAT | O_RDWR, 0600)) {
            write(file, "abc");
            fs.unlink("/temporary");
            write(file, "de");
            FileStatus status = file.stat();
            assertEquals(0, status.nlink());
            assertEquals(5, status.size());
            assertEquals(FileStatus.S_IFREG, status.mode() & FileStatus.S_IFMT);
            file.seek(0, OpenFile.SEEK_SET);
            assertEquals("abcde", readAll(file));
        }
    }

    @Test
    void missingFilesAndParentsAreENOENTAndAFileInTheMiddleIsENOTDIR() throws Exception {
        Files.writeString(root.resolve("file"), "x");
        assertEquals(Errno.ENOENT, errno(() -> fs.open("/missing", O_RDONLY, 0)));
        assertEquals(Errno.ENOENT, errno(() -> fs.open("/missing/new", O_CREAT | O_WRONLY, 0644)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.open("/file/new", O_CREAT | O_WRONLY, 0644)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.stat("/file/")));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.open("/file", O_RDONLY | O_DIRECTORY, 0)));
        assertEquals(Errno.EISDIR, errno(() -> fs.open("/newdir/", O_CREAT | O_WRONLY, 0644)));
        assertFalse(Files.exists(root.resolve("newdir")));
    }

    @Test
    void accessModeIsEnforcedPerOpenFile() throws Exception {
        Files.writeString(root.resolve("f"), "data");
        byte[] buffer = new byte[4];
        try (OpenFile writeOnly = fs.open("/f", O_WRONLY, 0)) {
            assertFalse(writeOnly.readable());
            assertEquals(Errno.EBADF, errno(() -> writeOnly.read(buffer, 0, 4)));
        }
        try (OpenFile readOnly = fs.open("/f", O_RDONLY, 0)) {
            assertFalse(readOnly.writable());
            assertEquals(Errno.EBADF, errno(() -> readOnly.write(buffer, 0, 4)));
        }
        assertEquals(Errno.EINVAL, errno(() -> fs.open("/f", 3, 0)));
        assertEquals("data", Files.readString(root.resolve("f")));
    }

    @Test
    void directoriesOpenOnlyForReadingAndDoNotRead() throws Exception {
        Files.createDirectory(root.resolve("d"));
        assertEquals(Errno.EISDIR, errno(() -> fs.open("/d", O_WRONLY, 0)));
        assertEquals(Errno.EISDIR, errno(() -> fs.open("/d", O_RDWR, 0)));
        assertEquals(Errno.EISDIR, errno(() -> fs.open("/d", O_RDONLY | O_TRUNC, 0)));
        assertEquals(Errno.EISDIR, errno(() -> fs.open("/d", O_CREAT | O_RDONLY, 0644)));
        assertEquals(Errno.EINVAL, errno(() -> fs.open("/d", O_CREAT | O_DIRECTORY, 0644)));
        try (OpenFile directory = fs.open("/d", O_RDONLY | O_DIRECTORY, 0)) {
            assertEquals(Errno.EISDIR, errno(() -> directory.read(new byte[8], 0, 8)));
            assertEquals(FileStatus.S_IFDIR, directory.stat().mode() & FileStatus.S_IFMT);
        }
    }

    @Test
    void seekRejectsNegativeResultsAndUnknownWhence() throws Exception {
        Files.writeString(root.resolve("f"), "0123456789");
        try (OpenFile file = fs.open("/f", O_RDONLY, 0)) {
            file.seek(4, OpenFile.SEEK_SET);
            assertEquals(Errno.EINVAL, errno(() -> file.seek(-1, OpenFile.SEEK_SET)));
            assertEquals(Errno.EINVAL, errno(() -> file.seek(-5, OpenFile.SEEK_CUR)));
            assertEquals(Errno.EINVAL, errno(() -> file.seek(-11, OpenFile.SEEK_END)));
            assertEquals(Errno.EINVAL, errno(() -> file.seek(Long.MAX_VALUE, OpenFile.SEEK_END)));
            assertEquals(Errno.EINVAL, errno(() -> file.seek(0, 3)));
            assertEquals(4, file.position(), "a failed seek leaves the position");
            assertEquals(100, file.seek(90, OpenFile.SEEK_END), "beyond the end is allowed");
            assertEquals(0, file.read(new byte[4], 0, 4));
        }
    }

    @Test
    void closedFileFailsWithEBADFAndCloseTwiceIsHarmless() throws Exception {
        Files.writeString(root.resolve("f"), "x");
        OpenFile file = fs.open("/f", O_RDWR, 0);
        file.close();
        file.close();
        assertEquals(Errno.EBADF, errno(() -> file.read(new byte[1], 0, 1)));
        assertEquals(Errno.EBADF, errno(() -> file.write(new byte[1], 0, 1)));
        assertEquals(Errno.EBADF, errno(() -> file.seek(0, OpenFile.SEEK_SET)));
        assertEquals(Errno.EBADF, errno(file::stat));
    }

    @Test
    void malformedPathsFailWithTheirErrno() throws Exception {
        assertEquals(Errno.ENOENT, errno(() -> fs.open("", O_RDONLY, 0)));
        assertEquals(Errno.EINVAL, errno(() -> fs.open("a\0b", O_CREAT | O_WRONLY, 0644)));
        String longName = "n".repeat(256);
        assertEquals(Errno.ENAMETOOLONG, errno(() -> fs.open("/" + longName, O_CREAT | O_WRONLY, 0644)));
        fs.open("/" + "n".repeat(255), O_CREAT | O_WRONLY, 0644).close();
        String longPath = "/" + "d/".repeat(2047) + "x";
        assertEquals(4096, longPath.length());
        assertEquals(Errno.ENAMETOOLONG, errno(() -> fs.stat(longPath)));
        assertEquals(Errno.ENOENT, errno(() -> fs.stat(longPath.substring(1))), "4095 bytes is a path");
    }

    @Test
    void hostSpecialFilesAreNotServed() throws Exception {
        Path fifo = root.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        assertEquals(Errno.EACCES, errno(() -> fs.open("/fifo", O_RDONLY, 0)));
    }
}
