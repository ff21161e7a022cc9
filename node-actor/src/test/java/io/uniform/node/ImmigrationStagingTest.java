package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.uniform.process.image.Area;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The destination's staging of pre-copied pages: a later round's page replaces an earlier
 * one's, a page that became zeros drops what was staged, and at admission only the pages of the
 * process's final areas go into its kernel.
 */
class ImmigrationStagingTest {
    private static final int PAGE = Area.PAGE_SIZE;

    /** A kernel that only records the pages written into it. */
    private static final class RecordingKernel extends Kernel {
        final Map<Integer, byte[]> written = new TreeMap<>();

        @Override
        SliceResult runSlice(long budget) {
            throw new UnsupportedOperationException();
        }

        @Override
        Ended kill(String report) {
            throw new UnsupportedOperationException();
        }

        @Override
        void writePage(int address, byte[] from, int offset) {
            written.put(address, Arrays.copyOfRange(from, offset, offset + PAGE));
        }

        @Override
        void release() {}
    }

    private static byte[] page(int fill) {
        byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte) fill);
        return page;
    }

    @Test
    void laterRoundsReplaceEarlierOnesAndOnlyTheFinalAreasAreApplied() {
        StagedPages staged = new StagedPages();
        staged.page(0x10000, page(1), 0);
        staged.page(0x11000, page(2), 0);
        staged.page(0x20000, page(3), 0); // memory the process unmaps before it freezes
        staged.page(0x10000, page(4), 0); // a later round
        staged.zeros(0x11000); // zeros now
        RecordingKernel kernel = new RecordingKernel();

        staged.admitted(kernel, List.of(new Area(0x10000, 2 * PAGE, 3), new Area(0x30000, PAGE, 3)));

        assertEquals(List.of(0x10000), List.copyOf(kernel.written.keySet()));
        assertArrayEquals(page(4), kernel.written.get(0x10000));
        kernel.written.clear();
        staged.admitted(kernel, List.of(new Area(0x10000, 2 * PAGE, 3)));
        assertEquals(Map.of(), kernel.written, "applied once, then forgotten");
    }
}
