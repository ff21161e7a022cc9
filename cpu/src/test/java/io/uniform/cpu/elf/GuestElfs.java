package io.uniform.cpu.elf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The guest programs built from guest/ by its Makefile and committed with it: user programs
 * under elf/tests and elf/bench, bare-metal tests under elf/bare.
 *
 * <p>The guest directory is found as the cli's {@code GuestDirectory} finds it (this module
 * cannot depend on the cli, so the lookup is repeated here): the system property
 * {@code uniform.guest.dir} (the build sets it to the checkout's guest/), else guest/ under
 * {@code uniform.home}, else the first guest/ with an elf/ inside found walking up from the
 * working directory.
 */
final class GuestElfs {
    private GuestElfs() {
    }

    /** Every guest ELF, in path order; empty only when the guest directory was not found. */
    static List<ElfSeed> find() {
        Path elfDirectory = guestDirectory().resolve("elf");
        List<ElfSeed> seeds = new ArrayList<>();
        addAll(seeds, elfDirectory.resolve("tests"), SyntheticElfs.USER_LOW, SyntheticElfs.USER_HIGH, false);
        addAll(seeds, elfDirectory.resolve("bench"), SyntheticElfs.USER_LOW, SyntheticElfs.USER_HIGH, false);
        addAll(seeds, elfDirectory.resolve("bare"), SyntheticElfs.BARE_LOW, SyntheticElfs.BARE_HIGH, true);
        return seeds;
    }

    static Path guestDirectory() {
        String configured = System.getProperty("uniform.guest.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = System.getProperty("uniform.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "guest");
        }
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            if (Files.isDirectory(directory.resolve("guest").resolve("elf"))) {
                return directory.resolve("guest");
            }
        }
        return Path.of("guest");
    }

    private static void addAll(List<ElfSeed> seeds, Path directory, long low, long high, boolean bare) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".elf")).sorted().toList()) {
                seeds.add(new ElfSeed(directory.getFileName() + "/" + file.getFileName(), ElfFile.read(file), low,
                        high, bare));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ElfFormatException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
