package io.uniform.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's {@code guest/} directory: the system property {@code uniform.guest.dir}
 * when set (the build passes it to the tests), else {@code guest/} under the launcher's
 * {@code uniform.home}, else the first {@code guest/} with an {@code elf/} inside found walking
 * up from the working directory, else {@code guest} relative to the working directory.
 */
final class GuestDirectory {
    private GuestDirectory() {}

    static Path locate() {
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
}
