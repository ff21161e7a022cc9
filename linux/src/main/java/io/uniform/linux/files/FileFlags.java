package io.uniform.linux.files;

/**
 * The asm-generic values of the flags and commands the file calls take, beyond the open flags
 * {@link io.uniform.process.files.ServiceFileSystem} defines.
 */
final class FileFlags {
    private FileFlags() {}

    static final int O_NOCTTY = 0400;
    static final int O_NONBLOCK = 04000;
    static final int O_LARGEFILE = 0100000;
    static final int O_CLOEXEC = 02000000;

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_REMOVEDIR = 0x200;
    static final int AT_NO_AUTOMOUNT = 0x800;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_STATX_SYNC_TYPE = 0x6000;
    static final int STATX_RESERVED = 0x80000000;

    static final int RENAME_NOREPLACE = 1;

    static final int F_DUPFD = 0;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int FD_CLOEXEC = 1;

    static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
