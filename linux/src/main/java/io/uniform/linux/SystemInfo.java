package io.uniform.linux;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.process.Errno;
import io.uniform.process.ProcessClock;
import io.uniform.process.UnifiedLibrary;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/** The calls of {@link Linux} about the system rather than the process: clocks and sleep, uname, getrandom, getcwd. */
final class SystemInfo {
    private SystemInfo() {}

    private static final int TIMER_ABSTIME = 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int UTSNAME_FIELD = 65;
    /** sysname, nodename, release, version, machine, domainname: what uname(2) reports. */
    private static final String[] UTSNAME = {"Linux", "uniform", "6.1.0-uniform", "#1 uniform", "riscv32", "(none)"};
    private static final int GRND_FLAGS = 0x1 | 0x2 | 0x4; // GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE
    private static final int GETRANDOM_MAX = (1 << 25) - 1;

    static int clockGettime(Linux linux, Task task, int clockId, int timespec) {
        OptionalLong time = linux.clock().read(clockId);
        if (time.isEmpty()) {
            return -Errno.EINVAL;
        }
        UnifiedLibrary.writeTimespec(task.space, timespec, time.getAsLong());
        return 0;
    }

    /** Every clock ticks in nanoseconds. */
    static int clockGetres(Linux linux, Task task, int clockId, int timespec) {
        if (linux.clock().read(clockId).isEmpty()) {
            return -Errno.EINVAL;
        }
        if (timespec != 0) {
            UnifiedLibrary.writeTimespec(task.space, timespec, 1);
        }
        return 0;
    }

    /**
     * clock_nanosleep_time64: the task sleeps until its deadline (the remaining time is never
     * written, as no signal handler can interrupt a sleep here). The deadline is kept in the
     * task, so the retried call after waking only checks it.
     */
    static int clockNanosleep(Linux linux, Task task, int clockId, int flags, int request) {
        ProcessClock clock = linux.clock();
        long now = clock.monotonicNanos();
        if (task.sleepDeadline != Task.NOT_SLEEPING) {
            if (now >= task.sleepDeadline) {
                task.sleepDeadline = Task.NOT_SLEEPING;
                return 0;
            }
            throw linux.sleep(task, task.sleepDeadline);
        }
        boolean realtime = clockId == ProcessClock.CLOCK_REALTIME || clockId == ProcessClock.CLOCK_TAI;
        boolean monotonic = clockId == ProcessClock.CLOCK_MONOTONIC || clockId == ProcessClock.CLOCK_BOOTTIME;
        if (!realtime && !monotonic) { // flags other than TIMER_ABSTIME are ignored, as Linux does
            return -Errno.EINVAL;
        }
        long seconds = Integer.toUnsignedLong(task.space.load32(request)) | (long) task.space.load32(request + 4) << 32;
        int nanos = task.space.load32(request + 8);
        if (seconds < 0 || nanos < 0 || nanos >= NANOS_PER_SECOND) {
            return -Errno.EINVAL;
        }
        long time = seconds > Long.MAX_VALUE / NANOS_PER_SECOND - 1 ? Long.MAX_VALUE : seconds * NANOS_PER_SECOND + nanos;
        long deadline;
        if ((flags & TIMER_ABSTIME) == 0) {
            deadline = saturatingAdd(now, time);
        } else if (realtime) {
            deadline = saturatingAdd(now, time - clock.realtimeNanos());
        } else {
            deadline = time;
        }
        if (deadline <= now) {
            return 0;
        }
        throw linux.sleep(task, deadline);
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }

    static int uname(Task task, int buffer) {
        AddressSpace space = task.space;
        space.validate(buffer, UTSNAME.length * UTSNAME_FIELD, Access.WRITE);
        space.zero(buffer, UTSNAME.length * UTSNAME_FIELD);
        for (int i = 0; i < UTSNAME.length; i++) {
            byte[] bytes = UTSNAME[i].getBytes(StandardCharsets.US_ASCII);
            space.write(buffer + i * UTSNAME_FIELD, bytes, 0, bytes.length);
        }
        return 0;
    }

    /** getrandom(2) from the kernel's generator, seeded by the process clock (so a pinned clock repeats). */
    static int getrandom(Linux linux, Task task, int buffer, int length, int flags) {
        if ((flags & ~GRND_FLAGS) != 0) {
            return -Errno.EINVAL;
        }
        int count = Integer.compareUnsigned(length, GETRANDOM_MAX) > 0 ? GETRANDOM_MAX : length;
        task.space.validate(buffer, count, Access.WRITE);
        byte[] chunk = new byte[Math.min(count, UnifiedLibrary.IO_CHUNK)];
        for (int done = 0; done < count; done += chunk.length) {
            int size = Math.min(chunk.length, count - done);
            linux.random().nextBytes(chunk);
            task.space.write(buffer + done, chunk, 0, size);
        }
        return count;
    }

    /** The working directory is always the file system's root. */
    static int getcwd(Task task, int buffer, int size) {
        if (Integer.compareUnsigned(size, 2) < 0) {
            return -Errno.ERANGE;
        }
        task.space.write(buffer, new byte[] {'/', 0}, 0, 2);
        return 2;
    }
}
