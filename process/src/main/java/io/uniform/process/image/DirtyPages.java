package io.uniform.process.image;

import java.util.List;

/**
 * The pages a running process writes, round by round, for a pre-copy migration: its pages are
 * sent while it runs, then those it wrote meanwhile, until it is frozen and only the last ones
 * go. Used between the process's slices only, never while it runs.
 */
public interface DirtyPages extends PageReader {
    /**
     * Ends the round under way and begins the next: the first call returns every page that may
     * hold a non-zero byte, each later one every page whose contents may have changed since the
     * call before (written, or backed anew); a page listed may read as zeros now. Increasing
     * order, pages of the process's areas only.
     */
    List<Integer> nextRound();

    /** Copies the page at {@code address} as it is now into {@code into} from {@code offset} ({@link Area#PAGE_SIZE} bytes; zeros if never written). */
    @Override
    void read(int address, byte[] into, int offset);

    /** Ends the tracking (the move was frozen or given up): writes cost nothing more. */
    void stop();
}
