package io.uniform.portals;

/**
 * Why the engine will not go on with a call or a delivery: the Portals return code a call gives
 * for it, and what was wrong. Thrown inside the engine only (no stack trace), never out of it: a
 * call turns it into its return code, a delivery into a counted drop.
 */
final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    Refused(int code, String why) {
        super(why, null, false, false);
        this.code = code;
    }

    int code() {
        return code;
    }
}
