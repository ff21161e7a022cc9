package io.uniform.linux.files;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.process.Errno;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileSystemException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The user memory a read fills or a write takes from: one buffer (read, write) or the segments
 * of an iovec array (readv, writev). Data moves a piece at a time, at most
 * {@link UnifiedLibrary#IO_CHUNK} bytes within one segment, so a large transfer never needs a
 * large host buffer. A piece's memory is checked before the file gives up its bytes, so a bad
 * buffer loses no data: when a piece is bad, or the file fails, after earlier pieces moved, the
 * call ends there with a short count, as on Linux; when the first is, the call fails.
 */
final class GuestBuffers {
    /** Linux's UIO_MAXIOV: the most segments one readv or writev takes. */
    static final int IOV_MAX = 1024;
    /** Linux's MAX_RW_COUNT: one call moves at most INT_MAX rounded down to a page. */
    static final int MAX_TRANSFER = 0x7ffff000;
    private static final int IOVEC_SIZE = 8;

    /** Gives up to {@code length} bytes into {@code buffer}; how many. */
    @FunctionalInterface
    interface Source {
        int read(byte[] buffer, int length) throws FileSystemException;
    }

    /** Takes up to {@code length} bytes from {@code buffer}; how many. */
    @FunctionalInterface
    interface Sink {
        int write(byte[] buffer, int length) throws FileSystemException;
    }

    /** Moves one piece at {@code address}; how many bytes moved. */
    @FunctionalInterface
    private interface Piece {
        int move(int address, int length) throws FileSystemException;
    }

    private final AddressSpace space;
    private final int[] addresses;
    private final int[] lengths;
    private final int length;

    private GuestBuffers(AddressSpace space, int[] addresses, int[] lengths, int length) {
        this.space = space;
        this.addresses = addresses;
        this.lengths = lengths;
        this.length = length;
    }

    /** The buffer of read(2) or write(2). A count of 2 GiB or more is EFAULT: no buffer that large fits. */
    static GuestBuffers of(AddressSpace space, int address, int count) throws FileSystemException {
        if (count < 0) {
            throw new FileSystemException(Errno.EFAULT, "a count of 2 GiB or more");
        }
        int length = Math.min(count, MAX_TRANSFER);
        return new GuestBuffers(space, new int[] {address}, new int[] {length}, length);
    }

    /**
     * The rv32 {@code struct iovec {u32 base; u32 len}} array of readv(2) or writev(2): EINVAL for
     * a count outside 0..{@link #IOV_MAX} or a segment of 2 GiB or more; a bad array is a
     * {@link MemoryFault}. Segments beyond {@link #MAX_TRANSFER} bytes in all are cut, as Linux cuts them.
     */
    static GuestBuffers ofIovecs(AddressSpace space, int iov, int iovcnt) throws FileSystemException {
        if (iovcnt < 0 || iovcnt > IOV_MAX) {
            throw new FileSystemException(Errno.EINVAL, "iovcnt " + iovcnt);
        }
        ByteBuffer array = ByteBuffer.wrap(space.read(iov, iovcnt * IOVEC_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        int[] addresses = new int[iovcnt];
        int[] lengths = new int[iovcnt];
        int total = 0;
        for (int i = 0; i < iovcnt; i++) {
            addresses[i] = array.getInt();
            int segment = array.getInt();
            if (segment < 0) {
                throw new FileSystemException(Errno.EINVAL, "iovec " + i + " is 2 GiB or more");
            }
            lengths[i] = Math.min(segment, MAX_TRANSFER - total);
            total += lengths[i];
        }
        return new GuestBuffers(space, addresses, lengths, total);
    }

    /** The bytes of all segments together. */
    int length() {
        return length;
    }

    /** Fills at most {@code limit} bytes from {@code source}, until it gives fewer than a piece asks. */
    int fill(int limit, Source source) throws FileSystemException {
        byte[] buffer = new byte[pieceBuffer(limit)];
        return transfer(limit, (address, length) -> {
            space.validate(address, length, Access.WRITE); // before the source gives up what could not be stored
            int moved = source.read(buffer, length);
            space.write(address, buffer, 0, moved);
            return moved;
        });
    }

    /** Gives at most {@code limit} bytes to {@code sink}, until it takes fewer than a piece offers. */
    int drain(int limit, Sink sink) throws FileSystemException {
        byte[] buffer = new byte[pieceBuffer(limit)];
        return transfer(limit, (address, length) -> {
            space.read(address, buffer, 0, length);
            return sink.write(buffer, length);
        });
    }

    private int pieceBuffer(int limit) {
        return Math.min(UnifiedLibrary.IO_CHUNK, Math.min(limit, length));
    }

    private int transfer(int limit, Piece piece) throws FileSystemException {
        int done = 0;
        for (int segment = 0; segment < addresses.length && done < limit; segment++) {
            for (int offset = 0; offset < lengths[segment] && done < limit; ) {
                int length = Math.min(UnifiedLibrary.IO_CHUNK, Math.min(lengths[segment] - offset, limit - done));
                int moved;
                try {
                    moved = piece.move(addresses[segment] + offset, length);
                } catch (MemoryFault | FileSystemException failure) {
                    if (done == 0) {
                        throw failure;
                    }
                    return done;
                }
                done += moved;
                if (moved < length) {
                    return done;
                }
                offset += length;
            }
        }
        return done;
    }
}
