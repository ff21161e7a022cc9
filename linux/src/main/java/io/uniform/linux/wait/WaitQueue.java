package io.uniform.linux.wait;

import java.util.ArrayList;
import java.util.List;

/**
 * Tasks waiting for something to change (a pipe to fill or drain, a child to end). The kernel
 * is single-threaded, so waiting is bookkeeping: a task that must wait registers a waker here
 * and stops being scheduled; whoever changes the thing waited for calls {@link #wakeAll}, and
 * each woken task retries its system call from the start.
 */
public final class WaitQueue {
    private final List<Runnable> wakers = new ArrayList<>();

    /** Registers {@code waker}, run once by the next {@link #wakeAll}. */
    public void add(Runnable waker) {
        wakers.add(waker);
    }

    /** Wakes every registered waiter (each is then forgotten). */
    public void wakeAll() {
        if (wakers.isEmpty()) {
            return;
        }
        List<Runnable> woken = List.copyOf(wakers);
        wakers.clear();
        woken.forEach(Runnable::run);
    }

    public boolean isEmpty() {
        return wakers.isEmpty();
    }
}
