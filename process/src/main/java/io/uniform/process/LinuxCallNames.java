package io.uniform.process;

import java.util.Map;

/**
 * The names of rv32 Linux system calls by number (asm-generic, time64 variants), and of the
 * unified library's own Portals call, for messages:
 * the Linux kernel's ENOSYS report and the QK's migration request when Puma lacks a call.
 */
public final class LinuxCallNames {
    private LinuxCallNames() {}

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(17, "getcwd"), Map.entry(23, "dup"), Map.entry(24, "dup3"), Map.entry(25, "fcntl64"),
            Map.entry(29, "ioctl"), Map.entry(34, "mkdirat"), Map.entry(35, "unlinkat"), Map.entry(38, "renameat"),
            Map.entry(48, "faccessat"), Map.entry(49, "chdir"), Map.entry(56, "openat"), Map.entry(57, "close"),
            Map.entry(59, "pipe2"), Map.entry(61, "getdents64"), Map.entry(62, "_llseek"), Map.entry(63, "read"),
            Map.entry(64, "write"), Map.entry(65, "readv"), Map.entry(66, "writev"), Map.entry(78, "readlinkat"),
            Map.entry(79, "newfstatat"), Map.entry(80, "fstat64"), Map.entry(93, "exit"), Map.entry(94, "exit_group"),
            Map.entry(95, "waitid"), Map.entry(96, "set_tid_address"), Map.entry(99, "set_robust_list"),
            Map.entry(101, "nanosleep"), Map.entry(124, "sched_yield"), Map.entry(129, "kill"), Map.entry(130, "tkill"),
            Map.entry(131, "tgkill"), Map.entry(134, "rt_sigaction"), Map.entry(135, "rt_sigprocmask"),
            Map.entry(154, "setpgid"), Map.entry(155, "getpgid"), Map.entry(156, "getsid"), Map.entry(157, "setsid"),
            Map.entry(160, "uname"), Map.entry(163, "getrlimit"), Map.entry(172, "getpid"), Map.entry(173, "getppid"),
            Map.entry(174, "getuid"), Map.entry(175, "geteuid"), Map.entry(176, "getgid"), Map.entry(177, "getegid"),
            Map.entry(178, "gettid"), Map.entry(214, "brk"), Map.entry(215, "munmap"), Map.entry(216, "mremap"),
            Map.entry(220, "clone"), Map.entry(221, "execve"), Map.entry(222, "mmap2"), Map.entry(226, "mprotect"),
            Map.entry(233, "madvise"), Map.entry(260, "wait4"), Map.entry(261, "prlimit64"), Map.entry(276, "renameat2"),
            Map.entry(278, "getrandom"), Map.entry(291, "statx"), Map.entry(403, "clock_gettime64"),
            Map.entry(406, "clock_getres_time64"), Map.entry(407, "clock_nanosleep_time64"),
            Map.entry(0x554b, "uk_portals")); // the unified library's Portals call, not Linux's

    /** The call's name, or "syscall N" for a number this table does not know. */
    public static String of(int number) {
        return NAMES.getOrDefault(number, "syscall " + number);
    }
}
