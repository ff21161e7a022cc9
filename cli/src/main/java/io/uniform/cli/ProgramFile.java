package io.uniform.cli;

import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a guest program named on the command line, turning failures into a clear message and exit status. */
final class ProgramFile {
    private ProgramFile() {}

    /** Thrown with the message and exit status a command reports. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitStatus;

        Unusable(String message, int exitStatus) {
            super(message);
            this.exitStatus = exitStatus;
        }

        int exitStatus() {
            return exitStatus;
        }
    }

    static byte[] read(Path path) throws Unusable {
        try {
            return ElfFile.read(path);
        } catch (IOException e) {
            throw new Unusable(e.getMessage(), Uniform.EXIT_NOT_FOUND);
        } catch (ElfFormatException e) {
            throw new Unusable(e.getMessage(), Uniform.EXIT_NOT_EXECUTABLE);
        }
    }
}
