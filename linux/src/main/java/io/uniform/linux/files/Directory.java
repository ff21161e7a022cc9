package io.uniform.linux.files;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.process.Errno;
import io.uniform.process.files.DirectoryEntry;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.OpenFile;
import io.uniform.process.files.ServiceFileSystem;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A directory of the service file system, open: read by getdents64, and the directory that
 * paths relative to its descriptor start from. It knows itself by the absolute guest path it was
 * opened by, so a directory renamed or replaced after open is listed, and resolves paths, under
 * that path (Linux would keep following the directory itself).
 *
 * <p>The file offset is the index of the next entry. The listing is taken at the first
 * getdents64 after open or after a seek to 0 (rewinddir), and read from that snapshot until
 * then: entries made or removed meanwhile appear after the next rewind, as POSIX allows.
 */
final class Directory extends OpenDescription {
    /** d_ino, d_off, d_reclen and d_type come before d_name in struct linux_dirent64. */
    private static final int NAME_OFFSET = 19;
    private static final int RECORD_ALIGNMENT = 8;
    /** A file type's S_IFMT bits, shifted right by this much, are its d_type (Linux's IFTODT). */
    private static final int TYPE_SHIFT = 12;

    private final OpenFile handle;
    private final ServiceFileSystem fileSystem;
    private final String path;
    private List<DirectoryEntry> listing;
    private long position;

    /** @param path the absolute guest path the directory was opened by */
    Directory(OpenFile handle, ServiceFileSystem fileSystem, String path, int flags) {
        super(flags);
        this.handle = handle;
        this.fileSystem = fileSystem;
        this.path = path;
    }

    String path() {
        return path;
    }

    @Override
    int read(GuestBuffers into) throws FileSystemException {
        throw new FileSystemException(Errno.EISDIR, path + ": read of a directory");
    }

    /** SEEK_SET and SEEK_CUR to an entry index; SEEK_END is EINVAL, as on tmpfs. */
    @Override
    long seek(long offset, int whence) throws FileSystemException {
        long target = switch (whence) {
            case OpenFile.SEEK_SET -> offset;
            case OpenFile.SEEK_CUR -> position + offset;
            default -> throw new FileSystemException(Errno.EINVAL, path + ": directory seek whence " + whence);
        };
        if (target < 0) {
            throw new FileSystemException(Errno.EINVAL, path + ": directory seek to " + target);
        }
        if (target == 0) {
            listing = null;
        }
        position = target;
        return target;
    }

    /**
     * Stores the next entries as 8-byte aligned {@code struct linux_dirent64} records
     * {u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]} (the name NUL-terminated,
     * the padding zero; d_off is the offset of the next entry), as many as fit in
     * {@code count} bytes: their size in all, 0 at the end, EINVAL if the next does not fit.
     * A directory removed since it was opened is ENOENT.
     */
    int getdents64(AddressSpace space, int buffer, int count) throws FileSystemException {
        if (count < 0) {
            throw new FileSystemException(Errno.EFAULT, "a count of 2 GiB or more");
        }
        if (listing == null) {
            listing = fileSystem.list(path);
        }
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        long next = position;
        while (next < listing.size()) {
            byte[] record = record(listing.get((int) next), next + 1);
            if (records.size() + record.length > count) {
                break;
            }
            records.writeBytes(record);
            next++;
        }
        if (records.size() == 0 && next < listing.size()) {
            throw new FileSystemException(Errno.EINVAL, "a getdents64 buffer of " + count + " bytes is too small");
        }
        space.write(buffer, records.toByteArray(), 0, records.size());
        position = next;
        return records.size();
    }

    private static byte[] record(DirectoryEntry entry, long nextOffset) {
        byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
        int length = (NAME_OFFSET + name.length + 1 + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(entry.inode())
                .putLong(nextOffset)
                .putShort((short) length)
                .put((byte) (entry.fileType() >>> TYPE_SHIFT))
                .put(name)
                .array();
    }

    @Override
    FileStatus status() throws FileSystemException {
        return handle.stat();
    }

    @Override
    void closed() {
        handle.close();
    }
}
