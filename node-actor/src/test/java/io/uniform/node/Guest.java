package io.uniform.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The guest programs: {@code uniform.guest.dir}, or {@code guest/} found walking up from the working directory. */
final class Guest {
    private Guest() {}

    static Path dir() {
        String configured = System.getProperty("uniform.guest.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("guest").resolve("elf"))) {
                return dir.resolve("guest");
            }
        }
        throw new IllegalStateException("no guest/ directory above " + Path.of("").toAbsolutePath());
    }

    static byte[] elf(String relative) {
        return read(dir().resolve("elf").resolve(relative));
    }

    static byte[] expected(String relative) {
        return read(dir().resolve("expected").resolve(relative));
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
