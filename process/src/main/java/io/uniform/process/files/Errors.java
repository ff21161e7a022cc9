package io.uniform.process.files;

import io.uniform.process.Errno;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** Builds {@link FileSystemException}s, translating host I/O failures into the errno Linux would give. */
final class Errors {
    private Errors() {}

    /**
     * Host failures Java reports only as text: the JDK's message is the C library's strerror, so
     * its start names the errno. Anything else is EIO.
     */
    private static final Map<String, Integer> ERRNO_BY_STRERROR = Map.of(
            "Operation not permitted", Errno.EPERM,
            "Not a directory", Errno.ENOTDIR,
            "Is a directory", Errno.EISDIR,
            "File too large", Errno.EFBIG,
            "No space left on device", Errno.ENOSPC,
            "Read-only file system", Errno.EROFS,
            "Too many levels of symbolic links", Errno.ELOOP,
            "Directory not empty", Errno.ENOTEMPTY,
            "Device or resource busy", Errno.EBUSY);

    static FileSystemException of(int errno, String guestPath, String problem) {
        return new FileSystemException(errno, guestPath + ": " + problem);
    }

    /** The message names the guest path only: host paths are no business of the guest's. */
    static FileSystemException fromHost(IOException failure, String guestPath) {
        String reason = failure instanceof java.nio.file.FileSystemException f ? f.getReason() : failure.getMessage();
        String problem = reason != null ? reason : failure.getClass().getSimpleName();
        return of(errnoOf(failure, reason), guestPath, problem);
    }

    private static int errnoOf(IOException failure, String reason) {
        if (failure instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (failure instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (failure instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (failure instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (failure instanceof AtomicMoveNotSupportedException) {
            return Errno.EXDEV; // how the JDK reports rename(2) across file systems
        }
        if (reason != null) {
            for (Map.Entry<String, Integer> known : ERRNO_BY_STRERROR.entrySet()) {
                if (reason.startsWith(known.getKey())) {
                    return known.getValue();
                }
            }
        }
        return Errno.EIO;
    }
}
