package io.uniform.interconnect;

/**
 * The credit parameters of a channel, which its two ends must share (they come from the
 * machine's configuration, not from a handshake, so the first message needs no round trip).
 *
 * @param window how many messages the sender may have transmitted and the receiver's kernel
 *     not yet consumed: the sender starts with this many credits, and every grant allows up to
 *     {@code consumed + window}. It bounds what one channel puts in a receiver's mailbox and
 *     reorder buffer; 1 to {@value #MAX_WINDOW}.
 * @param batch how many consumed messages the receiver gathers before it grants more credit
 *     (one grant message a batch instead of one a message); 1 to {@code window}. A batch of at
 *     most the window never deadlocks: a sender out of credit has a whole window outstanding,
 *     and consuming it passes the batch.
 */
public record FlowControl(int window, int batch) {
    /** The largest window: the receiver's reorder buffer is an array of this many slots. */
    public static final int MAX_WINDOW = 1 << 16;

    /**
     * 64 messages a channel, credit granted every 16 consumed. The window keeps a streaming
     * sender busy across a grant's round trip while bounding a receiver's backlog per peer;
     * a quarter window a grant costs one control message per 16 data messages and still leaves
     * the sender three quarters of its window when the grant leaves.
     */
    public static final FlowControl DEFAULT = new FlowControl(64, 16);

    public FlowControl {
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("a credit window is 1 to " + MAX_WINDOW + " messages: " + window);
        }
        if (batch < 1 || batch > window) {
            throw new IllegalArgumentException("a credit batch is 1 to the window (" + window + ") messages: " + batch);
        }
    }
}
