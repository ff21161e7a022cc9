package io.uniform.process.files;

import static io.uniform.process.files.ServiceFileSystem.O_CREAT;
import static io.uniform.process.files.ServiceFileSystem.O_DIRECTORY;
import static io.uniform.process.files.ServiceFileSystem.O_EXCL;
import static io.uniform.process.files.ServiceFileSystem.O_NOFOLLOW;
import static io.uniform.process.files.ServiceFileSystem.O_RDONLY;
import static io.uniform.process.files.ServiceFileSystem.O_RDWR;
import static io.uniform.process.files.ServiceFileSystem.O_TRUNC;
import static io.uniform.process.files.ServiceFileSystem.O_WRONLY;
import static io.uniform.process.files.ServiceFileSystemTest.errno;
import static io.uniform.process.files.ServiceFileSystemTest.readAll;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guests must never reach a host file outside the root. The host directory holds the root and,
 * beside it, a secret file and a directory "outside" with another secret; every attempt to
 * reach them must end inside the root (ENOENT, or a same-named file inside) or fail.
 */
class ConfinementTest {
    private static final String HOST_SECRET = "host secret";
    private static final String INSIDE = "inside";

    @TempDir
    Path base;

    private Path root;
    private Path secret;
    private Path outside;
    private ServiceFileSystem fs;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(base.resolve("root"));
        secret = Files.writeString(base.resolve("secret"), HOST_SECRET);
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret"), HOST_SECRET);
        fs = new ServiceFileSystem(root);
    }

    private String read(String guestPath) throws FileSystemException {
        try (OpenFile file = fs.open(guestPath, O_RDONLY, 0)) {
            return readAll(file);
        }
    }

    /** A symbolic link in the root, with its target as the host stores it. */
    private void link(String name, String target) throws IOException {
        Files.createSymbolicLink(root.resolve(name), Path.of(target));
    }

    /** The host path of the secret, made a path inside the root: where an absolute link to it leads. */
    private Path mirrorOfSecretInsideRoot() throws IOException {
        Path mirror = root.resolve(secret.toString().substring(1));
        Files.createDirectories(mirror.getParent());
        return Files.writeString(mirror, INSIDE);
    }

    @Test
    void dotDotAtTheRootStaysAtTheRoot() throws Exception {
        Files.createDirectory(root.resolve("a"));
        List<String> climbs = List.of("../secret", "/../../secret", "a/../../secret", "/a/../../../../../../secret",
                "./../a/../../secret");
        for (String path : climbs) {
            assertEquals(Errno.ENOENT, errno(() -> read(path)), path);
            assertEquals(Errno.ENOENT, errno(() -> fs.stat(path)), path);
        }
        Files.writeString(root.resolve("secret"), INSIDE);
        for (String path : climbs) {
            assertEquals(INSIDE, read(path), path);
        }
    }

    @Test
    void anAbsoluteHostPathIsAGuestPathInsideTheRoot() throws Exception {
        assertEquals(Errno.ENOENT, errno(() -> read(secret.toString())));
        mirrorOfSecretInsideRoot();
        assertEquals(INSIDE, read(secret.toString()));
    }

    @Test
    void anAbsoluteLinkToAHostFileResolvesInsideTheRoot() throws Exception {
        link("link", secret.toString());
        assertEquals(Errno.ENOENT, errno(() -> read("/link")));
        assertEquals(Errno.ENOENT, errno(() -> fs.stat("/link")));
        Path mirror = mirrorOfSecretInsideRoot();
        assertEquals(INSIDE, read("/link"));
        assertEquals(Files.getAttribute(mirror, "unix:ino"), fs.stat("/link").inode());
    }

    @Test
    void aRelativeLinkCannotClimbOutOfTheRoot() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        link("up", "../secret");
        link("a/b/far", "../../../../../secret");
        link("top", "../../..");
        for (String path : List.of("/up", "/a/b/far", "/top/secret")) {
            assertEquals(Errno.ENOENT, errno(() -> read(path)), path);
        }
        Files.writeString(root.resolve("secret"), INSIDE);
        for (String path : List.of("/up", "/a/b/far", "/top/secret")) {
            assertEquals(INSIDE, read(path), path);
        }
    }

    @Test
    void aDirectoryLinkInTheMiddleThatPointsOutsideStaysInside() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        link("out", outside.toString());
        link("a/b/rel", "../../../outside");
        link("parent", base.toString());
        for (String path : List.of("/out/secret", "/a/b/rel/secret", "/parent/outside/secret", "/parent/secret")) {
            assertEquals(Errno.ENOENT, errno(() -> read(path)), path);
            assertEquals(Errno.ENOENT, errno(() -> fs.unlink(path)), path);
            assertEquals(Errno.ENOENT, errno(() -> fs.open(path, O_WRONLY | O_TRUNC, 0)), path);
        }
        Files.createDirectory(root.resolve("outside"));
        Files.writeString(root.resolve("outside/secret"), INSIDE);
        assertEquals(INSIDE, read("/a/b/rel/secret"), "the relative link climbs to the root and finds /outside there");
        assertEquals(HOST_SECRET, Files.readString(outside.resolve("secret")));
        assertEquals(HOST_SECRET, Files.readString(secret));
    }

    @Test
    void creatingThroughAnEscapingLinkCreatesInsideOrNothing() throws Exception {
        link("relative", "../../created");
        link("absolute", base.resolve("created-too").toString());
        link("out", outside.toString());
        fs.open("/relative", O_CREAT | O_WRONLY, 0644).close();
        assertTrue(Files.isRegularFile(root.resolve("created")));
        assertEquals(Errno.ENOENT, errno(() -> fs.open("/absolute", O_CREAT | O_WRONLY, 0644)));
        assertEquals(Errno.ENOENT, errno(() -> fs.open("/out/new", O_CREAT | O_WRONLY, 0644)));
        assertEquals(Set.of("root", "secret", "outside"), names(base));
        assertEquals(Set.of("secret"), names(outside));
    }

    @Test
    void symbolicLinkLoopsAreELOOP() throws Exception {
        link("self", "self");
        link("ping", "pong");
        link("pong", "/ping");
        link("spin", "spin/x");
        for (String path : List.of("/self", "/ping", "/pong/x", "/spin")) {
            assertEquals(Errno.ELOOP, errno(() -> read(path)), path);
            assertEquals(Errno.ELOOP, errno(() -> fs.stat(path)), path);
        }
        assertEquals(Errno.ELOOP, errno(() -> fs.open("/self", O_CREAT | O_WRONLY, 0644)));
    }

    @Test
    void fortyLinksAreFollowedAndTheFortyFirstIsELOOP() throws Exception {
        Files.writeString(root.resolve("end"), INSIDE);
        link("link40", "end");
        for (int i = 39; i >= 0; i--) {
            link("link" + i, "link" + (i + 1));
        }
        assertEquals(INSIDE, read("/link1"), "40 links");
        assertEquals(Errno.ELOOP, errno(() -> read("/link0")), "41 links");
    }

    @Test
    void noFollowRefusesAFinalLinkButFollowsEarlierOnes() throws Exception {
        Files.createDirectory(root.resolve("d"));
        Files.writeString(root.resolve("d/file"), INSIDE);
        link("file-link", "d/file");
        link("dir-link", "d");
        link("escape", secret.toString());
        assertEquals(Errno.ELOOP, errno(() -> fs.open("/file-link", O_RDONLY | O_NOFOLLOW, 0)));
        assertEquals(Errno.ELOOP, errno(() -> fs.open("/escape", O_RDONLY | O_NOFOLLOW, 0)));
        assertEquals(Errno.ELOOP, errno(() -> fs.open("/dir-link", O_RDONLY | O_NOFOLLOW, 0)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.open("/dir-link", O_RDONLY | O_NOFOLLOW | O_DIRECTORY, 0)));
        try (OpenFile file = fs.open("/dir-link/file", O_RDONLY | O_NOFOLLOW, 0)) {
            assertEquals(INSIDE, readAll(file));
        }
        try (OpenFile file = fs.open("/dir-link/", O_RDONLY | O_NOFOLLOW, 0)) {
            assertEquals(FileStatus.S_IFDIR, file.stat().mode() & FileStatus.S_IFMT, "a trailing slash follows the link");
        }
    }

    /**
     * Seeded random paths over names, links and ".." that could lead out: whatever an operation
     * does, it reports only FileSystemException, never shows a host file outside the root, and
     * never changes or creates one.
     */
    @Test
    void randomPathsNeverLeaveTheRoot() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/f"), INSIDE);
        link("up", "..");
        link("a/upup", "../../..");
        link("a/b/back", "../../");
        link("abs", base.toString());
        link("out", outside.toString());
        link("sec", secret.toString());
        link("loop", "loop/..");
        Set<Object> outsideInodes = Stream.of(base, secret, outside, outside.resolve("secret"))
                .map(ConfinementTest::inode).collect(Collectors.toSet());
        List<String> names = Stream.concat(
                Stream.of("..", ".", "", "secret", "outside", "root", "up", "upup", "back", "abs", "out", "sec",
                        "loop", "a", "b", "f", "new"),
                Stream.of(base.toString().split("/"))).toList();
        int[] flags = {O_RDONLY, O_RDWR, O_WRONLY | O_TRUNC, O_CREAT | O_RDWR, O_CREAT | O_EXCL | O_WRONLY,
                O_RDONLY | O_NOFOLLOW, O_RDONLY | O_DIRECTORY};
        Random random = new Random(20240611);
        int opened = 0;
        for (int i = 0; i < 5000; i++) {
            StringBuilder path = new StringBuilder(random.nextBoolean() ? "/" : "");
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                path.append(names.get(random.nextInt(names.size()))).append(n > 1 ? "/" : "");
            }
            String guestPath = path.toString();
            try {
                assertFalse(outsideInodes.contains(fs.stat(guestPath).inode()), guestPath);
            } catch (FileSystemException expected) {
                // failing is always allowed
            }
            try (OpenFile file = fs.open(guestPath, flags[random.nextInt(flags.length)], 0644)) {
                opened++;
                assertFalse(outsideInodes.contains(file.stat().inode()), guestPath);
                if (file.readable() && (file.stat().mode() & FileStatus.S_IFMT) == FileStatus.S_IFREG) {
                    assertFalse(readAll(file).contains(HOST_SECRET), guestPath);
                }
                if (file.writable()) {
                    file.write("guest".getBytes(UTF_8), 0, 5);
                }
            } catch (FileSystemException expected) {
                // failing is always allowed
            }
        }
        assertTrue(opened > 300, "the paths reached files: " + opened);
        assertEquals(HOST_SECRET, Files.readString(secret));
        assertEquals(HOST_SECRET, Files.readString(outside.resolve("secret")));
        assertEquals(Set.of("root", "secret", "outside"), names(base));
        assertEquals(Set.of("secret"), names(outside));
    }

    @Test
    void mkdirThroughAnEscapingLinkCreatesInsideOrNothing() throws Exception {
        link("out", outside.toString());
        link("parent", base.toString());
        link("up", "../..");
        for (String path : List.of("/out/made", "/parent/made", "/parent/outside/made", "/../made-too/x")) {
            assertEquals(Errno.ENOENT, errno(() -> fs.mkdir(path, 0755)), path);
        }
        assertEquals(Errno.EEXIST, errno(() -> fs.mkdir("/out", 0755)), "the link itself has the name");
        fs.mkdir("/up/made", 0755);
        fs.mkdir("/../../made-here", 0755);
        assertTrue(Files.isDirectory(root.resolve("made")), "a relative link climbs only to the root");
        assertTrue(Files.isDirectory(root.resolve("made-here")));
        assertEquals(Set.of("root", "secret", "outside"), names(base));
        assertEquals(Set.of("secret"), names(outside));
    }

    @Test
    void rmdirCannotRemoveADirectoryOutside() throws Exception {
        Files.createDirectory(outside.resolve("victim"));
        link("out", outside.toString());
        link("rel", "../outside");
        for (String path : List.of("/out/victim", "/rel/victim", "/../outside/victim", "/../../" + base.getFileName() + "/outside/victim")) {
            assertEquals(Errno.ENOENT, errno(() -> fs.rmdir(path)), path);
        }
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rmdir("/out")), "the link is not followed");
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rmdir("/out/")));
        assertEquals(Errno.ENOTEMPTY, errno(() -> fs.rmdir("/..")), "\"..\" is refused by name, wherever it leads");
        assertTrue(Files.isDirectory(outside.resolve("victim")));
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void renameCannotTakeFromNorPutOutside() throws Exception {
        link("out", outside.toString());
        link("parent", base.toString());
        Files.writeString(root.resolve("mine"), INSIDE);
        for (String from : List.of("/out/secret", "/parent/secret", "/../secret", "/../outside")) {
            assertEquals(Errno.ENOENT, errno(() -> fs.rename(from, "/stolen", false)), from);
        }
        for (String to : List.of("/out/mine", "/parent/mine", "/parent/outside/secret")) {
            assertEquals(Errno.ENOENT, errno(() -> fs.rename("/mine", to, false)), to);
        }
        fs.rename("/../../mine", "/../moved", false);
        assertEquals(INSIDE, Files.readString(root.resolve("moved")), "\"..\" at the root stays at the root");
        fs.rename("/out", "/renamed-link", false);
        assertTrue(Files.isSymbolicLink(root.resolve("renamed-link")), "the link moved, not its target");
        assertEquals(Set.of("root", "secret", "outside"), names(base));
        assertEquals(Set.of("secret"), names(outside));
        assertEquals(HOST_SECRET, Files.readString(outside.resolve("secret")));
    }

    @Test
    void listCannotShowADirectoryOutside() throws Exception {
        link("out", outside.toString());
        link("rel", "../../outside");
        link("parent", base.toString());
        for (String path : List.of("/out", "/rel", "/parent", "/parent/outside")) {
            assertEquals(Errno.ENOENT, errno(() -> fs.list(path)), path);
        }
        Object rootInode = inode(root);
        for (String path : List.of("/", "/..", "/../..", "..")) {
            List<DirectoryEntry> entries = fs.list(path);
            assertEquals(List.of(".", "..", "out", "parent", "rel"), entries.stream().map(DirectoryEntry::name).toList(), path);
            assertEquals(rootInode, entries.get(1).inode(), "the root's \"..\" is the root: " + path);
        }
    }

    /** Like {@link #randomPathsNeverLeaveTheRoot}, for the calls that create, remove, rename and list names. */
    @Test
    void randomDirectoryOperationsNeverLeaveTheRoot() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.createDirectory(outside.resolve("d"));
        link("up", "..");
        link("a/upup", "../../..");
        link("abs", base.toString());
        link("out", outside.toString());
        link("sec", secret.toString());
        Set<Object> outsideInodes = Stream.of(base, secret, outside, outside.resolve("secret"), outside.resolve("d"))
                .map(ConfinementTest::inode).collect(Collectors.toSet());
        List<String> names = Stream.concat(
                Stream.of("..", ".", "", "secret", "outside", "root", "d", "up", "upup", "abs", "out", "sec", "a", "b", "new"),
                Stream.of(base.toString().split("/"))).toList();
        Random random = new Random(20240612);
        int succeeded = 0;
        for (int i = 0; i < 4000; i++) {
            String path = randomPath(random, names);
            try {
                switch (random.nextInt(4)) {
                    case 0 -> fs.mkdir(path, 0755);
                    case 1 -> fs.rmdir(path);
                    case 2 -> fs.rename(path, randomPath(random, names), random.nextBoolean());
                    default -> fs.list(path).forEach(entry -> assertFalse(outsideInodes.contains(entry.inode()), path));
                }
                succeeded++;
            } catch (FileSystemException expected) {
                // failing is always allowed
            }
        }
        assertTrue(succeeded > 300, "the operations reached directories: " + succeeded);
        assertEquals(Set.of("root", "secret", "outside"), names(base));
        assertEquals(Set.of("secret", "d"), names(outside));
        assertEquals(HOST_SECRET, Files.readString(secret));
    }

    private static String randomPath(Random random, List<String> names) {
        StringBuilder path = new StringBuilder(random.nextBoolean() ? "/" : "");
        for (int n = 1 + random.nextInt(5); n > 0; n--) {
            path.append(names.get(random.nextInt(names.size()))).append(n > 1 ? "/" : "");
        }
        return path.toString();
    }

    private static Object inode(Path path) {
        try {
            return Files.getAttribute(path, "unix:ino");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
