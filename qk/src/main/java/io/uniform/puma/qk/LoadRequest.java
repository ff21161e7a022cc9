package io.uniform.puma.qk;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * yod's request to load one rank of a job on this node: the executable, its argv and
 * environment, and the region to give it ({@code regionBytes} of the node's memory, of which
 * {@code stackBytes} at the top are stack; both page multiples).
 */
public record LoadRequest(byte[] elf, List<String> argv, Map<String, String> env, int jobId, int rank, int jobSize,
                          int regionBytes, int stackBytes) {
    /** 32 MiB regions with a 1 MiB stack: room for the guest tests' 4 MiB bss and heap growth. */
    public static final int DEFAULT_REGION_BYTES = 32 << 20;
    public static final int DEFAULT_STACK_BYTES = 1 << 20;

    public LoadRequest {
        Objects.requireNonNull(elf, "elf");
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        if (regionBytes <= 0 || stackBytes <= 0 || ((regionBytes | stackBytes) & 0xfff) != 0
                || Integer.toUnsignedLong(PumaAbi.REGION_BASE) + regionBytes > PumaAbi.USER_LIMIT) {
            throw new IllegalArgumentException("region and stack must be positive page multiples inside Puma's user space");
        }
        if ((long) PumaAbi.REGION_BASE + regionBytes - stackBytes <= PumaAbi.IMAGE_LOW) {
            throw new IllegalArgumentException(String.format(
                    "a stack of %d bytes leaves no room for an image in a region of %d bytes", stackBytes, regionBytes));
        }
        if (jobSize < 1 || rank < 0 || rank >= jobSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in a job of " + jobSize);
        }
    }

    public static LoadRequest of(byte[] elf, List<String> argv, int jobId) {
        return new LoadRequest(elf, argv, Map.of(), jobId, 0, 1, DEFAULT_REGION_BYTES, DEFAULT_STACK_BYTES);
    }

    /** The outcome: a pid, or why the image was refused (malformed, too large, no memory). */
    public record Result(int pid, String error) {
        public static Result loaded(int pid) {
            return new Result(pid, null);
        }

        public static Result refused(String error) {
            return new Result(-1, error);
        }

        public boolean ok() {
            return error == null;
        }
    }
}
