package io.uniform.linux.wait;

/**
 * Thrown by a system call that cannot complete yet: the task waits on {@link #queue()} and the
 * call is retried from the start when the queue is woken. A call throws it before it has
 * changed anything, except for {@link #progress()} bytes a write already moved: the kernel
 * then retries the write with the rest of the buffer and adds them to its result.
 */
public final class Blocked extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient WaitQueue queue;
    private final int progress;

    public Blocked(WaitQueue queue, int progress) {
        super("the call must wait", null, false, false);
        this.queue = queue;
        this.progress = progress;
    }

    public Blocked(WaitQueue queue) {
        this(queue, 0);
    }

    public WaitQueue queue() {
        return queue;
    }

    /** Bytes the call moved before it had to wait (a partial pipe write); 0 otherwise. */
    public int progress() {
        return progress;
    }
}
