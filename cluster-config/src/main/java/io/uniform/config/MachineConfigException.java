package io.uniform.config;

/**
 * A machine description that cannot be loaded. The message is meant for people: it names the
 * configuration path (and, when known, the file and line) and says what is wrong, e.g.
 * {@code machine.conf: mesh.x: must be a positive integer, got 0 (machine.conf:3)}.
 */
public final class MachineConfigException extends RuntimeException {
    public MachineConfigException(String message) {
        super(message);
    }
}
