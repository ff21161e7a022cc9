package io.uniform.process.files;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.process.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** A path a process hands its kernel: NUL-terminated UTF-8 in user memory, as every kernel reads it. */
public final class GuestPath {
    private GuestPath() {}

    /** Linux's PATH_MAX: the longest path a call takes, its NUL included. */
    public static final int PATH_MAX = 4096;

    /**
     * Reads the path at {@code address}: ENAMETOOLONG without a NUL within {@link #PATH_MAX}
     * bytes, EINVAL if not UTF-8; a fault reading it propagates as the space's MemoryFault.
     */
    public static String read(AddressSpace space, int address) throws FileSystemException {
        byte[] raw = new byte[PATH_MAX];
        int length = 0;
        for (int b = space.load8(address); b != 0; b = space.load8(address + length)) {
            raw[length++] = (byte) b;
            if (length == PATH_MAX) {
                throw new FileSystemException(Errno.ENAMETOOLONG, "no NUL within " + PATH_MAX + " bytes");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new FileSystemException(Errno.EINVAL, "the path is not UTF-8");
        }
    }
}
