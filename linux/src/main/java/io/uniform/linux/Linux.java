package io.uniform.linux;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.Stop;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfFormatException;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.elf.Segment;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.cpu.trace.Tracer;
import io.uniform.linux.files.Descriptors;
import io.uniform.linux.memory.MappingException;
import io.uniform.linux.memory.NodeMemory;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.linux.wait.Blocked;
import io.uniform.portals.Identity;
import io.uniform.portals.JobMap;
import io.uniform.portals.Outbox;
import io.uniform.portals.Outcome;
import io.uniform.portals.PortalsCalls;
import io.uniform.portals.PortalsEngine;
import io.uniform.portals.PortalsMessage;
import io.uniform.portals.ProcessId;
import io.uniform.portals.ProcessPortals;
import io.uniform.portals.Ptl;
import io.uniform.process.Errno;
import io.uniform.process.ExecFailure;
import io.uniform.process.ExitStatus;
import io.uniform.process.InitialStack;
import io.uniform.process.ProcessClock;
import io.uniform.process.Signal;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.files.FileSystemException;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.ProcessState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux kernel of a service node: tasks with Linux's identity (pid, parent, process group,
 * session), a round-robin scheduler with an instruction quantum, paged memory with
 * copy-on-write fork over the node's {@link NodeMemory}, descriptors on a
 * {@link ServiceFileSystem}, and the rv32 system calls of {@link SystemCall}. Plain,
 * deterministic, single-threaded Java: whoever hosts it ({@code uniform exec}, a node actor)
 * calls {@link #runSlice} and reacts to the {@link Progress} it reports.
 *
 * <p>A job's first task ({@link #spawn}) has the virtual init (pid 1) as its parent, as do
 * orphans; that init reaps them at once. A system call that must wait (a pipe, a child, a
 * timer) blocks its task and is retried from the start when woken (see {@link Blocked}).
 */
public final class Linux {
    /** Lowest address an image may use; the pages below stay unmapped so null pointers fault. */
    public static final int LOAD_BASE = 0x10000;

    private static final Logger LOG = LoggerFactory.getLogger(Linux.class);
    private static final int FIRST_PID = 100;
    /** Unmapped pages between the stack's limit and the highest mapping mmap hands out. */
    private static final int STACK_GUARD = 16 * PhysicalMemory.PAGE_SIZE;
    /**
     * The stack mapped for a new image; it grows page by page on faults below it, down to the
     * stack limit, so that a task is charged for the stack it uses, as on Linux.
     */
    private static final int INITIAL_STACK = 128 << 10;

    /**
     * The node's resources and policy.
     *
     * @param memoryBytes the node's physical memory: what all its tasks' mappings may commit
     * @param stackBytes  how far a task's stack may grow (Linux's stack limit); it is mapped, and charged, as it grows
     * @param maxTasks    how many tasks may exist at once (fork beyond it is EAGAIN)
     * @param quantum     instructions a task runs before the next runnable one gets its turn
     */
    public record Config(int memoryBytes, int stackBytes, int maxTasks, long quantum) {
        public static final int MAX_MEMORY = 1 << 30;
        public static final Config DEFAULT = new Config(256 << 20, 8 << 20, 256, 1 << 17);

        public Config {
            if (memoryBytes <= 0 || memoryBytes > MAX_MEMORY || stackBytes <= 0 || stackBytes >= memoryBytes
                    || ((memoryBytes | stackBytes) & PhysicalMemory.PAGE_MASK) != 0) {
                throw new IllegalArgumentException("memory (at most 1 GiB) and stack must be multiples of 4 KiB,"
                        + " the stack smaller than memory: " + memoryBytes + ", " + stackBytes);
            }
            if (maxTasks < 1 || quantum < 1) {
                throw new IllegalArgumentException("a node needs room for a task and a positive quantum");
            }
        }

        /** The default policy on a node with {@code memoryBytes} of memory: stacks may grow to 8 MiB, or a quarter of it. */
        public static Config forNode(long memoryBytes) {
            int memory = (int) Math.min(memoryBytes, MAX_MEMORY);
            int stack = Math.min(DEFAULT.stackBytes, memory / 4) & ~PhysicalMemory.PAGE_MASK;
            return new Config(memory, stack, DEFAULT.maxTasks, DEFAULT.quantum);
        }
    }

    /** What {@link #runSlice} leaves behind. */
    public enum Outlook {
        /** Some task can run: call again. */
        RUNNABLE,
        /** Every task waits and some sleep: nothing happens for {@link Progress#sleepNanos()}. */
        SLEEPING,
        /**
         * Every task waits, and some wait for a Portals event or are held by a migration: only a
         * message from the network, or the migration's next step, can wake them.
         */
        WAITING,
        /** Every task waits for another (a pipe nobody will write, a child that waits for its parent): forever. */
        DEADLOCKED,
        /** No task is left. */
        FINISHED
    }

    /** The end of a slice: the instructions it ran, what comes next and, when all sleep, for how long (at least 1). */
    public record Progress(long instructions, Outlook outlook, long sleepNanos) {}

    private final Config config;
    private final NodeMemory memory;
    private final ServiceFileSystem fileSystem;
    private final ProcessClock clock;
    private final Random random;
    private final Map<Integer, Task> tasks = new LinkedHashMap<>();
    private final ArrayDeque<Task> runQueue = new ArrayDeque<>();
    private final PriorityQueue<Task> sleepers = new PriorityQueue<>(Comparator.comparingLong(task -> task.sleepDeadline));
    private final SortedMap<String, Long> unimplemented = new TreeMap<>();
    private final PortalsCalls portals = new PortalsCalls(new PortalsEngine());
    private final Outbox outbox = new Outbox();
    private long droppedMessages;
    private int nextPid = FIRST_PID;
    private long retiredInstructions;
    private long traps;
    private long pageFaultTraps;
    private Tracer tracer;
    private boolean yieldRequested;

    /** @param fileSystem what tasks see as "/" and as their working directory; null for none (every path is ENOENT) */
    public Linux(Config config, ServiceFileSystem fileSystem, ProcessClock clock) {
        this(config, fileSystem, clock, new NodeMemory(config.memoryBytes()));
    }

    /**
     * A kernel on {@code memory}, which may already hold an address space for {@link #admit}
     * (a migration's destination lands pre-copied pages before it boots); its capacity is the
     * node's.
     */
    public Linux(Config config, ServiceFileSystem fileSystem, ProcessClock clock, NodeMemory memory) {
        if (memory.capacityBytes() != config.memoryBytes()) {
            throw new IllegalArgumentException("the node memory holds " + memory.capacityBytes() + " bytes, the config says "
                    + config.memoryBytes());
        }
        this.config = config;
        this.memory = memory;
        this.fileSystem = fileSystem;
        this.clock = clock;
        this.random = new Random(clock.seed());
    }

    public Config config() {
        return config;
    }

    public NodeMemory memory() {
        return memory;
    }

    ProcessClock clock() {
        return clock;
    }

    Random random() {
        return random;
    }

    /**
     * Starts a program as a new job's first task, the way execve starts one: validates and maps
     * the image, sets the unified library's OS flag, builds the stack from argv and env. Its
     * descriptors 0 to 2 lead to {@code console}.
     */
    public Task spawn(byte[] elf, List<String> argv, Map<String, String> env, Console console)
            throws ElfFormatException, ExecFailure {
        if (atTaskLimit()) {
            throw new ExecFailure("the node runs " + tasks.size() + " tasks, its limit");
        }
        List<String> environment = new ArrayList<>();
        env.forEach((name, value) -> environment.add(name + "=" + value));
        Image image;
        try {
            image = load(elf, argv, environment);
        } catch (MappingException e) {
            throw new ExecFailure("the node's memory cannot hold the program: " + e.getMessage());
        }
        Task task = enter(newDescriptors(console));
        install(task, image);
        runQueue.add(task);
        return task;
    }

    /**
     * A new job's first task, not yet scheduled: a new pid, a process group and session of its
     * own, the virtual init as its parent, and the Portals identity of a job of one until its
     * host attaches the real one ({@link #attachPortals}).
     */
    Task enter(Descriptors descriptors) {
        Task task = new Task(nextPid++, null, descriptors);
        task.processGroup = task.pid;
        task.session = task.pid;
        ProcessId alone = new ProcessId(0, 0);
        task.portals = new ProcessPortals(new Identity(alone, 0, 0), JobMap.single(alone));
        tasks.put(task.pid, task);
        return task;
    }

    /** A new task's descriptor table: 0 to 2 on {@code console}, files from the node's file system. */
    Descriptors newDescriptors(Console console) {
        return new Descriptors(console, fileSystem, clock);
    }

    boolean atTaskLimit() {
        return tasks.size() >= config.maxTasks();
    }

    /** Prints every instruction of every task to {@code tracer} from now on (null: stop tracing). */
    public void trace(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Runs tasks in turn, a quantum each, for up to {@code budget} instructions in all. */
    public Progress runSlice(long budget) {
        long done = 0;
        wakeSleepers();
        while (done < budget) {
            Task task = runQueue.poll();
            if (task == null) {
                break;
            }
            done += runTask(task, Math.min(config.quantum(), budget - done));
            if (task.state == Task.State.RUNNABLE) {
                runQueue.add(task);
            }
            wakeSleepers();
        }
        retiredInstructions += done;
        if (!runQueue.isEmpty()) {
            return new Progress(done, Outlook.RUNNABLE, 0);
        }
        if (liveTasks().isEmpty()) {
            return new Progress(done, Outlook.FINISHED, 0);
        }
        if (!sleepers.isEmpty()) {
            return new Progress(done, Outlook.SLEEPING, Math.max(1, sleepers.peek().sleepDeadline - clock.monotonicNanos()));
        }
        boolean outside = liveTasks().stream().anyMatch(task -> task.transit != Task.Transit.NONE
                || task.hart.register(17) == SystemCall.PORTALS.number());
        return new Progress(done, outside ? Outlook.WAITING : Outlook.DEADLOCKED, 0);
    }

    /**
     * Runs until no task is left, the calling thread sleeping while every task sleeps: for hosts
     * that own a thread ({@code uniform exec}, tests). A deadlock, or an interrupt of the thread,
     * ends every task with SIGKILL and tells {@code problems} why. Returns {@code first}'s status.
     */
    public ExitStatus runToCompletion(Task first, Consumer<String> problems) {
        while (true) {
            Progress progress = runSlice(config.quantum() * 8);
            switch (progress.outlook()) {
                case RUNNABLE -> { }
                case FINISHED -> {
                    return first.exitStatus;
                }
                case SLEEPING -> {
                    long nanos = progress.sleepNanos();
                    try {
                        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        problems.accept("interrupted: every task is killed");
                        killAll(Signal.SIGKILL, "interrupted");
                    }
                }
                case DEADLOCKED, WAITING -> problems.accept("deadlock: every task waits for another, or for a Portals message"
                        + " no other process can send here, so all are killed (" + String.join(", ", killAll(Signal.SIGKILL, "deadlock")) + ")");
            }
        }
    }

    /** Ends every task with {@code signal} (the job is killed); returns what each was doing if it was waiting. */
    public List<String> killAll(Signal signal, String report) {
        List<String> waiting = new ArrayList<>();
        for (Task task : liveTasks()) {
            if (task.state == Task.State.BLOCKED) {
                waiting.add(task + " in " + SystemCall.describe(task.hart.register(17)));
            }
            terminate(task, ExitStatus.killed(signal), report);
        }
        return waiting;
    }

    /** The tasks that have not ended, in pid order. */
    public List<Task> liveTasks() {
        return tasks.values().stream().filter(task -> task.state != Task.State.ZOMBIE).toList();
    }

    public Optional<Task> task(int pid) {
        return Optional.ofNullable(tasks.get(pid));
    }

    /** Instructions retired by every task so far. */
    public long instructions() {
        return retiredInstructions;
    }

    /** Traps taken from every task so far: system calls, breakpoints, faults. */
    public long traps() {
        return traps;
    }

    /**
     * Page faults so far: those the address spaces resolve by themselves (demand-zero fills,
     * copy-on-write copies) and those that trap (stack growth, segmentation faults).
     */
    public long pageFaults() {
        return memory.resolvedFaults() + pageFaultTraps;
    }

    /** How often each unimplemented system call was made, by name. */
    public SortedMap<String, Long> unimplementedCalls() {
        return new TreeMap<>(unimplemented);
    }

    // ---- scheduling

    private long runTask(Task task, long quantum) {
        long remaining = quantum;
        while (remaining > 0 && task.state == Task.State.RUNNABLE && task.pendingTermination == null && !yieldRequested) {
            Hart hart = task.hart;
            long before = hart.cycles();
            Stop stop;
            if (tracer != null) {
                tracer.before(hart);
                stop = hart.run(1);
                tracer.after(hart);
            } else {
                stop = hart.run(remaining);
            }
            remaining -= hart.cycles() - before;
            if (stop instanceof Stop.Trap trap) {
                handleTrap(task, trap);
            }
        }
        yieldRequested = false;
        if (task.pendingTermination != null && task.state != Task.State.ZOMBIE) {
            terminate(task, ExitStatus.killed(task.pendingTermination), null);
        }
        return quantum - remaining;
    }

    private void wakeSleepers() {
        if (sleepers.isEmpty()) {
            return;
        }
        long now = clock.monotonicNanos();
        while (!sleepers.isEmpty() && sleepers.peek().sleepDeadline <= now) {
            sleepers.poll().timer.wakeAll();
        }
    }

    private void wake(Task task) {
        if (task.state == Task.State.BLOCKED) {
            task.state = Task.State.RUNNABLE;
            if (task.transit == Task.Transit.NONE) { // a frozen task is scheduled when thawed
                runQueue.add(task);
            }
        }
    }

    /** Makes a runnable task that was held by a migration take its turns again. */
    void schedule(Task task) {
        if (task.state == Task.State.RUNNABLE) {
            runQueue.add(task);
        }
    }

    /** Takes a task out of its turns for a migration; a wait it is in goes on. */
    void deschedule(Task task) {
        runQueue.remove(task);
    }

    /** Removes a task that leaves this kernel without ending (a migration): no status, nobody told. */
    void forget(Task task) {
        tasks.remove(task.pid);
        runQueue.remove(task);
        sleepers.remove(task);
    }

    void yieldTurn() {
        yieldRequested = true;
    }

    // ---- traps and system calls

    private void handleTrap(Task task, Stop.Trap trap) {
        traps++;
        switch (trap.cause()) {
            case ECALL_FROM_U -> {
                task.hart.setPc(trap.pc() + 4);
                systemCall(task, trap.pc());
            }
            case BREAKPOINT -> kill(task, Signal.SIGTRAP, trap);
            case ILLEGAL_INSTRUCTION -> kill(task, Signal.SIGILL, trap);
            case INSTRUCTION_ADDRESS_MISALIGNED -> kill(task, Signal.SIGBUS, trap);
            case LOAD_PAGE_FAULT, STORE_PAGE_FAULT -> {
                pageFaultTraps++;
                if (!growStack(task, trap.tval())) {
                    kill(task, Signal.SIGSEGV, trap);
                }
            }
            default -> kill(task, Signal.SIGSEGV, trap);
        }
    }

    /** Maps the stack down to the page of {@code address} if it lies in the stack's reach; false if not or out of memory. */
    private boolean growStack(Task task, int address) {
        long limit = Math.max(PagedAddressSpace.MMAP_MIN_ADDR, Integer.toUnsignedLong(task.stackTop) - config.stackBytes());
        if (Integer.toUnsignedLong(address) < limit || Integer.compareUnsigned(address, task.stackBottom) >= 0) {
            return false;
        }
        int page = address & ~PhysicalMemory.PAGE_MASK;
        if (!task.space.isFree(page, task.stackBottom - page)) {
            return false; // a mapping in the way: the stack's guard, as Linux keeps a gap
        }
        try {
            task.space.map(page, task.stackBottom - page, PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
        } catch (MappingException e) {
            return false;
        }
        task.stackBottom = page;
        return true; // the faulting instruction runs again
    }

    private void kill(Task task, Signal signal, Stop.Trap trap) {
        terminate(task, ExitStatus.killed(signal), "process " + task.pid + " killed by " + signal + ": " + trap);
    }

    private void systemCall(Task task, int ecallPc) {
        Hart hart = task.hart;
        int number = hart.register(17);
        SystemCall call = SystemCall.of(number);
        int result;
        try {
            result = call != null ? call.perform(this, task, hart)
                    : number == UnifiedLibrary.PUMA_TRAP_CODE ? UnifiedLibrary.NOT_THIS_OS // moved here mid-dispatch: the library dispatches again
                    : unimplemented(number);
        } catch (Blocked blocked) {
            block(task, blocked, ecallPc, number);
            return;
        } catch (MemoryFault fault) {
            result = -Errno.EFAULT;
        } catch (FileSystemException e) {
            result = -e.errno();
        } catch (MappingException e) {
            result = -e.errno();
        }
        if (result == -Errno.EPIPE && (number == SystemCall.WRITE.number() || number == SystemCall.WRITEV.number())) {
            signal(task, Signal.SIGPIPE); // even after part of a write went through, as pipe_write does
        }
        if (number == SystemCall.WRITE.number() && task.carriedWrite > 0) {
            result = result >= 0 ? result + task.carriedWrite : task.carriedWrite;
            task.carriedWrite = 0;
        }
        if (task.state != Task.State.ZOMBIE && task.hart == hart) { // not after exit, nor execve
            hart.setRegister(10, result);
        }
    }

    /**
     * Performs system call {@code number} for {@code task} as if its next instruction were the
     * ecall (for tests that sweep the calls); returns a0. A call that blocks leaves the task
     * waiting at the same pc.
     */
    int invoke(Task task, int number, int... arguments) {
        Hart hart = task.hart;
        hart.setRegister(17, number);
        for (int i = 0; i < 6; i++) {
            hart.setRegister(10 + i, i < arguments.length ? arguments[i] : 0);
        }
        systemCall(task, hart.pc());
        return hart.register(10);
    }

    /** The task waits; its call is retried from the ecall (with the rest of the buffer, for a write that moved some). */
    private void block(Task task, Blocked blocked, int ecallPc, int number) {
        if (number == SystemCall.WRITE.number() && blocked.progress() > 0) {
            task.carriedWrite += blocked.progress();
            task.hart.setRegister(11, task.hart.register(11) + blocked.progress());
            task.hart.setRegister(12, task.hart.register(12) - blocked.progress());
        }
        task.hart.setPc(ecallPc);
        task.state = Task.State.BLOCKED;
        blocked.queue().add(() -> wake(task));
    }

    private int unimplemented(int number) {
        String name = SystemCall.describe(number);
        if (unimplemented.merge(name, 1L, Long::sum) == 1) {
            LOG.warn("system call {} ({}) is not implemented; it returns ENOSYS", name, number);
        }
        return -Errno.ENOSYS;
    }

    // ---- Portals

    /**
     * Makes {@code task} the process {@code portals} names: its Portals identity and job (a
     * spawned task is the only process of a job of its own until its host says otherwise).
     */
    public void attachPortals(Task task, ProcessPortals portals) {
        task.portals = portals;
    }

    /** The Portals call: performed by the engine on the task's memory; messages go out, woken queues wake their waiters. */
    int portalsCall(Task task, int op, int args) {
        if (task.portals == null) {
            return Ptl.PTL_NO_INIT; // a forked child: its parent's interface is not its own
        }
        PortalsCalls.Result result = portals.perform(task.space, task.portals, op, args);
        if (result.blocks() && result.waitTimeout() != Ptl.PTL_TIME_FOREVER) {
            return timedEventWait(task, result.waitTimeout());
        }
        if (task.sleepDeadline != Task.NOT_SLEEPING) { // a timed wait an event ended early
            task.sleepDeadline = Task.NOT_SLEEPING;
            sleepers.remove(task);
        }
        if (result.blocks()) {
            throw new Blocked(task.portalsEvents);
        }
        send(result.send());
        if (!result.wokenEventQueues().isEmpty()) {
            task.portalsEvents.wakeAll();
        }
        return result.status();
    }

    /**
     * A wait for a Portals event of at most {@code millis}: the task sleeps until an event wakes
     * it or its time is up, when the call answers PTL_OK as Puma's does (the library finds its
     * queue still empty and looks at its own clock). The deadline is kept in the task, so the
     * call retried after a wake only checks it.
     */
    private int timedEventWait(Task task, int millis) {
        long now = clock.monotonicNanos();
        if (task.sleepDeadline == Task.NOT_SLEEPING) {
            long wait = Integer.toUnsignedLong(millis) * 1_000_000L;
            task.sleepDeadline = wait > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + wait;
        } else if (now >= task.sleepDeadline) {
            task.sleepDeadline = Task.NOT_SLEEPING;
            return Ptl.PTL_OK;
        }
        task.portalsEvents.add(() -> wake(task)); // an event ends the wait early
        throw sleep(task, task.sleepDeadline);
    }

    /**
     * A Portals message from the network for one of this kernel's processes: the engine matches
     * it in the process's memory and deposits its data there; answers go out, and a process
     * waiting for an event wakes. Returns whether some task can run now. A message for no
     * process here is dropped and counted.
     */
    public boolean deliver(PortalsMessage message) {
        Task task = portalsTask(message.destination());
        if (task == null) {
            droppedMessages++;
            return false;
        }
        if (task.transit != Task.Transit.NONE) {
            throw new IllegalStateException(task + " is " + task.transit + " for a migration: its host holds its messages"
                    + " until the move ends, since its memory is being copied");
        }
        Outcome outcome = portals.engine().receive(task.space, task.portals.ni(), message);
        send(outcome.send());
        if (!outcome.eventQueues().isEmpty()) {
            task.portalsEvents.wakeAll();
        }
        return !runQueue.isEmpty();
    }

    private void send(List<PortalsMessage> messages) {
        outbox.send(messages, id -> portalsTask(id) != null, this::deliver);
    }

    /** The live task that is Portals process {@code id}, or null. */
    private Task portalsTask(ProcessId id) {
        for (Task task : tasks.values()) {
            if (task.state != Task.State.ZOMBIE && task.portals != null && task.portals.identity().id().equals(id)) {
                return task;
            }
        }
        return null;
    }

    /** The Portals messages for other nodes since the last call, in the order they were sent. */
    public List<PortalsMessage> drainOutbox() {
        return outbox.drain();
    }

    /** Portals messages that arrived for no process of this kernel. */
    public long droppedMessages() {
        return droppedMessages;
    }

    // ---- migration (Migration; docs/ARCHITECTURE.md, "Freezing and admitting a task")

    /**
     * Stops {@code task} for a move to a node running {@code destinationOs}
     * ({@code UnifiedLibrary.OS_PUMA} or {@code OS_LINUX}) and returns its state; its memory is
     * {@link #frozenMemory}. The scheduler skips it from now on; a call it waits in is retried
     * wherever it resumes. Nothing is released: {@link #thaw} or {@link #release} follows.
     *
     * @throws MigrationRefused why it cannot move (children or other tasks, a half-done write,
     *     a descriptor that cannot be carried, memory outside Puma's region); it runs on as before
     */
    public ProcessState freeze(Task task, int destinationOs) throws MigrationRefused {
        return Migration.freeze(this, task, destinationOs);
    }

    /** The memory of a frozen task: its populated pages (a page never touched is not listed), read as they are. */
    public FrozenMemory frozenMemory(Task task) {
        return Migration.frozenMemory(task);
    }

    /**
     * Begins tracking the pages {@code task} writes while it still runs, for a pre-copy
     * migration (between slices only); {@link DirtyPages#stop} ends it.
     */
    public DirtyPages trackWrites(Task task) {
        return Migration.trackWrites(task);
    }

    /** The bytes {@code task} has mapped: what a destination makes room for before the task is frozen to move there. */
    public long mappedBytes(Task task) {
        return task.space.mappedBytes();
    }

    /** The move failed: the frozen task runs on as if nothing had happened. */
    public void thaw(Task task) {
        Migration.thaw(this, task);
    }

    /**
     * A frozen task runs elsewhere now (or an arriving one will never start): it leaves this
     * kernel without an exit status, its memory and descriptors go back to the node, and nobody
     * is told it ended.
     */
    public void release(Task task) {
        Migration.release(this, task);
    }

    /**
     * Takes in a process frozen elsewhere as a new task, not yet runnable: Linux's defaults for
     * its identity (a new pid, its own process group and session) and its mmap base; every area
     * mapped at the same addresses with its protection, the heap break, the stack (which may
     * grow down to the stack limit below its top), the hart, the files reopened at the same
     * descriptors and offsets, the remaining sleep. Its pages come with {@link #writePage}, then
     * {@link #start}; its Portals identity with {@link #attachPortals}.
     *
     * @throws MigrationRefused if the node's memory or task limit cannot take it, or a file is gone;
     *     nothing is held then
     * @throws IllegalArgumentException for a state whose fields contradict each other
     */
    public Task admit(ProcessState state, Console console) throws MigrationRefused {
        return Migration.admit(this, state, console, new PagedAddressSpace(memory), true);
    }

    /**
     * {@link #admit(ProcessState, Console)} into {@code landed}, an address space on this
     * kernel's memory that already holds pages of the process (pre-copied): its pages inside the
     * state's areas stay where they are, with the areas' protections; those outside go. Only the
     * pages still to come are written then. A refusal leaves {@code landed} to its caller to release.
     */
    public Task admit(ProcessState state, Console console, PagedAddressSpace landed) throws MigrationRefused {
        if (landed.memory() != memory) {
            throw new IllegalArgumentException("the landed pages are in another node's memory");
        }
        return Migration.admit(this, state, console, landed, false);
    }

    /**
     * Stores a page of an arriving task, whatever its protection; a page sent again (a later
     * round of a pre-copy) replaces the earlier copy.
     *
     * @throws IllegalArgumentException for a page outside every area, or not a page long
     */
    public void writePage(Task task, int address, byte[] page) {
        writePage(task, address, page, 0);
    }

    /** {@link #writePage(Task, int, byte[])} from {@code from} at {@code offset} (a page inside a chunk). */
    public void writePage(Task task, int address, byte[] from, int offset) {
        Migration.writePage(task, address, from, offset);
    }

    /** Every page of an arriving task is in: its OS flag is rewritten to Linux and it runs from the next slice. */
    public void start(Task task) {
        Migration.start(this, task);
    }

    // ---- process life

    /** clone as fork: a copy-on-write copy of the caller, returning 0 in the child. */
    int fork(Task parent, int newStack) throws MappingException {
        if (tasks.size() >= config.maxTasks()) {
            return -Errno.EAGAIN;
        }
        PagedAddressSpace space = parent.space.fork();
        Task child = new Task(nextPid++, parent, parent.descriptors.fork());
        child.processGroup = parent.processGroup;
        child.session = parent.session;
        child.space = space;
        child.heapStart = parent.heapStart;
        child.programBreak = parent.programBreak;
        child.mmapBase = parent.mmapBase;
        child.stackBottom = parent.stackBottom;
        child.stackTop = parent.stackTop;
        child.osFlagAddress = parent.osFlagAddress;
        child.hart = newHart(space);
        child.hart.restore(parent.hart.capture());
        child.hart.setRegister(10, 0);
        if (newStack != 0) {
            child.hart.setRegister(2, newStack);
        }
        parent.children.add(child);
        tasks.put(child.pid, child);
        runQueue.add(child);
        return child.pid;
    }

    /** execve: replaces the task's image; on any failure the task goes on with the old one. */
    int execve(Task task, String path, List<String> argv, List<String> environment) throws FileSystemException, MappingException {
        byte[] elf = task.descriptors.readWholeFile(path);
        Image image;
        try {
            image = load(elf, argv, environment);
        } catch (ElfFormatException e) {
            LOG.debug("execve {}: {}", path, e.getMessage());
            return -Errno.ENOEXEC;
        } catch (ExecFailure e) {
            return -Errno.E2BIG;
        }
        task.space.release();
        install(task, image);
        task.descriptors.closeOnExec();
        if (task.portals != null) { // the same process, a new image: no interface until it calls PtlNIInit again
            task.portals = new ProcessPortals(task.portals.identity(), task.portals.job());
        }
        return 0;
    }

    /** The task ends: its memory and descriptors are released, its parent learns of it, its children are orphaned. */
    void terminate(Task task, ExitStatus status, String report) {
        task.exitStatus = status;
        task.killReport = report;
        task.state = Task.State.ZOMBIE;
        runQueue.remove(task);
        sleepers.remove(task);
        task.descriptors.closeAll();
        task.space.release();
        for (Task child : List.copyOf(task.children)) {
            child.parent = null;
            if (child.state == Task.State.ZOMBIE) {
                reap(child);
            }
        }
        task.children.clear();
        if (task.parent == null) {
            reap(task);
        } else {
            task.parent.childEvents.wakeAll();
        }
    }

    void reap(Task task) {
        tasks.remove(task.pid);
        if (task.parent != null) {
            task.parent.children.remove(task);
        }
    }

    /** Delivers {@code signal} with its default action; stop and continue signals are ignored (no job control). */
    void signal(Task target, Signal signal) {
        if (target.state == Task.State.ZOMBIE || !signal.terminatesByDefault()) {
            return;
        }
        if (target.pendingTermination != Signal.SIGKILL) {
            target.pendingTermination = signal;
        }
        wake(target);
    }

    /** The tasks kill(2) means by {@code pid}: one, a process group, or every task but the caller. */
    List<Task> signalTargets(Task caller, int pid) {
        Collection<Task> all = tasks.values();
        if (pid > 0) {
            Task target = tasks.get(pid);
            return target == null ? List.of() : List.of(target);
        }
        if (pid == -1) {
            return all.stream().filter(task -> task != caller).toList();
        }
        int group = pid == 0 ? caller.processGroup : -pid;
        return all.stream().filter(task -> task.processGroup == group).toList();
    }

    /** Puts a task to sleep until {@code deadline} (monotonic nanoseconds). */
    Blocked sleep(Task task, long deadline) {
        task.sleepDeadline = deadline;
        sleepers.add(task);
        return new Blocked(task.timer);
    }

    Collection<Task> allTasks() {
        return tasks.values();
    }

    // ---- images

    /** A program's address space, hart and layout, loaded or arrived, not yet given to a task. */
    record Image(PagedAddressSpace space, Hart hart, int heapStart, int programBreak, int mmapBase, int stackBottom, int stackTop,
                 int osFlagAddress) {}

    private Image load(byte[] elf, List<String> argv, List<String> environment)
            throws ElfFormatException, ExecFailure, MappingException {
        long strings = 0;
        for (List<String> list : List.of(argv, environment)) {
            for (String string : list) {
                strings += string.getBytes(StandardCharsets.UTF_8).length + 1 + 4; // the string and its pointer
            }
        }
        long initialStack = (INITIAL_STACK + strings + PhysicalMemory.PAGE_MASK) & ~(long) PhysicalMemory.PAGE_MASK;
        int stackBottom = PagedAddressSpace.USER_END - (int) Math.min(initialStack, config.stackBytes());
        ElfImage image = ElfFile.parse(elf, LOAD_BASE, Integer.toUnsignedLong(defaultMmapBase()));
        PagedAddressSpace space = new PagedAddressSpace(memory);
        try {
            PageRuns pages = new PageRuns();
            image.pagePermissions().forEach(pages::add);
            for (PageRuns.Run run : pages.runs()) {
                space.map(run.start(), run.length(), PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
            }
            image.copyInto(space);
            UnifiedLibrary.writeOsFlag(image, space, UnifiedLibrary.OS_LINUX);
            int osFlagAddress = UnifiedLibrary.osFlagAddress(image);
            for (PageRuns.Run run : pages.runs()) {
                space.protect(run.start(), run.length(), protection(run.flags()));
            }
            space.map(stackBottom, PagedAddressSpace.USER_END - stackBottom, PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
            Hart hart = newHart(space);
            hart.setPc(image.entry());
            hart.setRegister(2, InitialStack.build(space, PagedAddressSpace.USER_END, config.stackBytes(), image.entry(),
                    argv, environment, random));
            long imageEnd = image.segments().stream().mapToLong(Segment::end).max().orElseThrow();
            int heapStart = (int) ((imageEnd + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK);
            return new Image(space, hart, heapStart, heapStart, defaultMmapBase(), stackBottom, PagedAddressSpace.USER_END,
                    osFlagAddress);
        } catch (ElfFormatException | ExecFailure | MappingException | RuntimeException e) {
            space.release();
            throw e;
        }
    }

    void install(Task task, Image image) {
        task.space = image.space();
        task.hart = image.hart();
        task.heapStart = image.heapStart();
        task.programBreak = image.programBreak();
        task.mmapBase = image.mmapBase();
        task.stackBottom = image.stackBottom();
        task.stackTop = image.stackTop();
        task.osFlagAddress = image.osFlagAddress();
    }

    /** Where top-down mmap starts: below the stack's limit and its guard gap. */
    int defaultMmapBase() {
        return PagedAddressSpace.USER_END - config.stackBytes() - STACK_GUARD;
    }

    Hart newHart(PagedAddressSpace space) {
        Hart hart = new Hart(ExecutionMode.PROCESS, space);
        hart.setTimer(clock::timerTicks);
        return hart;
    }

    /** ELF segment flags (R=4, W=2, X=1) as mmap protection (R=1, W=2, X=4). */
    private static int protection(int elfFlags) {
        return ((elfFlags & Segment.READ) != 0 ? PagedAddressSpace.PROT_READ : 0)
                | ((elfFlags & Segment.WRITE) != 0 ? PagedAddressSpace.PROT_WRITE : 0)
                | ((elfFlags & Segment.EXECUTE) != 0 ? PagedAddressSpace.PROT_EXEC : 0);
    }
}
