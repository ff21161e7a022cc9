package io.uniform.node;

import io.uniform.process.image.Area;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A bounded run of a migrating process's pages as they travel: each page's address and its
 * 4 KiB, pages of zeros left out (the paper's "skip empty pages"), the whole deflated on the fly
 * when compression is on (the paper's future work). Plain Java: the node actor sends chunks
 * as {@code byte[]} on the Kryo lane, each far below Artery's frame.
 */
final class PageChunk {
    private PageChunk() {}

    /** A page that travels: its address and its bytes, or null bytes for a page of zeros that replaces an earlier round's. */
    record Page(int address, byte[] bytes) {
        /** Whether the page is zeros now (sent only to replace what an earlier round sent of it). */
        boolean zeros() {
            return bytes == null;
        }
    }

    /** What {@link #encode} made: the bytes to send and how many pages they hold. */
    record Encoded(byte[] bytes, int pages) {}

    /** Where the pages are read from: a frozen process's memory, or a running one's between slices. */
    @FunctionalInterface
    interface Source {
        void read(int address, byte[] page);
    }

    private static final int HEADER = 9; // a flag byte (deflated or not), the page count, the count of pages of zeros
    /** Marks an address (page aligned, so its low bits are free) that stands for a page of zeros. */
    private static final int ZEROS = 1;

    /**
     * Reads {@code addresses} from {@code memory} and encodes the pages that hold a non-zero
     * byte, deflated when {@code compress} is set. Pages of zeros stay behind, unless
     * {@code replacing} (a pre-copy's later round, whose page may have been sent non-zero
     * before): then each travels as its address alone.
     */
    static Encoded encode(Source memory, List<Integer> addresses, boolean compress, boolean replacing) {
        byte[] page = new byte[Area.PAGE_SIZE];
        ByteBuffer raw = ByteBuffer.allocate(addresses.size() * (4 + Area.PAGE_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        int pages = 0;
        int zeros = 0;
        for (int address : addresses) {
            memory.read(address, page);
            if (!isZero(page)) {
                raw.putInt(address).put(page);
            } else if (replacing) {
                raw.putInt(address | ZEROS);
                zeros++;
            } else {
                continue;
            }
            pages++;
        }
        byte[] body = compress ? deflate(raw.array(), raw.position()) : java.util.Arrays.copyOf(raw.array(), raw.position());
        ByteBuffer out = ByteBuffer.allocate(HEADER + body.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) (compress ? 1 : 0)).putInt(pages).putInt(zeros).put(body);
        return new Encoded(out.array(), pages);
    }

    /**
     * The pages of an encoded chunk of at most {@code maxPages} pages.
     *
     * @throws IllegalArgumentException when the bytes are not such a chunk (truncated, corrupt, too long)
     */
    static List<Page> decode(byte[] chunk, int maxPages) {
        if (chunk.length < HEADER) {
            throw new IllegalArgumentException("a page chunk of " + chunk.length + " bytes has no header");
        }
        ByteBuffer in = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        boolean deflated = in.get() == 1;
        int pages = in.getInt();
        int zeros = in.getInt();
        if (pages < 0 || pages > maxPages || zeros < 0 || zeros > pages) {
            throw new IllegalArgumentException("a page chunk claims " + pages + " pages (" + zeros + " of zeros), not 0 to " + maxPages);
        }
        int size = pages * 4 + (pages - zeros) * Area.PAGE_SIZE;
        byte[] body = new byte[size];
        if (deflated) {
            inflate(chunk, HEADER, body);
        } else if (in.remaining() == size) {
            in.get(body);
        } else {
            throw new IllegalArgumentException("a page chunk of " + pages + " pages holds " + in.remaining() + " bytes");
        }
        ByteBuffer raw = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        List<Page> decoded = new ArrayList<>(pages);
        for (int i = 0; i < pages; i++) {
            int address = raw.getInt();
            if ((address & ZEROS) != 0) {
                decoded.add(new Page(address & ~ZEROS, null));
                continue;
            }
            if (raw.remaining() < Area.PAGE_SIZE) {
                throw new IllegalArgumentException("a page chunk holds more pages of zeros than it claims (" + zeros + ")");
            }
            byte[] bytes = new byte[Area.PAGE_SIZE];
            raw.get(bytes);
            decoded.add(new Page(address, bytes));
        }
        if (raw.hasRemaining()) {
            throw new IllegalArgumentException("a page chunk holds fewer pages of zeros than it claims (" + zeros + ")");
        }
        return decoded;
    }

    private static boolean isZero(byte[] page) {
        for (byte b : page) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] deflate(byte[] bytes, int length) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(bytes, 0, length);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
            byte[] buffer = new byte[16 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void inflate(byte[] chunk, int offset, byte[] into) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(chunk, offset, chunk.length - offset);
            // One byte of room more than the chunk claims, so that a stream holding more shows it.
            byte[] out = new byte[into.length + 1];
            int filled = 0;
            while (!inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary() && filled < out.length) {
                filled += inflater.inflate(out, filled, out.length - filled);
            }
            if (filled != into.length || !inflater.finished()) {
                throw new IllegalArgumentException("a deflated page chunk of " + into.length + " bytes holds "
                        + (filled > into.length ? "more" : filled + (inflater.finished() ? "" : " and is cut short")));
            }
            System.arraycopy(out, 0, into, 0, into.length);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("a corrupt deflated page chunk: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
