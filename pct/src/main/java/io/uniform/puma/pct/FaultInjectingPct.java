package io.uniform.puma.pct;

import io.uniform.process.ExitStatus;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.Pct;
import io.uniform.puma.qk.QkServices;
import io.uniform.puma.qk.ReadResult;
import java.util.function.Predicate;

/**
 * A PCT decorator that fails on demand: before delegating an operation whose name the trigger
 * accepts (e.g. "write", "schedule", "brk"), it counts it, and throws once the trigger says so.
 * Used by tests and by the node's "inject PCT fault" command.
 */
public final class FaultInjectingPct implements Pct {
    /** Decides, from the operation name and how many of that operation came before (1-based), whether to fail. */
    @FunctionalInterface
    public interface Trigger {
        boolean fail(String operation, int count);
    }

    /** The exception an injected fault throws. */
    public static final class InjectedFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InjectedFault(String message) {
            super(message);
        }
    }

    private final Pct delegate;
    private final Trigger trigger;
    private final java.util.Map<String, Integer> counts = new java.util.HashMap<>();

    public FaultInjectingPct(Pct delegate, Trigger trigger) {
        this.delegate = delegate;
        this.trigger = trigger;
    }

    /** Fails the {@code n}th call of {@code operation}, once. */
    public static Trigger onNth(String operation, int n) {
        return (op, count) -> op.equals(operation) && count == n;
    }

    /** Fails whenever the predicate accepts the operation name. */
    public static Trigger whenever(Predicate<String> operation) {
        return (op, count) -> operation.test(op);
    }

    private void check(String operation) {
        int count = counts.merge(operation, 1, Integer::sum);
        if (trigger.fail(operation, count)) {
            throw new InjectedFault("injected PCT fault in " + operation + " #" + count);
        }
    }

    @Override
    public void attach(QkServices qk) {
        check("attach");
        delegate.attach(qk);
    }

    @Override
    public LoadRequest.Result load(LoadRequest request) {
        check("load");
        return delegate.load(request);
    }

    @Override
    public Dispatch schedule() {
        check("schedule");
        return delegate.schedule();
    }

    @Override
    public int brk(int pid, int requested) {
        check("brk");
        return delegate.brk(pid, requested);
    }

    @Override
    public int write(int pid, int fd, byte[] bytes) {
        check("write");
        return delegate.write(pid, fd, bytes);
    }

    @Override
    public ReadResult read(int pid, int fd, int maxBytes) {
        check("read");
        return delegate.read(pid, fd, maxBytes);
    }

    @Override
    public int open(int pid, String path, int linuxFlags, int mode) {
        check("open");
        return delegate.open(pid, path, linuxFlags, mode);
    }

    @Override
    public int close(int pid, int fd) {
        check("close");
        return delegate.close(pid, fd);
    }

    @Override
    public long lseek(int pid, int fd, long offset, int whence) {
        check("lseek");
        return delegate.lseek(pid, fd, offset, whence);
    }

    @Override
    public void ended(int pid, ExitStatus status) {
        check("ended");
        delegate.ended(pid, status);
    }
}
