package io.uniform.linux.memory;

import static io.uniform.cpu.memory.AddressSpace.ACCESS_FAULT;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_READ;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.uniform.cpu.memory.Access;
import io.uniform.process.Errno;
import org.junit.jupiter.api.Test;

/** Copy-on-write fork, its accounting, and releasing spaces. */
class ForkTest {
    private static final int PAGE = 4096;
    private static final int RW = PROT_READ | PROT_WRITE;
    private static final int DATA = 0x20_0000;

    private final NodeMemory memory = new NodeMemory(64 * PAGE);
    private final PagedAddressSpace parent = new PagedAddressSpace(memory);

    private int frame(PagedAddressSpace space, int address) {
        return space.translate(address, Access.READ);
    }

    @Test
    void parentAndChildShareFramesUntilEachWritesItsOwnValue() throws MappingException {
        parent.map(DATA, PAGE, RW);
        parent.store32(DATA, 1);
        int shared = frame(parent, DATA);

        PagedAddressSpace child = parent.fork();
        assertEquals(shared, frame(child, DATA));
        assertEquals(1, memory.framesInUse());
        assertEquals(2, memory.references(shared));

        child.store32(DATA, 2);
        assertNotEquals(shared, frame(child, DATA), "the child's write copied the page");
        assertEquals(2, memory.framesInUse());
        assertEquals(1, memory.references(shared));

        parent.store32(DATA, 3);
        assertEquals(shared, frame(parent, DATA), "the last reference is written in place");
        assertEquals(2, memory.framesInUse());
        assertEquals(3, parent.load32(DATA));
        assertEquals(2, child.load32(DATA));
    }

    @Test
    void theChildSeesTheParentsContentsAndProtection() throws MappingException {
        parent.map(DATA, 2 * PAGE, RW);
        parent.store32(DATA + PAGE, 77);
        parent.protect(DATA + PAGE, PAGE, PROT_READ);

        PagedAddressSpace child = parent.fork();
        assertEquals(77, child.load32(DATA + PAGE));
        assertEquals(ACCESS_FAULT, child.translate(DATA + PAGE, Access.WRITE));
        assertEquals(0, child.load32(DATA));
        assertEquals(parent.mappedBytes(), child.mappedBytes());
    }

    @Test
    void untouchedPagesStayDemandZeroInBothSpaces() throws MappingException {
        parent.map(DATA, 4 * PAGE, RW);
        PagedAddressSpace child = parent.fork();
        assertEquals(0, memory.framesInUse());
        child.store32(DATA, 9);
        assertEquals(0, parent.load32(DATA));
        assertEquals(2, memory.framesInUse());
    }

    @Test
    void forkKeepsTheParentsEpochWhenNoPopulatedPageWasWritable() throws MappingException {
        parent.map(DATA, PAGE, PROT_READ);
        parent.map(DATA + PAGE, PAGE, RW);
        parent.load32(DATA);
        int before = parent.mappingEpoch();
        parent.fork();
        assertEquals(before, parent.mappingEpoch());
    }

    @Test
    void forkChangesTheParentsEpochWhenAWritablePageBecomesShared() throws MappingException {
        parent.map(DATA, PAGE, RW);
        parent.store32(DATA, 1);
        int before = parent.mappingEpoch();
        PagedAddressSpace child = parent.fork();
        assertNotEquals(before, parent.mappingEpoch());

        int childBefore = child.mappingEpoch();
        child.store32(DATA, 2);
        assertNotEquals(childBefore, child.mappingEpoch(), "the copy moved the child's page");

        int parentBefore = parent.mappingEpoch();
        parent.store32(DATA, 3);
        assertEquals(parentBefore, parent.mappingEpoch(), "writing in place moves nothing");
    }

    @Test
    void forkChargesTheChildEveryMappedPage() throws MappingException {
        parent.map(DATA, 5 * PAGE, RW);
        parent.store32(DATA, 1);
        parent.fork();
        assertEquals(10L * PAGE, memory.committedBytes());
    }

    @Test
    void forkOfAFullNodeFailsWithEnomemAndChangesNothing() throws MappingException {
        parent.map(DATA, 40 * PAGE, RW);
        parent.store32(DATA, 1);
        int epoch = parent.mappingEpoch();
        int frame = frame(parent, DATA);

        MappingException failure = assertThrows(MappingException.class, parent::fork);
        assertEquals(Errno.ENOMEM, failure.errno());
        assertEquals(40L * PAGE, memory.committedBytes());
        assertEquals(1, memory.framesInUse());
        assertEquals(1, memory.references(frame));
        assertEquals(epoch, parent.mappingEpoch());
        parent.store32(DATA, 2);
        assertEquals(frame, frame(parent, DATA), "still written in place");
    }

    @Test
    void threeSpacesSharingAFrameEachGetTheirOwnCopy() throws MappingException {
        parent.map(DATA, PAGE, RW);
        parent.store32(DATA, 1);
        PagedAddressSpace first = parent.fork();
        PagedAddressSpace second = first.fork();
        assertEquals(3, memory.references(frame(parent, DATA)));
        first.store32(DATA, 2);
        second.store32(DATA, 3);
        assertEquals(1, parent.load32(DATA));
        assertEquals(2, first.load32(DATA));
        assertEquals(3, second.load32(DATA));
        assertEquals(3, memory.framesInUse());
    }

    @Test
    void releasingTheChildLetsTheParentWriteInPlace() throws MappingException {
        parent.map(DATA, PAGE, RW);
        parent.store32(DATA, 1);
        int frame = frame(parent, DATA);
        parent.fork().release();
        assertEquals(1, memory.references(frame));
        parent.store32(DATA, 2);
        assertEquals(frame, frame(parent, DATA));
        assertEquals(1, memory.framesInUse());
        assertEquals(PAGE, memory.committedBytes());
    }

    @Test
    void releasingEverySpaceFreesEveryFrameAndTheWholeCharge() throws MappingException {
        parent.map(DATA, 8 * PAGE, RW);
        parent.map(0x4000_0000, 3 * PAGE, PROT_READ);
        for (int page = 0; page < 8; page += 2) {
            parent.store32(DATA + page * PAGE, page);
        }
        PagedAddressSpace child = parent.fork();
        child.store32(DATA, 100);
        child.load32(0x4000_0000);

        int epoch = parent.mappingEpoch();
        parent.release();
        assertNotEquals(epoch, parent.mappingEpoch());
        child.release();
        assertEquals(0, memory.framesInUse());
        assertEquals(0, memory.committedBytes());
        assertEquals(0, parent.mappedBytes());
        assertThrows(IllegalStateException.class, () -> parent.map(DATA, PAGE, RW));
        assertThrows(IllegalStateException.class, child::fork);
    }
}
