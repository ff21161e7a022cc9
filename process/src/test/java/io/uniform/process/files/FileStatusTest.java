package io.uniform.process.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class FileStatusTest {
    private static final long ACCESS = 1_700_000_000_123_456_789L;
    private static final long MODIFY = 1_600_000_000_987_654_321L;
    private static final long CHANGE = 1_500_000_000_000_000_001L;
    /** Every field distinct and wider than 32 bits where the field is. */
    private static final FileStatus STATUS = new FileStatus(0x1122334455667788L, FileStatus.S_IFREG | 0644, 3, 0x0102030405L,
            16, 4096, ACCESS, MODIFY, CHANGE);

    @Test
    void statxHasTheLinuxLayout() {
        byte[] bytes = STATUS.toStatx();
        assertEquals(256, bytes.length);
        ByteBuffer statx = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x7ff, statx.getInt(0), "stx_mask = STATX_BASIC_STATS, no btime");
        assertEquals(4096, statx.getInt(4), "stx_blksize");
        assertEquals(0, statx.getLong(8), "stx_attributes");
        assertEquals(3, statx.getInt(16), "stx_nlink");
        assertEquals(0, statx.getInt(20), "stx_uid");
        assertEquals(0, statx.getInt(24), "stx_gid");
        assertEquals((short) 0100644, statx.getShort(28), "stx_mode");
        assertEquals(0x1122334455667788L, statx.getLong(32), "stx_ino");
        assertEquals(0x0102030405L, statx.getLong(40), "stx_size");
        assertEquals(16, statx.getLong(48), "stx_blocks");
        assertEquals(0, statx.getLong(56), "stx_attributes_mask");
        assertTimestamp(statx, 64, 1_700_000_000L, 123_456_789, "stx_atime");
        assertTimestamp(statx, 80, 0, 0, "stx_btime");
        assertTimestamp(statx, 96, 1_500_000_000L, 1, "stx_ctime");
        assertTimestamp(statx, 112, 1_600_000_000L, 987_654_321, "stx_mtime");
        assertEquals(0, statx.getLong(128), "stx_rdev");
        assertEquals(0, statx.getInt(136), "stx_dev_major");
        assertEquals(1, statx.getInt(140), "stx_dev_minor");
        for (int offset = 144; offset < 256; offset++) {
            assertEquals(0, bytes[offset], "spare byte " + offset);
        }
    }

    @Test
    void stat64HasTheLayoutOfAsmGenericFor32BitArchitectures() {
        byte[] bytes = STATUS.toStat64();
        assertEquals(104, bytes.length);
        ByteBuffer stat = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, stat.getLong(0), "st_dev: 0:1");
        assertEquals(0x1122334455667788L, stat.getLong(8), "st_ino");
        assertEquals(0100644, stat.getInt(16), "st_mode");
        assertEquals(3, stat.getInt(20), "st_nlink");
        assertEquals(0, stat.getInt(24), "st_uid");
        assertEquals(0, stat.getInt(28), "st_gid");
        assertEquals(0, stat.getLong(32), "st_rdev");
        assertEquals(0, stat.getLong(40), "__pad1");
        assertEquals(0x0102030405L, stat.getLong(48), "st_size");
        assertEquals(4096, stat.getInt(56), "st_blksize");
        assertEquals(0, stat.getInt(60), "__pad2");
        assertEquals(16, stat.getLong(64), "st_blocks");
        assertEquals(1_700_000_000, stat.getInt(72), "st_atime");
        assertEquals(123_456_789, stat.getInt(76), "st_atime_nsec");
        assertEquals(1_600_000_000, stat.getInt(80), "st_mtime");
        assertEquals(987_654_321, stat.getInt(84), "st_mtime_nsec");
        assertEquals(1_500_000_000, stat.getInt(88), "st_ctime");
        assertEquals(1, stat.getInt(92), "st_ctime_nsec");
        assertEquals(0, stat.getLong(96), "__unused4 and __unused5");
    }

    @Test
    void timesBeforeTheEpochKeepNanosecondsPositive() {
        ByteBuffer statx = ByteBuffer.wrap(new FileStatus(1, FileStatus.S_IFDIR | 0755, 2, 0, 0, 4096, 0, -1, 0)
                .toStatx()).order(ByteOrder.LITTLE_ENDIAN);
        assertTimestamp(statx, 112, -1, 999_999_999, "stx_mtime");
        assertEquals((short) 040755, statx.getShort(28));
    }

    private static void assertTimestamp(ByteBuffer statx, int offset, long seconds, int nanos, String field) {
        assertEquals(seconds, statx.getLong(offset), field + ".tv_sec");
        assertEquals(nanos, statx.getInt(offset + 8), field + ".tv_nsec");
        assertEquals(0, statx.getInt(offset + 12), field + " reserved");
    }
}
