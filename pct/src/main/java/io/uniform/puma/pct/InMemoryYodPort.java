package io.uniform.puma.pct;

import io.uniform.process.Errno;
import io.uniform.puma.qk.ReadResult;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A yod in memory: stdout and stderr captured, stdin from bytes, files in a map (path to
 * contents). For tests and embedded runs; not thread-safe.
 */
public final class InMemoryYodPort implements YodPort {
    /** The largest file (and captured stdout or stderr) this in-memory yod holds. */
    static final int MAX_FILE_BYTES = 64 << 20;

    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;
    private static final int MAX_OPEN = 64;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final byte[] stdin;
    private int stdinPosition;
    private final Map<String, byte[]> files = new TreeMap<>();
    private final Map<Integer, OpenFile> open = new HashMap<>();

    private static final class OpenFile {
        final String path;
        final int flags;
        long position;

        OpenFile(String path, int flags) {
            this.path = path;
            this.flags = flags;
        }
    }

    public InMemoryYodPort(byte[] stdin) {
        this.stdin = stdin.clone();
    }

    public InMemoryYodPort addFile(String path, byte[] contents) {
        files.put(path, contents.clone());
        return this;
    }

    public byte[] stdout() {
        return stdout.toByteArray();
    }

    public byte[] stderr() {
        return stderr.toByteArray();
    }

    public byte[] file(String path) {
        byte[] contents = files.get(path);
        return contents == null ? null : contents.clone();
    }

    @Override
    public int write(int fd, byte[] bytes) {
        if (fd == 1 || fd == 2) {
            ByteArrayOutputStream stream = fd == 1 ? stdout : stderr;
            if (stream.size() + (long) bytes.length > MAX_FILE_BYTES) {
                return -Errno.EFBIG;
            }
            stream.write(bytes, 0, bytes.length);
            return bytes.length;
        }
        OpenFile file = open.get(fd);
        if (file == null || (file.flags & O_ACCMODE) == 0) {
            return -Errno.EBADF;
        }
        byte[] contents = files.get(file.path);
        long at = (file.flags & O_APPEND) != 0 ? contents.length : file.position;
        long end = at + bytes.length; // at <= MAX_FILE_BYTES (lseek keeps it there): no overflow
        if (end > MAX_FILE_BYTES) {
            return -Errno.EFBIG;
        }
        if (end > contents.length) {
            contents = Arrays.copyOf(contents, (int) end);
        }
        System.arraycopy(bytes, 0, contents, (int) at, bytes.length);
        files.put(file.path, contents);
        file.position = end;
        return bytes.length;
    }

    @Override
    public ReadResult read(int fd, int maxBytes) {
        if (fd == 0) {
            int n = Math.min(maxBytes, stdin.length - stdinPosition);
            byte[] bytes = Arrays.copyOfRange(stdin, stdinPosition, stdinPosition + n);
            stdinPosition += n;
            return ReadResult.ok(bytes);
        }
        OpenFile file = open.get(fd);
        if (file == null || (file.flags & O_ACCMODE) == O_WRONLY) {
            return ReadResult.error(Errno.EBADF);
        }
        byte[] contents = files.get(file.path);
        int from = (int) Math.min(file.position, contents.length);
        int n = Math.min(maxBytes, contents.length - from);
        file.position = from + n;
        return ReadResult.ok(Arrays.copyOfRange(contents, from, from + n));
    }

    @Override
    public int open(String path, int linuxFlags, int mode) {
        boolean exists = files.containsKey(path);
        if (!exists && (linuxFlags & O_CREAT) == 0) {
            return -Errno.ENOENT;
        }
        if (exists && (linuxFlags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
            return -Errno.EEXIST;
        }
        if (open.size() >= MAX_OPEN) {
            return -Errno.EMFILE;
        }
        if (!exists || ((linuxFlags & O_TRUNC) != 0 && (linuxFlags & O_ACCMODE) != 0)) {
            files.put(path, new byte[0]);
        }
        int fd = 3;
        while (open.containsKey(fd)) {
            fd++;
        }
        open.put(fd, new OpenFile(path, linuxFlags));
        return fd;
    }

    @Override
    public int close(int fd) {
        return open.remove(fd) == null ? -Errno.EBADF : 0;
    }

    @Override
    public long lseek(int fd, long offset, int whence) {
        OpenFile file = open.get(fd);
        if (file == null) {
            return -Errno.EBADF;
        }
        long base = switch (whence) {
            case 0 -> 0;
            case 1 -> file.position;
            case 2 -> files.get(file.path).length;
            default -> -1;
        };
        if (base < 0 || offset < -base || offset > MAX_FILE_BYTES - base) {
            return -Errno.EINVAL;
        }
        file.position = base + offset;
        return file.position;
    }
}
