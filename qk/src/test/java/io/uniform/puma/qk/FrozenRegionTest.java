package io.uniform.puma.qk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.process.image.Area;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A frozen Puma process's pages read in one run are the pages read one by one, the settled result word included. */
class FrozenRegionTest {
    private static final int PAGE = Area.PAGE_SIZE;
    private static final int BASE = 0x1000;
    /** The pages of the areas: four of the image, then the stack's two, with a hole of four pages between. */
    private static final List<Area> AREAS = List.of(new Area(BASE, 4 * PAGE, 3), new Area(BASE + 8 * PAGE, 2 * PAGE, 3));
    private static final int RESULT_ADDRESS = BASE + PAGE + 24;
    private static final int RESULT = 0x1234_5678;
    private static final int ROOM = 12;

    /** The areas' pages written in order (frames in order), then the stack's second page before its first (frames swapped). */
    private static FrozenRegion frozen() {
        FlatAddressSpace space = FlatAddressSpace.demandZero(BASE, 16 * PAGE);
        for (int page : new int[] {0, 1, 2, 3, 9, 8}) {
            byte[] bytes = new byte[PAGE];
            Arrays.fill(bytes, (byte) (page + 1));
            space.write(BASE + page * PAGE, bytes, 0, PAGE);
        }
        return new FrozenRegion(space, AREAS, RESULT_ADDRESS, RESULT);
    }

    @Test
    void aRunIsThePagesAsReadOneByOneBehindTheRoom() {
        FrozenRegion frozen = frozen();
        byte[] run = frozen.readRun(BASE, 4, ROOM);
        byte[] expected = new byte[ROOM + 4 * PAGE];
        for (int i = 0; i < 4; i++) {
            frozen.read(BASE + i * PAGE, expected, ROOM + i * PAGE);
        }
        assertArrayEquals(expected, run);
        int at = ROOM + RESULT_ADDRESS - BASE;
        assertEquals(RESULT, (run[at] & 0xff) | (run[at + 1] & 0xff) << 8 | (run[at + 2] & 0xff) << 16 | run[at + 3] << 24,
                "the settled word, not the one in memory");
        assertEquals(3, frozen.readRun(BASE + 2 * PAGE, 2, 0)[0], "a run after the settled page has its bytes as they are");
    }

    @Test
    void noRunOutsideTheAreasOrAcrossFramesOutOfOrder() {
        FrozenRegion frozen = frozen();
        assertNull(frozen.readRun(BASE + 3 * PAGE, 2, ROOM), "the page after the image is no page of the areas");
        assertNull(frozen.readRun(BASE + 8 * PAGE, 2, ROOM), "the stack's pages were written in the other order");
    }
}
