package io.uniform.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project's {@code guest/} directory: from the launcher's {@code uniform.home}, or up from the working directory. */
final class GuestDirectory {
    private GuestDirectory() {}

    static Path locate() {
        String home = System.getProperty("uniform.home");
        if (home != null) {
            return Path.of(home, "guest");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("guest/elf"))) {
                return dir.resolve("guest");
            }
        }
        return Path.of("guest");
    }
}
