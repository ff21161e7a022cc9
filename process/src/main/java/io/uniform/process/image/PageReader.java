package io.uniform.process.image;

/** Reads a process's pages for a move or a snapshot: page by page, or a run of them in one copy where its memory allows. */
public interface PageReader {
    /** Copies the page at {@code address} into {@code into} from {@code offset} ({@link Area#PAGE_SIZE} bytes). */
    void read(int address, byte[] into, int offset);

    /** Copies the page at {@code address} into {@code page}, a page long. */
    default void read(int address, byte[] page) {
        read(address, page, 0);
    }

    /**
     * The {@code pages} pages from {@code address}, as {@link #read} copies them, behind
     * {@code room} zero bytes of a new array, in one copy; null when the memory does not hold
     * them as one run (then they are read page by page).
     */
    default byte[] readRun(int address, int pages, int room) {
        return null;
    }
}
