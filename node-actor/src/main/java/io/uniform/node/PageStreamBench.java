package io.uniform.node;

import io.uniform.linux.memory.MappingException;
import io.uniform.linux.memory.NodeMemory;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.process.image.Area;
import io.uniform.process.image.PageReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The page stream without actors, for {@code uniform bench-stream}: a Linux process's space of
 * N MiB of written pages encoded chunk by chunk ({@link PageChunk#encode}) and each chunk landed
 * at once in a destination space as a stop-and-copy move lands it (mapped at admission, every
 * page written through {@link PagedAddressSpace#writePage}), against the work of the
 * memory-to-memory actor pair's two copies (a fresh chunk copied out of one array, then into
 * another), so that the stream's own per-page costs show: page-table lookups, the zero test,
 * the chunk's allocation, the landing's calls.
 */
public final class PageStreamBench {
    private static final int START = 0x1000_0000;
    private final int bytes;
    private final int chunkPages;
    private final PagedAddressSpace source;
    /** The source read as a frozen Linux process's memory is, and page by page only. */
    private final PageReader inRuns;
    private final PageReader pageByPage;
    private final List<Integer> pages;
    private final byte[] pairSource;
    private final byte[] pairDestination;

    /** A source space of {@code mib} MiB, every page written with small non-zero words, as bench_migrate touches its memory. */
    public PageStreamBench(int mib, int chunkPages) throws MappingException {
        this.bytes = mib << 20;
        this.chunkPages = chunkPages;
        source = new PagedAddressSpace(memoryFor(bytes));
        source.map(START, bytes, PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
        byte[] page = new byte[Area.PAGE_SIZE];
        List<Integer> written = new ArrayList<>();
        for (int address = START; address != START + bytes; address += Area.PAGE_SIZE) {
            Arrays.fill(page, (byte) (address >>> 12 | 1));
            source.writePage(address, page);
            written.add(address);
        }
        pages = List.copyOf(written);
        pageByPage = source::readPage;
        inRuns = new PageReader() {
            @Override
            public void read(int address, byte[] into, int offset) {
                source.readPage(address, into, offset);
            }

            @Override
            public byte[] readRun(int address, int count, int room) {
                return source.readRun(address, count, room);
            }
        };
        pairSource = new byte[bytes];
        pairDestination = new byte[bytes];
        Arrays.fill(pairSource, (byte) 0x5a);
    }

    /**
     * Seconds to encode every page and land it in a fresh destination, prepared before the clock
     * starts as a reservation prepares it; the source read in runs where its frames allow when
     * {@code inRuns}, else page by page.
     */
    public double streamSeconds(boolean readInRuns) throws MappingException {
        PageReader reader = readInRuns ? inRuns : pageByPage;
        PagedAddressSpace destination = new PagedAddressSpace(memoryFor(bytes));
        destination.map(START, bytes, PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
        PageChunk.Sink landing = new PageChunk.Sink() {
            @Override
            public void page(int address, byte[] chunk, int offset) {
                destination.writePage(address, chunk, offset);
            }

            @Override
            public void zeros(int address) {
                throw new IllegalStateException("a stop-and-copy stream sends no page of zeros");
            }
        };
        long start = System.nanoTime();
        for (int from = 0; from < pages.size(); from += chunkPages) {
            byte[] chunk = PageChunk.encode(reader, pages.subList(from, Math.min(pages.size(), from + chunkPages)), false, false)
                    .bytes();
            PageChunk.decode(chunk, chunkPages, landing);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int at = 0; at < pages.size(); at += pages.size() / 7 + 1) { // a check that the pages arrived, outside the clock
            byte[] sent = new byte[Area.PAGE_SIZE];
            byte[] landed = new byte[Area.PAGE_SIZE];
            source.readPage(pages.get(at), sent);
            destination.readPage(pages.get(at), landed);
            if (!Arrays.equals(sent, landed)) {
                throw new IllegalStateException("the page at " + Integer.toHexString(pages.get(at)) + " did not arrive as sent");
            }
        }
        destination.release();
        return seconds;
    }

    /** Seconds for the memory-to-memory pair's copies of the same bytes in chunks of the same size, without its messages. */
    public double pairSeconds() {
        int chunkBytes = chunkPages * Area.PAGE_SIZE;
        Arrays.fill(pairDestination, (byte) 1);
        long start = System.nanoTime();
        for (int from = 0; from < bytes; from += chunkBytes) {
            byte[] chunk = Arrays.copyOfRange(pairSource, from, from + chunkBytes);
            System.arraycopy(chunk, 0, pairDestination, from, chunkBytes);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static NodeMemory memoryFor(int bytes) throws MappingException {
        NodeMemory memory = new NodeMemory(NodeMemory.MAX_CAPACITY);
        memory.prepare(bytes);
        return memory;
    }
}
