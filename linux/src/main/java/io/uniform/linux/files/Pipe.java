package io.uniform.linux.files;

import io.uniform.linux.wait.Blocked;
import io.uniform.linux.wait.WaitQueue;
import io.uniform.process.Errno;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pipe: a {@link #CAPACITY}-byte buffer between the open file descriptions of its read end
 * and its write end, which pipe2 creates one of each. Readers and writers wait on one
 * {@link WaitQueue}, woken by every change: bytes written, bytes read, an end closed.
 */
final class Pipe {
    /** Linux's default pipe size: 16 pages. */
    static final int CAPACITY = 64 << 10;
    /** PIPE_BUF: writes of at most this many bytes are atomic. */
    static final int ATOMIC_WRITE = 4096;
    private static final int MODE = FileStatus.S_IFIFO | 0600;
    private static final int BLOCK_SIZE = 4096;
    /** pipefs inode numbers: one sequence for every pipe of the host. */
    private static final AtomicLong INODES = new AtomicLong();

    private final byte[] ring = new byte[CAPACITY];
    private final WaitQueue queue = new WaitQueue();
    private final FileStatus status;
    private int head;
    private int used;
    private boolean readerOpen = true;
    private boolean writerOpen = true;

    Pipe(long createdNanos) {
        this.status = new FileStatus(INODES.incrementAndGet(), MODE, 1, 0, 0, BLOCK_SIZE,
                createdNanos, createdNanos, createdNanos);
    }

    FileStatus status() {
        return status;
    }

    /**
     * Reads what the pipe holds, up to the buffers' length. Empty: 0 (end of file) once the
     * write end has closed, else EAGAIN when nonBlocking, else {@link Blocked}.
     */
    int read(GuestBuffers into, boolean nonBlocking) throws FileSystemException {
        if (into.length() == 0) {
            return 0;
        }
        if (used == 0) {
            if (!writerOpen) {
                return 0;
            }
            if (nonBlocking) {
                throw new FileSystemException(Errno.EAGAIN, "the pipe is empty");
            }
            throw new Blocked(queue);
        }
        int moved = into.fill(Math.min(used, into.length()), this::take);
        queue.wakeAll();
        return moved;
    }

    /**
     * Writes the buffers: EPIPE once the read end has closed. A write of at most
     * {@link #ATOMIC_WRITE} bytes goes in whole or waits; a larger one puts in what fits and,
     * when that is not all, waits with that progress ({@link Blocked#progress()}). When nothing
     * can go in, or a small write does not fit, it waits before moving anything. With
     * nonBlocking it never waits: EAGAIN if nothing moved, else the count that did.
     */
    int write(GuestBuffers from, boolean nonBlocking) throws FileSystemException {
        int length = from.length();
        if (length == 0) {
            return 0;
        }
        if (!readerOpen) {
            throw new FileSystemException(Errno.EPIPE, "the pipe has no reader");
        }
        int free = CAPACITY - used;
        if (free == 0 || (length <= ATOMIC_WRITE && free < length)) {
            if (nonBlocking) {
                throw new FileSystemException(Errno.EAGAIN, "the pipe is full");
            }
            throw new Blocked(queue);
        }
        int limit = Math.min(free, length);
        int moved = from.drain(limit, this::put);
        queue.wakeAll();
        if (moved == limit && moved < length && !nonBlocking) {
            throw new Blocked(queue, moved);
        }
        return moved;
    }

    void closeReadEnd() {
        readerOpen = false;
        queue.wakeAll();
    }

    void closeWriteEnd() {
        writerOpen = false;
        queue.wakeAll();
    }

    /** Takes {@code length} bytes, at most what the pipe holds, from its front. */
    private int take(byte[] buffer, int length) {
        int first = Math.min(length, CAPACITY - head);
        System.arraycopy(ring, head, buffer, 0, first);
        System.arraycopy(ring, 0, buffer, first, length - first);
        head = (head + length) % CAPACITY;
        used -= length;
        return length;
    }

    /** Appends {@code length} bytes, at most what the pipe has room for. */
    private int put(byte[] buffer, int length) {
        int tail = (head + used) % CAPACITY;
        int first = Math.min(length, CAPACITY - tail);
        System.arraycopy(buffer, 0, ring, tail, first);
        System.arraycopy(buffer, first, ring, 0, length - first);
        used += length;
        return length;
    }
}
