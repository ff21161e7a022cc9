package io.uniform.linux;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.HartState;
import io.uniform.cpu.Stop;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.process.Errno;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.InitialStack;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.ServiceFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;

/**
 * One user process under the Linux personality: a hart in PROCESS mode, its memory, its
 * program break, its file descriptors (the console, and files of a {@link ServiceFileSystem}:
 * see {@link FileDescriptors}), and the system calls it makes. This is the seed of the
 * service node's kernel; today a process owns a flat region
 * {@code [LOAD_BASE, LOAD_BASE + memory)} with its stack at the top, so that it runs without
 * a machine around it ({@code uniform exec}).
 *
 * <p>Not thread-safe: one thread drives a process through {@link #runSlice}.
 */
public final class LinuxProcess {
    /** Lowest user address; the page at 0 stays unmapped so null pointers fault. */
    public static final int LOAD_BASE = 0x10000;


    private final Hart hart;
    private final FlatAddressSpace space;
    private final Console console;
    private final FileDescriptors descriptors;
    private final ProcessClock clock;
    private final int heapStart;
    private final int heapLimit;
    private int programBreak;
    private final Set<Integer> warnedSyscalls = new HashSet<>();
    private ExitStatus exitStatus;
    private String killReport;

    private LinuxProcess(Hart hart, FlatAddressSpace space, Console console, ServiceFileSystem fileSystem,
                         ProcessClock clock, int heapStart, int heapLimit) {
        this.hart = hart;
        this.space = space;
        this.console = console;
        this.descriptors = new FileDescriptors(space, console, clock, fileSystem);
        this.clock = clock;
        this.heapStart = heapStart;
        this.heapLimit = heapLimit;
        this.programBreak = heapStart;
    }

    /** Memory and stack sizes of a process; both multiples of 4 KiB. */
    public record Limits(int memoryBytes, int stackBytes) {
        public static final Limits DEFAULT = new Limits(64 << 20, 8 << 20);

        public Limits {
            if (memoryBytes <= 0 || stackBytes <= 0 || stackBytes >= memoryBytes
                    || ((memoryBytes | stackBytes) & PhysicalMemory.PAGE_MASK) != 0) {
                throw new IllegalArgumentException("memory and stack must be multiples of 4 KiB with the stack smaller than memory");
            }
        }
    }

    /**
     * Loads an ELF executable as a new process, the way execve does: validates and maps the
     * image, sets the OS flag of the unified library, builds the stack from argv and env.
     * {@code fileSystem} is what the process sees as "/" and its working directory; null for
     * none (every path is then ENOENT).
     */
    public static LinuxProcess exec(byte[] elf, List<String> argv, Map<String, String> env, Limits limits,
                                    Console console, ServiceFileSystem fileSystem, ProcessClock clock)
            throws ElfFormatException, ExecFailure {
        PhysicalMemory memory = new PhysicalMemory(limits.memoryBytes());
        FlatAddressSpace space = new FlatAddressSpace(memory, LOAD_BASE, limits.memoryBytes(), 0);
        int stackTop = LOAD_BASE + limits.memoryBytes();
        int imageLimit = stackTop - limits.stackBytes();
        ElfImage image = ElfFile.parse(elf, LOAD_BASE, Integer.toUnsignedLong(imageLimit));
        image.copyInto(space);
        UnifiedLibrary.writeOsFlag(image, space, UnifiedLibrary.OS_LINUX);

        long imageEnd = image.segments().stream().mapToLong(segment -> segment.end()).max().orElseThrow();
        int heapStart = (int) ((imageEnd + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK);

        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTimer(clock::timerTicks);
        hart.setPc(image.entry());
        hart.setRegister(2, InitialStack.build(space, stackTop, limits.stackBytes(), image.entry(), argv, env, new Random(clock.seed())));
        return new LinuxProcess(hart, space, console, fileSystem, clock, heapStart, imageLimit);
    }


    public Hart hart() {
        return hart;
    }

    /** What a process is between two instructions, everything needed to continue it elsewhere. */
    public record Image(HartState hart, FlatAddressSpace.Image memory, int heapStart, int heapLimit, int programBreak) {}

    /** Captures the process between two slices (not after it ended). */
    public Image capture() {
        if (exitStatus != null) {
            throw new IllegalStateException("the process has ended: " + exitStatus);
        }
        return new Image(hart.capture(), space.capture(), heapStart, heapLimit, programBreak);
    }

    /**
     * Continues a captured process, with new streams and clock. Descriptors are not part of an
     * image: the continued process has 0, 1 and 2 open on the new console, and no file system.
     */
    public static LinuxProcess restore(Image image, Console console, ProcessClock clock) {
        FlatAddressSpace.Image memory = image.memory();
        if (memory.base() != LOAD_BASE) {
            throw new IllegalArgumentException(String.format("a process image must start at 0x%x, not 0x%x", LOAD_BASE, memory.base()));
        }
        FlatAddressSpace space = new FlatAddressSpace(new PhysicalMemory(memory.size()), LOAD_BASE, memory.size(), 0);
        space.restore(memory);
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTimer(clock::timerTicks);
        hart.restore(image.hart());
        LinuxProcess process = new LinuxProcess(hart, space, console, null, clock, image.heapStart(), image.heapLimit());
        process.programBreak = image.programBreak();
        return process;
    }

    /** The exit status once the process has ended. */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }

    /** Why the process was killed by a fault, for the user; empty if it exited normally. */
    public Optional<String> killReport() {
        return Optional.ofNullable(killReport);
    }

    /** Runs up to {@code budget} instructions, handling the system calls they make. */
    public Optional<ExitStatus> runSlice(long budget) {
        long remaining = budget;
        while (exitStatus == null && remaining > 0) {
            long before = hart.cycles();
            Stop stop = hart.run(remaining);
            remaining -= hart.cycles() - before;
            if (stop instanceof Stop.Trap trap) {
                handleTrap(trap);
            }
        }
        return exitStatus();
    }

    /** Runs until the process ends. */
    public ExitStatus runToExit() {
        while (exitStatus == null) {
            runSlice(1 << 20);
        }
        return exitStatus;
    }

    private void handleTrap(Stop.Trap trap) {
        switch (trap.cause()) {
            case ECALL_FROM_U -> {
                hart.setPc(trap.pc() + 4);
                systemCall();
            }
            case BREAKPOINT -> kill(Signal.SIGTRAP, trap);
            case ILLEGAL_INSTRUCTION -> kill(Signal.SIGILL, trap);
            case INSTRUCTION_ADDRESS_MISALIGNED -> kill(Signal.SIGBUS, trap);
            default -> kill(Signal.SIGSEGV, trap);
        }
    }

    private void kill(Signal signal, Stop.Trap trap) {
        killReport = "process killed by " + signal + ": " + trap;
        end(ExitStatus.killed(signal));
    }

    /** The process ends: its files are closed. */
    private void end(ExitStatus status) {
        exitStatus = status;
        descriptors.closeAll();
    }

    private void systemCall() {
        int number = hart.register(17);
        int a0 = hart.register(10);
        int a1 = hart.register(11);
        int a2 = hart.register(12);
        int a3 = hart.register(13);
        int a4 = hart.register(14);
        int result;
        try {
            result = switch (number) {
                case SyscallNumbers.READ -> descriptors.read(a0, a1, a2);
                case SyscallNumbers.WRITE -> descriptors.write(a0, a1, a2);
                case SyscallNumbers.OPENAT -> descriptors.openat(a0, a1, a2, a3);
                case SyscallNumbers.CLOSE -> descriptors.close(a0);
                case SyscallNumbers.LLSEEK -> descriptors.llseek(a0, a1, a2, a3, a4);
                case SyscallNumbers.STATX -> descriptors.statx(a0, a1, a2, a3, a4);
                case SyscallNumbers.UNLINKAT -> descriptors.unlinkat(a0, a1, a2);
                case SyscallNumbers.EXIT, SyscallNumbers.EXIT_GROUP -> {
                    end(ExitStatus.exited(a0));
                    yield 0;
                }
                case SyscallNumbers.BRK -> brk(a0);
                case SyscallNumbers.CLOCK_GETTIME64 -> clockGettime(a0, a1);
                default -> unimplemented(number);
            };
        } catch (MemoryFault fault) {
            result = -Errno.EFAULT;
        } catch (FileSystemException e) {
            result = -e.errno();
        }
        hart.setRegister(10, result);
    }

    private int unimplemented(int number) {
        if (warnedSyscalls.add(number)) {
            String warning = "uniform: warning: system call " + SyscallNumbers.name(number) + " (" + number
                    + ") is not implemented; it returns ENOSYS\n";
            try {
                console.err().write(warning.getBytes(StandardCharsets.UTF_8));
                console.err().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return -Errno.ENOSYS;
    }

    /** Linux brk: returns the new break, or the old one if the request cannot be met. */
    private int brk(int requested) {
        if (Integer.compareUnsigned(requested, heapStart) < 0 || Integer.compareUnsigned(requested, heapLimit) > 0) {
            return programBreak;
        }
        if (Integer.compareUnsigned(requested, programBreak) > 0) {
            space.zero(programBreak, requested - programBreak); // memory given back earlier reads as zero again
        }
        programBreak = requested;
        return programBreak;
    }

    private int clockGettime(int clockId, int timespec) {
        OptionalLong time = clock.read(clockId);
        if (time.isEmpty()) {
            return -Errno.EINVAL;
        }
        UnifiedLibrary.writeTimespec(space, timespec, time.getAsLong());
        return 0;
    }
}
