package io.uniform.cpu.elf;

import static io.uniform.cpu.elf.SyntheticElfs.BARE_HIGH;
import static io.uniform.cpu.elf.SyntheticElfs.BARE_LOW;
import static io.uniform.cpu.elf.SyntheticElfs.USER_HIGH;
import static io.uniform.cpu.elf.SyntheticElfs.USER_LOW;
import static io.uniform.cpu.elf.TestElfBuilder.R;
import static io.uniform.cpu.elf.TestElfBuilder.W;
import static io.uniform.cpu.elf.TestElfBuilder.X;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.cpu.memory.PhysicalMemory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class ElfImageTest {
    @Test
    void pagePermissionsOfTheLldShapeUniteHeadersAndText() throws ElfFormatException {
        ElfImage image = ElfFile.parse(SyntheticElfs.lld().build(), USER_LOW, USER_HIGH);

        assertEquals(Map.of(0x10000, R | X, 0x11000, R | W, 0x12000, R | W, 0x13000, R | W),
                image.pagePermissions());
    }

    @Test
    void pagePermissionsOfTheGccShapeCoverTheHeaderPage() throws ElfFormatException {
        ElfImage image = ElfFile.parse(SyntheticElfs.gccWithEmptyLoad().build(), USER_LOW, USER_HIGH);

        assertEquals(Map.of(0xf000, R | X, 0x10000, R | X, 0x11000, R | W), image.pagePermissions());
    }

    @Test
    void pageSharedByTextAndDataGetsBoth() throws ElfFormatException {
        byte[] file = new TestElfBuilder()
                .entry(0x10000)
                .load(R | X, 0x10000, 0x1000, SyntheticElfs.TEXT, 0x100)
                .load(R | W, 0x10100, 0x1100, SyntheticElfs.DATA, 0x1000)
                .build();

        assertEquals(Map.of(0x10000, R | W | X, 0x11000, R | W),
                ElfFile.parse(file, USER_LOW, USER_HIGH).pagePermissions());
    }

    @Test
    void pagesAboveTwoGigabytesSortAfterLowerOnes() throws ElfFormatException {
        byte[] file = new TestElfBuilder()
                .entry(0x10000)
                .load(R | X, 0x10000, 0x1000, SyntheticElfs.TEXT, SyntheticElfs.TEXT.length)
                .load(R | W, 0x8000_0000, 0x2000, SyntheticElfs.DATA, 0x1000)
                .build();

        SortedMap<Integer, Integer> pages = ElfFile.parse(file, 0, 1L << 32).pagePermissions();

        assertEquals(List.of(0x10000, 0x8000_0000), List.copyOf(pages.keySet()));
        assertEquals(0x10000, pages.firstKey());
    }

    @Test
    void copyIntoWritesFileBytesAndZeroesTheBss() throws ElfFormatException {
        ElfImage image = ElfFile.parse(SyntheticElfs.lld().build(), USER_LOW, USER_HIGH);
        PhysicalMemory memory = new PhysicalMemory(0x4000);
        FlatAddressSpace space = new FlatAddressSpace(memory, 0x10000, 0x4000, 0);
        Arrays.fill(memory.bytes(), (byte) 0xa5);

        image.copyInto(space);

        assertEquals(0x464c457f, space.load32(0x10000), "the headers segment");
        assertArrayEquals(SyntheticElfs.TEXT, space.read(0x10100, SyntheticElfs.TEXT.length));
        assertEquals(0xa5, space.load8(0x100b4), "between segments: untouched");
        assertArrayEquals(SyntheticElfs.DATA, space.read(0x11110, SyntheticElfs.DATA.length));
        byte[] bss = space.read(0x11110 + SyntheticElfs.DATA.length, 0x2000 - SyntheticElfs.DATA.length);
        assertArrayEquals(new byte[bss.length], bss);
        assertEquals(0xa5, space.load8(0x13110), "just past the bss: untouched");
    }

    @Test
    void copyIntoTheBareMachinesRam() throws ElfFormatException {
        ElfImage image = ElfFile.parse(SyntheticElfs.bare().build(), BARE_LOW, BARE_HIGH);
        FlatAddressSpace space = FlatAddressSpace.covering(new PhysicalMemory(0x10000), 0x8000_0000);

        image.copyInto(space);

        assertArrayEquals(SyntheticElfs.TEXT, space.read(0x8000_0000, SyntheticElfs.TEXT.length));
    }

    @Test
    void copyIntoAnUnmappedRangeFaults() throws ElfFormatException {
        ElfImage image = ElfFile.parse(SyntheticElfs.lld().build(), USER_LOW, USER_HIGH);
        FlatAddressSpace tooSmall = new FlatAddressSpace(new PhysicalMemory(0x2000), 0x10000, 0x2000, 0);

        assertThrows(MemoryFault.class, () -> image.copyInto(tooSmall));
    }

    @Test
    void segmentsAreDefensivelyCopied() throws ElfFormatException {
        byte[] file = SyntheticElfs.lld().build();
        ElfImage image = ElfFile.parse(file, USER_LOW, USER_HIGH);
        Segment text = image.segments().get(1);

        Arrays.fill(file, (byte) 0);
        text.fileBytes()[0] = 0;

        assertArrayEquals(SyntheticElfs.TEXT, text.fileBytes());
        assertThrows(UnsupportedOperationException.class, () -> image.segments().clear());
        assertThrows(UnsupportedOperationException.class, () -> image.symbols().clear());
        assertThrows(UnsupportedOperationException.class, () -> image.sections().clear());
        assertThrows(UnsupportedOperationException.class, () -> image.pagePermissions().clear());
    }

    @Test
    void segmentsCompareByContents() {
        byte[] bytes = {1, 2, 3};
        Segment segment = new Segment(0x1000, 8, bytes, R);

        assertEquals(new Segment(0x1000, 8, bytes.clone(), R), segment);
        assertEquals(new Segment(0x1000, 8, bytes.clone(), R).hashCode(), segment.hashCode());
        assertEquals("Segment[0x1000 + 0x8 R--, 0x3 bytes from the file]", segment.toString());
    }

    @Test
    void segmentRejectsInconsistentFields() {
        assertThrows(IllegalArgumentException.class, () -> new Segment(0x1000, 2, new byte[3], R));
        assertThrows(IllegalArgumentException.class, () -> new Segment(0xffff_f000, 0x2000, new byte[0], R));
        assertThrows(IllegalArgumentException.class, () -> new Segment(0x1000, 1, new byte[0], 8));
    }

    @Test
    void segmentReachingTheTopOfTheAddressSpace() {
        Segment segment = new Segment(0xffff_f000, 0x1000, new byte[0], R | W);

        assertEquals(1L << 32, segment.end());
        assertTrue(segment.contains(0xffff_ffff));
        assertFalse(segment.contains(0xffff_efff));
    }
}
