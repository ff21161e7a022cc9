package io.uniform.linux.files;

import io.uniform.process.files.FileStatus;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.ServiceFileSystem;

/** The open file description of one end of a {@link Pipe}; releasing it closes that end. */
final class PipeEnd extends OpenDescription {
    private final Pipe pipe;
    private final boolean reading;

    private PipeEnd(Pipe pipe, boolean reading, int statusFlags) {
        super((reading ? ServiceFileSystem.O_RDONLY : ServiceFileSystem.O_WRONLY) | statusFlags);
        this.pipe = pipe;
        this.reading = reading;
    }

    static PipeEnd reader(Pipe pipe, int statusFlags) {
        return new PipeEnd(pipe, true, statusFlags);
    }

    static PipeEnd writer(Pipe pipe, int statusFlags) {
        return new PipeEnd(pipe, false, statusFlags);
    }

    @Override
    int read(GuestBuffers into) throws FileSystemException {
        return reading ? pipe.read(into, nonBlocking()) : super.read(into);
    }

    @Override
    int write(GuestBuffers from) throws FileSystemException {
        return reading ? super.write(from) : pipe.write(from, nonBlocking());
    }

    @Override
    FileStatus status() {
        return pipe.status();
    }

    @Override
    void closed() {
        if (reading) {
            pipe.closeReadEnd();
        } else {
            pipe.closeWriteEnd();
        }
    }
}
