package io.uniform.process.files;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Resolves guest paths to host paths under a root with chroot semantics. The walk goes one
 * component at a time and follows symbolic links itself: every host path it builds is the root
 * plus single names, each checked (without following links) to be a real directory before the
 * walk descends into it, so neither "..", an absolute path nor a link target leads outside.
 */
final class PathResolver {
    private static final int NAME_MAX = 255;
    /** Linux's MAXSYMLINKS: links followed in one lookup. */
    private static final int MAX_LINKS = 40;

    /**
     * Where a guest path led: an existing host entry with its attributes (read without following
     * links), or, with null attributes, a missing last name in an existing directory.
     * directoryRequired says slashes followed the missing name.
     */
    record Lookup(Path host, BasicFileAttributes attributes, boolean directoryRequired) {
        boolean exists() {
            return attributes != null;
        }
    }

    /** What the last component of a path is, as Linux's filename_parentat tells them apart. */
    enum LastComponent { NAME, DOT, DOT_DOT, ROOT }

    /**
     * The last component of a guest path and the directory it is in, every earlier link
     * followed, the last one not: what calls that create, remove or rename a name work on.
     * For a {@link LastComponent#NAME}, entry is the host path of that name (a real directory
     * plus one name, so it is inside the root whatever it is) and attributes what is there now
     * (null if nothing); for the others entry and attributes are null. trailingSlash says slashes
     * followed the name.
     */
    record Parent(Path directory, LastComponent last, Path entry, BasicFileAttributes attributes,
                  boolean trailingSlash) {
        boolean exists() {
            return attributes != null;
        }

        boolean isDirectory() {
            return exists() && attributes.isDirectory();
        }
    }

    private final Path root;

    PathResolver(Path root) {
        this.root = root;
    }

    /**
     * Resolves a guest path. Links in the middle are always followed; a link as the last
     * component only when followFinalLink is set (or slashes follow it, as on Linux).
     */
    Lookup resolve(String guestPath, boolean followFinalLink) throws FileSystemException {
        checkPath(guestPath);
        Deque<String> pending = new ArrayDeque<>(Arrays.asList(guestPath.split("/", -1)));
        Path directory = root;
        int linksFollowed = 0;
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!directory.equals(root)) {
                    directory = directory.getParent();
                }
                continue;
            }
            Path entry = child(directory, name, guestPath);
            BasicFileAttributes attributes = attributesOrNull(entry, guestPath);
            boolean onlySlashesFollow = pending.stream().allMatch(String::isEmpty);
            if (attributes == null) {
                if (!onlySlashesFollow) {
                    throw Errors.of(Errno.ENOENT, guestPath, "no such directory: " + name);
                }
                return new Lookup(entry, null, !pending.isEmpty());
            }
            if (attributes.isSymbolicLink() && (followFinalLink || !pending.isEmpty())) {
                if (++linksFollowed > MAX_LINKS) {
                    throw Errors.of(Errno.ELOOP, guestPath, "too many levels of symbolic links");
                }
                String target = linkTarget(entry, guestPath);
                if (target.isEmpty()) {
                    throw Errors.of(Errno.ENOENT, guestPath, "empty symbolic link: " + name);
                }
                if (target.startsWith("/")) {
                    directory = root;
                }
                String[] targetNames = target.split("/", -1);
                for (int i = targetNames.length - 1; i >= 0; i--) {
                    pending.addFirst(targetNames[i]);
                }
                continue;
            }
            if (attributes.isDirectory()) {
                directory = entry;
                continue;
            }
            if (!pending.isEmpty()) {
                throw Errors.of(Errno.ENOTDIR, guestPath, "not a directory: " + name);
            }
            return new Lookup(entry, attributes, false);
        }
        BasicFileAttributes attributes = attributesOrNull(directory, guestPath);
        if (attributes == null) {
            throw Errors.of(Errno.ENOENT, guestPath, "directory removed during lookup");
        }
        return new Lookup(directory, attributes, false);
    }

    /** Finds the directory of a guest path's last component and what that component names there. */
    Parent resolveParent(String guestPath) throws FileSystemException {
        checkPath(guestPath);
        int end = guestPath.length();
        while (end > 0 && guestPath.charAt(end - 1) == '/') {
            end--;
        }
        boolean trailingSlash = end < guestPath.length();
        if (end == 0) {
            return new Parent(root, LastComponent.ROOT, null, null, trailingSlash);
        }
        int slash = guestPath.lastIndexOf('/', end - 1);
        String name = guestPath.substring(slash + 1, end);
        // A path of one relative name is in the working directory, the root.
        Lookup directory = resolve(slash < 0 ? "/" : guestPath.substring(0, slash + 1), true);
        if (!directory.exists()) {
            throw Errors.of(Errno.ENOENT, guestPath, "no such directory");
        }
        if (name.equals(".") || name.equals("..")) {
            LastComponent last = name.equals(".") ? LastComponent.DOT : LastComponent.DOT_DOT;
            return new Parent(directory.host(), last, null, null, trailingSlash);
        }
        Path entry = child(directory.host(), name, guestPath);
        return new Parent(directory.host(), LastComponent.NAME, entry, attributesOrNull(entry, guestPath), trailingSlash);
    }

    private static void checkPath(String guestPath) throws FileSystemException {
        if (guestPath.isEmpty()) {
            throw Errors.of(Errno.ENOENT, guestPath, "empty path");
        }
        if (guestPath.indexOf('\0') >= 0) {
            throw Errors.of(Errno.EINVAL, guestPath, "NUL byte in path");
        }
        if (guestPath.getBytes(StandardCharsets.UTF_8).length >= GuestPath.PATH_MAX) {
            throw Errors.of(Errno.ENAMETOOLONG, guestPath.substring(0, 32) + "...", "path too long");
        }
    }

    private static Path child(Path directory, String name, String guestPath) throws FileSystemException {
        if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            throw Errors.of(Errno.ENAMETOOLONG, guestPath, "file name too long");
        }
        try {
            return directory.resolve(name);
        } catch (InvalidPathException e) {
            throw Errors.of(Errno.EINVAL, guestPath, "the host cannot represent the name " + name);
        }
    }

    private static BasicFileAttributes attributesOrNull(Path host, String guestPath) throws FileSystemException {
        try {
            return Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    private static String linkTarget(Path link, String guestPath) throws FileSystemException {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }
}
