package io.uniform.portals;

/**
 * What one process's Portals engine hands to the network for another: a {@link Request} (put or
 * get) or the {@link Answer} to one (reply or acknowledgment), or, on the network only, a
 * {@link Fragment} of a large one's data. Immutable values; the kernel
 * routes them by {@link #destination()} and hands them to the destination's engine
 * ({@link PortalsEngine#receive}).
 */
public sealed interface PortalsMessage permits Request, Answer, Fragment {
    /** The process that sent this message. */
    ProcessId source();

    /** The process it is for. */
    ProcessId destination();

    /** Bytes of data it carries. */
    default int dataLength() {
        return 0;
    }
}
