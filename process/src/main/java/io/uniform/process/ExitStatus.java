package io.uniform.process;

/**
 * How a process ended: exited with a status, or killed by a signal.
 *
 * @param code the exit status (0..255) when {@code signal} is null
 * @param signal the signal that killed the process, or null
 */
public record ExitStatus(int code, Signal signal) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code & 0xff, null);
    }

    public static ExitStatus killed(Signal signal) {
        return new ExitStatus(0, signal);
    }

    /** The status a shell reports: the exit code, or 128 + signal number. */
    public int shellStatus() {
        return signal == null ? code : 128 + signal.number();
    }

    @Override
    public String toString() {
        return signal == null ? "exited with status " + code : "killed by " + signal;
    }
}
