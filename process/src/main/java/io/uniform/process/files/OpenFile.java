package io.uniform.process.files;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * An open file of a {@link ServiceFileSystem}: a host channel and the position, access mode and
 * append flag of the Linux open file description. The file position is kept here and every
 * transfer is positional, so the position is known even after close.
 */
public final class OpenFile implements AutoCloseable {
    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;

    private final FileChannel channel;
    private final Path host;
    private final String guestPath;
    /** The status at open: which host file this is, and what fstat reports once no name leads to it. */
    private final FileStatus opened;
    private final boolean readable;
    private final boolean writable;
    private boolean append;
    private long position;

    private OpenFile(FileChannel channel, Path host, String guestPath, FileStatus opened,
                     boolean readable, boolean writable, boolean append) {
        this.channel = channel;
        this.host = host;
        this.guestPath = guestPath;
        this.opened = opened;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
    }

    /**
     * Creates a new file with the permission bits of mode (less the host's umask, as open(2)
     * does). The channel may read and write whatever those bits say, as the creating open may on
     * Linux; the open file itself allows only what the flags asked for.
     */
    static OpenFile create(Path host, String guestPath, int mode, boolean readable, boolean writable,
                           boolean append) throws FileSystemException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        return open(host, guestPath, readable, writable, append, options, permissionsAttribute(mode));
    }

    /** Opens an existing regular file or directory; O_TRUNC needs write permission even read-only, as on Linux. */
    static OpenFile existing(Path host, String guestPath, boolean readable, boolean writable, boolean append,
                             boolean truncate) throws FileSystemException {
        Set<OpenOption> options = new HashSet<>(Set.of(LinkOption.NOFOLLOW_LINKS));
        if (readable) {
            options.add(StandardOpenOption.READ);
        }
        if (writable || truncate) {
            options.add(StandardOpenOption.WRITE);
        }
        if (truncate) {
            options.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        return open(host, guestPath, readable, writable, append, options);
    }

    private static OpenFile open(Path host, String guestPath, boolean readable, boolean writable, boolean append,
                                 Set<OpenOption> options, FileAttribute<?>... attributes) throws FileSystemException {
        FileChannel channel;
        try {
            channel = FileChannel.open(host, options, attributes);
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
        try {
            return new OpenFile(channel, host, guestPath, FileStatus.read(host), readable, writable, append);
        } catch (IOException e) {
            closeQuietly(channel);
            throw Errors.fromHost(e, guestPath);
        }
    }

    /** Reads up to length bytes at the file position; 0 at end of file. */
    public int read(byte[] buffer, int offset, int length) throws FileSystemException {
        checkOpen();
        if (!readable) {
            throw Errors.of(Errno.EBADF, guestPath, "not open for reading");
        }
        if (isDirectory()) {
            throw Errors.of(Errno.EISDIR, guestPath, "read of a directory");
        }
        try {
            int count = Math.max(0, channel.read(ByteBuffer.wrap(buffer, offset, length), position));
            position += count;
            return count;
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    /** Writes at the position (at the end with O_APPEND); returns bytes written. */
    public int write(byte[] buffer, int offset, int length) throws FileSystemException {
        checkOpen();
        if (!writable) {
            throw Errors.of(Errno.EBADF, guestPath, "not open for writing");
        }
        try {
            if (append) {
                position = channel.size();
            }
            int count = channel.write(ByteBuffer.wrap(buffer, offset, length), position);
            position += count;
            return count;
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    /**
     * lseek: whence 0 SEEK_SET, 1 SEEK_CUR, 2 SEEK_END; EINVAL for a negative result or bad
     * whence. Returns the new offset.
     */
    public long seek(long offset, int whence) throws FileSystemException {
        checkOpen();
        long base = switch (whence) {
            case SEEK_SET -> 0;
            case SEEK_CUR -> position;
            case SEEK_END -> size();
            default -> throw Errors.of(Errno.EINVAL, guestPath, "lseek whence " + whence);
        };
        long target;
        try {
            target = Math.addExact(base, offset);
        } catch (ArithmeticException overflow) {
            throw Errors.of(Errno.EINVAL, guestPath, "lseek beyond the largest offset");
        }
        if (target < 0) {
            throw Errors.of(Errno.EINVAL, guestPath, "lseek to a negative offset");
        }
        position = target;
        return target;
    }

    public long position() {
        return position;
    }

    /**
     * fstat. When the name no longer leads to this file (it was unlinked or replaced; a new
     * file that reused the inode number passes for this one), reports what the open file
     * still knows: no links and its current size.
     */
    public FileStatus stat() throws FileSystemException {
        checkOpen();
        try {
            FileStatus named = FileStatus.read(host);
            if (named.inode() == opened.inode()) {
                return named;
            }
        } catch (IOException nameGone) {
            // reported below from the open file itself
        }
        return opened.unlinked(size());
    }

    public boolean readable() {
        return readable;
    }

    public boolean writable() {
        return writable;
    }

    /** The Linux flags that open it again the same way: its access mode and O_APPEND. */
    public int linuxFlags() {
        int access = readable && writable ? ServiceFileSystem.O_RDWR : writable ? ServiceFileSystem.O_WRONLY : 0;
        return access | (append ? ServiceFileSystem.O_APPEND : 0);
    }

    /** fcntl F_SETFL: whether writes go to the end of the file from now on. */
    public void setAppend(boolean append) {
        this.append = append;
    }

    /** The guest path the file was opened by. */
    public String guestPath() {
        return guestPath;
    }

    public boolean isDirectory() {
        return (opened.mode() & FileStatus.S_IFMT) == FileStatus.S_IFDIR;
    }

    /** Releases the host channel; a second close does nothing. Never throws. */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    private long size() throws FileSystemException {
        try {
            return channel.size();
        } catch (IOException e) {
            throw Errors.fromHost(e, guestPath);
        }
    }

    private void checkOpen() throws FileSystemException {
        if (!channel.isOpen()) {
            throw Errors.of(Errno.EBADF, guestPath, "file closed");
        }
    }

    /** Linux releases the descriptor whatever close reports, and the caller could do nothing about it. */
    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to undo
        }
    }

    /** The permission bits 0777 of a Linux mode, for creating a host file or directory with them. */
    static FileAttribute<Set<PosixFilePermission>> permissionsAttribute(int mode) {
        return PosixFilePermissions.asFileAttribute(permissions(mode));
    }

    /** PosixFilePermission lists the bits from 0400 down to 0001. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : PosixFilePermission.values()) {
            if ((mode & (0400 >> permission.ordinal())) != 0) {
                permissions.add(permission);
            }
        }
        return permissions;
    }
}
