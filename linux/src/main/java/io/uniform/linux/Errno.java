package io.uniform.linux;

/** Linux error numbers (asm-generic), as system calls return them negated in a0. */
public final class Errno {
    private Errno() {}

    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EFAULT = 14;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;
}
