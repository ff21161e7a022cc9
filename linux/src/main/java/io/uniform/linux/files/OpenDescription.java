package io.uniform.linux.files;

import io.uniform.process.Errno;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.ServiceFileSystem;

/**
 * An open file description: what openat, pipe2 and the console create, with one file offset
 * and one set of status flags for every descriptor that dup, fcntl or fork makes from the
 * first. It counts those descriptors and is released when the last of them closes.
 */
abstract class OpenDescription {
    /** What F_SETFL may change; the other flags stay as the description was opened. */
    private static final int SETTABLE_FLAGS = ServiceFileSystem.O_APPEND | FileFlags.O_NONBLOCK;

    private int flags;
    private int descriptors;

    /** @param flags the access mode and status flags, as F_GETFL reports them */
    OpenDescription(int flags) {
        this.flags = flags;
    }

    /** One more descriptor leads here. */
    final void retain() {
        descriptors++;
    }

    /** One descriptor leading here has closed; the last one releases the description. */
    final void release() {
        if (--descriptors == 0) {
            closed();
        }
    }

    /** More than one descriptor leads here (dup, fcntl F_DUPFD or fork made them). */
    final boolean shared() {
        return descriptors > 1;
    }

    /** No descriptor leads here any more. */
    void closed() {}

    /** F_GETFL: the access mode and the status flags. */
    final int flags() {
        return flags;
    }

    /** F_SETFL: O_APPEND and O_NONBLOCK take the values in {@code requested}; other bits are ignored. */
    void setStatusFlags(int requested) {
        flags = (flags & ~SETTABLE_FLAGS) | (requested & SETTABLE_FLAGS);
    }

    final boolean nonBlocking() {
        return FileFlags.has(flags, FileFlags.O_NONBLOCK);
    }

    int read(GuestBuffers into) throws FileSystemException {
        throw new FileSystemException(Errno.EBADF, "not open for reading");
    }

    int write(GuestBuffers from) throws FileSystemException {
        throw new FileSystemException(Errno.EBADF, "not open for writing");
    }

    /** lseek: the new offset. */
    long seek(long offset, int whence) throws FileSystemException {
        throw new FileSystemException(Errno.ESPIPE, "not seekable");
    }

    /** fstat. */
    abstract FileStatus status() throws FileSystemException;
}
