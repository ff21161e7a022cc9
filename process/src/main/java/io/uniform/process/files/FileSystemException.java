package io.uniform.process.files;

/** A failed file operation: the Linux errno it stands for, and a message. */
public final class FileSystemException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public FileSystemException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
