package io.uniform.process.image;

/** A process cannot move where it was asked to, and why: it keeps running where it was. */
public final class MigrationRefused extends Exception {
    private static final long serialVersionUID = 1L;

    public MigrationRefused(String reason) {
        super(reason);
    }
}
