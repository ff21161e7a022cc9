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
 * S_IFDIR 0040000, S_IFLNK 0120000). Times in nanoseconds since the epoch.
 */
public record FileStatus(long inode, int mode, int nlink, long size, long blocks, int blockSize,
                         long accessNanos, long modifyNanos, long changeNanos) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;

    /** STATX_TYPE | MODE | NLINK | UID | GID | ATIME | MTIME | CTIME | INO | SIZE | BLOCKS. */
    public static final int STATX_BASIC_STATS = 0x7ff;
    public static final int STATX_SIZE = 256;

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

    /** Java does not show the host's allocation, so count whole 4 KiB blocks, in 512-byte units as stat does. */
    private static long blocksFor(long size) {
        return (size + BLOCK_SIZE - 1) / BLOCK_SIZE * (BLOCK_SIZE / 512);
    }

    private static long nanos(Object fileTime) {
        return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
    }

    /** struct statx_timestamp: seconds (s64), then nanoseconds (u32) and 4 reserved bytes. */
    private static void putTimestamp(ByteBuffer statx, int offset, long nanos) {
        statx.putLong(offset, Math.floorDiv(nanos, 1_000_000_000L));
        statx.putInt(offset + 8, (int) Math.floorMod(nanos, 1_000_000_000L));
    }
}
