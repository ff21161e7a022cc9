package io.uniform.process.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What stat returns, in Linux terms. mode includes the file type bits (S_IFREG 0100000,
 * S_IFDIR 0040000, S_IFLNK 0120000, S_IFCHR 0020000, S_IFIFO 0010000). Times in nanoseconds
 * since the epoch. Every file is on device 0:1 and owned by uid and gid 0.
 */
public record FileStatus(long inode, int mode, int nlink, long size, long blocks, int blockSize,
                         long accessNanos, long modifyNanos, long changeNanos) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    /** STATX_TYPE | MODE | NLINK | UID | GID | ATIME | MTIME | CTIME | INO | SIZE | BLOCKS. */
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_SIZE = 256;
    /** The size of asm-generic's {@code struct stat64}, what rv32's fstat64 and fstatat64 fill. */
    public static final int STAT64_SIZE = 104;

    private static final int BLOCK_SIZE = 4096;
    private static final String UNIX_ATTRIBUTES = "unix:ino,mode,nlink,size,lastAccessTime,lastModifiedTime,ctime";

    /** The status of a host file, not following a final symbolic link. */
    static FileStatus read(Path host) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(host, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        long size = (Long) attributes.get("size");
        return new FileStatus((Long) attributes.get("ino"), (Integer) attributes.get("mode"),
                (Integer) attributes.get("nlink"), size, blocksFor(size), BLOCK_SIZE,
                nanos(attributes.get("lastAccessTime")), nanos(attributes.get("lastModifiedTime")),
                nanos(attributes.get("ctime")));
    }

    /** This file once no name leads to it any more: no links, and the size it has now. */
    FileStatus unlinked(long currentSize) {
        return new FileStatus(inode, mode, 0, currentSize, blocksFor(currentSize), blockSize,
                accessNanos, modifyNanos, changeNanos);
    }

    /**
     * The 256-byte little-endian {@code struct statx} (linux/stat.h) with stx_mask =
     * STATX_BASIC_STATS, uid/gid 0, dev 0:1, btime absent.
     */
    public byte[] toStatx() {
        ByteBuffer statx = ByteBuffer.allocate(STATX_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        statx.putInt(0, STATX_BASIC_STATS);
        statx.putInt(4, blockSize);
        statx.putInt(16, nlink);
        statx.putShort(28, (short) mode);
        statx.putLong(32, inode);
        statx.putLong(40, size);
        statx.putLong(48, blocks);
        putTimestamp(statx, 64, accessNanos);
        putTimestamp(statx, 96, changeNanos);
        putTimestamp(statx, 112, modifyNanos);
        statx.putInt(140, 1); // stx_dev_minor; stx_dev_major stays 0
        return statx.array();
    }

    /**
     * The 104-byte little-endian {@code struct stat64} of asm-generic/stat.h for a 32-bit
     * architecture: 64-bit dev, inode, rdev, size and blocks, 32-bit seconds (they wrap in 2038,
     * as that structure's do). dev is 0:1 encoded as Linux encodes it (1), rdev 0.
     */
    public byte[] toStat64() {
        ByteBuffer stat = ByteBuffer.allocate(STAT64_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        stat.putLong(0, 1);
        stat.putLong(8, inode);
        stat.putInt(16, mode);
        stat.putInt(20, nlink);
        stat.putLong(48, size);
        stat.putInt(56, blockSize);
        stat.putLong(64, blocks);
        putTimespec32(stat, 72, accessNanos);
        putTimespec32(stat, 80, modifyNanos);
        putTimespec32(stat, 88, changeNanos);
        return stat.array();
    }

    /** Java does not show the host's allocation, so count whole 4 KiB blocks, in 512-byte units as stat does. */
    private static long blocksFor(long size) {
        return (size + BLOCK_SIZE - 1) / BLOCK_SIZE * (BLOCK_SIZE / 512);
    }

    private static long nanos(Object fileTime) {
        return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
    }

    /** stat64's seconds (s32) and nanoseconds (u32) of one time. */
    private static void putTimespec32(ByteBuffer stat, int offset, long nanos) {
        stat.putInt(offset, (int) Math.floorDiv(nanos, 1_000_000_000L));
        stat.putInt(offset + 4, (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    /** struct statx_timestamp: seconds (s64), then nanoseconds (u32) and 4 reserved bytes. */
    private static void putTimestamp(ByteBuffer statx, int offset, long nanos) {
        statx.putLong(offset, Math.floorDiv(nanos, 1_000_000_000L));
        statx.putInt(offset + 8, (int) Math.floorMod(nanos, 1_000_000_000L));
    }
}
