package io.uniform.process.files;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

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
        PathResolver.Lookup lookup = resolver.resolve(guestPath, true);
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

    private static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
