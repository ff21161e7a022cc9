package io.uniform.puma.pct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.Errno;
import org.junit.jupiter.api.Test;

/** The in-memory yod keeps every file within its cap, whatever offsets a guest asks for. */
class InMemoryYodPortTest {
    private static final int O_RDWR = 2;

    @Test
    void seekingPastTheLargestFileIsRefused() {
        InMemoryYodPort yod = new InMemoryYodPort(new byte[0]).addFile("f", new byte[0]);
        int fd = yod.open("f", O_RDWR, 0);
        assertTrue(fd >= 0);
        assertEquals(-Errno.EINVAL, yod.lseek(fd, Long.MAX_VALUE, 0));
        assertEquals(-Errno.EINVAL, yod.lseek(fd, InMemoryYodPort.MAX_FILE_BYTES + 1L, 0));
        assertEquals(-Errno.EINVAL, yod.lseek(fd, -1, 0));
    }

    @Test
    void aWriteThatWouldGrowAFilePastTheCapIsEfbigAndChangesNothing() {
        InMemoryYodPort yod = new InMemoryYodPort(new byte[0]).addFile("f", new byte[0]);
        int fd = yod.open("f", O_RDWR, 0);
        assertEquals(InMemoryYodPort.MAX_FILE_BYTES, yod.lseek(fd, InMemoryYodPort.MAX_FILE_BYTES, 0));
        assertEquals(-Errno.EFBIG, yod.write(fd, new byte[] {1}));
        assertArrayEquals(new byte[0], yod.file("f"));
    }
}
