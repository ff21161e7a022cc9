package io.uniform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.guest.GuestFiles;
import io.uniform.process.Errno;
import io.uniform.process.ExitStatus;
import io.uniform.process.Signal;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What bounds the kernel keeps whatever a guest does: every pointer-taking call of the kernel
 * itself (the file calls have their own sweep in the files package) answers a wild pointer with
 * EFAULT and changes nothing; forks stop at the node's task limit and at its memory; a program
 * sees ENOMEM; a deadlock is reported instead of hanging; a job gives its memory back.
 */
class KernelLimitsTest {
    private static final int SIGCHLD = 17;
    private static final int P_ALL = 0;
    private static final int WEXITED = 4;
    private static final int CLOCK_MONOTONIC = 1;
    /** Pointers no call may use: the null page, kernel space, the top of the address space. */
    private static final int[] WILD = {0x10, 0xC000_0000, 0xFFFF_FFF0};

    private static LinuxTest.Run hello(Linux.Config config) throws Exception {
        return LinuxTest.start(config, GuestFiles.elf("tests/hello.elf"));
    }

    /** Writes a NUL-terminated string below the task's stack pointer; returns its address. */
    private static int pushString(Task task, int offset, String value) {
        AddressSpace space = task.hart().addressSpace();
        int address = task.hart().register(2) - offset;
        byte[] bytes = (value + "\0").getBytes(StandardCharsets.UTF_8);
        space.write(address, bytes, 0, bytes.length);
        return address;
    }

    @Test
    void everyPointerTheKernelTakesIsEfaultWhenWild() throws Exception {
        LinuxTest.Run run = hello(Linux.Config.DEFAULT);
        Linux linux = run.linux();
        Task task = run.first();
        int child = linux.invoke(task, SystemCall.CLONE.number(), SIGCHLD);
        assertTrue(child > 0, "forked: " + child);
        linux.invoke(linux.task(child).orElseThrow(), SystemCall.EXIT.number(), 5);
        int text = task.hart().pc() & ~0xfff; // read-only, executable: no call may write there
        int path = pushString(task, 256, "/no/such/program");
        int argv = task.hart().register(2) - 512;
        task.hart().addressSpace().store32(argv, 0xC000_0000); // a pointer to a wild string
        task.hart().addressSpace().store32(argv + 4, 0);

        List<String> failures = new ArrayList<>();
        // NULL itself is wild only where Linux does not give it a meaning (execve's argv and envp, waitid's info and clock_getres's result may be NULL).
        expectEfault(failures, linux, task, "execve path", SystemCall.EXECVE, 0, 0, 0);
        expectEfault(failures, linux, task, "uname", SystemCall.UNAME, 0);
        expectEfault(failures, linux, task, "clock_gettime64", SystemCall.CLOCK_GETTIME64, CLOCK_MONOTONIC, 0);
        expectEfault(failures, linux, task, "clock_nanosleep_time64", SystemCall.CLOCK_NANOSLEEP_TIME64, CLOCK_MONOTONIC, 0, 0);
        expectEfault(failures, linux, task, "getrandom", SystemCall.GETRANDOM, 0, 16, 0);
        expectEfault(failures, linux, task, "getcwd", SystemCall.GETCWD, 0, 64);
        for (int wild : WILD) {
            expectEfault(failures, linux, task, "execve path", SystemCall.EXECVE, wild, 0, 0);
            expectEfault(failures, linux, task, "execve argv", SystemCall.EXECVE, path, wild, 0);
            expectEfault(failures, linux, task, "execve envp", SystemCall.EXECVE, path, 0, wild);
            expectEfault(failures, linux, task, "waitid info", SystemCall.WAITID, P_ALL, 0, wild, WEXITED, 0);
            expectEfault(failures, linux, task, "uname", SystemCall.UNAME, wild);
            expectEfault(failures, linux, task, "clock_gettime64", SystemCall.CLOCK_GETTIME64, CLOCK_MONOTONIC, wild);
            expectEfault(failures, linux, task, "clock_getres_time64", SystemCall.CLOCK_GETRES_TIME64, CLOCK_MONOTONIC, wild);
            expectEfault(failures, linux, task, "clock_nanosleep_time64", SystemCall.CLOCK_NANOSLEEP_TIME64, CLOCK_MONOTONIC, 0, wild);
            expectEfault(failures, linux, task, "getrandom", SystemCall.GETRANDOM, wild, 16, 0);
            expectEfault(failures, linux, task, "getcwd", SystemCall.GETCWD, wild, 64);
        }
        expectEfault(failures, linux, task, "execve argv string", SystemCall.EXECVE, path, argv, 0);
        expectEfault(failures, linux, task, "uname into text", SystemCall.UNAME, text);
        expectEfault(failures, linux, task, "getrandom into text", SystemCall.GETRANDOM, text, 16, 0);
        expectEfault(failures, linux, task, "waitid into text", SystemCall.WAITID, P_ALL, 0, text, WEXITED, 0);
        assertEquals(List.of(), failures);

        assertEquals(Task.State.ZOMBIE, linux.task(child).orElseThrow().state(), "a failed waitid reaps nothing");
        int info = task.hart().register(2) - 1024;
        assertEquals(0, linux.invoke(task, SystemCall.WAITID.number(), P_ALL, 0, info, WEXITED, 0));
        assertEquals(child, task.hart().addressSpace().load32(info + 12), "si_pid");
        assertEquals(5, task.hart().addressSpace().load32(info + 20), "si_status");
        assertEquals(ExitStatus.exited(0), run.finish(), "the task goes on with its own image after every refusal");
        assertEquals("Hello, world!\n", run.stdout());
    }

    private static void expectEfault(List<String> failures, Linux linux, Task task, String what, SystemCall call, int... arguments) {
        int result = linux.invoke(task, call.number(), arguments);
        if (result != -Errno.EFAULT) {
            failures.add(String.format("%s with %s: %d", what, Arrays.toString(arguments), result));
        }
    }

    @Test
    void forksStopAtTheTaskLimitWithEagain() throws Exception {
        LinuxTest.Run run = hello(new Linux.Config(64 << 20, 1 << 20, 8, 1 << 16));
        int forked = forkUntilRefused(run, -Errno.EAGAIN);
        assertEquals(7, forked, "the first task and seven children");
        killAndCheckMemoryReturns(run);
    }

    @Test
    void forksStopAtTheNodesMemoryWithEnomem() throws Exception {
        LinuxTest.Run run = hello(new Linux.Config(2 << 20, 1 << 20, 256, 1 << 16));
        int forked = forkUntilRefused(run, -Errno.ENOMEM);
        assertTrue(forked > 0 && forked < 255, "bounded by memory, not by the task limit: " + forked);
        assertTrue(run.linux().memory().committedBytes() <= run.linux().memory().capacityBytes());
        killAndCheckMemoryReturns(run);
    }

    private static int forkUntilRefused(LinuxTest.Run run, int refusal) {
        for (int forked = 0; forked < 1000; forked++) {
            int result = run.linux().invoke(run.first(), SystemCall.CLONE.number(), SIGCHLD);
            if (result < 0) {
                assertEquals(refusal, result);
                return forked;
            }
        }
        throw new AssertionError("a thousand forks and no refusal");
    }

    private static void killAndCheckMemoryReturns(LinuxTest.Run run) {
        run.linux().killAll(Signal.SIGKILL, "test over");
        assertEquals(List.of(), run.linux().liveTasks());
        assertEquals(0, run.linux().memory().committedBytes());
        assertEquals(0, run.linux().memory().framesInUse());
    }

    @Test
    void aForkBombOnASmallNodeEndsAndLeavesNothingBehind() throws Exception {
        LinuxTest.Run run = LinuxTest.start(new Linux.Config(8 << 20, 1 << 20, 16, 1 << 16), GuestFiles.elf("posix/fork_bomb.elf"));
        ExitStatus status = run.finish();
        assertTrue(status.signal() == null, "the program sees its forks fail and exits: " + status);
        assertTrue(run.stdout().contains("fork"), "it reports the failed forks: " + run.stdout());
        assertEquals(0, run.linux().memory().committedBytes());
    }

    @Test
    void aProgramSeesEnomemWhenTheNodeIsFull() throws Exception {
        LinuxTest.Run run = LinuxTest.start(new Linux.Config(16 << 20, 1 << 20, 16, 1 << 16), GuestFiles.elf("posix/touch_mem.elf"), "64");
        assertEquals(ExitStatus.exited(1), run.finish());
        assertEquals("touch_mem: cannot map 64 MiB (errno 12)\n", run.stdout());
    }

    @Test
    void aDeadlockIsReportedNotWaitedOut() throws Exception {
        LinuxTest.Run run = hello(Linux.Config.DEFAULT);
        Task task = run.first();
        int fds = task.hart().register(2) - 64;
        assertEquals(0, run.linux().invoke(task, SystemCall.PIPE2.number(), fds, 0));
        int readEnd = task.hart().addressSpace().load32(fds);
        run.linux().invoke(task, SystemCall.READ.number(), readEnd, fds + 16, 1); // its own pipe: nobody else can write
        assertEquals(Task.State.BLOCKED, task.state());
        Linux.Progress progress = run.linux().runSlice(1 << 20);
        assertEquals(Linux.Outlook.DEADLOCKED, progress.outlook());
        assertEquals(List.of("task " + task.pid() + " (BLOCKED) in read"), run.linux().killAll(Signal.SIGKILL, "deadlock"));
        assertEquals(ExitStatus.killed(Signal.SIGKILL), task.exitStatus().orElseThrow());
        assertEquals(Linux.Outlook.FINISHED, run.linux().runSlice(1).outlook());
    }

    @Test
    void sleepingTasksLetTheHostWait() throws Exception {
        ManualClock clock = new ManualClock();
        Linux linux = new Linux(Linux.Config.DEFAULT, null, clock);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Task first = linux.spawn(GuestFiles.elf("posix/sysinfo.elf"), List.of("sysinfo"), Map.of(),
                new Console(InputStream.nullInputStream(), out, OutputStream.nullOutputStream()));
        long slept = 0;
        while (true) {
            Linux.Progress progress = linux.runSlice(1 << 20);
            if (progress.outlook() == Linux.Outlook.FINISHED) {
                break;
            }
            assertTrue(progress.outlook() != Linux.Outlook.DEADLOCKED && progress.outlook() != Linux.Outlook.WAITING, "" + progress);
            if (progress.outlook() == Linux.Outlook.SLEEPING) {
                assertTrue(progress.sleepNanos() > 0 && progress.sleepNanos() <= 1_000_000_000L, "" + progress);
                clock.advance(progress.sleepNanos()); // the host's wait, done by moving the clock
                slept += progress.sleepNanos();
            }
        }
        assertTrue(slept > 0, "sysinfo sleeps, and the kernel says so rather than spinning");
        assertEquals(ExitStatus.exited(0), first.exitStatus().orElseThrow());
        assertEquals(new String(GuestFiles.expected("posix/sysinfo.out")), out.toString(StandardCharsets.UTF_8));
    }
}
