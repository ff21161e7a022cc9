package io.uniform.linux.files;

import static io.uniform.linux.files.FileFlags.has;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.linux.Console;
import io.uniform.linux.wait.Blocked;
import io.uniform.process.Errno;
import io.uniform.process.ProcessClock;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.GuestPath;
import io.uniform.process.files.OpenFile;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.image.MigrationRefused;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One task's file descriptor table and the rv32 Linux file calls on it. Descriptors lead to
 * shared open file descriptions: the console's streams (0 reads its input, 1 and 2 write its
 * outputs), files and directories of a {@link ServiceFileSystem}, and pipe ends. dup, fcntl
 * F_DUPFD and {@link #fork} make more descriptors for the same description (one offset, one
 * set of status flags); a description is released when its last descriptor closes. New
 * descriptors take the lowest free number, 0 to 2 included, up to {@link #MAX_OPEN} (EMFILE).
 *
 * <p>Each call takes the task's current address space; a bad pointer throws the space's
 * {@link MemoryFault} (the caller's EFAULT), other failures a {@link FileSystemException}
 * carrying the errno, and a call that must wait (a pipe) throws {@link Blocked} before it has
 * changed anything, or, for a pipe write, with the bytes it moved. Paths are read as
 * {@link GuestPath} reads them. The working directory is the file system's root, so AT_FDCWD
 * and absolute paths resolve alike; a relative path with any other dirfd starts at the path its
 * directory was opened by. Without a file system every path is ENOENT.
 *
 * <p>Deviations from Linux, for simplicity:
 * <ul>
 *   <li>a bad pointer leaves everything as it was: the memory of a read or write is checked a
 *       piece (at most 64 KiB of one segment) at a time before bytes move, so a transfer fails
 *       with EFAULT when its first piece is bad and ends with a short count at a later bad
 *       piece; _llseek checks its result pointer before seeking (Linux seeks, then fails);</li>
 *   <li>writev to a pipe that fills after moving some bytes returns that count instead of
 *       waiting for the rest (write waits, with {@link Blocked#progress()});</li>
 *   <li>the console is a terminal to fstat (a character device, mode 0620) whatever its streams
 *       are, yet ioctl is ENOTTY for every descriptor, so isatty() is 0 as under qemu-riscv32
 *       with output redirected; a read of the console's input waits in the host thread;</li>
 *   <li>a directory descriptor knows its directory by path (see {@link Directory});</li>
 *   <li>F_GETFL reports O_LARGEFILE for every file openat opened, as a 64-bit kernel (under
 *       qemu-riscv32) does; F_SETFL changes O_APPEND and O_NONBLOCK only; fcntl commands other
 *       than F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL and F_SETFL are EINVAL, and so
 *       are pipe2's O_DIRECT and renameat2's RENAME_EXCHANGE and RENAME_WHITEOUT;</li>
 *   <li>statx fills the basic statistics whatever the mask asks; every file is on device 0:1,
 *       owned by uid and gid 0.</li>
 * </ul>
 *
 * <p>Not thread-safe, like the kernel.
 */
public final class Descriptors {
    /** RLIMIT_NOFILE: descriptors 0 to 1023. */
    public static final int MAX_OPEN = 1024;
    /** The largest program {@link #readWholeFile} reads. */
    public static final int MAX_PROGRAM_BYTES = 64 << 20;

    /** open(2) flags that only matter while opening; F_GETFL does not show them. */
    private static final int OPEN_TIME_FLAGS = ServiceFileSystem.O_CREAT | ServiceFileSystem.O_EXCL
            | FileFlags.O_NOCTTY | ServiceFileSystem.O_TRUNC | FileFlags.O_CLOEXEC;
    private static final int EXECUTE_PERMISSIONS = 0111;
    private static final int LLSEEK_RESULT_SIZE = 8;
    private static final int PIPE_FDS_SIZE = 8;

    private final ServiceFileSystem fileSystem;
    private final ProcessClock clock;
    private final OpenDescription[] descriptions = new OpenDescription[MAX_OPEN];
    private final boolean[] closeOnExec = new boolean[MAX_OPEN];

    /**
     * A new task's table: 0, 1 and 2 open on the console.
     *
     * @param fileSystem the files the task may open, or null for none
     */
    public Descriptors(Console console, ServiceFileSystem fileSystem, ProcessClock clock) {
        this(fileSystem, clock);
        install(0, new ConsoleStream.Input(console.in(), clock), false);
        install(1, new ConsoleStream.Output(console.out(), 1, clock), false);
        install(2, new ConsoleStream.Output(console.err(), 2, clock), false);
    }

    private Descriptors(ServiceFileSystem fileSystem, ProcessClock clock) {
        this.fileSystem = fileSystem;
        this.clock = clock;
    }

    /** The table of a forked child: the same descriptors, leading to the same descriptions. */
    public Descriptors fork() {
        Descriptors child = new Descriptors(fileSystem, clock);
        for (int fd = 0; fd < MAX_OPEN; fd++) {
            if (descriptions[fd] != null) {
                child.install(fd, descriptions[fd], closeOnExec[fd]);
            }
        }
        return child;
    }

    /** execve: closes the descriptors marked FD_CLOEXEC. */
    public void closeOnExec() {
        for (int fd = 0; fd < MAX_OPEN; fd++) {
            if (closeOnExec[fd]) {
                remove(fd);
            }
        }
    }

    /** The task has ended: closes every descriptor. */
    public void closeAll() {
        for (int fd = 0; fd < MAX_OPEN; fd++) {
            if (descriptions[fd] != null) {
                remove(fd);
            }
        }
    }

    public int openCount() {
        return (int) Arrays.stream(descriptions).filter(Objects::nonNull).count();
    }

    // ---- reading and writing

    /** read(2). */
    public int read(AddressSpace space, int fd, int buffer, int count) throws FileSystemException {
        return description(fd).read(GuestBuffers.of(space, buffer, count));
    }

    /** write(2); a pipe write may throw {@link Blocked} with progress. */
    public int write(AddressSpace space, int fd, int buffer, int count) throws FileSystemException {
        return description(fd).write(GuestBuffers.of(space, buffer, count));
    }

    /** readv(2). */
    public int readv(AddressSpace space, int fd, int iov, int iovcnt) throws FileSystemException {
        OpenDescription description = description(fd);
        return description.read(GuestBuffers.ofIovecs(space, iov, iovcnt));
    }

    /** writev(2): gathers the segments; a pipe that fills after some bytes moved returns their count (see the class comment). */
    public int writev(AddressSpace space, int fd, int iov, int iovcnt) throws FileSystemException {
        OpenDescription description = description(fd);
        GuestBuffers buffers = GuestBuffers.ofIovecs(space, iov, iovcnt);
        try {
            return description.write(buffers);
        } catch (Blocked blocked) {
            if (blocked.progress() > 0) {
                return blocked.progress();
            }
            throw blocked;
        }
    }

    /** _llseek(2): the 64-bit offset comes in two words, the new position goes to {@code result}. */
    public int llseek(AddressSpace space, int fd, int offsetHigh, int offsetLow, int result, int whence)
            throws FileSystemException {
        OpenDescription description = description(fd);
        description.seek(0, OpenFile.SEEK_CUR); // ESPIPE comes before EFAULT, and moves nothing
        space.validate(result, LLSEEK_RESULT_SIZE, Access.WRITE);
        long position = description.seek((long) offsetHigh << 32 | Integer.toUnsignedLong(offsetLow), whence);
        space.store32(result, (int) position);
        space.store32(result + 4, (int) (position >>> 32));
        return 0;
    }

    // ---- opening and closing

    /**
     * openat(2); flags as {@link ServiceFileSystem#open} takes them, plus O_CLOEXEC (the
     * descriptor's FD_CLOEXEC) and O_NONBLOCK (kept for F_GETFL). A directory opens for getdents64.
     */
    public int openat(AddressSpace space, int dirfd, int path, int flags, int mode) throws FileSystemException {
        String guestPath = atPath(dirfd, GuestPath.read(space, path));
        int fd = lowestFree(0); // EMFILE before the file system is asked, as Linux allocates the descriptor first
        OpenFile file = fileSystem().open(guestPath, flags, mode);
        OpenDescription description = file.isDirectory()
                ? new Directory(file, fileSystem, absolute(guestPath), statusFlags(flags))
                : new RegularFile(file, statusFlags(flags));
        install(fd, description, has(flags, FileFlags.O_CLOEXEC));
        return fd;
    }

    /** close(2). */
    public int close(int fd) throws FileSystemException {
        description(fd);
        remove(fd);
        return 0;
    }

    /** dup(2): the lowest free descriptor. */
    public int dup(int fd) throws FileSystemException {
        OpenDescription description = description(fd);
        int copy = lowestFree(0);
        install(copy, description, false);
        return copy;
    }

    /** dup3(2): newfd, closed first if open; flags O_CLOEXEC only; EINVAL if oldfd == newfd. */
    public int dup3(int oldfd, int newfd, int flags) throws FileSystemException {
        if ((flags & ~FileFlags.O_CLOEXEC) != 0) {
            throw new FileSystemException(Errno.EINVAL, "dup3 flags 0x" + Integer.toHexString(flags));
        }
        if (oldfd == newfd) {
            throw new FileSystemException(Errno.EINVAL, "dup3 of a descriptor onto itself");
        }
        if (newfd < 0 || newfd >= MAX_OPEN) {
            throw new FileSystemException(Errno.EBADF, "descriptor " + newfd + " is out of range");
        }
        install(newfd, description(oldfd), has(flags, FileFlags.O_CLOEXEC));
        return newfd;
    }

    /** pipe2(2): stores the read end's and the write end's descriptors at {@code fds}; flags O_CLOEXEC and O_NONBLOCK. */
    public int pipe2(AddressSpace space, int fds, int flags) throws FileSystemException {
        if ((flags & ~(FileFlags.O_CLOEXEC | FileFlags.O_NONBLOCK)) != 0) {
            throw new FileSystemException(Errno.EINVAL, "pipe2 flags 0x" + Integer.toHexString(flags));
        }
        space.validate(fds, PIPE_FDS_SIZE, Access.WRITE);
        int readFd = lowestFree(0);
        int writeFd = lowestFree(readFd + 1);
        Pipe pipe = new Pipe(clock.realtimeNanos());
        boolean cloexec = has(flags, FileFlags.O_CLOEXEC);
        int statusFlags = flags & FileFlags.O_NONBLOCK;
        install(readFd, PipeEnd.reader(pipe, statusFlags), cloexec);
        install(writeFd, PipeEnd.writer(pipe, statusFlags), cloexec);
        space.store32(fds, readFd);
        space.store32(fds + 4, writeFd);
        return 0;
    }

    /**
     * fcntl64(2): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL; other commands
     * are EINVAL. None of these takes a pointer: space is for the commands that will (locks).
     */
    public int fcntl64(AddressSpace space, int fd, int command, int argument) throws FileSystemException {
        OpenDescription description = description(fd);
        switch (command) {
            case FileFlags.F_DUPFD, FileFlags.F_DUPFD_CLOEXEC -> {
                if (argument < 0 || argument >= MAX_OPEN) {
                    throw new FileSystemException(Errno.EINVAL, "F_DUPFD from " + argument);
                }
                int copy = lowestFree(argument);
                install(copy, description, command == FileFlags.F_DUPFD_CLOEXEC);
                return copy;
            }
            case FileFlags.F_GETFD -> {
                return closeOnExec[fd] ? FileFlags.FD_CLOEXEC : 0;
            }
            case FileFlags.F_SETFD -> {
                closeOnExec[fd] = has(argument, FileFlags.FD_CLOEXEC);
                return 0;
            }
            case FileFlags.F_GETFL -> {
                return description.flags();
            }
            case FileFlags.F_SETFL -> {
                description.setStatusFlags(argument);
                return 0;
            }
            default -> throw new FileSystemException(Errno.EINVAL, "fcntl command " + command);
        }
    }

    /**
     * ioctl(2): no descriptor is a terminal or a device, so every request is ENOTTY (EBADF on a
     * closed descriptor), and its argument, a pointer for most requests, is never used.
     */
    public int ioctl(AddressSpace space, int fd, int request, int argument) throws FileSystemException {
        description(fd);
        throw new FileSystemException(Errno.ENOTTY, "ioctl 0x" + Integer.toHexString(request) + " of descriptor " + fd);
    }

    // ---- status

    /** statx(2): of a path, or with AT_EMPTY_PATH and "" of dirfd itself; AT_SYMLINK_NOFOLLOW reports a final link itself. */
    public int statx(AddressSpace space, int dirfd, int path, int flags, int mask, int buffer) throws FileSystemException {
        int known = FileFlags.AT_SYMLINK_NOFOLLOW | FileFlags.AT_NO_AUTOMOUNT | FileFlags.AT_EMPTY_PATH
                | FileFlags.AT_STATX_SYNC_TYPE;
        if ((flags & ~known) != 0 || (flags & FileFlags.AT_STATX_SYNC_TYPE) == FileFlags.AT_STATX_SYNC_TYPE
                || has(mask, FileFlags.STATX_RESERVED)) {
            throw new FileSystemException(Errno.EINVAL, "statx flags 0x" + Integer.toHexString(flags)
                    + ", mask 0x" + Integer.toHexString(mask));
        }
        String guestPath = GuestPath.read(space, path);
        space.validate(buffer, FileStatus.STATX_SIZE, Access.WRITE);
        byte[] statx = statusAt(dirfd, guestPath, flags).toStatx();
        space.write(buffer, statx, 0, statx.length);
        return 0;
    }

    /** fstatat64 (rv32's number 79): asm-generic's 104-byte {@code struct stat64}, see {@link FileStatus#toStat64}. */
    public int newfstatat(AddressSpace space, int dirfd, int path, int buffer, int flags) throws FileSystemException {
        int known = FileFlags.AT_SYMLINK_NOFOLLOW | FileFlags.AT_NO_AUTOMOUNT | FileFlags.AT_EMPTY_PATH;
        if ((flags & ~known) != 0) {
            throw new FileSystemException(Errno.EINVAL, "fstatat flags 0x" + Integer.toHexString(flags));
        }
        String guestPath = GuestPath.read(space, path);
        space.validate(buffer, FileStatus.STAT64_SIZE, Access.WRITE);
        byte[] stat = statusAt(dirfd, guestPath, flags).toStat64();
        space.write(buffer, stat, 0, stat.length);
        return 0;
    }

    /** fstat64 (rv32's number 80): a descriptor's {@code struct stat64}. */
    public int fstat64(AddressSpace space, int fd, int buffer) throws FileSystemException {
        byte[] stat = description(fd).status().toStat64();
        space.write(buffer, stat, 0, stat.length);
        return 0;
    }

    private FileStatus statusAt(int dirfd, String guestPath, int flags) throws FileSystemException {
        if (guestPath.isEmpty() && has(flags, FileFlags.AT_EMPTY_PATH)) {
            return dirfd == FileFlags.AT_FDCWD ? fileSystem().stat("/") : description(dirfd).status();
        }
        String resolved = atPath(dirfd, guestPath);
        return has(flags, FileFlags.AT_SYMLINK_NOFOLLOW) ? fileSystem().lstat(resolved) : fileSystem().stat(resolved);
    }

    // ---- directories and names

    /** getdents64(2): see {@link Directory#getdents64}; ENOTDIR for any other descriptor. */
    public int getdents64(AddressSpace space, int fd, int buffer, int count) throws FileSystemException {
        if (!(description(fd) instanceof Directory directory)) {
            throw new FileSystemException(Errno.ENOTDIR, "descriptor " + fd + " is not a directory");
        }
        return directory.getdents64(space, buffer, count);
    }

    /** mkdirat(2). */
    public int mkdirat(AddressSpace space, int dirfd, int path, int mode) throws FileSystemException {
        fileSystem().mkdir(atPath(dirfd, GuestPath.read(space, path)), mode);
        return 0;
    }

    /** unlinkat(2): of a non-directory, or with AT_REMOVEDIR of an empty directory (rmdir). */
    public int unlinkat(AddressSpace space, int dirfd, int path, int flags) throws FileSystemException {
        if ((flags & ~FileFlags.AT_REMOVEDIR) != 0) {
            throw new FileSystemException(Errno.EINVAL, "unlinkat flags 0x" + Integer.toHexString(flags));
        }
        String guestPath = atPath(dirfd, GuestPath.read(space, path));
        if (has(flags, FileFlags.AT_REMOVEDIR)) {
            fileSystem().rmdir(guestPath);
        } else {
            fileSystem().unlink(guestPath);
        }
        return 0;
    }

    /** renameat2(2) with flags 0 or RENAME_NOREPLACE; see {@link ServiceFileSystem#rename}. */
    public int renameat2(AddressSpace space, int olddirfd, int oldpath, int newdirfd, int newpath, int flags)
            throws FileSystemException {
        if ((flags & ~FileFlags.RENAME_NOREPLACE) != 0) {
            throw new FileSystemException(Errno.EINVAL, "renameat2 flags 0x" + Integer.toHexString(flags));
        }
        String from = atPath(olddirfd, GuestPath.read(space, oldpath));
        String to = atPath(newdirfd, GuestPath.read(space, newpath));
        fileSystem().rename(from, to, has(flags, FileFlags.RENAME_NOREPLACE));
        return 0;
    }

    /**
     * For execve: the whole regular file at a guest path. EACCES for anything else, or for a file
     * no one may execute (as for root, one execute bit suffices); ENOMEM for a file larger than
     * {@link #MAX_PROGRAM_BYTES}.
     */
    public byte[] readWholeFile(String path) throws FileSystemException {
        try (OpenFile file = fileSystem().open(path, ServiceFileSystem.O_RDONLY, 0)) {
            FileStatus status = file.stat();
            if ((status.mode() & FileStatus.S_IFMT) != FileStatus.S_IFREG) {
                throw new FileSystemException(Errno.EACCES, path + ": not a regular file");
            }
            if ((status.mode() & EXECUTE_PERMISSIONS) == 0) {
                throw new FileSystemException(Errno.EACCES, path + ": no execute permission");
            }
            if (status.size() > MAX_PROGRAM_BYTES) {
                throw new FileSystemException(Errno.ENOMEM, path + ": a program larger than " + MAX_PROGRAM_BYTES + " bytes");
            }
            byte[] program = new byte[(int) status.size()];
            int length = 0;
            for (int n; length < program.length && (n = file.read(program, length, program.length - length)) > 0; ) {
                length += n;
            }
            return length == program.length ? program : Arrays.copyOf(program, length);
        }
    }

    // ---- migration

    /**
     * What a migration carries of this table: the regular files open beyond the standard
     * streams, by absolute path, with their flags (O_CLOEXEC for FD_CLOEXEC) and offsets. The
     * standard streams travel as the job's console and are not listed.
     *
     * @throws MigrationRefused naming the first descriptor that cannot be carried: 0 to 2 not
     *     the console's streams as the task started (closed, redirected, swapped or
     *     close-on-exec), a pipe, a directory or the console beyond them, a file that shares its
     *     description with another descriptor (the destination would give each its own offset),
     *     or a file its path no longer leads to
     */
    public List<io.uniform.process.image.OpenFile> carriedFiles() throws MigrationRefused {
        List<io.uniform.process.image.OpenFile> files = new ArrayList<>();
        for (int fd = 0; fd < MAX_OPEN; fd++) {
            OpenDescription description = descriptions[fd];
            if (fd <= 2) {
                if (!(description instanceof ConsoleStream stream && stream.standardDescriptor() == fd) || closeOnExec[fd]) {
                    throw new MigrationRefused("descriptor " + fd + " is not the console's stream it started as (closed,"
                            + " redirected or close-on-exec): a migration carries only the job's console at 0 to 2");
                }
            } else if (description != null) {
                files.add(carried(fd, description));
            }
        }
        return files;
    }

    private io.uniform.process.image.OpenFile carried(int fd, OpenDescription description) throws MigrationRefused {
        if (!(description instanceof RegularFile file)) {
            String kind = description instanceof PipeEnd ? "a pipe" : description instanceof Directory ? "a directory" : "the console";
            throw new MigrationRefused("descriptor " + fd + " is " + kind
                    + ": a migration carries only regular files of the service file system and the standard streams");
        }
        if (file.shared()) {
            throw new MigrationRefused("descriptor " + fd + " (" + file.path() + ") shares its open file with another"
                    + " descriptor (dup or fork): at the destination each would get an offset of its own");
        }
        try {
            if (file.unnamed()) {
                throw new MigrationRefused("the file at descriptor " + fd + " was removed or renamed: " + file.path()
                        + " no longer leads to it, so the destination could not open it again");
            }
        } catch (FileSystemException e) {
            throw new MigrationRefused("the file at descriptor " + fd + " cannot be examined: " + e.getMessage());
        }
        int flags = file.flags() | (closeOnExec[fd] ? FileFlags.O_CLOEXEC : 0);
        return new io.uniform.process.image.OpenFile(fd, absolute(file.path()), flags, file.offset());
    }

    /**
     * Opens a file a migration carried again, at its descriptor, with its flags and at its
     * offset (a new task's table, whose standard streams are the destination's console).
     *
     * @throws MigrationRefused if the file is gone or cannot be opened so on this file system
     * @throws IllegalArgumentException if the descriptor is taken or beyond {@link #MAX_OPEN}
     */
    public void reopen(io.uniform.process.image.OpenFile carried) throws MigrationRefused {
        int fd = carried.fd();
        if (fd >= MAX_OPEN || descriptions[fd] != null) {
            throw new IllegalArgumentException("descriptor " + fd + " is taken or out of range: a file cannot be reopened there");
        }
        int flags = carried.flags();
        OpenFile file = null;
        try {
            file = fileSystem().open(carried.path(), flags & (ServiceFileSystem.O_ACCMODE | ServiceFileSystem.O_APPEND), 0);
            if (file.isDirectory()) {
                throw new FileSystemException(Errno.EISDIR, carried.path() + " is a directory here");
            }
            file.seek(carried.offset(), OpenFile.SEEK_SET);
        } catch (FileSystemException e) {
            if (file != null) {
                file.close();
            }
            throw new MigrationRefused("the file of descriptor " + fd + " cannot be opened again: " + e.getMessage());
        }
        install(fd, new RegularFile(file, statusFlags(flags)), has(flags, FileFlags.O_CLOEXEC));
    }

    // ---- the table

    /** The status flags F_GETFL reports for a file opened with {@code openFlags}. */
    private static int statusFlags(int openFlags) {
        return (openFlags & ~OPEN_TIME_FLAGS) | FileFlags.O_LARGEFILE;
    }

    private OpenDescription description(int fd) throws FileSystemException {
        OpenDescription description = fd >= 0 && fd < MAX_OPEN ? descriptions[fd] : null;
        if (description == null) {
            throw new FileSystemException(Errno.EBADF, "descriptor " + fd + " is not open");
        }
        return description;
    }

    private int lowestFree(int from) throws FileSystemException {
        for (int fd = from; fd < MAX_OPEN; fd++) {
            if (descriptions[fd] == null) {
                return fd;
            }
        }
        throw new FileSystemException(Errno.EMFILE, "no free descriptor from " + from);
    }

    /** Points fd at description, closing what fd led to before. */
    private void install(int fd, OpenDescription description, boolean cloexec) {
        description.retain();
        OpenDescription replaced = descriptions[fd];
        descriptions[fd] = description;
        closeOnExec[fd] = cloexec;
        if (replaced != null) {
            replaced.release();
        }
    }

    private void remove(int fd) {
        OpenDescription description = descriptions[fd];
        descriptions[fd] = null;
        closeOnExec[fd] = false;
        description.release();
    }

    private ServiceFileSystem fileSystem() throws FileSystemException {
        if (fileSystem == null) {
            throw new FileSystemException(Errno.ENOENT, "this task has no file system");
        }
        return fileSystem;
    }

    /**
     * The path a *at call names: absolute paths, and relative ones from AT_FDCWD, resolve from
     * the root; relative ones from a directory descriptor from its path. "" is left for the
     * caller (ENOENT, or the descriptor itself with AT_EMPTY_PATH).
     */
    private String atPath(int dirfd, String path) throws FileSystemException {
        if (path.isEmpty() || path.startsWith("/") || dirfd == FileFlags.AT_FDCWD) {
            return path;
        }
        if (!(description(dirfd) instanceof Directory directory)) {
            throw new FileSystemException(Errno.ENOTDIR, "descriptor " + dirfd + " is not a directory");
        }
        return directory.path() + "/" + path;
    }

    /** The working directory is the root. */
    private static String absolute(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }
}
