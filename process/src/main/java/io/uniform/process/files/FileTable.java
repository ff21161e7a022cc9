package io.uniform.process.files;

import io.uniform.process.Errno;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * One process's open files on the service partition's file system: a descriptor table from
 * {@link #FIRST_FD} up (0, 1 and 2 are the kernel's or yod's own), performing file requests.
 * Plain single-threaded Java.
 */
public final class FileTable {
    public static final int FIRST_FD = 3;
    /** Descriptors a rank may hold open at once (beyond stdio). */
    public static final int MAX_OPEN = 64;

    private final ServiceFileSystem fileSystem;
    private final TreeMap<Integer, OpenFile> table = new TreeMap<>();

    /** @param fileSystem the service partition's file system, or null when there is none (every path is ENOENT) */
    public FileTable(ServiceFileSystem fileSystem) {
        this.fileSystem = fileSystem;
    }

    /** Performs a file request: the answer, never an exception (a host failure is EIO). */
    public IoReply perform(IoRequest request) {
        try {
            return performOrThrow(request);
        } catch (FileSystemException e) {
            return IoReply.error(e.errno());
        } catch (RuntimeException e) {
            return IoReply.error(Errno.EIO);
        }
    }

    private IoReply performOrThrow(IoRequest request) throws FileSystemException {
        if (request instanceof IoRequest.Open o) {
            return IoReply.of(open(o));
        }
        if (request instanceof IoRequest.Stat stat) {
            return new IoReply(0, fileSystem().stat(stat.path()).toStatx());
        }
        if (request instanceof IoRequest.Unlink unlink) {
            fileSystem().unlink(unlink.path());
            return IoReply.of(0);
        }
        if (request instanceof IoRequest.Close close) {
            OpenFile file = table.remove(close.fd());
            if (file == null) {
                return IoReply.error(Errno.EBADF);
            }
            file.close();
            return IoReply.of(0);
        }
        if (request instanceof IoRequest.Write write) {
            return IoReply.of(file(write.fd()).write(write.bytes(), 0, write.length()));
        }
        if (request instanceof IoRequest.Read read) {
            if (read.maxBytes() < 0) {
                return IoReply.error(Errno.EINVAL);
            }
            byte[] buffer = new byte[read.maxBytes()];
            int n = file(read.fd()).read(buffer, 0, buffer.length);
            return IoReply.bytes(Arrays.copyOf(buffer, Math.max(0, n)));
        }
        if (request instanceof IoRequest.Seek seek) {
            return IoReply.of(file(seek.fd()).seek(seek.offset(), seek.whence()));
        }
        if (request instanceof IoRequest.Fstat fstat) {
            return new IoReply(0, file(fstat.fd()).stat().toStatx());
        }
        return IoReply.error(Errno.ENOSYS);
    }

    private int open(IoRequest.Open request) throws FileSystemException {
        if (table.size() >= MAX_OPEN) {
            throw new FileSystemException(Errno.EMFILE, "too many open files");
        }
        OpenFile file = fileSystem().open(request.path(), request.linuxFlags(), request.mode());
        int fd = FIRST_FD;
        while (table.containsKey(fd)) {
            fd++; // the lowest free descriptor, as POSIX requires
        }
        table.put(fd, file);
        return fd;
    }

    private ServiceFileSystem fileSystem() throws FileSystemException {
        if (fileSystem == null) {
            throw new FileSystemException(Errno.ENOENT, "this job has no file system");
        }
        return fileSystem;
    }

    private OpenFile file(int fd) throws FileSystemException {
        OpenFile file = table.get(fd);
        if (file == null) {
            throw new FileSystemException(Errno.EBADF, "descriptor " + fd + " is not open");
        }
        return file;
    }

    /**
     * The open files as another kernel would open them again (a migrating process takes them):
     * descriptor, path, flags and offset, by descriptor.
     */
    public List<io.uniform.process.image.OpenFile> describe() {
        return table.entrySet().stream()
                .map(entry -> new io.uniform.process.image.OpenFile(entry.getKey(), entry.getValue().guestPath(),
                        entry.getValue().linuxFlags(), entry.getValue().position()))
                .toList();
    }

    /**
     * Opens {@code files} at their descriptors, with their flags, at their offsets (a process
     * arriving with them), all or none.
     *
     * @throws FileSystemException naming the first that cannot be opened (removed since, say),
     *     or a descriptor that is already open
     */
    public void adopt(List<io.uniform.process.image.OpenFile> files) throws FileSystemException {
        TreeMap<Integer, OpenFile> opened = new TreeMap<>();
        try {
            for (io.uniform.process.image.OpenFile file : files) {
                if (table.containsKey(file.fd()) || opened.containsKey(file.fd())) {
                    throw new FileSystemException(Errno.EBADF, "descriptor " + file.fd() + " is already open");
                }
                OpenFile open = fileSystem().open(file.path(), file.flags() & ~(ServiceFileSystem.O_CREAT | ServiceFileSystem.O_TRUNC), 0);
                opened.put(file.fd(), open);
                open.seek(file.offset(), OpenFile.SEEK_SET);
            }
        } catch (FileSystemException e) {
            opened.values().forEach(OpenFile::close);
            throw e;
        }
        table.putAll(opened);
    }

    /** Closes every file (the process has ended, or taken its files to a kernel of its own). */
    public void closeAll() {
        table.values().forEach(OpenFile::close);
        table.clear();
    }
}
