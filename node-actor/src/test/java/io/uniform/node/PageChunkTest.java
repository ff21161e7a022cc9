package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.image.Area;
import io.uniform.process.image.FrozenMemory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageChunkTest {
    private static FrozenMemory memory(Map<Integer, byte[]> pages) {
        TreeMap<Integer, byte[]> sorted = new TreeMap<>(pages);
        return new FrozenMemory() {
            @Override
            public List<Integer> pages() {
                return List.copyOf(sorted.keySet());
            }

            @Override
            public void read(int address, byte[] into, int offset) {
                System.arraycopy(sorted.get(address), 0, into, offset, Area.PAGE_SIZE);
            }
        };
    }

    /** A decoded page: its address, and its bytes or null for a page of zeros. */
    private record Page(int address, byte[] bytes) {
        boolean zeros() {
            return bytes == null;
        }
    }

    private static List<Page> decode(byte[] chunk, int maxPages) {
        List<Page> pages = new java.util.ArrayList<>();
        PageChunk.decode(chunk, maxPages, new PageChunk.Sink() {
            @Override
            public void page(int address, byte[] bytes, int offset) {
                pages.add(new Page(address, Arrays.copyOfRange(bytes, offset, offset + Area.PAGE_SIZE)));
            }

            @Override
            public void zeros(int address) {
                pages.add(new Page(address, null));
            }
        });
        return pages;
    }

    private static byte[] page(int seed) {
        byte[] page = new byte[Area.PAGE_SIZE];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i * seed + (i >> 7));
        }
        return page;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pagesTravelWithTheirAddressesAndPagesOfZerosStayBehind(boolean compress) {
        FrozenMemory memory = memory(Map.of(0x1000, page(3), 0x2000, new byte[Area.PAGE_SIZE], 0x7fff_f000, page(5)));
        PageChunk.Encoded encoded = PageChunk.encode(memory, memory.pages(), compress, false);
        assertEquals(2, encoded.pages());
        List<Page> decoded = decode(encoded.bytes(), 16);
        assertEquals(List.of(0x1000, 0x7fff_f000), decoded.stream().map(Page::address).toList());
        assertArrayEquals(page(3), decoded.get(0).bytes());
        assertArrayEquals(page(5), decoded.get(1).bytes());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aChunkOfZeroPagesTravelsEmpty(boolean compress) {
        FrozenMemory memory = memory(Map.of(0x1000, new byte[Area.PAGE_SIZE], 0x2000, new byte[Area.PAGE_SIZE]));
        PageChunk.Encoded encoded = PageChunk.encode(memory, memory.pages(), compress, false);
        assertEquals(0, encoded.pages());
        assertEquals(List.of(), decode(encoded.bytes(), 16));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTruncatedOrCorruptChunkIsRefusedWithAReason(boolean compress) {
        FrozenMemory memory = memory(Map.of(0x1000, page(3)));
        byte[] bytes = PageChunk.encode(memory, memory.pages(), compress, false).bytes();
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> decode(Arrays.copyOf(bytes, bytes.length - 10), 16));
        assertTrue(truncated.getMessage().contains("page chunk"), truncated.getMessage());
        assertThrows(IllegalArgumentException.class, () -> decode(new byte[3], 16));
        byte[] lying = bytes.clone();
        lying[1] = 100; // claims 100 pages
        assertThrows(IllegalArgumentException.class, () -> decode(lying, 16));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPageOfZerosThatReplacesAnEarlierRoundsTravelsAsItsAddressAlone(boolean compress) {
        FrozenMemory memory = memory(Map.of(0x1000, page(3), 0x2000, new byte[Area.PAGE_SIZE], 0x3000, page(4)));
        PageChunk.Encoded encoded = PageChunk.encode(memory, memory.pages(), compress, true);
        assertEquals(3, encoded.pages());
        List<Page> decoded = decode(encoded.bytes(), 16);
        assertEquals(List.of(0x1000, 0x2000, 0x3000), decoded.stream().map(Page::address).toList());
        assertEquals(List.of(false, true, false), decoded.stream().map(Page::zeros).toList());
        assertArrayEquals(page(4), decoded.get(2).bytes());
        byte[] lying = encoded.bytes().clone();
        lying[5] = 0; // claims no page of zeros
        assertThrows(IllegalArgumentException.class, () -> decode(lying, 16));
    }

    @org.junit.jupiter.api.Test
    void compressionShrinksRegularPages() {
        FrozenMemory memory = memory(Map.of(0x1000, page(1), 0x2000, page(1), 0x3000, page(1)));
        PageChunk.Encoded plain = PageChunk.encode(memory, memory.pages(), false, false);
        PageChunk.Encoded deflated = PageChunk.encode(memory, memory.pages(), true, false);
        assertTrue(deflated.bytes().length < plain.bytes().length / 4, deflated.bytes().length + " vs " + plain.bytes().length);
    }

    /** {@link #memory}, which also reads a run of consecutive pages in one copy, as a Linux process's frozen memory does. */
    private static FrozenMemory memoryReadInRuns(Map<Integer, byte[]> pages) {
        FrozenMemory memory = memory(pages);
        return new FrozenMemory() {
            @Override
            public List<Integer> pages() {
                return memory.pages();
            }

            @Override
            public void read(int address, byte[] into, int offset) {
                memory.read(address, into, offset);
            }

            @Override
            public byte[] readRun(int address, int count, int room) {
                byte[] run = new byte[room + count * Area.PAGE_SIZE];
                for (int i = 0; i < count; i++) {
                    memory.read(address + i * Area.PAGE_SIZE, run, room + i * Area.PAGE_SIZE);
                }
                return run;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRunReadInOneCopyTravelsAsPageByPageWithItsPagesOfZerosLeftOut(boolean replacing) {
        Map<Integer, byte[]> pages = Map.of(0x1000, page(3), 0x2000, new byte[Area.PAGE_SIZE], 0x3000, page(4), 0x4000,
                new byte[Area.PAGE_SIZE], 0x5000, page(6));
        byte[] inRuns = PageChunk.encode(memoryReadInRuns(pages), List.of(0x1000, 0x2000, 0x3000, 0x4000, 0x5000), false, replacing).bytes();
        byte[] pageByPage = PageChunk.encode(memory(pages), List.of(0x1000, 0x2000, 0x3000, 0x4000, 0x5000), false, replacing).bytes();
        assertArrayEquals(pageByPage, inRuns);
        List<Page> decoded = decode(inRuns, 16);
        assertEquals(replacing ? List.of(0x1000, 0x2000, 0x3000, 0x4000, 0x5000) : List.of(0x1000, 0x3000, 0x5000),
                decoded.stream().map(Page::address).toList());
        List<Page> written = decoded.stream().filter(page -> !page.zeros()).toList();
        assertArrayEquals(page(3), written.get(0).bytes());
        assertArrayEquals(page(4), written.get(1).bytes());
        assertArrayEquals(page(6), written.get(2).bytes());
    }
}
