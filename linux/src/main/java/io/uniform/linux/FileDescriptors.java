package io.uniform.linux;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.process.Errno;
import io.uniform.process.ProcessClock;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.GuestPath;
import io.uniform.process.files.FileTable;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The file descriptors of a {@link LinuxProcess} and the rv32 Linux calls on them: 0, 1 and 2
 * lead to its {@link Console}; 3 and up are files of a {@link ServiceFileSystem}, performed as
 * {@link IoRequest}s by a {@link FileTable} (the engine that serves Puma's yod too). The guest
 * sees the file system's root as "/" and as its working directory, so AT_FDCWD and absolute
 * paths resolve alike; without a file system every path is ENOENT.
 *
 * <p>Every guest pointer is validated, and paths and bytes to write are copied in, before
 * anything is performed: a bad pointer is {@code -EFAULT} (a {@link MemoryFault} thrown to
 * the caller) and leaves the files as they were, except that a read or write of more than
 * {@link UnifiedLibrary#IO_CHUNK} bytes whose buffer goes bad past its first chunk stops there
 * with a short count, as Linux does. Paths are NUL-terminated UTF-8 of fewer than
 * {@link GuestPath#PATH_MAX} bytes (ENAMETOOLONG; EINVAL if not UTF-8).
 *
 * <p>Deviations from Linux, for simplicity:
 * <ul>
 *   <li>a relative path with a dirfd other than AT_FDCWD: EBADF if dirfd is not open, ENOTDIR if
 *       it is not a directory, and EOPNOTSUPP if it is one (a descriptor does not know its path);</li>
 *   <li>unlinkat with AT_REMOVEDIR is EOPNOTSUPP (the file system removes no directories);</li>
 *   <li>statx follows a final symbolic link even with AT_SYMLINK_NOFOLLOW, fills the basic
 *       statistics whatever the mask asks, and reports descriptors 0 to 2 as a character device
 *       (a terminal's, mode 0620) whatever the console really is;</li>
 *   <li>closing 0, 1 or 2 closes the descriptor only (later use is EBADF; the console's streams
 *       stay open), and open never reuses it: new descriptors start at 3; _llseek on them is
 *       ESPIPE, reading 1 or 2 and writing 0 EBADF;</li>
 *   <li>when a buffer is bad as well as the descriptor, the answer is EFAULT, where Linux checks
 *       the descriptor first;</li>
 *   <li>descriptors are not part of a process image ({@link LinuxProcess#capture}).</li>
 * </ul>
 *
 * <p>Not thread-safe, like the process.
 */
final class FileDescriptors {

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_REMOVEDIR = 0x200;
    private static final int AT_NO_AUTOMOUNT = 0x800;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int AT_STATX_SYNC_TYPE = 0x6000;
    /** Operation not supported (Linux's EOPNOTSUPP). */
    private static final int EOPNOTSUPP = 95;

    private static final int CONSOLE_FDS = FileTable.FIRST_FD;
    private static final int S_IFCHR = 0020000;
    /** What statx reports for 0, 1 and 2: one terminal, as when a shell starts the program. */
    private static final int CONSOLE_MODE = S_IFCHR | 0620;
    private static final long CONSOLE_INODE = 3;
    private static final int CONSOLE_BLOCK_SIZE = 1024;
    private static final int STATX_RESERVED = 0x80000000;
    private static final int STATX_MODE_OFFSET = 28;

    private final AddressSpace space;
    private final Console console;
    private final ProcessClock clock;
    private final FileTable files;
    private final boolean[] consoleOpen = {true, true, true};

    /** @param fileSystem the files the process may open, or null for none */
    FileDescriptors(AddressSpace space, Console console, ProcessClock clock, ServiceFileSystem fileSystem) {
        this.space = space;
        this.console = console;
        this.clock = clock;
        this.files = new FileTable(fileSystem);
    }

    /** read(2): from the console on 0 (one chunk at most, as from a pipe), the whole count from files. */
    int read(int fd, int buffer, int count) throws FileSystemException {
        if (isConsole(fd)) {
            if (fd != 0) {
                throw new FileSystemException(Errno.EBADF, "descriptor " + fd + " is open for writing only");
            }
            return readConsole(buffer, Math.min(checkedCount(count), UnifiedLibrary.IO_CHUNK));
        }
        return inChunks(count, (offset, length) -> {
            space.validate(buffer + offset, length, Access.WRITE); // before consuming what could not be stored
            IoReply reply = files.perform(new IoRequest.Read(fd, length));
            byte[] data = reply.data();
            space.write(buffer + offset, data, 0, data.length);
            return reply.result();
        });
    }

    private int readConsole(int buffer, int count) {
        space.validate(buffer, count, Access.WRITE); // before consuming input that could not be stored
        byte[] bytes = new byte[count];
        try {
            int n = console.in().read(bytes, 0, bytes.length);
            if (n <= 0) {
                return 0;
            }
            space.write(buffer, bytes, 0, n);
            return n;
        } catch (IOException e) {
            return -Errno.EIO;
        }
    }

    /** write(2): the whole count, in chunks. */
    int write(int fd, int buffer, int count) throws FileSystemException {
        if (isConsole(fd)) {
            if (fd == 0) {
                throw new FileSystemException(Errno.EBADF, "descriptor 0 is open for reading only");
            }
            OutputStream stream = fd == 1 ? console.out() : console.err();
            return inChunks(count, (offset, length) -> writeConsole(stream, space.read(buffer + offset, length)));
        }
        return inChunks(count, (offset, length) ->
                files.perform(new IoRequest.Write(fd, space.read(buffer + offset, length))).result());
    }

    private static long writeConsole(OutputStream stream, byte[] bytes) {
        try {
            stream.write(bytes);
            stream.flush();
            return bytes.length;
        } catch (IOException e) {
            return -Errno.EIO;
        }
    }

    /** One chunk of a transfer: {@code length} bytes at {@code offset} into the buffer; bytes moved, or -errno. */
    @FunctionalInterface
    private interface Chunk {
        long move(int offset, int length);
    }

    /**
     * Moves {@code count} bytes in chunks of at most {@link UnifiedLibrary#IO_CHUNK} until one
     * comes up short. A failure (-errno, or a bad buffer) is the answer only when nothing has
     * moved yet; after that it ends the transfer with a short count, as on Linux.
     */
    private static int inChunks(int count, Chunk chunk) throws FileSystemException {
        checkedCount(count);
        int done = 0;
        do {
            int length = Math.min(UnifiedLibrary.IO_CHUNK, count - done);
            long moved;
            try {
                moved = chunk.move(done, length);
            } catch (MemoryFault fault) {
                if (done == 0) {
                    throw fault;
                }
                return done;
            }
            if (moved < 0) {
                return done > 0 ? done : (int) moved;
            }
            done += (int) moved;
            if (moved < length) {
                break;
            }
        } while (done < count);
        return done;
    }

    /** openat(2); flags and mode as {@link ServiceFileSystem#open} takes them. */
    int openat(int dirfd, int pathAddress, int flags, int mode) throws FileSystemException {
        String path = atPath(dirfd, GuestPath.read(space, pathAddress));
        return (int) files.perform(new IoRequest.Open(path, flags, mode)).result();
    }

    /** close(2). */
    int close(int fd) throws FileSystemException {
        if (isConsole(fd)) {
            consoleOpen[fd] = false;
            return 0;
        }
        return (int) files.perform(new IoRequest.Close(fd)).result();
    }

    /** _llseek(2): the 64-bit offset comes in two words, the new position goes to {@code result}. */
    int llseek(int fd, int offsetHigh, int offsetLow, int result, int whence) throws FileSystemException {
        if (isConsole(fd)) {
            throw new FileSystemException(Errno.ESPIPE, "the console is a stream");
        }
        space.validate(result, Long.BYTES, Access.WRITE);
        long offset = (long) offsetHigh << 32 | Integer.toUnsignedLong(offsetLow);
        long position = files.perform(new IoRequest.Seek(fd, offset, whence)).result();
        if (position < 0) {
            return (int) position;
        }
        space.store32(result, (int) position);
        space.store32(result + 4, (int) (position >>> 32));
        return 0;
    }

    /** statx(2): of a path, or with AT_EMPTY_PATH and "" of dirfd itself (fstat). */
    int statx(int dirfd, int pathAddress, int flags, int mask, int buffer) throws FileSystemException {
        int known = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
        if ((flags & ~known) != 0 || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX_RESERVED) != 0) {
            throw new FileSystemException(Errno.EINVAL, "statx flags 0x" + Integer.toHexString(flags)
                    + ", mask 0x" + Integer.toHexString(mask));
        }
        String path = GuestPath.read(space, pathAddress);
        space.validate(buffer, FileStatus.STATX_SIZE, Access.WRITE);
        byte[] statx = path.isEmpty() && (flags & AT_EMPTY_PATH) != 0 ? fstat(dirfd) : stat(atPath(dirfd, path));
        space.write(buffer, statx, 0, statx.length);
        return 0;
    }

    /** unlinkat(2) of a non-directory. */
    int unlinkat(int dirfd, int pathAddress, int flags) throws FileSystemException {
        if ((flags & ~AT_REMOVEDIR) != 0) {
            throw new FileSystemException(Errno.EINVAL, "unlinkat flags 0x" + Integer.toHexString(flags));
        }
        String path = atPath(dirfd, GuestPath.read(space, pathAddress));
        if ((flags & AT_REMOVEDIR) != 0) {
            throw new FileSystemException(EOPNOTSUPP, "directories cannot be removed");
        }
        return (int) files.perform(new IoRequest.Unlink(path)).result();
    }

    /** Closes every file (the process has ended). */
    void closeAll() {
        files.closeAll();
    }

    /** Whether fd is one of 0, 1 and 2; EBADF if it is one the process has closed. */
    private boolean isConsole(int fd) throws FileSystemException {
        if (fd < 0 || fd >= CONSOLE_FDS) {
            return false;
        }
        if (!consoleOpen[fd]) {
            throw new FileSystemException(Errno.EBADF, "descriptor " + fd + " is closed");
        }
        return true;
    }

    private byte[] stat(String path) throws FileSystemException {
        return statxOf(files.perform(new IoRequest.Stat(path)));
    }

    private byte[] fstat(int fd) throws FileSystemException {
        if (fd == AT_FDCWD) {
            return stat("/");
        }
        if (isConsole(fd)) {
            long now = clock.realtimeNanos();
            return new FileStatus(CONSOLE_INODE, CONSOLE_MODE, 1, 0, 0, CONSOLE_BLOCK_SIZE, now, now, now).toStatx();
        }
        return statxOf(files.perform(new IoRequest.Fstat(fd)));
    }

    private static byte[] statxOf(IoReply reply) throws FileSystemException {
        if (reply.result() < 0) {
            throw new FileSystemException((int) -reply.result(), "stat failed");
        }
        return reply.data();
    }

    /**
     * The path a *at call names: absolute paths, and relative ones from AT_FDCWD, resolve from
     * the root, the working directory. A relative path from any other dirfd is refused (see the
     * class comment); "" is left for the file system to refuse (ENOENT).
     */
    private String atPath(int dirfd, String path) throws FileSystemException {
        if (dirfd == AT_FDCWD || path.isEmpty() || path.startsWith("/")) {
            return path;
        }
        int mode = ByteBuffer.wrap(fstat(dirfd)).order(ByteOrder.LITTLE_ENDIAN).getShort(STATX_MODE_OFFSET);
        if ((mode & FileStatus.S_IFMT) != FileStatus.S_IFDIR) {
            throw new FileSystemException(Errno.ENOTDIR, "descriptor " + dirfd + " is not a directory");
        }
        throw new FileSystemException(EOPNOTSUPP, "paths relative to a directory descriptor are not supported");
    }

    /** A count of 2 GiB or more: no buffer that large can be mapped, so Linux reports EFAULT. */
    private static int checkedCount(int count) throws FileSystemException {
        if (count < 0) {
            throw new FileSystemException(Errno.EFAULT, "a count of 2 GiB or more");
        }
        return count;
    }
}
