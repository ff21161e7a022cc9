package io.uniform.linux.memory;

import static io.uniform.cpu.memory.AddressSpace.ACCESS_FAULT;
import static io.uniform.cpu.memory.AddressSpace.PAGE_FAULT;
import static io.uniform.linux.memory.PagedAddressSpace.MMAP_MIN_ADDR;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_EXEC;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_NONE;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_READ;
import static io.uniform.linux.memory.PagedAddressSpace.PROT_WRITE;
import static io.uniform.linux.memory.PagedAddressSpace.USER_END;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.Access;
import io.uniform.process.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** map, unmap, protect and the search for a free gap, at the edges of pages, page tables and user space. */
class PageTableTest {
    private static final int PAGE = 4096;
    /** The span of one page table: 1024 pages. */
    private static final int TABLE_SPAN = 1 << 22;
    private static final int RW = PROT_READ | PROT_WRITE;

    private final NodeMemory memory = new NodeMemory(16 << 20);
    private final PagedAddressSpace space = new PagedAddressSpace(memory);

    private static void assertErrno(int errno, Executable call) {
        MappingException failure = assertThrows(MappingException.class, call);
        assertEquals(errno, failure.errno(), failure.getMessage());
    }

    private boolean mapped(int address) {
        return space.translate(address, Access.READ) != PAGE_FAULT;
    }

    @Test
    void aLengthIsRoundedUpToWholePages() throws MappingException {
        space.map(0x10000, 1, RW);
        assertEquals(PAGE, space.mappedBytes());
        assertEquals(PAGE, memory.committedBytes());
        assertTrue(mapped(0x10fff));
        assertFalse(mapped(0x11000));
        assertFalse(mapped(0xffff));
    }

    @Test
    void theFirstAndTheLastPageOfUserSpaceCanBeMapped() throws MappingException {
        space.map(0, PAGE, RW);
        space.map(USER_END - PAGE, PAGE, RW);
        assertTrue(mapped(0));
        assertTrue(mapped(USER_END - 1));
        assertEquals(PAGE_FAULT, space.translate(USER_END, Access.READ));
        assertEquals(PAGE_FAULT, space.translate(-1, Access.READ));
    }

    @Test
    void rangesLeavingUserSpaceAreInvalid() {
        assertErrno(Errno.EINVAL, () -> space.map(USER_END - PAGE, 2 * PAGE, RW));
        assertErrno(Errno.EINVAL, () -> space.map(USER_END, PAGE, RW));
        assertErrno(Errno.EINVAL, () -> space.map(0, 0xffff_f001, RW)); // unsigned: almost 4 GiB
        assertErrno(Errno.EINVAL, () -> space.unmap(USER_END - PAGE, 2 * PAGE));
        assertEquals(0, space.mappedBytes());
        assertEquals(0, memory.committedBytes());
    }

    @Test
    void misalignedAddressesZeroLengthsAndUnknownProtectionAreInvalid() throws MappingException {
        space.map(0x10000, PAGE, RW);
        assertErrno(Errno.EINVAL, () -> space.map(0x10001, PAGE, RW));
        assertErrno(Errno.EINVAL, () -> space.map(0x10000, 0, RW));
        assertErrno(Errno.EINVAL, () -> space.map(0x20000, PAGE, 8));
        assertErrno(Errno.EINVAL, () -> space.unmap(0x10800, PAGE));
        assertErrno(Errno.EINVAL, () -> space.unmap(0x10000, 0));
        assertErrno(Errno.EINVAL, () -> space.protect(0x10004, PAGE, PROT_READ));
        assertErrno(Errno.EINVAL, () -> space.protect(0x10000, PAGE, PROT_READ | 0x10));
        assertTrue(space.translate(0x10000, Access.WRITE) >= 0, "nothing changed");
    }

    @Test
    void protectingZeroBytesChangesNothingEvenWhereNothingIsMapped() throws MappingException {
        space.protect(0x40000, 0, PROT_READ);
        assertEquals(0, space.mappedBytes());
    }

    @Test
    void aRangeCrossingAPageTableBoundaryIsMappedAndUnmappedInBothTables() throws MappingException {
        int start = TABLE_SPAN - 2 * PAGE;
        space.map(start, 4 * PAGE, RW);
        for (int page = 0; page < 4; page++) {
            assertTrue(mapped(start + page * PAGE), "page " + page);
        }
        space.unmap(TABLE_SPAN - PAGE, 2 * PAGE);
        assertTrue(mapped(start));
        assertFalse(mapped(TABLE_SPAN - PAGE));
        assertFalse(mapped(TABLE_SPAN));
        assertTrue(mapped(TABLE_SPAN + PAGE));
        assertEquals(2L * PAGE, space.mappedBytes());
        assertEquals(2L * PAGE, memory.committedBytes());
    }

    @Test
    void unmappingPagesThatAreNotMappedIsFineAndReturnsOnlyWhatWasMapped() throws MappingException {
        space.map(0x20000, 2 * PAGE, RW);
        space.unmap(0x10000, 0x100000);
        assertEquals(0, space.mappedBytes());
        assertEquals(0, memory.committedBytes());
        space.unmap(0x10000, 0x100000);
        assertEquals(0, memory.committedBytes());
    }

    @Test
    void mappingOverAMappingReplacesItsContentsAndProtectionAndChargesOnlyTheNewPages() throws MappingException {
        space.map(0x10000, 2 * PAGE, RW);
        space.store32(0x10000, 42);
        space.map(0x10000, 3 * PAGE, PROT_READ);
        assertEquals(0, space.load32(0x10000));
        assertEquals(ACCESS_FAULT, space.translate(0x10000, Access.WRITE));
        assertEquals(3L * PAGE, memory.committedBytes());
        assertEquals(3L * PAGE, space.mappedBytes());
    }

    @Test
    void protectChangesTheRightsOfEveryPageOfTheRangeAndKeepsContentsAndCharge() throws MappingException {
        space.map(TABLE_SPAN - PAGE, 2 * PAGE, RW);
        space.store32(TABLE_SPAN, 7);
        space.protect(TABLE_SPAN - PAGE, 2 * PAGE, PROT_READ);
        assertEquals(ACCESS_FAULT, space.translate(TABLE_SPAN - PAGE, Access.WRITE));
        assertEquals(ACCESS_FAULT, space.translate(TABLE_SPAN, Access.WRITE));
        assertEquals(7, space.load32(TABLE_SPAN));
        assertEquals(2L * PAGE, memory.committedBytes());
    }

    @Test
    void protectingARangeWithAHoleFailsWithEnomemAndChangesNothing() throws MappingException {
        space.map(0x10000, PAGE, RW);
        space.map(0x12000, PAGE, RW);
        assertErrno(Errno.ENOMEM, () -> space.protect(0x10000, 3 * PAGE, PROT_READ));
        assertTrue(space.translate(0x10000, Access.WRITE) >= 0);
        assertTrue(space.translate(0x12000, Access.WRITE) >= 0);
    }

    @Test
    void protectingBeyondUserSpaceFailsWithEnomem() throws MappingException {
        space.map(USER_END - PAGE, PAGE, RW);
        assertErrno(Errno.ENOMEM, () -> space.protect(USER_END - PAGE, 2 * PAGE, PROT_READ));
        assertErrno(Errno.ENOMEM, () -> space.protect(USER_END, PAGE, PROT_READ));
    }

    @Test
    void isFreeSeesAnyMappedPageTouchedByTheRange() throws MappingException {
        space.map(TABLE_SPAN, PAGE, PROT_NONE);
        assertTrue(space.isFree(0, TABLE_SPAN));
        assertFalse(space.isFree(TABLE_SPAN - 1, 2));
        assertFalse(space.isFree(0, TABLE_SPAN + 1));
        assertTrue(space.isFree(TABLE_SPAN + PAGE, 0));
        assertTrue(space.isFree(USER_END - PAGE, PAGE));
        assertFalse(space.isFree(USER_END - PAGE, PAGE + 1), "leaves user space");
    }

    @Test
    void mapAnywherePicksTheHighestGapBelowTheLimitAndGoesDownward() throws MappingException {
        int limit = 0x4000_0000;
        int first = space.mapAnywhere(3 * PAGE, RW, limit);
        int second = space.mapAnywhere(PAGE, RW, limit);
        assertEquals(limit - 3 * PAGE, first);
        assertEquals(first - PAGE, second);
        assertEquals(4L * PAGE, memory.committedBytes());
    }

    @Test
    void mapAnywhereSkipsGapsThatAreTooSmall() throws MappingException {
        int limit = 0x4000_0000;
        space.map(limit - PAGE, PAGE, RW);
        space.map(limit - 4 * PAGE, PAGE, RW); // leaves a gap of two pages between them
        assertEquals(limit - 3 * PAGE, space.mapAnywhere(2 * PAGE, RW, limit));
        space.unmap(limit - 3 * PAGE, 2 * PAGE);
        assertEquals(limit - 7 * PAGE, space.mapAnywhere(3 * PAGE, RW, limit));
    }

    @Test
    void mapAnywhereSkipsFullPageTablesAndFindsAGapAcrossATableBoundary() throws MappingException {
        space.map(3 * TABLE_SPAN, TABLE_SPAN, PROT_NONE); // a full table
        space.map(2 * TABLE_SPAN + 2 * PAGE, TABLE_SPAN - 2 * PAGE, PROT_NONE);
        space.map(TABLE_SPAN, TABLE_SPAN - 2 * PAGE, PROT_NONE);
        int start = space.mapAnywhere(4 * PAGE, RW, 4 * TABLE_SPAN);
        assertEquals(2 * TABLE_SPAN - 2 * PAGE, start, "two pages below the boundary, two above");
    }

    @Test
    void mapAnywhereNeverGoesBelowTheMinimumAddressAndReportsEnomemWithoutAGap() throws MappingException {
        assertErrno(Errno.ENOMEM, () -> space.mapAnywhere(2 * PAGE, RW, MMAP_MIN_ADDR + PAGE));
        assertEquals(MMAP_MIN_ADDR, space.mapAnywhere(PAGE, RW, MMAP_MIN_ADDR + PAGE));
        assertErrno(Errno.ENOMEM, () -> space.mapAnywhere(PAGE, RW, MMAP_MIN_ADDR + PAGE));
        assertErrno(Errno.ENOMEM, () -> space.mapAnywhere(0xffff_f000, RW, USER_END));
        assertEquals(PAGE, memory.committedBytes());
    }

    @Test
    void mapAnywhereRejectsAZeroLengthAndAMisalignedOrTooHighLimit() {
        assertErrno(Errno.EINVAL, () -> space.mapAnywhere(0, RW, USER_END));
        assertErrno(Errno.EINVAL, () -> space.mapAnywhere(PAGE, RW, USER_END - 1));
        assertErrno(Errno.EINVAL, () -> space.mapAnywhere(PAGE, RW, USER_END + PAGE));
    }

    @Test
    void mapAnywhereCanUseTheTopOfUserSpace() throws MappingException {
        assertEquals(USER_END - 2 * PAGE, space.mapAnywhere(2 * PAGE, RW, USER_END));
        assertTrue(mapped(USER_END - 1));
    }

    @Test
    void forEachMappedPageReportsAddressesProtectionAndFramesInOrder() throws MappingException {
        space.map(TABLE_SPAN - PAGE, 2 * PAGE, PROT_WRITE);
        space.map(0x10000, PAGE, PROT_EXEC);
        int frame = space.translate(TABLE_SPAN, Access.WRITE);
        List<String> pages = new ArrayList<>();
        space.forEachMappedPage((address, prot, pageFrame) -> pages.add(String.format("%x %d %d", address, prot, pageFrame)));
        assertEquals(List.of(
                "10000 4 -1",
                String.format("%x 3 -1", TABLE_SPAN - PAGE),
                String.format("%x 3 %d", TABLE_SPAN, frame)), pages);
    }

    @Test
    void aRunOfPagesIsReadInOneCopyOnlyWhenTheirFramesFollowOneAnother() throws MappingException {
        space.map(0x10000, 3 * PAGE, RW);
        for (int page = 0; page < 3; page++) {
            byte[] bytes = new byte[PAGE];
            java.util.Arrays.fill(bytes, (byte) (page + 1));
            space.writePage(0x10000 + page * PAGE, bytes);
        }
        byte[] run = space.readRun(0x10000, 3, 5);
        assertEquals(5 + 3 * PAGE, run.length);
        for (int at = 0; at < run.length; at++) {
            assertEquals(at < 5 ? 0 : (at - 5) / PAGE + 1, run[at], "byte " + at);
        }
        space.map(0x13000, PAGE, RW); // mapped, never written: no frame yet
        assertNull(space.readRun(0x11000, 3, 0));
        space.unmap(0x11000, PAGE);
        space.map(0x11000, PAGE, RW);
        space.writePage(0x13000, new byte[PAGE]); // takes the frame 0x11000 gave back
        space.writePage(0x11000, new byte[PAGE]); // a frame after the others
        assertNull(space.readRun(0x10000, 3, 0));
        assertEquals(PAGE, space.readRun(0x11000, 1, 0).length);
    }
}
