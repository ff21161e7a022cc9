package io.uniform.linux.memory;

import static io.uniform.linux.memory.PagedAddressSpace.PROT_READ;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.process.Errno;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The node's commit account, its frames, and the growth of its physical memory. */
class NodeMemoryTest {
    private static final int PAGE = 4096;
    private static final int RW = PROT_READ | PROT_WRITE;

    @Test
    void theCapacityMustBeWholePagesUpToOneGibibyte() {
        assertThrows(IllegalArgumentException.class, () -> new NodeMemory(0));
        assertThrows(IllegalArgumentException.class, () -> new NodeMemory(PAGE + 1));
        assertThrows(IllegalArgumentException.class, () -> new NodeMemory((1 << 30) + PAGE));
        assertEquals(1 << 30, new NodeMemory(1 << 30).capacityBytes());
    }

    @Test
    void mappingMoreThanTheNodeHoldsFailsWithEnomemAndChangesNothing() throws MappingException {
        NodeMemory memory = new NodeMemory(8 * PAGE);
        PagedAddressSpace space = new PagedAddressSpace(memory);
        space.map(0x10000, 6 * PAGE, RW);
        space.store32(0x10000, 3);

        MappingException failure = assertThrows(MappingException.class, () -> space.map(0x10000, 9 * PAGE, RW));
        assertEquals(Errno.ENOMEM, failure.errno());
        assertEquals(3, space.load32(0x10000), "the mapping it would have replaced is still there");
        assertEquals(6L * PAGE, memory.committedBytes());
        assertThrows(MappingException.class, () -> space.mapAnywhere(3 * PAGE, RW, 0x4000_0000));
        assertEquals(6L * PAGE, space.mappedBytes());

        space.map(0x10000, 8 * PAGE, RW); // replacing six mapped pages charges only two more
        assertEquals(8L * PAGE, memory.committedBytes());
    }

    @Test
    void everyMappedPageCanBeTouchedOnAFullNode() throws MappingException {
        NodeMemory memory = new NodeMemory(16 * PAGE);
        PagedAddressSpace first = new PagedAddressSpace(memory);
        first.map(0x10000, 8 * PAGE, RW);
        for (int page = 0; page < 8; page++) {
            first.store32(0x10000 + page * PAGE, page);
        }
        PagedAddressSpace second = first.fork();
        Set<Integer> frames = new HashSet<>();
        for (int page = 0; page < 8; page++) {
            second.store32(0x10000 + page * PAGE, -page);
            frames.add(first.translate(0x10000 + page * PAGE, Access.READ));
            frames.add(second.translate(0x10000 + page * PAGE, Access.READ));
        }
        assertEquals(16, frames.size());
        assertEquals(16, memory.framesInUse());
        assertTrue(frames.stream().allMatch(frame -> frame + PAGE <= memory.physical().size()));
    }

    @Test
    void thePhysicalMemoryGrowsGeometricallyWithTheCommitUpToTheCapacity() throws MappingException {
        NodeMemory memory = new NodeMemory(256 << 20);
        PhysicalMemory physical = memory.physical();
        assertEquals(0, physical.size(), "nothing is held before anything is committed");
        PagedAddressSpace space = new PagedAddressSpace(memory);

        Set<byte[]> arrays = new HashSet<>();
        for (int page = 0; page < 1024; page++) {
            space.map(0x10000 + page * PAGE, PAGE, RW);
            assertTrue(physical.size() >= memory.committedBytes());
            assertTrue(physical.size() <= 2 * memory.committedBytes(), "at most twice the commit");
            arrays.add(physical.bytes());
        }
        assertSame(physical, memory.physical());
        assertEquals(11, arrays.size(), "doubling from one page to 1024 pages");

        space.map(0x1000_0000, (256 << 20) - 1024 * PAGE, RW);
        assertEquals(256 << 20, physical.size(), "capped at the capacity");
    }

    @Test
    void growthKeepsWhatThePagesHold() throws MappingException {
        NodeMemory memory = new NodeMemory(1 << 20);
        PagedAddressSpace space = new PagedAddressSpace(memory);
        space.map(0x10000, PAGE, RW);
        space.store32(0x10ffc, 0xcafe);
        space.map(0x20000, 64 * PAGE, RW);
        assertEquals(0xcafe, space.load32(0x10ffc));
    }

    @Test
    void framesAreHandedOutLowestFirstAndReused() throws MappingException {
        NodeMemory memory = new NodeMemory(1 << 20);
        PagedAddressSpace space = new PagedAddressSpace(memory);
        space.map(0x10000, 3 * PAGE, RW);
        assertEquals(0, space.translate(0x12000, Access.WRITE));
        assertEquals(PAGE, space.translate(0x10000, Access.WRITE));
        assertEquals(2 * PAGE, space.translate(0x11000, Access.WRITE));
        space.unmap(0x12000, PAGE);
        space.map(0x30000, PAGE, RW);
        assertEquals(0, space.translate(0x30000, Access.READ));
    }

    @Test
    void uncommittingMoreThanWasCommittedIsABug() throws MappingException {
        NodeMemory memory = new NodeMemory(1 << 20);
        memory.commit(PAGE);
        assertThrows(IllegalArgumentException.class, () -> memory.uncommit(2 * PAGE));
        memory.uncommit(PAGE);
        assertEquals(0, memory.committedBytes());
        assertThrows(MappingException.class, () -> memory.commit((1 << 20) + 1));
    }
}
