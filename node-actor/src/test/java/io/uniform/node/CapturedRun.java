package io.uniform.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a node and yod made of a kernel's slices, as the kernel migration tests drive them: the
 * stdout it wrote (a Linux kernel's output, a Puma process's write calls, which yod answers at
 * once), and its end.
 */
final class CapturedRun {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    Kernel.Ended ended;

    /** A slice whose I/O calls are left for {@link #answer}. */
    Kernel.SliceResult slice(Kernel kernel, long budget) {
        Kernel.SliceResult result = kernel.runSlice(budget);
        result.output().stream().filter(chunk -> chunk.fd() == 1).forEach(chunk -> out.writeBytes(chunk.bytes()));
        if (result.ended() != null) {
            ended = result.ended();
        }
        return result;
    }

    void answer(Kernel kernel, Kernel.SliceResult result) {
        for (Kernel.IoCall call : result.ioCalls()) {
            IoRequest.Write write = (IoRequest.Write) call.request();
            if (write.fd() == 1) {
                out.writeBytes(write.bytes());
            }
            kernel.complete(call.sequence(), IoReply.of(write.length()));
        }
    }

    void run(Kernel kernel, long budget) {
        answer(kernel, slice(kernel, budget));
    }

    void finish(Kernel kernel) {
        for (int slices = 0; ended == null; slices++) {
            assertTrue(slices < 10_000, "no end within 10000 slices");
            run(kernel, 1 << 20);
        }
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The end of a move between two kernels: {@code pages} of the frozen {@code source} are written
     * into the admitted {@code destination}, the source lets go and the destination starts.
     */
    static void handOver(Kernel source, Kernel destination, List<Integer> pages) {
        byte[] page = new byte[4096];
        for (int address : pages) {
            source.frozenMemory().read(address, page);
            destination.writePage(address, page, 0);
        }
        source.release();
        destination.start();
    }
}
