package io.uniform.cpu.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A demand-zero flat region reads as zero everywhere, holds memory only for what was written, and keeps its bounds. */
class DemandZeroRegionTest {
    private static final int PAGE = PhysicalMemory.PAGE_SIZE;
    private static final int BASE = 0x1000;
    private static final int SIZE = 32 << 20;

    @Test
    void untouchedMemoryReadsZeroAndHoldsNothing() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        assertEquals(0, space.load32(BASE));
        assertEquals(0, space.load8(BASE + SIZE - 1));
        assertArrayEquals(new byte[3 * PAGE], space.read(BASE + SIZE / 2 - 5, 3 * PAGE));
        space.validate(BASE, SIZE, Access.WRITE); // validating a whole region backs none of it

        assertEquals(0, space.backedBytes());
        assertEquals(16 * PAGE, space.physical().size());
    }

    @Test
    void writesAcrossPageBoundariesBackBothPages() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        int top = BASE + SIZE;
        space.store32(top - PAGE - 2, 0x11223344); // the last two pages: the stack's end of the region
        space.store16(BASE + PAGE - 1, 0xbeef);

        assertEquals(0x11223344, space.load32(top - PAGE - 2));
        assertEquals(0x3344, space.load16(top - PAGE - 2));
        assertEquals(0x1122, space.load16(top - PAGE));
        assertEquals(0xbeef, space.load16(BASE + PAGE - 1));
        assertEquals(0, space.load32(top - 4));
        assertEquals(4L * PAGE, space.backedBytes());
    }

    @Test
    void bulkCopiesAndZeroingSpanManyPagesAndGrowTheMemory() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        byte[] data = new byte[40 * PAGE + 123];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        int at = BASE + 5 * PAGE + 77;
        space.write(at, data, 0, data.length);

        assertArrayEquals(data, space.read(at, data.length));
        assertEquals(41L * PAGE, space.backedBytes());
        assertEquals(64 * PAGE, space.physical().size()); // 16 frames, doubled twice

        space.zero(at + PAGE, 2 * PAGE);
        byte[] expected = data.clone();
        Arrays.fill(expected, PAGE, 3 * PAGE, (byte) 0);
        assertArrayEquals(expected, space.read(at, data.length));
    }

    /** A landing reserves the frames of the pages to come: writing them then keeps the one array (no copy as it fills). */
    @Test
    void reservedFramesAreWrittenWithoutGrowingTheMemoryAgain() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        space.store32(BASE, 1);
        space.reserveFrames(40L * PAGE - 1); // rounded up to 40 pages
        byte[] memory = space.physical().bytes();
        int epoch = space.mappingEpoch();
        assertEquals(42 * PAGE, space.physical().size()); // the zero frame, the page written, the 40 to come

        byte[] data = new byte[40 * PAGE];
        Arrays.fill(data, (byte) 0x5a);
        space.write(BASE + PAGE, data, 0, data.length);

        assertSame(memory, space.physical().bytes());
        assertEquals(epoch, space.mappingEpoch());
        assertArrayEquals(data, space.read(BASE + PAGE, data.length));
        assertEquals(41L * PAGE, space.backedBytes());
        space.store32(BASE + 41 * PAGE, 2); // past the reservation, the memory doubles as before
        assertEquals(84 * PAGE, space.physical().size());
    }

    @Test
    void pagesWrittenInOrderAreReadInOneRunAndOthersAreNot() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        byte[] data = new byte[3 * PAGE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13 + 1);
        }
        space.write(BASE + 4 * PAGE, data, 0, data.length);
        space.store32(BASE + PAGE, 1); // the next frame, after the run's

        byte[] run = space.readRun(BASE + 4 * PAGE, 3, 5);
        assertArrayEquals(new byte[5], Arrays.copyOf(run, 5));
        assertArrayEquals(data, Arrays.copyOfRange(run, 5, run.length));
        assertNull(space.readRun(BASE + 3 * PAGE, 2, 0), "a page never written has no frame");
        assertNull(space.readRun(BASE + 6 * PAGE, 2, 0), "the next page's frame is not the next frame");
        assertNull(space.readRun(BASE + SIZE - PAGE, 2, 0), "past the region");
    }

    @Test
    void framesAreReservedWithinTheRegionOnly() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, 64 * PAGE);
        space.reserveFrames(1L << 40);
        assertEquals(65 * PAGE, space.physical().size()); // the region and the zero frame
        assertThrows(IllegalStateException.class, () -> FlatAddressSpace.covering(new PhysicalMemory(4 * PAGE), BASE).reserveFrames(PAGE));
    }

    @Test
    void accessesOutsideTheRegionFaultAndTouchNothing() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        assertEquals(AddressSpace.ACCESS_FAULT, space.translate(BASE - 1, Access.READ));
        assertEquals(AddressSpace.ACCESS_FAULT, space.translate(BASE + SIZE, Access.WRITE));
        assertThrows(MemoryFault.class, () -> space.store32(BASE + SIZE, 1));
        assertThrows(MemoryFault.class, () -> space.write(BASE + SIZE - PAGE, new byte[PAGE + 1], 0, PAGE + 1));
        assertThrows(MemoryFault.class, () -> space.load8(0));

        assertEquals(0, space.backedBytes());
    }

    @Test
    void badRegionSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FlatAddressSpace.demandZero(BASE, 0));
        assertThrows(IllegalArgumentException.class, () -> FlatAddressSpace.demandZero(BASE, PAGE + 1));
        assertThrows(IllegalArgumentException.class, () -> FlatAddressSpace.demandZero(0xffff_0000, 2 * 0x1_0000));
    }

    @Test
    void theEpochChangesOnlyWhenAHandedOutTranslationMayBeStale() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        int start = space.mappingEpoch();
        space.translate(BASE, Access.WRITE); // never shown: its first frame
        assertEquals(start, space.mappingEpoch());

        int shown = space.translate(BASE + PAGE, Access.READ);
        int backed = space.translate(BASE + PAGE, Access.WRITE);
        assertNotEquals(shown, backed);
        assertEquals(start + 1, space.mappingEpoch()); // the zero page a hart may hold for it

        for (int page = 2; page < 16; page++) {
            space.translate(BASE + page * PAGE, Access.WRITE);
        }
        assertEquals(start + 2, space.mappingEpoch()); // the 16th frame grew the memory
    }

    @Test
    void anImageOfTheRegionHoldsTheWrittenPagesAndRestoresThem() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        space.store32(BASE + 3 * PAGE, 42);
        space.store32(BASE + 9 * PAGE, 0); // written, but zero: not in the image
        FlatAddressSpace.Image image = space.capture();
        assertEquals(1, image.pages().size());

        FlatAddressSpace copy = FlatAddressSpace.demandZero(BASE, SIZE);
        copy.store32(BASE + 7 * PAGE, 7);
        copy.restore(image);
        assertEquals(42, copy.load32(BASE + 3 * PAGE));
        assertEquals(0, copy.load32(BASE + 7 * PAGE));
        assertEquals(2L * PAGE, copy.backedBytes());
    }

    @Test
    void zeroingBacksOnlyPagesAlreadyWrittenAndWrittenTellsWhich() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, SIZE);
        space.store32(BASE + 2 * PAGE + 8, 0x5a5a5a5a);
        space.zero(BASE + PAGE + 100, 3 * PAGE); // a bss or a heap growing over one written page

        assertEquals(0, space.load32(BASE + 2 * PAGE + 8));
        assertEquals(PAGE, space.backedBytes());
        assertTrue(space.written(BASE + 2 * PAGE + 4095));
        assertFalse(space.written(BASE + PAGE));
        assertFalse(space.written(BASE + 3 * PAGE));
        assertThrows(IllegalArgumentException.class, () -> space.written(BASE + SIZE));
        assertThrows(MemoryFault.class, () -> space.zero(BASE + SIZE - PAGE, PAGE + 1));
    }
}
