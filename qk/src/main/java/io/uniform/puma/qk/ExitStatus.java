package io.uniform.puma.qk;

/**
 * How a Puma process ended: an exit code, or killed by the QK with a signal number chosen as
 * Linux would (SIGSEGV for access faults, SIGSYS for protocol violations, ...), so that yod
 * reports a status a shell understands ({@link #shellStatus()}).
 */
public record ExitStatus(int code, int signal) {
    public static final int SIGILL = 4;
    public static final int SIGTRAP = 5;
    public static final int SIGBUS = 7;
    public static final int SIGKILL = 9;
    public static final int SIGSEGV = 11;
    public static final int SIGSYS = 31;

    public static ExitStatus exited(int code) {
        return new ExitStatus(code & 0xff, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(0, signal);
    }

    public boolean wasKilled() {
        return signal != 0;
    }

    /** The status as a shell reports it: the code, or 128 + signal. */
    public int shellStatus() {
        return signal != 0 ? 128 + signal : code;
    }

    public static String signalName(int signal) {
        return switch (signal) {
            case SIGILL -> "SIGILL";
            case SIGTRAP -> "SIGTRAP";
            case SIGBUS -> "SIGBUS";
            case SIGKILL -> "SIGKILL";
            case SIGSEGV -> "SIGSEGV";
            case SIGSYS -> "SIGSYS";
            default -> "signal " + signal;
        };
    }

    @Override
    public String toString() {
        return signal != 0 ? "killed by " + signalName(signal) : "exit " + code;
    }
}
