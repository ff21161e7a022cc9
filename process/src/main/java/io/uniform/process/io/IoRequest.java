package io.uniform.process.io;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * A file call a process makes that its own kernel does not perform but forwards to an I/O
 * service (Puma's yod). The kernel has validated and copied in every argument (paths, bytes to
 * write); the answer is an {@link IoReply}. Values: byte arrays are copied in and out.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "call")
@JsonSubTypes({
        @JsonSubTypes.Type(value = IoRequest.Write.class, name = "write"),
        @JsonSubTypes.Type(value = IoRequest.Read.class, name = "read"),
        @JsonSubTypes.Type(value = IoRequest.Open.class, name = "open"),
        @JsonSubTypes.Type(value = IoRequest.Close.class, name = "close"),
        @JsonSubTypes.Type(value = IoRequest.Seek.class, name = "lseek"),
        @JsonSubTypes.Type(value = IoRequest.Stat.class, name = "stat"),
        @JsonSubTypes.Type(value = IoRequest.Fstat.class, name = "fstat"),
        @JsonSubTypes.Type(value = IoRequest.Unlink.class, name = "unlink")})
public sealed interface IoRequest {
    /** The descriptor the call is on; -1 for the calls on a path (open, stat, unlink). */
    default int fd() {
        return -1;
    }

    /** The call's name, as the trap table and the guest README name it ("write", "lseek", ...). */
    default String call() {
        return this instanceof Seek ? "lseek" : getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** Answers: bytes written, or -errno. */
    record Write(int fd, byte[] bytes) implements IoRequest {
        public Write {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** How many bytes are to be written (without copying them). */
        public int length() {
            return bytes.length;
        }
    }

    /** Answers: the bytes read (0 at end of file), or -errno. */
    record Read(int fd, int maxBytes) implements IoRequest {}

    /** {@code linuxFlags} are Linux open flags; answers: the new descriptor, or -errno. */
    record Open(String path, int linuxFlags, int mode) implements IoRequest {
        public Open {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Answers: 0, or -errno. */
    record Close(int fd) implements IoRequest {}

    /** lseek; answers: the new offset, or -errno. */
    record Seek(int fd, long offset, int whence) implements IoRequest {}

    /** stat of a path; answers: 0 with a {@code struct statx} as data, or -errno. */
    record Stat(String path) implements IoRequest {
        public Stat {
            Objects.requireNonNull(path, "path");
        }
    }

    /** stat of an open descriptor; answers as {@link Stat}. */
    record Fstat(int fd) implements IoRequest {}

    /** Answers: 0, or -errno. */
    record Unlink(String path) implements IoRequest {
        public Unlink {
            Objects.requireNonNull(path, "path");
        }
    }
}
