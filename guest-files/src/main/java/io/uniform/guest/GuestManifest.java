package io.uniform.guest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The guest programs listed in {@code guest/expected/manifest}: how to run each and what it must do. */
public record GuestManifest(Path guest, List<Entry> entries) {
    /** One program: its ELF, expected exit status, stdin file (or null), arguments and golden stdout (or null). */
    public record Entry(String program, Path elf, int status, Path stdin, List<String> arguments, Path expectedOutput) {
        public boolean isBare() {
            return program.startsWith("bare/");
        }

        public byte[] elfBytes() {
            return GuestFiles.read(elf);
        }

        public byte[] stdinBytes() {
            return stdin == null ? new byte[0] : GuestFiles.read(stdin);
        }

        /** The golden stdout, recorded from QEMU (user programs only). */
        public byte[] expectedStdout() {
            return GuestFiles.read(expectedOutput);
        }

        @Override
        public String toString() {
            return program;
        }
    }

    public static GuestManifest load() {
        Path guest = GuestFiles.directory();
        List<Entry> entries = new ArrayList<>();
        for (String line : new String(GuestFiles.read(guest.resolve("expected/manifest")), StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            List<String> fields = shellWords(trimmed);
            String program = fields.get(0);
            Path stdin = fields.get(2).equals("-") ? null : guest.resolve(fields.get(2));
            Path golden = guest.resolve("expected/" + program.replaceFirst("\\.elf$", ".out"));
            entries.add(new Entry(program, guest.resolve("elf").resolve(program), Integer.parseInt(fields.get(1)), stdin,
                    List.copyOf(fields.subList(3, fields.size())), program.startsWith("bare/") ? null : golden));
        }
        return new GuestManifest(guest, List.copyOf(entries));
    }

    /** The entry of one program, e.g. {@code entry("tests/sort.elf")}. */
    public Entry entry(String program) {
        return entries.stream().filter(e -> e.program().equals(program)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(program + " is not in the manifest"));
    }

    /** Splits a manifest line into words, honouring double quotes (so "" is an empty argument). */
    private static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                if (word == null) {
                    word = new StringBuilder();
                }
            } else if (Character.isWhitespace(c) && !quoted) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
