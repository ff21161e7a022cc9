package io.uniform.portals;

/**
 * What one process's Portals engine hands to the network for another: a {@link Request} (put or
 * get) or the {@link Answer} to one (reply or acknowledgment). Immutable values; the kernel
 * routes them by {@link #destination()} and hands them to the destination's engine
 * ({@link PortalsEngine#receive}).
 */
public sealed interface PortalsMessage permits Request, Answer {
    /** The process that sent this message. */
    ProcessId source();

    /** The process it is for. */
    ProcessId destination();

    /** Bytes of data it carries. */
    default int dataLength() {
        return 0;
    }
}
