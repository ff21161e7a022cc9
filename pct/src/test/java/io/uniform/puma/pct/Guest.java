package io.uniform.puma.pct;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Finds guest/ (system property uniform.guest.dir, or up from the working directory) and reads its manifest. */
final class Guest {
    private Guest() {}

    record Entry(String elf, int status, String stdin, List<String> args) {
        byte[] elfBytes() {
            return read(dir().resolve("elf").resolve(elf));
        }

        byte[] stdinBytes() {
            return stdin.equals("-") ? new byte[0] : read(dir().resolve(stdin));
        }

        byte[] expectedStdout() {
            return read(dir().resolve("expected").resolve(elf.replaceAll("\\.elf$", ".out")));
        }

        List<String> argv() {
            List<String> argv = new ArrayList<>();
            argv.add(elf);
            argv.addAll(args);
            return argv;
        }
    }

    static Path dir() {
        String property = System.getProperty("uniform.guest.dir");
        if (property != null && Files.isDirectory(Path.of(property))) {
            return Path.of(property);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("guest/expected/manifest"))) {
                return p.resolve("guest");
            }
        }
        throw new IllegalStateException("guest/ not found: set -Duniform.guest.dir");
    }

    static byte[] elf(String relative) {
        return read(dir().resolve("elf").resolve(relative));
    }

    static List<Entry> manifest() {
        try {
            List<Entry> entries = new ArrayList<>();
            for (String line : Files.readAllLines(dir().resolve("expected/manifest"))) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                List<String> fields = new ArrayList<>(Arrays.asList(trimmed.split("\\s+")));
                List<String> args = new ArrayList<>();
                for (String arg : fields.subList(3, fields.size())) {
                    args.add(arg.equals("\"\"") ? "" : arg);
                }
                entries.add(new Entry(fields.get(0), Integer.parseInt(fields.get(1)), fields.get(2), args));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
