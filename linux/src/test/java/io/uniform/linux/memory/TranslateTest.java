package io.uniform.linux.memory;

import static io.uniform.cpu.memory.AddressSpace.ACCESS_FAULT;
import static io.uniform.cpu.memory.AddressSpace.PAGE_FAULT;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_EXEC;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_READ;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.DecodedPage;
import io.uniform.cpu.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

/** Demand zero, permissions and the mapping epoch, seen through translate. */
class TranslateTest {
    private static final int PAGE = 4096;
    private static final int RW = PROT_READ | PROT_WRITE;
    private static final int ADDRESS = 0x40_0000;

    private final NodeMemory memory = new NodeMemory(1 << 20);
    private final PagedAddressSpace space = new PagedAddressSpace(memory);

    @Test
    void aMappedPageGetsAZeroedFrameOnItsFirstAccessAndKeepsIt() throws MappingException {
        space.map(ADDRESS, 2 * PAGE, RW);
        assertEquals(0, memory.framesInUse(), "mapping allocates no frame");
        int frame = space.translate(ADDRESS + 12, Access.READ);
        assertTrue(frame >= 0);
        assertEquals(0, frame & PhysicalMemory.PAGE_MASK);
        assertEquals(1, memory.framesInUse());
        assertEquals(frame, space.translate(ADDRESS, Access.WRITE));
        assertEquals(1, memory.framesInUse());
        assertEquals(0, space.load32(ADDRESS + PAGE));
        assertEquals(2, memory.framesInUse());
    }

    @Test
    void aFrameUsedBeforeIsZeroedAndLosesItsDecodedCodeBeforeItIsHandedOutAgain() throws MappingException {
        space.map(ADDRESS, PAGE, RW);
        space.store32(ADDRESS + 8, 0x1234);
        int frame = space.translate(ADDRESS, Access.READ);
        DecodedPage code = memory.physical().installDecodedPage(frame);
        space.unmap(ADDRESS, PAGE);
        assertFalse(code.isValid());

        space.map(ADDRESS + PAGE, PAGE, RW);
        assertEquals(frame, space.translate(ADDRESS + PAGE, Access.READ), "the lowest free frame again");
        assertEquals(0, space.load32(ADDRESS + PAGE + 8));
        assertNull(memory.physical().decodedPage(frame));
    }

    @Test
    void everyProtectionAllowsExactlyItsAccesses() throws MappingException {
        for (int prot = 0; prot < 8; prot++) {
            int address = ADDRESS + prot * PAGE;
            space.map(address, PAGE, prot);
            boolean readable = (prot & (PROT_READ | PROT_WRITE)) != 0; // write implies read
            assertAllowed(readable, space.translate(address, Access.READ), "read, prot " + prot);
            assertAllowed((prot & PROT_WRITE) != 0, space.translate(address, Access.WRITE), "write, prot " + prot);
            assertAllowed((prot & PROT_EXEC) != 0, space.translate(address, Access.EXECUTE), "execute, prot " + prot);
        }
    }

    private static void assertAllowed(boolean allowed, int translation, String what) {
        if (allowed) {
            assertTrue(translation >= 0, what + ": " + translation);
        } else {
            assertEquals(ACCESS_FAULT, translation, what);
        }
    }

    @Test
    void anUnmappedPageIsAPageFaultForEveryAccess() throws MappingException {
        space.map(ADDRESS, PAGE, RW);
        for (Access access : Access.values()) {
            assertEquals(PAGE_FAULT, space.translate(ADDRESS + PAGE, access), access.name());
            assertEquals(PAGE_FAULT, space.translate(ADDRESS - 1, access), access.name());
            assertEquals(PAGE_FAULT, space.translate(0xc000_0000, access), access.name());
        }
    }

    @Test
    void removingARightFromATouchedPageChangesTheEpochAndForbidsTheAccess() throws MappingException {
        space.map(ADDRESS, PAGE, RW);
        space.store32(ADDRESS, 5);
        int before = space.mappingEpoch();
        space.protect(ADDRESS, PAGE, PROT_READ);
        assertNotEquals(before, space.mappingEpoch());
        assertEquals(ACCESS_FAULT, space.translate(ADDRESS, Access.WRITE));
        assertEquals(5, space.load32(ADDRESS));
    }

    @Test
    void givingRightsOrProtectingUntouchedPagesKeepsTheEpoch() throws MappingException {
        space.map(ADDRESS, 2 * PAGE, PROT_READ);
        space.load32(ADDRESS);
        int before = space.mappingEpoch();
        space.protect(ADDRESS, 2 * PAGE, RW | PROT_EXEC);
        space.protect(ADDRESS + PAGE, PAGE, PROT_READ); // untouched: nothing was handed out
        assertEquals(before, space.mappingEpoch());
    }

    @Test
    void unmappingATouchedPageChangesTheEpochAndAnUntouchedOneDoesNot() throws MappingException {
        space.map(ADDRESS, 2 * PAGE, RW);
        space.load32(ADDRESS);
        int before = space.mappingEpoch();
        space.unmap(ADDRESS + PAGE, PAGE);
        assertEquals(before, space.mappingEpoch());
        space.unmap(ADDRESS, PAGE);
        assertNotEquals(before, space.mappingEpoch());
        assertEquals(0, memory.framesInUse());
    }

    @Test
    void mappingOverATouchedPageChangesTheEpoch() throws MappingException {
        space.map(ADDRESS, PAGE, RW);
        space.store32(ADDRESS, 1);
        int before = space.mappingEpoch();
        space.map(ADDRESS, PAGE, RW);
        assertNotEquals(before, space.mappingEpoch());
        assertEquals(0, space.load32(ADDRESS));
    }
}
