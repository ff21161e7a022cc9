package io.uniform.puma.pct;

import io.uniform.process.io.IoRequest;

/**
 * The PCT's line to yod, which serves stdio and files for a job (Puma has no file system).
 * One way: the answer reaches the process through the node ({@code Qk.complete}), so a process
 * waits for yod without the node waiting with it.
 */
@FunctionalInterface
public interface YodPort {
    /**
     * Sends request {@code sequence} of process {@code pid} (rank {@code rank} of the job) to
     * yod. A request sent again with the same sequence number (a trap retried after a PCT
     * fault) must be performed once.
     */
    void submit(int pid, int rank, long sequence, IoRequest request);
}
