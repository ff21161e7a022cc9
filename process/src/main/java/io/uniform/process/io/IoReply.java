package io.uniform.process.io;

/**
 * The answer to an {@link IoRequest}: {@code result} (>= 0, or -errno in Linux numbering) and
 * the data it carries (bytes read, a statx structure; empty otherwise).
 */
public record IoReply(long result, byte[] data) {
    public IoReply {
        data = data == null ? new byte[0] : data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public static IoReply of(long result) {
        return new IoReply(result, null);
    }

    public static IoReply error(int errno) {
        return new IoReply(-errno, null);
    }

    /** A successful read: its length and bytes. */
    public static IoReply bytes(byte[] data) {
        return new IoReply(data.length, data);
    }
}
