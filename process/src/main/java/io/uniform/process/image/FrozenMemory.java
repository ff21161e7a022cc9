package io.uniform.process.image;

import java.util.List;

/**
 * The memory of a frozen process, read page by page for the transfer (never copied whole):
 * only pages that may hold a byte that is not zero are listed (the paper's "skip empty pages").
 */
public interface FrozenMemory extends PageReader {
    /** The addresses of the pages that may hold a non-zero byte, in increasing order. */
    List<Integer> pages();

    /** Copies the page at {@code address} (one of {@link #pages()}) into {@code into} from {@code offset} ({@link Area#PAGE_SIZE} bytes). */
    @Override
    void read(int address, byte[] into, int offset);

    /**
     * The pages {@link #read} shows otherwise than the running process's memory held them (a
     * word the freeze settles): a pre-copy sends them again at the end even if no one wrote them.
     */
    default List<Integer> settledPages() {
        return List.of();
    }
}
