package io.uniform.node;

import java.util.List;
import java.util.Objects;

/**
 * What a job runs: the ELF image, its arguments and the bytes of its standard input. Immutable:
 * the arrays are copied in and out, so messages that carry it stay values.
 */
public record Program(byte[] image, List<String> argv, byte[] stdin) {
    public Program {
        image = Objects.requireNonNull(image, "image").clone();
        argv = List.copyOf(argv);
        stdin = stdin == null ? new byte[0] : stdin.clone();
    }

    /** A copy of the ELF image. */
    @Override
    public byte[] image() {
        return image.clone();
    }

    /** A copy of the standard input. */
    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}
