package io.uniform.puma.pct;

import io.uniform.process.ExitStatus;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import io.uniform.puma.qk.Arrival;
import io.uniform.puma.qk.LoadRequest;
import io.uniform.puma.qk.Pct;
import io.uniform.puma.qk.QkServices;
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

    /** The operations a fault can be injected into. */
    public static final java.util.Set<String> OPERATIONS = java.util.Set.of(
            "attach", "load", "admit", "departed", "schedule", "brk", "write", "read", "open", "close", "lseek", "stat", "fstat", "unlink", "ended");

    /** Throws, saying why, unless a fault can be injected into call {@code nth} of {@code operation}. */
    public static void requireInjectable(String operation, int nth) {
        if (!OPERATIONS.contains(operation) || nth < 1) {
            throw new IllegalArgumentException("cannot inject a PCT fault into call " + nth + " of '" + operation
                    + "': the operations are " + new java.util.TreeSet<>(OPERATIONS) + " and calls count from 1");
        }
    }

    /**
     * A trigger an operator arms at run time: it fails the {@code nth} call of an operation
     * counted from the arming, once, then disarms. Armed and consulted on one thread at a time
     * (the node actor arms it between CPU slices).
     */
    public static final class Armed implements Trigger {
        private String operation;
        private int remaining;

        /** Arms the trigger; throws for an operation the PCT does not have or n < 1. */
        public void arm(String operation, int nth) {
            requireInjectable(operation, nth);
            this.operation = operation;
            this.remaining = nth;
        }

        @Override
        public boolean fail(String op, int count) {
            if (op.equals(operation) && --remaining == 0) {
                operation = null;
                return true;
            }
            return false;
        }
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
    public LoadRequest.Result admit(Arrival arrival) {
        check("admit");
        return delegate.admit(arrival);
    }

    @Override
    public void departed(int pid) {
        check("departed");
        delegate.departed(pid);
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

    /**
     * Counted under the request's call name: "write", "read", "open", "close", "lseek", "stat",
     * "fstat", "unlink". The fault strikes after the request has gone to yod, the hard case:
     * the retried trap must not be performed twice.
     */
    @Override
    public IoReply forward(int pid, long sequence, IoRequest request) {
        IoReply reply = delegate.forward(pid, sequence, request);
        check(request.call());
        return reply;
    }

    @Override
    public void ended(int pid, ExitStatus status) {
        check("ended");
        delegate.ended(pid, status);
    }
}
