package io.uniform.process.files;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The service partition's file system: a host directory that guests see as their whole file
 * system, confined to it. Guest paths resolve with chroot semantics (see {@link PathResolver}):
 * the root is "/", relative paths start at the root too (a guest's working directory is "/"),
 * and no "..", absolute path or symbolic link reaches outside. Failures are
 * {@link FileSystemException}s carrying the errno Linux would give. Plain and single-threaded:
 * callers serialize access.
 */
public final class ServiceFileSystem {
    public static final int O_ACCMODE = 03;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;

    private final Path root;
    private final PathResolver resolver;

    /** root must be an existing directory; it is canonicalized (toRealPath). */
    public ServiceFileSystem(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("the root of a service file system must be an existing directory: " + root);
        }
        if (!root.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            throw new IllegalArgumentException("a service file system needs a Unix host file system: " + root);
        }
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot canonicalize the root " + root + ": " + e.getMessage(), e);
        }
        this.resolver = new PathResolver(this.root);
    }

    public Path root() {
        return root;
    }

    /**
     * Opens a guest path with Linux open flags (O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL,
     * O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW; others ignored) and mode (permission bits
     * for a created file). Only regular files and directories open: the host's devices, FIFOs
     * and sockets are refused with EACCES, since a FIFO would block the caller.
     */
    public OpenFile open(String guestPath, int linuxFlags, int mode) throws FileSystemException {
        int access = linuxFlags & O_ACCMODE;
        if (access == O_ACCMODE) {
            throw Errors.of(Errno.EINVAL, guestPath, "access mode 3 is not supported");
        }
        boolean readable = access != O_WRONLY;
        boolean writable = access != O_RDONLY;
        boolean create = has(linuxFlags, O_CREAT);
        boolean exclusive = create && has(linuxFlags, O_EXCL);
        boolean directoryWanted = has(linuxFlags, O_DIRECTORY);
        boolean truncate = has(linuxFlags, O_TRUNC);
        if (create && directoryWanted) {
            throw Errors.of(Errno.EINVAL, guestPath, "O_CREAT with O_DIRECTORY"); // as Linux 6.4 and later
        }
        // O_EXCL never creates through a final symbolic link: the link itself counts as existing.
        boolean followFinalLink = !exclusive && !has(linuxFlags, O_NOFOLLOW);
        PathResolver.Lookup lookup = resolver.resolve(guestPath, followFinalLink);
        if (!lookup.exists()) {
            if (!create) {
                throw Errors.of(Errno.ENOENT, guestPath, "no such file");
            }
            if (lookup.directoryRequired()) {
                throw Errors.of(Errno.EISDIR, guestPath, "cannot create a directory with open");
            }
            return OpenFile.create(lookup.host(), guestPath, mode, readable, writable, has(linuxFlags, O_APPEND));
        }
        // The checks in the order Linux's do_open and may_open make them.
        BasicFileAttributes attributes = lookup.attributes();
        if (exclusive) {
            throw Errors.of(Errno.EEXIST, guestPath, "file exists");
        }
        if (create && attributes.isDirectory()) {
            throw Errors.of(Errno.EISDIR, guestPath, "O_CREAT of a directory");
        }
        if (directoryWanted && !attributes.isDirectory()) {
            throw Errors.of(Errno.ENOTDIR, guestPath, "not a directory");
        }
        if (attributes.isSymbolicLink()) {
            throw Errors.of(Errno.ELOOP, guestPath, "symbolic link with O_NOFOLLOW");
        }
        if (attributes.isDirectory() && (writable || truncate)) {
            throw Errors.of(Errno.EISDIR, guestPath, "directory opened for writing");
        }
        if (!attributes.isDirectory() && !attributes.isRegularFile()) {
            throw Errors.of(Errno.EACCES, guestPath, "not a regular file or directory");
        }
        return OpenFile.existing(lookup.host(), guestPath, readable, writable, has(linuxFlags, O_APPEND), truncate);
    }

    /** stat(2): follows symbolic links (within the root). */
    public FileStatus stat(String guestPath) throws FileSystemException {
        return stat(guestPath, true);
    }

    /** lstat(2): a final symbolic link is reported itself. */
    public FileStatus lstat(String guestPath) throws FileSystemException {
        return stat(guestPath, false);
    }

    private FileStatus stat(String guestPath, boolean followFinalLink) throws FileSystemException {
        PathResolver.Lookup lookup = resolver.resolve(guestPath, followFinalLink);
        if (!lookup.exists()) {
            throw Errors.of(Errno.ENOENT, guestPath, "no such file");
        }
        try {
            return FileStatus.read(lookup.host());
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    /** unlink(2) of a non-directory; a final symbolic link is removed itself. */
    public void unlink(String guestPath) throws FileSystemException {
        PathResolver.Lookup lookup = resolver.resolve(guestPath, false);
        if (!lookup.exists()) {
            throw Errors.of(Errno.ENOENT, guestPath, "no such file");
        }
        if (lookup.attributes().isDirectory()) {
            throw Errors.of(Errno.EISDIR, guestPath, "unlink of a directory");
        }
        try {
            Files.delete(lookup.host());
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    /**
     * mkdir(2): a new directory with the permission bits of mode (less the host's umask). EEXIST
     * if anything has the name, a dangling symbolic link included (mkdir never follows the last
     * component); ENOENT if the parent is missing.
     */
    public void mkdir(String guestPath, int mode) throws FileSystemException {
        PathResolver.Parent parent = resolver.resolveParent(guestPath);
        if (parent.last() != PathResolver.LastComponent.NAME || parent.exists()) {
            throw Errors.of(Errno.EEXIST, guestPath, "file exists");
        }
        try {
            Files.createDirectory(parent.entry(), OpenFile.permissionsAttribute(mode));
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    /**
     * rmdir(2) of an empty directory, in the checks' Linux order: "." is EINVAL, ".." ENOTEMPTY,
     * the root EBUSY, a symbolic link or other non-directory ENOTDIR, a directory with entries
     * ENOTEMPTY.
     */
    public void rmdir(String guestPath) throws FileSystemException {
        PathResolver.Parent parent = resolver.resolveParent(guestPath);
        switch (parent.last()) {
            case DOT -> throw Errors.of(Errno.EINVAL, guestPath, "rmdir of \".\"");
            case DOT_DOT -> throw Errors.of(Errno.ENOTEMPTY, guestPath, "rmdir of \"..\"");
            case ROOT -> throw Errors.of(Errno.EBUSY, guestPath, "rmdir of the root");
            case NAME -> { }
        }
        if (!parent.exists()) {
            throw Errors.of(Errno.ENOENT, guestPath, "no such directory");
        }
        if (!parent.isDirectory()) {
            throw Errors.of(Errno.ENOTDIR, guestPath, "not a directory");
        }
        try {
            Files.delete(parent.entry()); // rmdir(2) on the host: ENOTEMPTY if it has entries
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    /**
     * rename(2), and renameat2's RENAME_NOREPLACE with noReplace (EEXIST if the new name
     * exists). As on Linux: a file replaces a file and a directory an empty directory (a file
     * over a directory is EISDIR, a directory over a non-directory ENOTDIR, over a non-empty one
     * ENOTEMPTY); moving a directory into itself is EINVAL, over one of its ancestors ENOTEMPTY;
     * ".", ".." and the root are EBUSY; renaming a name to itself or to another link to the same
     * file does nothing. Symbolic links are renamed themselves, never followed.
     */
    public void rename(String oldGuestPath, String newGuestPath, boolean noReplace) throws FileSystemException {
        PathResolver.Parent from = resolver.resolveParent(oldGuestPath);
        PathResolver.Parent to = resolver.resolveParent(newGuestPath);
        if (from.last() != PathResolver.LastComponent.NAME) {
            throw Errors.of(Errno.EBUSY, oldGuestPath, "rename of \".\", \"..\" or the root");
        }
        if (to.last() != PathResolver.LastComponent.NAME) {
            throw Errors.of(noReplace ? Errno.EEXIST : Errno.EBUSY, newGuestPath, "rename over \".\", \"..\" or the root");
        }
        if (!from.exists()) {
            throw Errors.of(Errno.ENOENT, oldGuestPath, "no such file");
        }
        if (noReplace && to.exists()) {
            throw Errors.of(Errno.EEXIST, newGuestPath, "file exists");
        }
        boolean directory = from.isDirectory();
        if (!directory && (from.trailingSlash() || to.trailingSlash())) {
            throw Errors.of(Errno.ENOTDIR, oldGuestPath, "a trailing slash after a non-directory");
        }
        // Host paths built by the resolver hold no links, so ancestry is a matter of names.
        if (to.directory().startsWith(from.entry())) {
            throw Errors.of(Errno.EINVAL, newGuestPath, "a directory cannot move into itself");
        }
        if (from.directory().startsWith(to.entry())) {
            throw Errors.of(Errno.ENOTEMPTY, newGuestPath, "the new name is an ancestor of the old");
        }
        if (to.exists()) {
            if (from.attributes().fileKey().equals(to.attributes().fileKey())) {
                return;
            }
            if (directory && !to.isDirectory()) {
                throw Errors.of(Errno.ENOTDIR, newGuestPath, "a directory cannot replace a non-directory");
            }
            if (!directory && to.isDirectory()) {
                throw Errors.of(Errno.EISDIR, newGuestPath, "a non-directory cannot replace a directory");
            }
        }
        try {
            // ATOMIC_MOVE is rename(2) itself: it replaces what the checks above allow.
            Files.move(from.entry(), to.entry(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw Errors.fromHost(e, newGuestPath);
        }
    }

    /**
     * The entries of a directory (following symbolic links to it): "." and ".." first, then the
     * others sorted by name. ".." of the root is the root, as under chroot. Entries that vanish
     * while the listing is made are left out.
     */
    public List<DirectoryEntry> list(String guestPath) throws FileSystemException {
        PathResolver.Lookup lookup = resolver.resolve(guestPath, true);
        if (!lookup.exists()) {
            throw Errors.of(Errno.ENOENT, guestPath, "no such directory");
        }
        if (!lookup.attributes().isDirectory()) {
            throw Errors.of(Errno.ENOTDIR, guestPath, "not a directory");
        }
        Path directory = lookup.host();
        List<DirectoryEntry> entries = new ArrayList<>();
        try {
            entries.add(entry(".", directory));
            entries.add(entry("..", directory.equals(root) ? root : directory.getParent()));
            List<DirectoryEntry> named = new ArrayList<>();
            try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
                for (Path child : children) {
                    try {
                        named.add(entry(child.getFileName().toString(), child));
                    } catch (NoSuchFileException removed) {
                        // gone since the directory was read: not listed, as if read a moment later
                    }
                }
            }
            named.sort(Comparator.comparing(DirectoryEntry::name));
            entries.addAll(named);
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
        return entries;
    }

    private static DirectoryEntry entry(String name, Path host) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(host, "unix:ino,mode", LinkOption.NOFOLLOW_LINKS);
        return new DirectoryEntry(name, (Long) attributes.get("ino"), (Integer) attributes.get("mode") & FileStatus.S_IFMT);
    }

    private static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
