package io.uniform.linux.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.linux.Console;
import io.uniform.process.Errno;
import io.uniform.process.ProcessClock;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.ServiceFileSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A task's descriptor table over a small flat address space, and the test's way to make calls
 * on it: arguments placed in guest memory, and results as the kernel returns them (-EFAULT for
 * a {@link MemoryFault}, -errno for a {@link FileSystemException}). Anything else a call
 * throws ({@link io.uniform.linux.wait.Blocked}, or a bug) reaches the test.
 */
final class GuestTask {
    static final int BASE = 0x10000;
    static final int SIZE = 4 << 20;
    /** Below {@link #BASE}: never mapped. */
    static final int WILD = 0x10;
    /** The last bytes of the 32-bit space: never mapped either. */
    static final int TOP = 0xfffffff0;

    static final int AT_FDCWD = FileFlags.AT_FDCWD;
    static final int CREATE_RW = ServiceFileSystem.O_CREAT | ServiceFileSystem.O_RDWR;

    /** One call on the table. */
    @FunctionalInterface
    interface Call {
        int on(Descriptors descriptors) throws FileSystemException;
    }

    final AddressSpace space = new FlatAddressSpace(new PhysicalMemory(SIZE), BASE, SIZE, 0);
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Descriptors descriptors;
    private int free = BASE;

    /** @param root the file system's root, or null for none */
    GuestTask(Path root) {
        this(root, new byte[0]);
    }

    GuestTask(Path root, byte[] consoleInput) {
        Console console = new Console(new ByteArrayInputStream(consoleInput), out, err);
        descriptors = new Descriptors(console, root == null ? null : new ServiceFileSystem(root), ProcessClock.host());
    }

    /** The call's result as the kernel gives it to the guest. */
    int call(Call call) {
        return on(descriptors, call);
    }

    /** The same, on another table (a forked child's) over this memory. */
    static int on(Descriptors descriptors, Call call) {
        try {
            return call.on(descriptors);
        } catch (MemoryFault fault) {
            return -Errno.EFAULT;
        } catch (FileSystemException failure) {
            return -failure.errno();
        }
    }

    /** {@code size} bytes of guest memory, zeroed. */
    int buffer(int size) {
        int address = free;
        free += (size + 15) & ~15;
        space.zero(address, size);
        return address;
    }

    /** The address {@code length} bytes before the end of the space: a buffer longer than that runs off it. */
    static int endMinus(int length) {
        return BASE + SIZE - length;
    }

    /** A NUL-terminated copy of {@code bytes}. */
    int string(byte[] bytes) {
        int address = buffer(bytes.length + 1);
        space.write(address, bytes, 0, bytes.length);
        return address;
    }

    int string(String text) {
        return string(text.getBytes(StandardCharsets.UTF_8));
    }

    int open(String path, int flags) {
        return openAt(AT_FDCWD, path, flags);
    }

    int openAt(int dirfd, String path, int flags) {
        int address = string(path);
        return call(d -> d.openat(space, dirfd, address, flags, 0644));
    }

    int write(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int address = string(bytes);
        return call(d -> d.write(space, fd, address, bytes.length));
    }

    /** Reads up to {@code max} bytes; the read must succeed. */
    String read(int fd, int max) {
        return read(descriptors, fd, max);
    }

    String read(Descriptors table, int fd, int max) {
        int address = buffer(max);
        int n = on(table, d -> d.read(space, fd, address, max));
        assertTrue(n >= 0, "read: " + n);
        return new String(space.read(address, n), StandardCharsets.UTF_8);
    }

    /** _llseek: the position it stores, or the error. */
    long seek(int fd, long offset, int whence) {
        int result = buffer(8);
        int r = call(d -> d.llseek(space, fd, (int) (offset >> 32), (int) offset, result, whence));
        return r < 0 ? r : Integer.toUnsignedLong(space.load32(result)) | (long) space.load32(result + 4) << 32;
    }

    /** statx into a fresh buffer; the call must succeed. */
    ByteBuffer statx(int dirfd, String path, int flags) {
        int buffer = buffer(FileStatus.STATX_SIZE);
        int pathAddress = string(path);
        assertEquals(0, call(d -> d.statx(space, dirfd, pathAddress, flags, FileStatus.STATX_BASIC_STATS, buffer)), "statx " + path);
        return little(space.read(buffer, FileStatus.STATX_SIZE));
    }

    int statxError(int dirfd, String path, int flags) {
        int buffer = buffer(FileStatus.STATX_SIZE);
        int pathAddress = string(path);
        return call(d -> d.statx(space, dirfd, pathAddress, flags, FileStatus.STATX_BASIC_STATS, buffer));
    }

    /** pipe2; both descriptors, which must come. */
    int[] pipe(int flags) {
        int fds = buffer(8);
        assertEquals(0, call(d -> d.pipe2(space, fds, flags)), "pipe2");
        return new int[] {space.load32(fds), space.load32(fds + 4)};
    }

    static int mode(ByteBuffer statx) {
        return statx.getShort(28) & 0xffff;
    }

    static ByteBuffer little(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
