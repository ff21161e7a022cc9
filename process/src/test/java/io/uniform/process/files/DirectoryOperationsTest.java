package io.uniform.process.files;

import static io.uniform.process.files.ServiceFileSystemTest.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.Errno;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mkdir, rmdir, rename, list and lstat inside the root, with Linux's errors. Confinement is {@link ConfinementTest}'s. */
class DirectoryOperationsTest {
    @TempDir
    Path root;

    private ServiceFileSystem fs;

    @BeforeEach
    void setUp() {
        fs = new ServiceFileSystem(root);
    }

    private void file(String name, String contents) throws Exception {
        Files.writeString(root.resolve(name), contents);
    }

    private void directory(String name) throws Exception {
        Files.createDirectories(root.resolve(name));
    }

    private void link(String name, String target) throws Exception {
        Files.createSymbolicLink(root.resolve(name), Path.of(target));
    }

    // ---- mkdir

    @Test
    void mkdirCreatesADirectoryWithTheModesPermissions() throws Exception {
        fs.mkdir("/made", 0750);
        assertTrue(Files.isDirectory(root.resolve("made")));
        String umasked = PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("made")));
        assertEquals("rwx", umasked.substring(0, 3), "the owner's bits survive any usual umask");
        assertEquals("---", umasked.substring(6), "others get nothing the mode did not give");
        fs.mkdir("made/inner/", 0755);
        assertTrue(Files.isDirectory(root.resolve("made/inner")), "relative, with a trailing slash");
    }

    @Test
    void mkdirOfAnExistingNameIsEexistAndOfAMissingParentEnoent() throws Exception {
        file("file", "x");
        directory("dir");
        link("dangling", "nowhere");
        for (String path : List.of("/file", "/dir", "/dangling", "/", "/dir/.", "/dir/..", "dir/../dir")) {
            assertEquals(Errno.EEXIST, errno(() -> fs.mkdir(path, 0755)), path);
        }
        assertFalse(Files.exists(root.resolve("nowhere")), "mkdir does not follow a final link");
        assertEquals(Errno.ENOENT, errno(() -> fs.mkdir("/missing/new", 0755)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.mkdir("/file/new", 0755)));
        assertEquals(Errno.ENOENT, errno(() -> fs.mkdir("", 0755)));
        assertEquals(Errno.ENAMETOOLONG, errno(() -> fs.mkdir("/" + "n".repeat(256), 0755)));
    }

    // ---- rmdir

    @Test
    void rmdirRemovesAnEmptyDirectory() throws Exception {
        directory("a/b");
        fs.rmdir("/a/b/");
        assertFalse(Files.exists(root.resolve("a/b")));
        fs.rmdir("a");
        assertFalse(Files.exists(root.resolve("a")));
        assertEquals(Errno.ENOENT, errno(() -> fs.rmdir("/a")));
    }

    @Test
    void rmdirRefusesWhatIsNotAnEmptyDirectoryWithLinuxsErrors() throws Exception {
        directory("full/inner");
        file("file", "x");
        directory("target");
        link("link", "target");
        assertEquals(Errno.ENOTEMPTY, errno(() -> fs.rmdir("/full")));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rmdir("/file")));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rmdir("/link")), "a link to a directory is no directory");
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rmdir("/link/")), "not even with a trailing slash");
        assertEquals(Errno.EBUSY, errno(() -> fs.rmdir("/")));
        assertEquals(Errno.EBUSY, errno(() -> fs.rmdir("//")));
        assertEquals(Errno.EINVAL, errno(() -> fs.rmdir("/full/inner/.")));
        assertEquals(Errno.ENOTEMPTY, errno(() -> fs.rmdir("/full/inner/..")));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rmdir("/file/x")));
        assertTrue(Files.isDirectory(root.resolve("full/inner")));
        assertTrue(Files.isDirectory(root.resolve("target")));
        assertTrue(Files.isSymbolicLink(root.resolve("link")));
    }

    // ---- rename

    @Test
    void renameMovesAFileAndReplacesAnotherFile() throws Exception {
        file("a", "A");
        file("b", "B");
        directory("d");
        fs.rename("/a", "/d/a2", false);
        assertEquals("A", Files.readString(root.resolve("d/a2")));
        assertFalse(Files.exists(root.resolve("a")));
        fs.rename("/d/a2", "/b", false);
        assertEquals("A", Files.readString(root.resolve("b")), "the file over the file");
        assertFalse(Files.exists(root.resolve("d/a2")));
    }

    @Test
    void renameMovesADirectoryOverAnEmptyDirectoryOnly() throws Exception {
        directory("src/content");
        directory("empty");
        directory("full/x");
        fs.rename("/src", "/empty", false);
        assertTrue(Files.isDirectory(root.resolve("empty/content")));
        assertFalse(Files.exists(root.resolve("src")));
        assertEquals(Errno.ENOTEMPTY, errno(() -> fs.rename("/empty", "/full", false)));
        assertTrue(Files.isDirectory(root.resolve("empty/content")));
    }

    @Test
    void renameBetweenFilesAndDirectoriesIsEisdirOrEnotdir() throws Exception {
        file("file", "x");
        directory("dir");
        link("dirlink", "dir");
        assertEquals(Errno.EISDIR, errno(() -> fs.rename("/file", "/dir", false)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rename("/dir", "/file", false)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rename("/dir", "/dirlink", false)), "a link is a non-directory");
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rename("/file/", "/new", false)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rename("/file", "/new/", false)));
        assertEquals(Errno.ENOENT, errno(() -> fs.rename("/missing", "/new", false)));
        assertEquals(Errno.ENOENT, errno(() -> fs.rename("/file", "/missing/new", false)));
        assertEquals("x", Files.readString(root.resolve("file")));
        assertTrue(Files.isDirectory(root.resolve("dir")));
    }

    @Test
    void aDirectoryCannotMoveIntoItselfNorOverItsAncestor() throws Exception {
        directory("a/b/c");
        assertEquals(Errno.EINVAL, errno(() -> fs.rename("/a", "/a/new", false)));
        assertEquals(Errno.EINVAL, errno(() -> fs.rename("/a", "/a/b/c/new", false)));
        assertEquals(Errno.EINVAL, errno(() -> fs.rename("a/b", "a/b/../b/new", false)));
        assertEquals(Errno.ENOTEMPTY, errno(() -> fs.rename("/a/b/c", "/a", false)));
        assertTrue(Files.isDirectory(root.resolve("a/b/c")));
    }

    @Test
    void renameOfDotsOrTheRootIsEbusy() throws Exception {
        directory("d");
        for (String path : List.of("/", "/d/.", "/d/..")) {
            assertEquals(Errno.EBUSY, errno(() -> fs.rename(path, "/new", false)), path);
            assertEquals(Errno.EBUSY, errno(() -> fs.rename("/d", path, false)), path);
            assertEquals(Errno.EEXIST, errno(() -> fs.rename("/d", path, true)), "RENAME_NOREPLACE: " + path);
        }
        assertTrue(Files.isDirectory(root.resolve("d")));
    }

    @Test
    void renameToItselfOrAnotherLinkOfTheSameFileDoesNothing() throws Exception {
        file("file", "x");
        Files.createLink(root.resolve("hard"), root.resolve("file"));
        directory("dir/inner");
        fs.rename("/file", "/file", false);
        fs.rename("/file", "/hard", false);
        fs.rename("/dir", "/dir/", false);
        assertEquals("x", Files.readString(root.resolve("file")));
        assertEquals("x", Files.readString(root.resolve("hard")), "both names stay, as rename(2) leaves them");
        assertTrue(Files.isDirectory(root.resolve("dir/inner")));
    }

    @Test
    void renameNoReplaceRefusesAnExistingName() throws Exception {
        file("a", "A");
        file("b", "B");
        link("dangling", "nowhere");
        assertEquals(Errno.EEXIST, errno(() -> fs.rename("/a", "/b", true)));
        assertEquals(Errno.EEXIST, errno(() -> fs.rename("/a", "/dangling", true)));
        fs.rename("/a", "/c", true);
        assertEquals("A", Files.readString(root.resolve("c")));
        assertEquals("B", Files.readString(root.resolve("b")));
    }

    @Test
    void renameMovesASymbolicLinkItselfNotItsTarget() throws Exception {
        directory("target");
        link("link", "target");
        fs.rename("/link", "/moved", false);
        assertTrue(Files.isSymbolicLink(root.resolve("moved")));
        assertTrue(Files.isDirectory(root.resolve("target"), LinkOption.NOFOLLOW_LINKS));
    }

    // ---- list and lstat

    @Test
    void listGivesDotsFirstThenNamesSortedWithInodesAndTypes() throws Exception {
        directory("d/sub");
        Files.writeString(root.resolve("d/b-file"), "x");
        Files.createSymbolicLink(root.resolve("d/a-link"), Path.of("nowhere"));
        List<DirectoryEntry> entries = fs.list("/d");
        assertEquals(List.of(".", "..", "a-link", "b-file", "sub"), entries.stream().map(DirectoryEntry::name).toList());
        assertEquals(List.of(FileStatus.S_IFDIR, FileStatus.S_IFDIR, FileStatus.S_IFLNK, FileStatus.S_IFREG, FileStatus.S_IFDIR),
                entries.stream().map(DirectoryEntry::fileType).toList());
        assertEquals(inode(root.resolve("d")), entries.get(0).inode());
        assertEquals(inode(root), entries.get(1).inode());
        assertEquals(inode(root.resolve("d/sub")), entries.get(4).inode());
    }

    @Test
    void theRootsParentIsTheRoot() throws Exception {
        List<DirectoryEntry> entries = fs.list("/");
        assertEquals(List.of(".", ".."), entries.stream().map(DirectoryEntry::name).toList());
        assertEquals(inode(root), entries.get(0).inode());
        assertEquals(inode(root), entries.get(1).inode());
    }

    @Test
    void listFollowsLinksAndRefusesNonDirectories() throws Exception {
        directory("d/x");
        link("dlink", "d");
        file("file", "x");
        assertEquals(List.of(".", "..", "x"), fs.list("/dlink").stream().map(DirectoryEntry::name).toList());
        assertEquals(Errno.ENOTDIR, errno(() -> fs.list("/file")));
        assertEquals(Errno.ENOENT, errno(() -> fs.list("/missing")));
    }

    @Test
    void lstatReportsTheLinkStatFollowsIt() throws Exception {
        file("file", "contents");
        link("link", "file");
        assertEquals(FileStatus.S_IFLNK, fs.lstat("/link").mode() & FileStatus.S_IFMT);
        assertEquals(FileStatus.S_IFREG, fs.stat("/link").mode() & FileStatus.S_IFMT);
        assertEquals(8, fs.stat("/link").size());
    }

    private static long inode(Path path) throws Exception {
        return (Long) Files.getAttribute(path, "unix:ino");
    }
}
