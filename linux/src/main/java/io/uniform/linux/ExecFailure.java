package io.uniform.linux;

/** execve could not start the program for a reason other than its file format (Linux's errno names it). */
public final class ExecFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ExecFailure(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
