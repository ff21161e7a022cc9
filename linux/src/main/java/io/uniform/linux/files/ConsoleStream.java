package io.uniform.linux.files;

import io.uniform.process.Errno;
import io.uniform.process.ProcessClock;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.ServiceFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A stream of the console, where descriptors 0, 1 and 2 start: its input, read-only, or one of
 * its outputs, write-only. Closing every descriptor of one leaves the host stream open.
 * fstat reports a terminal's character device whatever the stream really is.
 */
abstract class ConsoleStream extends OpenDescription {
    /** What fstat reports: one terminal, as when a shell starts the program. */
    private static final int TERMINAL_MODE = FileStatus.S_IFCHR | 0620;
    private static final long TERMINAL_INODE = 3;
    private static final int TERMINAL_BLOCK_SIZE = 1024;

    private final ProcessClock clock;
    private final int standardDescriptor;

    private ConsoleStream(int accessMode, int standardDescriptor, ProcessClock clock) {
        super(accessMode);
        this.standardDescriptor = standardDescriptor;
        this.clock = clock;
    }

    /** The descriptor the stream was opened at when the task started: 0, 1 or 2. */
    final int standardDescriptor() {
        return standardDescriptor;
    }

    @Override
    final FileStatus status() {
        long now = clock.realtimeNanos();
        return new FileStatus(TERMINAL_INODE, TERMINAL_MODE, 1, 0, 0, TERMINAL_BLOCK_SIZE, now, now, now);
    }

    /**
     * The console's input. A read waits (the host thread does) for the first bytes only, as a
     * read of a terminal does, and takes at most {@link UnifiedLibrary#IO_CHUNK} bytes; later
     * segments of a readv get only what the stream already holds.
     */
    static final class Input extends ConsoleStream {
        private final InputStream in;

        Input(InputStream in, ProcessClock clock) {
            super(ServiceFileSystem.O_RDONLY, 0, clock);
            this.in = in;
        }

        @Override
        int read(GuestBuffers into) throws FileSystemException {
            boolean[] waited = {false};
            return into.fill(UnifiedLibrary.IO_CHUNK, (buffer, length) -> {
                try {
                    int wanted = waited[0] ? Math.min(length, in.available()) : length;
                    waited[0] = true;
                    return wanted == 0 ? 0 : Math.max(0, in.read(buffer, 0, wanted));
                } catch (IOException e) {
                    throw new FileSystemException(Errno.EIO, "console input: " + e.getMessage());
                }
            });
        }
    }

    /** One of the console's outputs; every write is flushed. */
    static final class Output extends ConsoleStream {
        private final OutputStream out;

        /** @param standardDescriptor 1 for the console's standard output, 2 for its standard error */
        Output(OutputStream out, int standardDescriptor, ProcessClock clock) {
            super(ServiceFileSystem.O_WRONLY, standardDescriptor, clock);
            this.out = out;
        }

        @Override
        int write(GuestBuffers from) throws FileSystemException {
            return from.drain(from.length(), (buffer, length) -> {
                try {
                    out.write(buffer, 0, length);
                    out.flush();
                    return length;
                } catch (IOException e) {
                    throw new FileSystemException(Errno.EIO, "console output: " + e.getMessage());
                }
            });
        }
    }
}
