package io.uniform.cpu.elf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every guest program the guest/ Makefile has built parses with the range its kernel allows;
 * until any are built, the synthetic linker shapes stand in for them.
 */
class ElfGuestFilesTest {
    @TestFactory
    Stream<DynamicTest> everyGuestExecutableParses() {
        List<ElfSeed> guests = GuestElfs.find();
        List<ElfSeed> seeds = guests.isEmpty() ? SyntheticElfs.all() : guests;
        return seeds.stream().map(seed -> dynamicTest(seed.name(), () -> {
            ElfImage image = seed.parse();
            assertFalse(image.segments().isEmpty());
            assertFalse(image.pagePermissions().isEmpty());
            if (seed.bare()) {
                assertTrue(image.symbols().containsKey("tohost"), "bare-metal tests define tohost");
            }
        }));
    }
}
