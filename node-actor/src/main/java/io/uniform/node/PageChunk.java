package io.uniform.node;

import io.uniform.process.image.Area;
import io.uniform.process.image.PageReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A bounded run of a migrating process's pages as they travel: the pages' addresses, then the
 * 4 KiB of each, pages of zeros left out (the paper's "skip empty pages"), the whole deflated on
 * the fly when compression is on (the paper's future work). Plain Java: the node actor sends
 * chunks as {@code byte[]} on the Kryo lane, each far below Artery's frame.
 *
 * <pre>
 * header: deflated (byte), pages (int), pages of zeros (int)
 * body:   each page's address (int; its low bit set for a page of zeros, which has no bytes),
 *         then the bytes of each page that is not zeros, in the same order
 * </pre>
 *
 * The pages' bytes lie together behind the addresses, so a chunk of pages whose frames follow
 * one another is one copy out of the source's memory ({@link PageReader#readRun}).
 */
final class PageChunk {
    private PageChunk() {}

    /** What {@link #encode} made: the bytes to send and how many pages they hold. */
    record Encoded(byte[] bytes, int pages) {}

    /** Takes the pages of a decoded chunk in order, without a copy or an object per page. */
    interface Sink {
        /** The page at {@code address} is {@link Area#PAGE_SIZE} bytes of {@code chunk} from {@code offset}. */
        void page(int address, byte[] chunk, int offset);

        /** The page at {@code address} is zeros now (it replaces what an earlier round sent of it). */
        void zeros(int address);
    }

    private static final int HEADER = 9; // a flag byte (deflated or not), the page count, the count of pages of zeros
    /** Marks an address (page aligned, so its low bits are free) that stands for a page of zeros. */
    private static final int ZEROS = 1;
    private static final byte[] ZERO_PAGE = new byte[Area.PAGE_SIZE];

    /**
     * Reads {@code addresses} from {@code memory} and encodes the pages that hold a non-zero
     * byte, deflated when {@code compress} is set. Pages of zeros stay behind, unless
     * {@code replacing} (a pre-copy's later round, whose page may have been sent non-zero
     * before): then each travels as its address alone. Consecutive pages are read as one run
     * behind the room for the header and addresses when the memory holds them so, otherwise each
     * page straight into its place; either way tested for zeros there (one copy out of guest
     * memory, a second only to close the gap a page of zeros leaves).
     */
    static Encoded encode(PageReader memory, List<Integer> addresses, boolean compress, boolean replacing) {
        int count = addresses.size();
        int bytesAt = HEADER + 4 * count;
        byte[] raw = consecutive(addresses) ? memory.readRun(addresses.get(0), count, bytesAt) : null;
        boolean read = raw != null;
        if (!read) {
            raw = new byte[bytesAt + count * Area.PAGE_SIZE];
        }
        int pages = 0;
        int zeros = 0;
        int at = bytesAt; // where the next page that is not zeros goes
        for (int i = 0; i < count; i++) {
            int address = addresses.get(i);
            int from = read ? bytesAt + i * Area.PAGE_SIZE : at;
            if (!read) {
                memory.read(address, raw, at);
            }
            if (!isZero(raw, from)) {
                if (from != at) {
                    System.arraycopy(raw, from, raw, at, Area.PAGE_SIZE);
                }
                putInt(raw, HEADER + 4 * pages, address);
                at += Area.PAGE_SIZE;
            } else if (replacing) {
                putInt(raw, HEADER + 4 * pages, address | ZEROS);
                zeros++;
            } else {
                continue;
            }
            pages++;
        }
        // Pages left out leave room between the addresses and the bytes: the bytes move up to close it.
        int length = HEADER + 4 * pages + (at - bytesAt);
        if (pages < count) {
            System.arraycopy(raw, bytesAt, raw, HEADER + 4 * pages, at - bytesAt);
        }
        byte[] out;
        if (compress) {
            out = deflate(raw, length);
        } else {
            out = length == raw.length ? raw : Arrays.copyOf(raw, length);
        }
        out[0] = (byte) (compress ? 1 : 0);
        putInt(out, 1, pages);
        putInt(out, 5, zeros);
        return new Encoded(out, pages);
    }

    /** Whether each address is the page after the one before. */
    private static boolean consecutive(List<Integer> addresses) {
        for (int i = 1, n = addresses.size(); i < n; i++) {
            if (addresses.get(i) != addresses.get(0) + i * Area.PAGE_SIZE) {
                return false;
            }
        }
        return !addresses.isEmpty();
    }

    /**
     * Hands the pages of an encoded chunk of at most {@code maxPages} pages to {@code sink}, in
     * order; nothing goes to it if the chunk is not well formed.
     *
     * @throws IllegalArgumentException when the bytes are not such a chunk (truncated, corrupt, too long)
     */
    static void decode(byte[] chunk, int maxPages, Sink sink) {
        if (chunk.length < HEADER) {
            throw new IllegalArgumentException("a page chunk of " + chunk.length + " bytes has no header");
        }
        boolean deflated = chunk[0] == 1;
        int pages = getInt(chunk, 1);
        int zeros = getInt(chunk, 5);
        if (pages < 0 || pages > maxPages || zeros < 0 || zeros > pages) {
            throw new IllegalArgumentException("a page chunk claims " + pages + " pages (" + zeros + " of zeros), not 0 to " + maxPages);
        }
        int size = pages * 4 + (pages - zeros) * Area.PAGE_SIZE;
        byte[] body;
        int from;
        if (deflated) {
            body = inflate(chunk, HEADER, size);
            from = 0;
        } else if (chunk.length - HEADER == size) {
            body = chunk;
            from = HEADER;
        } else {
            throw new IllegalArgumentException("a page chunk of " + pages + " pages holds " + (chunk.length - HEADER) + " bytes");
        }
        requireZerosAsClaimed(body, from, pages, zeros);
        int at = from + 4 * pages;
        for (int i = 0; i < pages; i++) {
            int address = getInt(body, from + 4 * i);
            if ((address & ZEROS) != 0) {
                sink.zeros(address & ~ZEROS);
            } else {
                sink.page(address, body, at);
                at += Area.PAGE_SIZE;
            }
        }
    }

    /** The pages of zeros flagged among the addresses are as many as the header says: checked before any page is handed on. */
    private static void requireZerosAsClaimed(byte[] body, int from, int pages, int zeros) {
        int flagged = 0;
        for (int i = 0; i < pages; i++) {
            flagged += getInt(body, from + 4 * i) & ZEROS;
        }
        if (flagged != zeros) {
            throw new IllegalArgumentException("a page chunk holds " + (flagged > zeros ? "more" : "fewer")
                    + " pages of zeros than it claims (" + zeros + ")");
        }
    }

    /** Whether the page at {@code offset} of {@code bytes} is all zeros (vectorized by the JIT). */
    private static boolean isZero(byte[] bytes, int offset) {
        return Arrays.mismatch(bytes, offset, offset + Area.PAGE_SIZE, ZERO_PAGE, 0, Area.PAGE_SIZE) < 0;
    }

    private static void putInt(byte[] bytes, int at, int value) {
        INT.set(bytes, at, value);
    }

    private static int getInt(byte[] bytes, int at) {
        return (int) INT.get(bytes, at);
    }

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The bytes from {@link #HEADER} to {@code length} deflated, behind {@link #HEADER} bytes of room. */
    private static byte[] deflate(byte[] bytes, int length) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(bytes, HEADER, length - HEADER);
            deflater.finish();
            byte[] out = new byte[HEADER + length / 2 + 64];
            int filled = HEADER;
            while (!deflater.finished()) {
                if (filled == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                filled += deflater.deflate(out, filled, out.length - filled);
            }
            return Arrays.copyOf(out, filled);
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] chunk, int offset, int size) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(chunk, offset, chunk.length - offset);
            // One byte of room more than the chunk claims, so that a stream holding more shows it.
            byte[] out = new byte[size + 1];
            int filled = 0;
            while (!inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary() && filled < out.length) {
                filled += inflater.inflate(out, filled, out.length - filled);
            }
            if (filled != size || !inflater.finished()) {
                throw new IllegalArgumentException("a deflated page chunk of " + size + " bytes holds "
                        + (filled > size ? "more" : filled + (inflater.finished() ? "" : " and is cut short")));
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("a corrupt deflated page chunk: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
