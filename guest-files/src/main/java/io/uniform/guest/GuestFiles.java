package io.uniform.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's {@code guest/} directory: the committed guest ELFs ({@code elf/}) and what they
 * must do ({@code expected/}). Found from the system property {@code uniform.guest.dir} (the
 * build passes it to the tests), else {@code guest/} under the launcher's {@code uniform.home},
 * else the first {@code guest/} with an {@code elf/} inside walking up from the working
 * directory, else {@code guest} relative to it.
 */
public final class GuestFiles {
    private GuestFiles() {}

    public static Path directory() {
        String configured = System.getProperty("uniform.guest.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = System.getProperty("uniform.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "guest");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("guest").resolve("elf"))) {
                return dir.resolve("guest");
            }
        }
        return Path.of("guest");
    }

    /** A committed ELF, e.g. {@code elf("tests/hello.elf")}. */
    public static byte[] elf(String relative) {
        return read(directory().resolve("elf").resolve(relative));
    }

    /** A file of {@code expected/}, e.g. {@code expected("tests/hello.out")}. */
    public static byte[] expected(String relative) {
        return read(directory().resolve("expected").resolve(relative));
    }

    static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
