package io.uniform.puma.pct;

import io.uniform.puma.qk.ReadResult;

/**
 * The PCT's line to yod, which serves stdio and files for a job (Puma has no file system).
 * Results are the Linux ones: a count or offset, or {@code -errno}. A node actor implements it
 * with messages; {@link InMemoryYodPort} serves tests.
 */
public interface YodPort {
    int write(int fd, byte[] bytes);

    ReadResult read(int fd, int maxBytes);

    /** {@code linuxFlags} are Linux open flags (O_CREAT = 0100, O_TRUNC = 01000, ...). */
    int open(String path, int linuxFlags, int mode);

    int close(int fd);

    long lseek(int fd, long offset, int whence);
}
