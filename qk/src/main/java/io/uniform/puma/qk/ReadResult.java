package io.uniform.puma.qk;

/** The answer to a read: {@code result} bytes (in {@code bytes}) or {@code -errno} with no bytes. */
public record ReadResult(int result, byte[] bytes) {
    public ReadResult {
        bytes = bytes == null ? new byte[0] : bytes;
        if (result >= 0 && result != bytes.length) {
            throw new IllegalArgumentException("a read of " + result + " bytes must carry them, not " + bytes.length);
        }
    }

    public static ReadResult ok(byte[] bytes) {
        return new ReadResult(bytes.length, bytes);
    }

    public static ReadResult error(int errno) {
        return new ReadResult(-errno, new byte[0]);
    }
}
