package io.uniform.process;

/** The signals kernels end processes with, with their Linux numbers (a shell reports 128 + n). */
public enum Signal {
    SIGILL(4),
    SIGTRAP(5),
    SIGBUS(7),
    SIGKILL(9),
    SIGSEGV(11),
    SIGSYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
