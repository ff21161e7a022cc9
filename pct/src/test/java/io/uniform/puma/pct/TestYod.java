package io.uniform.puma.pct;

import io.uniform.process.files.FileTable;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import io.uniform.puma.qk.Qk;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A yod for one job in a test: stdout and stderr captured, stdin from bytes, files on a
 * directory (if given). Answers queue up until {@link #deliver} hands them to the QK, as the
 * node actor does between slices.
 */
final class TestYod implements YodPort {
    private record Answer(int pid, long sequence, IoReply reply) {}

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final byte[] stdin;
    private int stdinPosition;
    private final FileTable files;
    private final List<Answer> answers = new ArrayList<>();
    final List<Long> sequences = new ArrayList<>();

    TestYod(byte[] stdin, Path filesRoot) {
        this.stdin = stdin.clone();
        this.files = new FileTable(filesRoot == null ? null : new ServiceFileSystem(filesRoot));
    }

    // Like yod: the last request answered per process, answered again (not performed) when retried.
    private final java.util.Map<Integer, Answer> lastAnswer = new java.util.HashMap<>();

    @Override
    public void submit(int pid, int rank, long sequence, IoRequest request) {
        sequences.add(sequence);
        Answer last = lastAnswer.get(pid);
        Answer answer = last != null && last.sequence() == sequence ? last : new Answer(pid, sequence, perform(request));
        lastAnswer.put(pid, answer);
        answers.add(answer);
    }

    private IoReply perform(IoRequest request) {
        if (request instanceof IoRequest.Write write && (write.fd() == 1 || write.fd() == 2)) {
            (write.fd() == 1 ? stdout : stderr).writeBytes(write.bytes());
            return IoReply.of(write.length());
        }
        if (request instanceof IoRequest.Read read && read.fd() == 0) {
            int n = Math.min(read.maxBytes(), stdin.length - stdinPosition);
            stdinPosition += n;
            return IoReply.bytes(Arrays.copyOfRange(stdin, stdinPosition - n, stdinPosition));
        }
        return files.perform(request);
    }

    /** Whether answers wait for delivery. */
    boolean pending() {
        return !answers.isEmpty();
    }

    /** Hands every queued answer to the QK. */
    void deliver(Qk qk) {
        List<Answer> due = List.copyOf(answers);
        answers.clear();
        for (Answer answer : due) {
            qk.complete(answer.pid(), answer.sequence(), answer.reply());
        }
    }

    byte[] stdout() {
        return stdout.toByteArray();
    }

    byte[] stderr() {
        return stderr.toByteArray();
    }
}
