package io.uniform.linux;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.linux.memory.MappingException;
import io.uniform.linux.wait.Blocked;
import io.uniform.process.Errno;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.GuestPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The process calls of {@link Linux}: clone as fork, execve, exit, waitid, kill and the process identity. */
final class ProcessCalls {
    private ProcessCalls() {}

    private static final int CLONE_VM = 0x100;
    private static final int CLONE_VFORK = 0x4000;
    private static final int EXIT_SIGNAL_MASK = 0xff;

    private static final int P_ALL = 0;
    private static final int P_PID = 1;
    private static final int P_PGID = 2;
    private static final int WNOHANG = 1;
    private static final int WSTOPPED = 2;
    private static final int WEXITED = 4;
    private static final int WCONTINUED = 8;
    private static final int WNOWAIT = 0x0100_0000;
    private static final int WAIT_OPTIONS = WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT
            | 0x2000_0000 | 0x4000_0000 | 0x8000_0000; // __WNOTHREAD, __WALL, __WCLONE: no threads to tell apart

    private static final int SIGINFO_SIZE = 128;
    /** rv32's struct rusage: two old timevals and fourteen longs. */
    private static final int RUSAGE_SIZE = 72;
    private static final int CLD_EXITED = 1;
    private static final int CLD_KILLED = 2;

    private static final int MAX_ARG_STRINGS = 0x7fff;
    private static final int MAX_ARG_STRLEN = 32 * 4096;

    static int exit(Linux linux, Task task, int code) {
        linux.terminate(task, ExitStatus.exited(code), null);
        return 0;
    }

    /**
     * clone, as much as fork and vfork need: the flags may only name the exit signal, or add
     * CLONE_VM | CLONE_VFORK (vfork, performed as a fork: the child gets a copy-on-write copy
     * rather than the parent's memory, which a correct vfork child cannot tell). Threads are
     * not supported: EINVAL.
     */
    static int clone(Linux linux, Task task, int flags, int newStack) throws MappingException {
        int sharing = flags & ~EXIT_SIGNAL_MASK;
        if (sharing != 0 && sharing != (CLONE_VM | CLONE_VFORK)) {
            return -Errno.EINVAL;
        }
        return linux.fork(task, newStack);
    }

    static int execve(Linux linux, Task task, int pathAddress, int argvAddress, int envpAddress)
            throws FileSystemException, MappingException {
        String path = GuestPath.read(task.space, pathAddress);
        long limit = linux.config().stackBytes() / 4; // what the new stack may give them, as on Linux
        List<String> argv = strings(task.space, argvAddress, limit);
        List<String> environment = strings(task.space, envpAddress, limit - bytes(argv));
        return linux.execve(task, path, argv, environment);
    }

    /**
     * A NULL-terminated array of strings in guest memory (NULL itself: none), as execve takes
     * argv and envp; E2BIG once they pass {@code limit} bytes, before more is copied in.
     */
    private static List<String> strings(AddressSpace space, int array, long limit) throws FileSystemException {
        List<String> strings = new ArrayList<>();
        long total = 0;
        if (array == 0) {
            return strings;
        }
        for (int slot = array; ; slot += 4) {
            int pointer = space.load32(slot);
            if (pointer == 0) {
                return strings;
            }
            if (strings.size() == MAX_ARG_STRINGS) {
                throw new FileSystemException(Errno.E2BIG, "more than " + MAX_ARG_STRINGS + " strings");
            }
            String string = space.readCString(pointer, MAX_ARG_STRLEN);
            strings.add(string);
            total += bytes(string);
            if (total > limit) {
                throw new FileSystemException(Errno.E2BIG, "arguments and environment over " + limit + " bytes");
            }
        }
    }

    /** What a string takes on a new stack: its bytes, its NUL and its pointer. */
    private static long bytes(String string) {
        return string.getBytes(StandardCharsets.UTF_8).length + 1 + 4;
    }

    private static long bytes(List<String> strings) {
        return strings.stream().mapToLong(ProcessCalls::bytes).sum();
    }

    /** waitid(2) for ended children; stopped and continued children do not exist here (no job control). */
    static int waitid(Linux linux, Task task, int idType, int id, int info, int options, int rusage) {
        if ((options & ~WAIT_OPTIONS) != 0 || (options & (WEXITED | WSTOPPED | WCONTINUED)) == 0) {
            return -Errno.EINVAL;
        }
        Predicate<Task> wanted;
        switch (idType) {
            case P_ALL -> wanted = child -> true;
            case P_PID -> {
                if (id <= 0) {
                    return -Errno.EINVAL;
                }
                wanted = child -> child.pid == id;
            }
            case P_PGID -> {
                if (id < 0) {
                    return -Errno.EINVAL;
                }
                int group = id == 0 ? task.processGroup : id;
                wanted = child -> child.processGroup == group;
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
        List<Task> children = task.children.stream().filter(wanted).toList();
        if (children.isEmpty()) {
            return -Errno.ECHILD;
        }
        Task ended = (options & WEXITED) == 0 ? null
                : children.stream().filter(child -> child.state == Task.State.ZOMBIE).findFirst().orElse(null);
        if (ended != null) {
            if (info != 0) {
                writeChildInfo(task.space, info, ended);
            }
            if (rusage != 0) {
                task.space.zero(rusage, RUSAGE_SIZE); // no CPU times are kept per task
            }
            if ((options & WNOWAIT) == 0) {
                linux.reap(ended);
            }
            return 0;
        }
        if ((options & WNOHANG) != 0) {
            if (info != 0) {
                task.space.zero(info, 24); // Linux clears signo, errno, code, pid, uid and status
            }
            return 0;
        }
        throw new Blocked(task.childEvents);
    }

    private static void writeChildInfo(AddressSpace space, int info, Task child) {
        space.validate(info, SIGINFO_SIZE, Access.WRITE);
        ExitStatus status = child.exitStatus;
        space.zero(info, SIGINFO_SIZE);
        space.store32(info, Signal.SIGCHLD.number());
        space.store32(info + 8, status.signal() == null ? CLD_EXITED : CLD_KILLED);
        space.store32(info + 12, child.pid);
        space.store32(info + 20, status.signal() == null ? status.code() : status.signal().number());
    }

    /**
     * kill(2) with default actions only (no handlers can be installed): signals that terminate
     * do, the rest are ignored, stop and continue included. Real-time signals are EINVAL.
     */
    static int kill(Linux linux, Task task, int pid, int number) {
        if (number < 0 || number >= 32) {
            return -Errno.EINVAL;
        }
        List<Task> targets = pid == Integer.MIN_VALUE ? List.of() : linux.signalTargets(task, pid);
        if (targets.isEmpty()) {
            return -Errno.ESRCH;
        }
        if (number != 0) {
            Signal signal = Signal.of(number).orElseThrow();
            targets.forEach(target -> linux.signal(target, signal));
        }
        return 0;
    }

    static int setpgid(Linux linux, Task task, int pid, int group) {
        if (group < 0) {
            return -Errno.EINVAL;
        }
        Task target = pid == 0 ? task : linux.task(pid).filter(t -> t == task || t.parent == task).orElse(null);
        if (target == null) {
            return -Errno.ESRCH;
        }
        int newGroup = group == 0 ? target.pid : group;
        boolean groupInSession = newGroup == target.pid || linux.allTasks().stream()
                .anyMatch(t -> t.processGroup == newGroup && t.session == task.session);
        if (target.session != task.session || target.session == target.pid || !groupInSession) {
            return -Errno.EPERM;
        }
        target.processGroup = newGroup;
        return 0;
    }

    static int getpgid(Linux linux, Task task, int pid) {
        return identity(linux, task, pid, t -> t.processGroup);
    }

    static int getsid(Linux linux, Task task, int pid) {
        return identity(linux, task, pid, t -> t.session);
    }

    private static int identity(Linux linux, Task task, int pid, java.util.function.ToIntFunction<Task> field) {
        Task target = pid == 0 ? task : linux.task(pid).orElse(null);
        return target == null ? -Errno.ESRCH : field.applyAsInt(target);
    }

    /** setsid(2): EPERM for a process group leader, as on Linux. */
    static int setsid(Linux linux, Task task) {
        if (linux.allTasks().stream().anyMatch(t -> t.processGroup == task.pid)) {
            return -Errno.EPERM;
        }
        task.session = task.pid;
        task.processGroup = task.pid;
        return task.pid;
    }
}
