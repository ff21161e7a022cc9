package io.uniform.linux;

import java.io.InputStream;
import java.io.OutputStream;

/** Where a process's file descriptors 0, 1 and 2 lead. */
public record Console(InputStream in, OutputStream out, OutputStream err) {
    public static Console system() {
        return new Console(System.in, System.out, System.err);
    }
}
