package io.uniform.process;

import java.util.Optional;

/**
 * The 31 standard Linux signals (their RISC-V numbers; a shell reports death by signal n as
 * 128 + n) and what each does to a process that has not changed its disposition.
 */
public enum Signal {
    SIGHUP(1, Action.TERMINATE),
    SIGINT(2, Action.TERMINATE),
    SIGQUIT(3, Action.CORE),
    SIGILL(4, Action.CORE),
    SIGTRAP(5, Action.CORE),
    SIGABRT(6, Action.CORE),
    SIGBUS(7, Action.CORE),
    SIGFPE(8, Action.CORE),
    SIGKILL(9, Action.TERMINATE),
    SIGUSR1(10, Action.TERMINATE),
    SIGSEGV(11, Action.CORE),
    SIGUSR2(12, Action.TERMINATE),
    SIGPIPE(13, Action.TERMINATE),
    SIGALRM(14, Action.TERMINATE),
    SIGTERM(15, Action.TERMINATE),
    SIGSTKFLT(16, Action.TERMINATE),
    SIGCHLD(17, Action.IGNORE),
    SIGCONT(18, Action.CONTINUE),
    SIGSTOP(19, Action.STOP),
    SIGTSTP(20, Action.STOP),
    SIGTTIN(21, Action.STOP),
    SIGTTOU(22, Action.STOP),
    SIGURG(23, Action.IGNORE),
    SIGXCPU(24, Action.CORE),
    SIGXFSZ(25, Action.CORE),
    SIGVTALRM(26, Action.TERMINATE),
    SIGPROF(27, Action.TERMINATE),
    SIGWINCH(28, Action.IGNORE),
    SIGIO(29, Action.TERMINATE),
    SIGPWR(30, Action.TERMINATE),
    SIGSYS(31, Action.CORE);

    /** A signal's default disposition (signal(7)); CORE also terminates, with a core dump where enabled. */
    public enum Action { TERMINATE, CORE, IGNORE, STOP, CONTINUE }

    private static final Signal[] BY_NUMBER = new Signal[32];

    static {
        for (Signal signal : values()) {
            BY_NUMBER[signal.number] = signal;
        }
    }

    private final int number;
    private final Action defaultAction;

    Signal(int number, Action defaultAction) {
        this.number = number;
        this.defaultAction = defaultAction;
    }

    public int number() {
        return number;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    /** Whether the default action ends the process. */
    public boolean terminatesByDefault() {
        return defaultAction == Action.TERMINATE || defaultAction == Action.CORE;
    }

    /** The signal numbered {@code number}, if it is one of the 31 standard ones. */
    public static Optional<Signal> of(int number) {
        return number > 0 && number < BY_NUMBER.length ? Optional.of(BY_NUMBER[number]) : Optional.empty();
    }
}
