package io.uniform.linux;

import io.uniform.cpu.Hart;
import io.uniform.linux.memory.MappingException;
import io.uniform.process.LinuxCallNames;
import io.uniform.process.files.FileSystemException;
import java.util.HashMap;
import java.util.Map;

/**
 * The system calls the {@link Linux} kernel implements, by their rv32 numbers (asm-generic,
 * time64 variants), each described once: number, name and what performs it. rv32 has no
 * wait4, nanosleep, fstat or newfstatat in Linux itself; qemu-riscv32, the reference, answers
 * the last two, so this kernel does too, and leaves wait4 and nanosleep to ENOSYS as both do.
 */
enum SystemCall {
    GETCWD(17, (linux, task, a) -> SystemInfo.getcwd(task, a[0], a[1])),
    DUP(23, (linux, task, a) -> task.descriptors.dup(a[0])),
    DUP3(24, (linux, task, a) -> task.descriptors.dup3(a[0], a[1], a[2])),
    FCNTL64(25, (linux, task, a) -> task.descriptors.fcntl64(task.space, a[0], a[1], a[2])),
    IOCTL(29, (linux, task, a) -> task.descriptors.ioctl(task.space, a[0], a[1], a[2])),
    MKDIRAT(34, (linux, task, a) -> task.descriptors.mkdirat(task.space, a[0], a[1], a[2])),
    UNLINKAT(35, (linux, task, a) -> task.descriptors.unlinkat(task.space, a[0], a[1], a[2])),
    OPENAT(56, (linux, task, a) -> task.descriptors.openat(task.space, a[0], a[1], a[2], a[3])),
    CLOSE(57, (linux, task, a) -> task.descriptors.close(a[0])),
    PIPE2(59, (linux, task, a) -> task.descriptors.pipe2(task.space, a[0], a[1])),
    GETDENTS64(61, (linux, task, a) -> task.descriptors.getdents64(task.space, a[0], a[1], a[2])),
    LLSEEK(62, (linux, task, a) -> task.descriptors.llseek(task.space, a[0], a[1], a[2], a[3], a[4])),
    READ(63, (linux, task, a) -> task.descriptors.read(task.space, a[0], a[1], a[2])),
    WRITE(64, (linux, task, a) -> task.descriptors.write(task.space, a[0], a[1], a[2])),
    READV(65, (linux, task, a) -> task.descriptors.readv(task.space, a[0], a[1], a[2])),
    WRITEV(66, (linux, task, a) -> task.descriptors.writev(task.space, a[0], a[1], a[2])),
    NEWFSTATAT(79, (linux, task, a) -> task.descriptors.newfstatat(task.space, a[0], a[1], a[2], a[3])),
    FSTAT(80, (linux, task, a) -> task.descriptors.fstat64(task.space, a[0], a[1])),
    EXIT(93, (linux, task, a) -> ProcessCalls.exit(linux, task, a[0])),
    EXIT_GROUP(94, (linux, task, a) -> ProcessCalls.exit(linux, task, a[0])),
    WAITID(95, (linux, task, a) -> ProcessCalls.waitid(linux, task, a[0], a[1], a[2], a[3], a[4])),
    SCHED_YIELD(124, (linux, task, a) -> {
        linux.yieldTurn();
        return 0;
    }),
    KILL(129, (linux, task, a) -> ProcessCalls.kill(linux, task, a[0], a[1])),
    SETPGID(154, (linux, task, a) -> ProcessCalls.setpgid(linux, task, a[0], a[1])),
    GETPGID(155, (linux, task, a) -> ProcessCalls.getpgid(linux, task, a[0])),
    GETSID(156, (linux, task, a) -> ProcessCalls.getsid(linux, task, a[0])),
    SETSID(157, (linux, task, a) -> ProcessCalls.setsid(linux, task)),
    UNAME(160, (linux, task, a) -> SystemInfo.uname(task, a[0])),
    GETPID(172, (linux, task, a) -> task.pid),
    GETPPID(173, (linux, task, a) -> task.parentPid()),
    GETTID(178, (linux, task, a) -> task.pid),
    BRK(214, (linux, task, a) -> MemoryCalls.brk(task, a[0])),
    MUNMAP(215, (linux, task, a) -> MemoryCalls.munmap(task, a[0], a[1])),
    CLONE(220, (linux, task, a) -> ProcessCalls.clone(linux, task, a[0], a[1])),
    EXECVE(221, (linux, task, a) -> ProcessCalls.execve(linux, task, a[0], a[1], a[2])),
    MMAP2(222, (linux, task, a) -> MemoryCalls.mmap2(task, a[0], a[1], a[2], a[3], a[4], a[5])),
    MPROTECT(226, (linux, task, a) -> MemoryCalls.mprotect(task, a[0], a[1], a[2])),
    GETRANDOM(278, (linux, task, a) -> SystemInfo.getrandom(linux, task, a[0], a[1], a[2])),
    RENAMEAT2(276, (linux, task, a) -> task.descriptors.renameat2(task.space, a[0], a[1], a[2], a[3], a[4])),
    STATX(291, (linux, task, a) -> task.descriptors.statx(task.space, a[0], a[1], a[2], a[3], a[4])),
    CLOCK_GETTIME64(403, (linux, task, a) -> SystemInfo.clockGettime(linux, task, a[0], a[1])),
    CLOCK_GETRES_TIME64(406, (linux, task, a) -> SystemInfo.clockGetres(linux, task, a[0], a[1])),
    CLOCK_NANOSLEEP_TIME64(407, (linux, task, a) -> SystemInfo.clockNanosleep(linux, task, a[0], a[1], a[2])),
    /** The unified library's Portals call (not a Linux call: qemu answers ENOSYS): a0 = op, a1 = its argument block. */
    PORTALS(0x554b, (linux, task, a) -> linux.portalsCall(task, a[0], a[1]));

    /** Performs a call with its six argument registers; returns a0 (a result, or -errno). */
    @FunctionalInterface
    interface Handler {
        int perform(Linux linux, Task task, int[] arguments) throws FileSystemException, MappingException;
    }

    private static final Map<Integer, SystemCall> BY_NUMBER = new HashMap<>();

    static {
        for (SystemCall call : values()) {
            BY_NUMBER.put(call.number, call);
        }
    }

    private final int number;
    private final Handler handler;

    SystemCall(int number, Handler handler) {
        this.number = number;
        this.handler = handler;
    }

    int number() {
        return number;
    }

    /** The implemented call numbered {@code number}, or null. */
    static SystemCall of(int number) {
        return BY_NUMBER.get(number);
    }

    /** A call's name for messages: "read", or "syscall N" if unknown. */
    static String describe(int number) {
        return LinuxCallNames.of(number);
    }

    int perform(Linux linux, Task task, Hart hart) throws FileSystemException, MappingException {
        int[] arguments = new int[6];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = hart.register(10 + i);
        }
        return handler.perform(linux, task, arguments);
    }
}
