package io.uniform.cpu.elf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.uniform.guest.GuestFiles;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every guest program the guest/ Makefile builds (the ELFs are committed under guest/elf)
 * parses with the range its kernel allows. Finding none is a failure: the guest directory was
 * not found, so nothing would be checked.
 */
class ElfGuestFilesTest {
    @TestFactory
    Stream<DynamicTest> everyGuestExecutableParses() {
        List<ElfSeed> guests = GuestElfs.find();
        assertFalse(guests.isEmpty(), () -> "no guest ELFs found under " + GuestFiles.directory().toAbsolutePath()
                + "/elf (set uniform.guest.dir to the checkout's guest/)");
        return guests.stream().map(seed -> dynamicTest(seed.name(), () -> {
            ElfImage image = seed.parse();
            assertFalse(image.segments().isEmpty());
            assertFalse(image.pagePermissions().isEmpty());
            if (seed.bare()) {
                assertTrue(image.symbols().containsKey("tohost"), "bare-metal tests define tohost");
            }
        }));
    }
}
