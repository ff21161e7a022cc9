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

    /**
     * Fills {@code root}/bin with the programs of {@code elf/posix}, which guest programs execve
     * by relative path (guest/README.md): copies of the ELFs for uniform (executable, as execve
     * requires), or, {@code forQemu}, shell wrappers that run each under {@code qemu} as
     * scripts/check.sh writes them, since the host kernel cannot execve a RISC-V ELF.
     */
    public static void installExecTargets(Path root, String qemu, boolean forQemu) {
        Path bin = root.resolve("bin");
        try (var programs = Files.list(directory().resolve("elf").resolve("posix"))) {
            Files.createDirectories(bin);
            for (Path program : programs.filter(path -> path.toString().endsWith(".elf")).toList()) {
                Path target = bin.resolve(program.getFileName());
                if (forQemu) {
                    Files.writeString(target, "#!/bin/sh\nexec " + qemu + " -0 \"$0\" " + program.toAbsolutePath() + " \"$@\"\n");
                } else {
                    Files.copy(program, target);
                }
                target.toFile().setExecutable(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
