package io.uniform.process.image;

import java.util.Objects;

/**
 * A file a frozen process holds open, by its path on the job's service file system: the
 * destination opens it again with the same descriptor number, flags and offset.
 *
 * @param fd its descriptor number (3 and up: the standard streams are the job's and always move)
 * @param path its path on the service file system
 * @param flags the Linux open flags it was opened with (O_ACCMODE, O_APPEND, O_CLOEXEC)
 * @param offset the file offset now
 */
public record OpenFile(int fd, String path, int flags, long offset) {
    public OpenFile {
        Objects.requireNonNull(path, "path");
        if (fd < 3 || offset < 0) {
            throw new IllegalArgumentException("an open file has a descriptor past the standard streams and an offset: fd "
                    + fd + ", offset " + offset);
        }
    }
}
