package io.uniform.linux;

import io.uniform.cpu.Hart;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.linux.files.Descriptors;
import io.uniform.linux.memory.MappingException;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.Area;
import io.uniform.process.image.DirtyPages;
import io.uniform.process.image.FrozenMemory;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.OpenFile;
import io.uniform.process.image.ProcessState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@link Linux} kernel's half of a migration, the paper's "freeze and save" at the source
 * and "rebind and restart" at the destination (docs/ARCHITECTURE.md, "Freezing and admitting a
 * task"). A task moves alone: at the source it is frozen (the scheduler skips it; a wait it is in
 * goes on, and a call it waits in is retried wherever it resumes), then thawed or released; at
 * the destination a fresh task is admitted with the state that maps, receives its pages and is
 * started.
 */
final class Migration {
    private Migration() {}

    /** Puma's user region (qk's PumaAbi.REGION_BASE and USER_LIMIT): what a process moving to Puma must fit in. */
    private static final long PUMA_REGION_BASE = 0x1000;
    private static final long PUMA_USER_LIMIT = 0x4000_0000L;
    private static final int A7 = 17;

    static ProcessState freeze(Linux linux, Task task, int destinationOs) throws MigrationRefused {
        if (destinationOs != UnifiedLibrary.OS_LINUX && destinationOs != UnifiedLibrary.OS_PUMA) {
            throw new IllegalArgumentException("no OS is numbered " + destinationOs);
        }
        requireTransit(task, Task.Transit.NONE);
        refuseCompany(linux, task);
        if (task.carriedWrite > 0) {
            throw new MigrationRefused("process " + task.pid + " is in the middle of a write (" + task.carriedWrite
                    + " bytes went through, the rest waits): it can move once the write is done");
        }
        List<OpenFile> files = task.descriptors.carriedFiles();
        List<Area> areas = areas(task.space);
        if (destinationOs == UnifiedLibrary.OS_PUMA) {
            refuseOutsidePuma(task, areas);
            if (task.state == Task.State.BLOCKED) {
                // Its pc is at a Linux ecall that would run again on Puma, which kills a Linux call as a bad trap.
                throw new MigrationRefused("process " + task.pid + " waits in a Linux system call (a7 = " + task.hart.register(A7)
                        + "): it can move to Puma once the call returns");
            }
        }
        ProcessState state = new ProcessState(UnifiedLibrary.OS_LINUX, task.hart.capture(), areas, task.heapStart,
                task.programBreak, task.stackBottom, task.stackTop, task.osFlagAddress, remainingSleep(linux, task), files);
        task.transit = Task.Transit.FROZEN;
        linux.deschedule(task);
        return state;
    }

    /** A process moves alone: no children, and no other task in the kernel to share anything with. */
    private static void refuseCompany(Linux linux, Task task) throws MigrationRefused {
        if (task.state == Task.State.ZOMBIE || linux.task(task.pid).orElse(null) != task) {
            throw new MigrationRefused("process " + task.pid + " has ended, or is not a task of this kernel");
        }
        if (!task.children.isEmpty()) {
            throw new MigrationRefused("process " + task.pid + " has children (" + pids(task.children)
                    + "): a process moves alone, and its children cannot follow it");
        }
        List<Task> others = linux.liveTasks().stream().filter(other -> other != task).toList();
        if (!others.isEmpty()) {
            throw new MigrationRefused("the kernel runs other tasks besides process " + task.pid + " (" + pids(others)
                    + "): a process moves only when it is the node's only task");
        }
    }

    private static String pids(List<Task> tasks) {
        return tasks.stream().map(task -> String.valueOf(task.pid)).collect(Collectors.joining(", "));
    }

    private static void refuseOutsidePuma(Task task, List<Area> areas) throws MigrationRefused {
        if (Integer.toUnsignedLong(task.stackTop) > PUMA_USER_LIMIT) {
            throw new MigrationRefused(String.format("its stack at 0x%08x-0x%08x lies above Puma's user limit 0x%08x:"
                    + " a process started on Linux never fits Puma's region", task.stackBottom, task.stackTop, PUMA_USER_LIMIT));
        }
        for (Area area : areas) {
            if (Integer.toUnsignedLong(area.start()) < PUMA_REGION_BASE || area.end() > PUMA_USER_LIMIT) {
                throw new MigrationRefused(String.format("its memory at 0x%08x-0x%08x lies outside Puma's region 0x%08x-0x%08x",
                        area.start(), area.end(), PUMA_REGION_BASE, PUMA_USER_LIMIT));
            }
        }
    }

    /** Every mapped range, consecutive pages of one protection together. */
    private static List<Area> areas(PagedAddressSpace space) {
        PageRuns runs = new PageRuns();
        space.forEachMappedPage((address, protection, frame) -> runs.add(address, protection));
        return runs.runs().stream().map(run -> new Area(run.start(), run.length(), run.flags())).toList();
    }

    /**
     * What remains of the sleep the task is in. A sleep whose deadline has passed while its call
     * has not returned yet keeps a nanosecond, so that the call, retried at the destination,
     * returns instead of starting the sleep again.
     */
    private static long remainingSleep(Linux linux, Task task) {
        // A timed wait for a Portals event is the library's to time (it waits anew wherever it runs), not a sleep.
        if (task.sleepDeadline == Task.NOT_SLEEPING || task.hart.register(A7) != SystemCall.CLOCK_NANOSLEEP_TIME64.number()) {
            return 0;
        }
        return Math.max(1, task.sleepDeadline - linux.clock().monotonicNanos());
    }

    static FrozenMemory frozenMemory(Task task) {
        requireTransit(task, Task.Transit.FROZEN);
        List<Integer> populated = new ArrayList<>();
        task.space.forEachMappedPage((address, protection, frame) -> {
            if (frame != PagedAddressSpace.NOT_POPULATED) {
                populated.add(address);
            }
        });
        List<Integer> pages = List.copyOf(populated);
        return new FrozenMemory() {
            @Override
            public List<Integer> pages() {
                return pages;
            }

            @Override
            public void read(int address, byte[] into, int offset) {
                requireTransit(task, Task.Transit.FROZEN);
                task.space.readPage(address, into, offset);
            }

            @Override
            public byte[] readRun(int address, int pages, int room) {
                requireTransit(task, Task.Transit.FROZEN);
                return task.space.readRun(address, pages, room);
            }
        };
    }

    /**
     * The pages of a running task, round by round: each round lists the pages whose frame its
     * node memory saw written since the round before, and those backed anew since they were
     * listed (another frame after copy-on-write, or none after an unmap and a map).
     */
    static DirtyPages trackWrites(Task task) {
        requireTransit(task, Task.Transit.NONE);
        PhysicalMemory physical = task.space.physical();
        physical.beginWriteRound();
        return new DirtyPages() {
            // The frame each page was listed with, NOT_POPULATED for one listed as zeros.
            private final Map<Integer, Integer> listed = new HashMap<>();
            private boolean first = true;

            @Override
            public List<Integer> nextRound() {
                List<Integer> pages = new ArrayList<>();
                task.space.forEachMappedPage((address, protection, frame) -> {
                    Integer before = listed.get(address);
                    boolean changed = first ? frame != PagedAddressSpace.NOT_POPULATED
                            : before == null ? frame != PagedAddressSpace.NOT_POPULATED
                            : before != frame || frame != PagedAddressSpace.NOT_POPULATED && physical.writtenThisRound(frame);
                    if (changed) {
                        pages.add(address);
                        listed.put(address, frame);
                    }
                });
                first = false;
                physical.beginWriteRound();
                return pages;
            }

            /** A page unmapped since it was listed reads as zeros: the destination drops it, or gets it again if mapped anew. */
            @Override
            public void read(int address, byte[] into, int offset) {
                if (task.space.isFree(address, Area.PAGE_SIZE)) {
                    java.util.Arrays.fill(into, offset, offset + Area.PAGE_SIZE, (byte) 0);
                } else {
                    task.space.readPage(address, into, offset);
                }
            }

            /** Null for a run with a page unmapped since it was listed: {@link #read} reads such a one. */
            @Override
            public byte[] readRun(int address, int pages, int room) {
                return task.space.readRun(address, pages, room);
            }

            @Override
            public void stop() {
                physical.stopTrackingWrites();
            }
        };
    }

    static void thaw(Linux linux, Task task) {
        requireTransit(task, Task.Transit.FROZEN);
        task.transit = Task.Transit.NONE;
        linux.schedule(task);
    }

    /** The task leaves the kernel without an exit status: its memory and descriptors go back to the node. */
    static void release(Linux linux, Task task) {
        if (task.transit != Task.Transit.FROZEN && task.transit != Task.Transit.ARRIVING) {
            throw new IllegalStateException(task + " is not in a migration (" + task.transit + "): only a frozen or"
                    + " arriving task is released without ending");
        }
        linux.forget(task);
        task.descriptors.closeAll();
        task.space.release();
        task.transit = Task.Transit.MOVED;
    }

    /**
     * Admits the process into {@code space}: empty, or holding pre-copied pages that stay where
     * they are inside the state's areas (taking the areas' protections) and go outside them.
     * Work proportional to the page tables, never to the pages' bytes. A refusal releases the
     * space if {@code releaseOnRefusal}, and otherwise leaves it to whoever landed its pages.
     */
    static Task admit(Linux linux, ProcessState state, Console console, PagedAddressSpace space, boolean releaseOnRefusal)
            throws MigrationRefused {
        validate(state);
        if (linux.atTaskLimit()) {
            throw new MigrationRefused("the node runs " + linux.allTasks().size() + " tasks, its limit");
        }
        Hart hart = linux.newHart(space);
        hart.restore(state.hart()); // refuses a hart state of the wrong shape or privilege before anything is held
        Descriptors descriptors = linux.newDescriptors(console);
        try {
            for (OpenFile file : state.files()) {
                descriptors.reopen(file);
            }
            unmapOutside(space, state.areas());
            for (Area area : state.areas()) {
                space.mapKeeping(area.start(), area.length(), area.protection());
            }
        } catch (MappingException e) {
            discard(space, descriptors, releaseOnRefusal);
            throw new MigrationRefused(String.format("the node's memory cannot hold the process's %d KiB: %s",
                    state.areas().stream().mapToLong(Area::length).sum() >> 10, e.getMessage()));
        } catch (MigrationRefused | RuntimeException e) {
            discard(space, descriptors, releaseOnRefusal);
            throw e;
        }
        Task task = linux.enter(descriptors);
        linux.install(task, new Linux.Image(space, hart, state.heapStart(), state.programBreak(), linux.defaultMmapBase(),
                state.stackBottom(), state.stackTop(), state.osFlagAddress()));
        if (state.sleepNanos() > 0) { // counted from now: the pages' transfer is part of the sleep
            task.sleepDeadline = linux.clock().monotonicNanos() + state.sleepNanos();
        }
        task.transit = Task.Transit.ARRIVING;
        return task;
    }

    /** Unmaps the landed pages outside {@code areas} (in address order, as validated): memory the process gave up since they came. */
    private static void unmapOutside(PagedAddressSpace space, List<Area> areas) throws MappingException {
        long from = 0;
        for (Area area : areas) {
            unmapBetween(space, from, Integer.toUnsignedLong(area.start()));
            from = area.end();
        }
        unmapBetween(space, from, Integer.toUnsignedLong(PagedAddressSpace.USER_END));
    }

    private static void unmapBetween(PagedAddressSpace space, long start, long end) throws MappingException {
        if (start < end) {
            space.unmap((int) start, (int) (end - start));
        }
    }

    /** Undoes a refused admission: descriptors closed, and the space released if {@code release}. */
    private static void discard(PagedAddressSpace space, Descriptors descriptors, boolean release) {
        descriptors.closeAll();
        if (release) {
            space.release();
        }
    }

    /** A state this kernel can install: what its fields promise of each other. */
    private static void validate(ProcessState state) {
        if (state.os() != UnifiedLibrary.OS_LINUX && state.os() != UnifiedLibrary.OS_PUMA) {
            throw new IllegalArgumentException("a process frozen on no known OS: " + state.os());
        }
        long previousEnd = Area.PAGE_SIZE; // page 0 stays unmapped, so null pointers fault
        for (Area area : state.areas()) {
            if (Integer.toUnsignedLong(area.start()) < previousEnd || area.end() > Integer.toUnsignedLong(PagedAddressSpace.USER_END)) {
                throw new IllegalArgumentException(String.format("area 0x%08x-0x%08x overlaps the one before, is out of"
                        + " order, maps page 0 or leaves user space", area.start(), area.end()));
            }
            previousEnd = area.end();
        }
        requireRange("heap", state.heapStart(), state.programBreak(), false);
        requireRange("stack", state.stackBottom(), state.stackTop(), true);
        int flag = state.osFlagAddress();
        if (flag != 0 && ((flag & 3) != 0 || !writable(state.areas(), flag - UnifiedLibrary.OS_FLAG_OFFSET)
                || !writable(state.areas(), flag + 3))) {
            throw new IllegalArgumentException(String.format("the OS flag at 0x%08x is not an aligned word of a writable area", flag));
        }
        if (state.sleepNanos() > 0 && state.hart().registers()[A7] != SystemCall.CLOCK_NANOSLEEP_TIME64.number()) {
            throw new IllegalArgumentException("a sleep remains, but the process is not at its clock_nanosleep call (a7 = "
                    + state.hart().registers()[A7] + ")");
        }
    }

    /** {@code [low, high)} lies in user space, in order, and starts (and, if {@code aligned}, ends) on a page. */
    private static void requireRange(String what, int low, int high, boolean aligned) {
        boolean ordered = Integer.compareUnsigned(low, high) <= 0
                && Integer.toUnsignedLong(high) <= Integer.toUnsignedLong(PagedAddressSpace.USER_END);
        if (!ordered || (low & (Area.PAGE_SIZE - 1)) != 0 || (aligned && (high & (Area.PAGE_SIZE - 1)) != 0)) {
            throw new IllegalArgumentException(String.format("the %s 0x%08x-0x%08x is not a page-aligned range of user space",
                    what, low, high));
        }
    }

    private static boolean writable(List<Area> areas, int address) {
        long at = Integer.toUnsignedLong(address);
        return areas.stream().anyMatch(area -> Integer.toUnsignedLong(area.start()) <= at && at < area.end()
                && (area.protection() & PagedAddressSpace.PROT_WRITE) != 0);
    }

    static void writePage(Task task, int address, byte[] from, int offset) {
        requireTransit(task, Task.Transit.ARRIVING);
        task.space.writePage(address, from, offset);
    }

    /** Every page is in: the image learns it runs on Linux now, and the task takes its turns. */
    static void start(Linux linux, Task task) {
        requireTransit(task, Task.Transit.ARRIVING);
        if (task.osFlagAddress != 0) {
            UnifiedLibrary.rewriteOsFlag(task.space, task.osFlagAddress, UnifiedLibrary.OS_LINUX);
        }
        task.transit = Task.Transit.NONE;
        linux.schedule(task);
    }

    private static void requireTransit(Task task, Task.Transit expected) {
        if (task.transit != expected) {
            throw new IllegalStateException(task + " is " + task.transit + " in a migration, not " + expected);
        }
    }
}
