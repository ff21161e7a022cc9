package io.uniform.process;

/** execve could not start the program for a reason other than its file format. */
public final class ExecFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public ExecFailure(String message) {
        super(message);
    }
}
