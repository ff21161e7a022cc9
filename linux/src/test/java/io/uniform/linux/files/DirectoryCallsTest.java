package io.uniform.linux.files;

import static io.uniform.linux.files.GuestTask.AT_FDCWD;
import static io.uniform.linux.files.GuestTask.CREATE_RW;
import static io.uniform.linux.files.GuestTask.mode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.Errno;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.ServiceFileSystem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories: getdents64, mkdirat, unlinkat with AT_REMOVEDIR, renameat2, and paths relative to a directory descriptor. */
class DirectoryCallsTest {
    private static final int DIRECTORY = ServiceFileSystem.O_RDONLY | ServiceFileSystem.O_DIRECTORY;
    private static final int DT_DIR = 4;
    private static final int DT_REG = 8;
    private static final int DT_LNK = 10;
    private static final byte UNTOUCHED = (byte) 0xaa;

    @TempDir
    Path root;

    private GuestTask task;

    @BeforeEach
    void setUp() {
        task = new GuestTask(root);
    }

    /** getdents64 into a buffer of 0xaa bytes: the bytes stored, or null after asserting the error. */
    private byte[] getdents(int fd, int count, int capacity) {
        int buffer = task.buffer(capacity);
        byte[] filler = new byte[capacity];
        Arrays.fill(filler, UNTOUCHED);
        task.space.write(buffer, filler, 0, capacity);
        int n = task.call(d -> d.getdents64(task.space, fd, buffer, count));
        assertTrue(n >= 0, "getdents64: " + n);
        byte[] all = task.space.read(buffer, capacity);
        for (int i = n; i < capacity; i++) {
            assertEquals(UNTOUCHED, all[i], "byte " + i + " beyond the records is untouched");
        }
        return Arrays.copyOf(all, n);
    }

    /** Names of every entry getdents64 gives from here on, in its order. */
    private List<String> names(int fd) {
        List<String> names = new ArrayList<>();
        for (byte[] records; (records = getdents(fd, 4096, 4096)).length > 0; ) {
            ByteBuffer buffer = ByteBuffer.wrap(records).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < records.length; at += buffer.getShort(at + 16)) {
                int end = at + 19;
                while (records[end] != 0) {
                    end++;
                }
                names.add(new String(records, at + 19, end - at - 19, StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    private static long inode(Path path) throws Exception {
        return (Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** One linux_dirent64 record, written out field by field as the test expects it. */
    private static void expectRecord(ByteBuffer expected, long inode, long nextOffset, int length, int type, String name) {
        int start = expected.position();
        expected.putLong(inode).putLong(nextOffset).putShort((short) length).put((byte) type)
                .put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        expected.position(start + length); // the padding stays zero
    }

    @Test
    void getdents64StoresAlignedRecordsDotsFirstThenNamesSorted() throws Exception {
        Files.createDirectories(root.resolve("d/bb"));
        Files.writeString(root.resolve("d/a"), "x");
        Files.createSymbolicLink(root.resolve("d/ccccc"), Path.of("nowhere"));
        int fd = task.open("d", DIRECTORY);

        ByteBuffer expected = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        expectRecord(expected, inode(root.resolve("d")), 1, 24, DT_DIR, ".");
        expectRecord(expected, inode(root), 2, 24, DT_DIR, "..");
        expectRecord(expected, inode(root.resolve("d/a")), 3, 24, DT_REG, "a");
        expectRecord(expected, inode(root.resolve("d/bb")), 4, 24, DT_DIR, "bb");
        expectRecord(expected, inode(root.resolve("d/ccccc")), 5, 32, DT_LNK, "ccccc"); // 19 + 6 bytes, padded to 32
        assertArrayEquals(expected.array(), getdents(fd, 4096, 4096));
        assertArrayEquals(new byte[0], getdents(fd, 4096, 4096), "0 at the end");
        assertArrayEquals(new byte[0], getdents(fd, 4096, 4096));
    }

    @Test
    void aBufferTooSmallForTheNextRecordIsEinvalAndLosesNothing() throws Exception {
        Files.createDirectory(root.resolve("d"));
        int fd = task.open("d", DIRECTORY);
        int buffer = task.buffer(64);
        assertEquals(-Errno.EINVAL, task.call(d -> d.getdents64(task.space, fd, buffer, 23)));
        assertEquals(-Errno.EINVAL, task.call(d -> d.getdents64(task.space, fd, buffer, 0)));
        assertEquals(24, getdents(fd, 24, 64).length, "room for \".\" only");
        assertEquals(24, getdents(fd, 47, 64).length, "room for \"..\" only");
        assertEquals(0, getdents(fd, 47, 64).length);
    }

    @Test
    void seekingRewindsAndSkipsAndARewindSeesNewEntries() throws Exception {
        Files.createDirectories(root.resolve("d/x"));
        int fd = task.open("d", DIRECTORY);
        assertEquals(List.of(".", "..", "x"), names(fd));
        Files.writeString(root.resolve("d/y"), "new");
        assertEquals(List.of(), names(fd), "at the end of the snapshot");
        assertEquals(0, task.seek(fd, 0, 0));
        assertEquals(List.of(".", "..", "x", "y"), names(fd), "rewinddir lists afresh");
        assertEquals(2, task.seek(fd, 2, 0));
        assertEquals(List.of("x", "y"), names(fd), "a record's d_off resumes after it");
        assertEquals(3, task.seek(fd, -1, 1));
        assertEquals(List.of("y"), names(fd));
        assertEquals(-Errno.EINVAL, task.seek(fd, 0, 2), "SEEK_END");
        assertEquals(-Errno.EINVAL, task.seek(fd, -1, 0));
    }

    @Test
    void aDirectoryIsNotReadAndOnlyADirectoryIsListed() throws Exception {
        Files.createDirectory(root.resolve("d"));
        Files.writeString(root.resolve("file"), "x");
        int dir = task.open("d", ServiceFileSystem.O_RDONLY);
        int file = task.open("file", ServiceFileSystem.O_RDONLY);
        int buffer = task.buffer(64);
        assertEquals(-Errno.EISDIR, task.call(d -> d.read(task.space, dir, buffer, 64)), "O_RDONLY alone opens a directory too");
        assertEquals(-Errno.EISDIR, task.call(d -> d.read(task.space, dir, buffer, 0)));
        assertEquals(-Errno.ENOTDIR, task.call(d -> d.getdents64(task.space, file, buffer, 64)));
        assertEquals(-Errno.ENOTDIR, task.call(d -> d.getdents64(task.space, 1, buffer, 64)));
        assertEquals(-Errno.EBADF, task.call(d -> d.getdents64(task.space, 99, buffer, 64)));
        assertEquals(-Errno.ENOTDIR, task.open("file", DIRECTORY));
        assertEquals(-Errno.EISDIR, task.open("d", ServiceFileSystem.O_WRONLY));
        assertEquals(FileStatus.S_IFDIR, mode(task.statx(dir, "", FileFlags.AT_EMPTY_PATH)) & FileStatus.S_IFMT);
    }

    @Test
    void aRemovedDirectoryIsEnoentToGetdents() throws Exception {
        Files.createDirectory(root.resolve("d"));
        int fd = task.open("d", DIRECTORY);
        int path = task.string("d");
        assertEquals(0, task.call(d -> d.unlinkat(task.space, AT_FDCWD, path, FileFlags.AT_REMOVEDIR)));
        int buffer = task.buffer(64);
        assertEquals(-Errno.ENOENT, task.call(d -> d.getdents64(task.space, fd, buffer, 64)));
    }

    @Test
    void mkdiratAndUnlinkatWithAtRemovedir() throws Exception {
        int tree = task.string("tree");
        assertEquals(0, task.call(d -> d.mkdirat(task.space, AT_FDCWD, tree, 0755)));
        assertTrue(Files.isDirectory(root.resolve("tree")));
        assertEquals(-Errno.EEXIST, task.call(d -> d.mkdirat(task.space, AT_FDCWD, tree, 0755)));
        int missing = task.string("missing/sub");
        assertEquals(-Errno.ENOENT, task.call(d -> d.mkdirat(task.space, AT_FDCWD, missing, 0755)));

        int dir = task.open("tree", DIRECTORY);
        int sub = task.string("sub");
        assertEquals(0, task.call(d -> d.mkdirat(task.space, dir, sub, 0755)), "relative to the directory descriptor");
        assertTrue(Files.isDirectory(root.resolve("tree/sub")));
        Files.writeString(root.resolve("tree/file"), "x");
        int file = task.string("file");

        assertEquals(-Errno.ENOTEMPTY, task.call(d -> d.unlinkat(task.space, AT_FDCWD, tree, FileFlags.AT_REMOVEDIR)));
        assertEquals(-Errno.ENOTDIR, task.call(d -> d.unlinkat(task.space, dir, file, FileFlags.AT_REMOVEDIR)));
        assertEquals(-Errno.EISDIR, task.call(d -> d.unlinkat(task.space, dir, sub, 0)));
        assertEquals(0, task.call(d -> d.unlinkat(task.space, dir, sub, FileFlags.AT_REMOVEDIR)));
        assertEquals(0, task.call(d -> d.unlinkat(task.space, dir, file, 0)));
        assertEquals(-Errno.EINVAL, task.call(d -> d.unlinkat(task.space, dir, file, FileFlags.AT_REMOVEDIR | 1)));
        assertEquals(List.of(".", ".."), names(dir));
        assertEquals(0, task.call(d -> d.unlinkat(task.space, AT_FDCWD, tree, FileFlags.AT_REMOVEDIR)));
        assertFalse(Files.exists(root.resolve("tree")));
        int slash = task.string("/");
        assertEquals(-Errno.EBUSY, task.call(d -> d.unlinkat(task.space, AT_FDCWD, slash, FileFlags.AT_REMOVEDIR)));
    }

    @Test
    void renameat2RenamesBetweenDirectoryDescriptors() throws Exception {
        Files.createDirectories(root.resolve("from"));
        Files.createDirectories(root.resolve("to"));
        Files.writeString(root.resolve("from/a"), "A");
        Files.writeString(root.resolve("to/b"), "B");
        int from = task.open("from", DIRECTORY);
        int to = task.open("/to", DIRECTORY);
        int a = task.string("a");
        int b = task.string("b");
        assertEquals(-Errno.EEXIST, task.call(d -> d.renameat2(task.space, from, a, to, b, FileFlags.RENAME_NOREPLACE)));
        assertEquals(-Errno.EINVAL, task.call(d -> d.renameat2(task.space, from, a, to, b, 2)), "RENAME_EXCHANGE");
        assertEquals(-Errno.EINVAL, task.call(d -> d.renameat2(task.space, from, a, to, b, 4)), "RENAME_WHITEOUT");
        assertEquals("B", Files.readString(root.resolve("to/b")));
        assertEquals(0, task.call(d -> d.renameat2(task.space, from, a, to, b, 0)));
        assertEquals("A", Files.readString(root.resolve("to/b")), "replaced");
        assertFalse(Files.exists(root.resolve("from/a")));
        int c = task.string("/from/c");
        assertEquals(-Errno.ENOENT, task.call(d -> d.renameat2(task.space, AT_FDCWD, c, AT_FDCWD, c, 0)),
                "a missing name cannot be renamed, not even onto itself");
        assertEquals(0, task.call(d -> d.renameat2(task.space, to, b, AT_FDCWD, c, FileFlags.RENAME_NOREPLACE)));
        assertEquals("A", Files.readString(root.resolve("from/c")));
        int file = task.open("from/c", ServiceFileSystem.O_RDONLY);
        assertEquals(-Errno.ENOTDIR, task.call(d -> d.renameat2(task.space, file, a, AT_FDCWD, b, 0)), "a file is no directory");
        assertEquals(-Errno.EBADF, task.call(d -> d.renameat2(task.space, AT_FDCWD, a, 99, b, 0)));
    }

    @Test
    void relativePathsStartAtTheDirectoryDescriptorsPath() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/inner"), "inner");
        Files.writeString(root.resolve("a/sibling"), "sibling");
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/b"));
        int b = task.open("a/b", DIRECTORY);
        assertEquals("inner", task.read(task.openAt(b, "inner", ServiceFileSystem.O_RDONLY), 16));
        assertEquals("sibling", task.read(task.openAt(b, "../sibling", ServiceFileSystem.O_RDONLY), 16));
        int viaLink = task.open("link", DIRECTORY);
        assertEquals("sibling", task.read(task.openAt(viaLink, "../sibling", ServiceFileSystem.O_RDONLY), 16),
                "\"..\" of a directory opened through a link is the directory's parent, not the link's");
        int nested = task.openAt(b, ".", DIRECTORY);
        assertEquals("inner", task.read(task.openAt(nested, "./inner", ServiceFileSystem.O_RDONLY), 16), "from a directory opened relative to another");
        assertEquals(5, task.statx(b, "inner", 0).getLong(40));
        assertEquals(FileStatus.S_IFDIR, mode(task.statx(b, "", FileFlags.AT_EMPTY_PATH)) & FileStatus.S_IFMT);
        int created = task.openAt(b, "new", CREATE_RW);
        assertEquals(3, task.write(created, "new"));
        assertEquals("new", Files.readString(root.resolve("a/b/new")));

        assertEquals("sibling", task.read(task.openAt(99, "/a/sibling", ServiceFileSystem.O_RDONLY), 16), "an absolute path ignores dirfd");
        assertEquals(-Errno.EBADF, task.openAt(99, "inner", ServiceFileSystem.O_RDONLY));
        assertEquals(-Errno.ENOTDIR, task.openAt(2, "inner", ServiceFileSystem.O_RDONLY), "the console is no directory");
        int file = task.open("a/sibling", ServiceFileSystem.O_RDONLY);
        assertEquals(-Errno.ENOTDIR, task.openAt(file, "inner", ServiceFileSystem.O_RDONLY));
        assertEquals(-Errno.ENOENT, task.openAt(b, "", ServiceFileSystem.O_RDONLY), "an empty path");
    }
}
