package io.uniform.cpu.elf;

import io.uniform.guest.GuestFiles;
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

 * in the directory {@link GuestFiles#directory()} finds.
 */
final class GuestElfs {
    private GuestElfs() {
    }

    /** Every guest ELF, in path order; empty only when the guest directory was not found. */
    static List<ElfSeed> find() {
        Path elfDirectory = GuestFiles.directory().resolve("elf");
        List<ElfSeed> seeds = new ArrayList<>();
        addAll(seeds, elfDirectory.resolve("tests"), SyntheticElfs.USER_LOW, SyntheticElfs.USER_HIGH, false);
        addAll(seeds, elfDirectory.resolve("bench"), SyntheticElfs.USER_LOW, SyntheticElfs.USER_HIGH, false);
        addAll(seeds, elfDirectory.resolve("bare"), SyntheticElfs.BARE_LOW, SyntheticElfs.BARE_HIGH, true);
        return seeds;
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
