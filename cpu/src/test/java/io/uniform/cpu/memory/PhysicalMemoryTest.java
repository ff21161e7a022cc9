package io.uniform.cpu.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Growing a memory keeps contents and decoded code; copying a page invalidates the code it overwrites. */
class PhysicalMemoryTest {
    private static final int PAGE = PhysicalMemory.PAGE_SIZE;

    @Test
    void aFixedMemoryIsAllocatedWholeAndCannotGrow() {
        PhysicalMemory memory = new PhysicalMemory(4 * PAGE);
        assertEquals(4 * PAGE, memory.size());
        assertEquals(4 * PAGE, memory.capacity());
        assertThrows(IllegalArgumentException.class, () -> memory.growTo(5 * PAGE));
    }

    @Test
    void aGrowableMemoryStartsEmptyAndGrowsUpToItsCapacity() {
        PhysicalMemory memory = PhysicalMemory.growable(8 * PAGE);
        assertEquals(0, memory.size());
        assertEquals(8 * PAGE, memory.capacity());
        memory.growTo(2 * PAGE);
        assertEquals(2 * PAGE, memory.size());
        assertThrows(IllegalArgumentException.class, () -> memory.growTo(9 * PAGE));
        assertThrows(IllegalArgumentException.class, () -> memory.growTo(3 * PAGE + 1));
        assertThrows(IllegalArgumentException.class, () -> PhysicalMemory.growable(PAGE + 4));
    }

    @Test
    void growingKeepsContentsAndDecodedCodeAndZeroesTheNewBytes() {
        PhysicalMemory memory = PhysicalMemory.growable(8 * PAGE);
        memory.growTo(PAGE);
        memory.write32(PAGE - 4, 0xdeadbeef);
        DecodedPage code = memory.installDecodedPage(0);
        byte[] before = memory.bytes();

        memory.growTo(4 * PAGE);

        assertNotSame(before, memory.bytes());
        assertEquals(0xdeadbeef, memory.read32(PAGE - 4));
        assertEquals(0, memory.read32(PAGE));
        assertEquals(0, memory.read32(4 * PAGE - 4));
        assertSame(code, memory.decodedPage(0));
        assertNull(memory.decodedPage(3 * PAGE));
    }

    @Test
    void growingToASmallerSizeChangesNothing() {
        PhysicalMemory memory = PhysicalMemory.growable(8 * PAGE);
        memory.growTo(4 * PAGE);
        byte[] before = memory.bytes();
        memory.growTo(2 * PAGE);
        assertSame(before, memory.bytes());
        assertEquals(4 * PAGE, memory.size());
    }

    @Test
    void copyingAPageInvalidatesTheDecodedCodeOfTheTarget() {
        PhysicalMemory memory = new PhysicalMemory(2 * PAGE);
        memory.write32(8, 0x12345678);
        DecodedPage source = memory.installDecodedPage(0);
        DecodedPage target = memory.installDecodedPage(PAGE);

        memory.copyPage(0, PAGE);

        assertEquals(0x12345678, memory.read32(PAGE + 8));
        assertFalse(target.isValid());
        assertNull(memory.decodedPage(PAGE));
        assertSame(source, memory.decodedPage(0));
    }
}
