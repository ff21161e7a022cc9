package io.uniform.linux.files;

import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.OpenFile;
import io.uniform.process.files.ServiceFileSystem;

/** A regular file of the service file system, open. Reads and writes move the whole count they can. */
final class RegularFile extends OpenDescription {
    private final OpenFile file;

    RegularFile(OpenFile file, int flags) {
        super(flags);
        this.file = file;
    }

    /** The guest path it was opened by. */
    String path() {
        return file.guestPath();
    }

    long offset() {
        return file.position();
    }

    /** True if its path no longer leads to it (it was removed, or renamed, or replaced). */
    boolean unnamed() throws FileSystemException {
        return file.stat().nlink() == 0;
    }

    @Override
    int read(GuestBuffers into) throws FileSystemException {
        return into.fill(into.length(), (buffer, length) -> file.read(buffer, 0, length));
    }

    @Override
    int write(GuestBuffers from) throws FileSystemException {
        return from.drain(from.length(), (buffer, length) -> file.write(buffer, 0, length));
    }

    @Override
    long seek(long offset, int whence) throws FileSystemException {
        return file.seek(offset, whence);
    }

    @Override
    FileStatus status() throws FileSystemException {
        return file.stat();
    }

    @Override
    void setStatusFlags(int requested) {
        super.setStatusFlags(requested);
        file.setAppend(FileFlags.has(flags(), ServiceFileSystem.O_APPEND));
    }

    @Override
    void closed() {
        file.close();
    }
}
