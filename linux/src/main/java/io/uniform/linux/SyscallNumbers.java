package io.uniform.linux;

import java.util.Map;

/** RISC-V rv32 Linux system call numbers (asm-generic, time64 variants) and their names. */
public final class SyscallNumbers {
    private SyscallNumbers() {}

    public static final int IOCTL = 29;
    public static final int UNLINKAT = 35;
    public static final int OPENAT = 56;
    public static final int CLOSE = 57;
    /** _llseek, rv32's lseek: the 64-bit offset in two words, the position stored through a pointer. */
    public static final int LLSEEK = 62;
    public static final int READ = 63;
    public static final int WRITE = 64;
    public static final int READV = 65;
    public static final int WRITEV = 66;
    public static final int EXIT = 93;
    public static final int EXIT_GROUP = 94;
    public static final int BRK = 214;
    public static final int STATX = 291;
    public static final int CLOCK_GETTIME64 = 403;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(17, "getcwd"), Map.entry(23, "dup"), Map.entry(24, "dup3"), Map.entry(25, "fcntl64"),
            Map.entry(IOCTL, "ioctl"), Map.entry(34, "mkdirat"), Map.entry(UNLINKAT, "unlinkat"), Map.entry(38, "renameat"),
            Map.entry(48, "faccessat"), Map.entry(49, "chdir"), Map.entry(OPENAT, "openat"), Map.entry(CLOSE, "close"),
            Map.entry(59, "pipe2"), Map.entry(61, "getdents64"), Map.entry(LLSEEK, "llseek"), Map.entry(READ, "read"),
            Map.entry(WRITE, "write"), Map.entry(READV, "readv"), Map.entry(WRITEV, "writev"),
            Map.entry(78, "readlinkat"), Map.entry(79, "newfstatat"), Map.entry(80, "fstat64"),
            Map.entry(EXIT, "exit"), Map.entry(EXIT_GROUP, "exit_group"), Map.entry(96, "set_tid_address"),
            Map.entry(99, "set_robust_list"), Map.entry(124, "sched_yield"), Map.entry(129, "kill"),
            Map.entry(130, "tkill"), Map.entry(131, "tgkill"), Map.entry(134, "rt_sigaction"),
            Map.entry(135, "rt_sigprocmask"), Map.entry(160, "uname"), Map.entry(163, "getrlimit"),
            Map.entry(172, "getpid"), Map.entry(173, "getppid"), Map.entry(174, "getuid"), Map.entry(175, "geteuid"),
            Map.entry(176, "getgid"), Map.entry(177, "getegid"), Map.entry(178, "gettid"), Map.entry(BRK, "brk"),
            Map.entry(215, "munmap"), Map.entry(216, "mremap"), Map.entry(220, "clone"), Map.entry(221, "execve"),
            Map.entry(222, "mmap2"), Map.entry(226, "mprotect"), Map.entry(233, "madvise"), Map.entry(260, "wait4"),
            Map.entry(261, "prlimit64"), Map.entry(278, "getrandom"), Map.entry(STATX, "statx"),
            Map.entry(CLOCK_GETTIME64, "clock_gettime64"), Map.entry(406, "clock_getres_time64"),
            Map.entry(407, "clock_nanosleep_time64"), Map.entry(276, "renameat2"));

    /** The call's name, or "syscall N" if this table does not know it. */
    public static String name(int number) {
        return NAMES.getOrDefault(number, "syscall " + number);
    }
}
