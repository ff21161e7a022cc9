package io.uniform.linux.memory;

/**
 * A mapping request that fails, as the system call would: {@link #errno()} is the Linux error
 * number ({@link io.uniform.process.Errno#ENOMEM}, {@link io.uniform.process.Errno#EINVAL})
 * the kernel returns to the program.
 */
public final class MappingException extends Exception {
    private final int errno;

    public MappingException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
