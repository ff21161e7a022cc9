package io.uniform.process;

/** The signals this personality delivers, with their Linux numbers. */
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
