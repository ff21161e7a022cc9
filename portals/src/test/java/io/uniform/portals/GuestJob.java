package io.uniform.portals;

import io.uniform.cpu.ExecutionMode;
import io.uniform.cpu.Hart;
import io.uniform.cpu.Stop;
import io.uniform.cpu.TrapCause;
import io.uniform.cpu.elf.ElfFile;
import io.uniform.cpu.elf.ElfImage;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.guest.GuestFiles;
import io.uniform.process.InitialStack;
import io.uniform.process.UnifiedLibrary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A parallel job of a committed guest ELF under a kernel of the test's own, just enough to run
 * the unified library's Portals and collectives against {@link PortalsCalls} without the real
 * kernels: each rank a hart over a flat region, the few calls the programs make (write, brk,
 * clock_gettime, exit), and the uniform Portals call, either as the Linux call
 * {@link PortalsCall#UK_SYS_PORTALS} or as Puma trap {@link PortalsCall#PUMA_TRAP_PORTALS}
 * (ranks alternate when {@code mixed}). Messages go through one FIFO queue delivered between
 * slices, so a sender never sees its message arrive before it runs again; a call that blocks
 * in {@code EQ_WAIT} is re-executed (pc left on its ecall) once an event reaches the queue.
 * Round robin, deterministic; deadlock (everyone blocked, nothing in flight) is an error.
 */
final class GuestJob {
    enum Os { LINUX, PUMA, MIXED }

    static final int REGION_BASE = 0x1000;
    static final int STACK_BYTES = 256 << 10;
    private static final int SLICE = 20_000;
    private static final int LINUX_ENOSYS = 38;
    private static final int PUMA_TRAP_CODE = 0x50554D41;

    /** What one rank did: its exit status and what it wrote to stdout and stderr. */
    record RankResult(int status, String out) {
    }

    private final class Rank {
        final int rank;
        final boolean puma;
        final Hart hart;
        final FlatAddressSpace space;
        final ProcessPortals portals;
        final StringBuilder out = new StringBuilder();
        final int heapStart;
        final int heapLimit;
        int brk;
        int status = -1;
        int waitingFor = PortalsCalls.NO_WAIT;

        Rank(int rank, boolean puma, byte[] elf, List<String> argv, ProcessPortals portals) throws Exception {
            this.rank = rank;
            this.puma = puma;
            this.portals = portals;
            PhysicalMemory memory = new PhysicalMemory(regionBytes);
            space = new FlatAddressSpace(memory, REGION_BASE, regionBytes, 0);
            int stackTop = REGION_BASE + regionBytes;
            heapLimit = stackTop - STACK_BYTES;
            ElfImage image = ElfFile.parse(elf, 0x2000, Integer.toUnsignedLong(heapLimit));
            image.copyInto(space);
            UnifiedLibrary.writeOsFlag(image, space, puma ? UnifiedLibrary.OS_PUMA : UnifiedLibrary.OS_LINUX);
            long end = image.segments().stream().mapToLong(segment -> segment.end()).max().orElseThrow();
            heapStart = (int) ((end + PhysicalMemory.PAGE_MASK) & ~PhysicalMemory.PAGE_MASK);
            brk = heapStart;
            hart = new Hart(ExecutionMode.PROCESS, space);
            // The interpreter alone: every rank has memory of its own, so each would translate the
            // same code again, which costs these short jobs ten times what it saves.
            hart.setTranslationThreshold(Integer.MAX_VALUE);
            hart.setPc(image.entry());
            hart.setRegister(2, InitialStack.build(space, stackTop, STACK_BYTES, image.entry(), argv, Map.of(),
                    new Random(rank)));
        }

        boolean runnable() {
            return status < 0 && waitingFor == PortalsCalls.NO_WAIT;
        }
    }

    private final PortalsCalls calls = new PortalsCalls(new PortalsEngine());
    private final int regionBytes;
    private final List<Rank> ranks = new ArrayList<>();
    private final Map<ProcessId, Rank> byId = new HashMap<>();
    private final Deque<PortalsMessage> inFlight = new ArrayDeque<>();

    GuestJob(String program, int size, Os os, int regionBytes, String... args) throws Exception {
        this.regionBytes = regionBytes;
        byte[] elf = GuestFiles.elf(program);
        List<ProcessId> ids = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            ids.add(new ProcessId(10 + r, 1000 + r));
        }
        JobMap job = new JobMap(0, ids);
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(List.of(args));
        for (int r = 0; r < size; r++) {
            boolean puma = os == Os.PUMA || os == Os.MIXED && r % 2 == 1;
            ProcessPortals portals = new ProcessPortals(new Identity(ids.get(r), 500, 42), job.forRank(r));
            Rank rank = new Rank(r, puma, elf, argv, portals);
            ranks.add(rank);
            byId.put(ids.get(r), rank);
        }
    }

    /** Runs every rank to its exit; fails on deadlock or when {@code maxInstructions} in all are spent. */
    List<RankResult> run(long maxInstructions) {
        long spent = 0;
        while (ranks.stream().anyMatch(rank -> rank.status < 0)) {
            deliver();
            boolean ran = false;
            for (Rank rank : ranks) {
                if (rank.runnable()) {
                    ran = true;
                    long before = rank.hart.instret();
                    step(rank);
                    spent += rank.hart.instret() - before + 1;
                }
            }
            if (!ran && inFlight.isEmpty()) {
                throw new AssertionError("deadlock: " + describe());
            }
            if (spent > maxInstructions) {
                throw new AssertionError("still running after " + spent + " instructions: " + describe());
            }
        }
        return ranks.stream().map(rank -> new RankResult(rank.status, rank.out.toString())).toList();
    }

    private String describe() {
        StringBuilder text = new StringBuilder();
        for (Rank rank : ranks) {
            text.append(String.format("%n rank %d: status %d, waiting for 0x%08x, pc 0x%08x, out %s", rank.rank,
                    rank.status, rank.waitingFor, rank.hart.pc(), rank.out));
        }
        return text.toString();
    }

    private void deliver() {
        while (!inFlight.isEmpty()) {
            PortalsMessage message = inFlight.poll();
            Rank to = byId.get(message.destination());
            if (to == null) {
                continue; // no such process: dropped, as the network would
            }
            Outcome outcome = calls.engine().receive(to.space, to.portals.ni(), message);
            inFlight.addAll(outcome.send());
            wake(to, outcome.eventQueues());
        }
    }

    private static void wake(Rank rank, List<Integer> queues) {
        if (queues.contains(rank.waitingFor)) {
            rank.waitingFor = PortalsCalls.NO_WAIT;
        }
    }

    private void step(Rank rank) {
        Stop stop = rank.hart.run(SLICE);
        if (!(stop instanceof Stop.Trap trap)) {
            return;
        }
        if (trap.cause() != TrapCause.ECALL_FROM_U) {
            rank.out.append(String.format("[killed: %s]", trap));
            rank.status = 128 + 11;
            return;
        }
        int a7 = rank.hart.register(17);
        int pc = trap.pc();
        if (a7 == PUMA_TRAP_CODE) {
            pumaTrap(rank, pc);
        } else {
            linuxCall(rank, pc, a7);
        }
    }

    private void linuxCall(Rank rank, int pc, int number) {
        int[] a = new int[6];
        for (int i = 0; i < 6; i++) {
            a[i] = rank.hart.register(10 + i);
        }
        Integer result = call(rank, number, a[0], a[1], a[2]);
        if (result != null) {
            rank.hart.setRegister(10, result);
            rank.hart.setPc(pc + 4);
        }
    }

    private void pumaTrap(Rank rank, int pc) {
        AddressSpace space = rank.space;
        int trap = rank.hart.register(10);
        int number = space.load32(trap);
        int linux = switch (number) {
            case 1 -> 94;
            case 2 -> 64;
            case 3 -> 63;
            case 4 -> 214;
            case 5 -> 403;
            case PortalsCall.PUMA_TRAP_PORTALS -> PortalsCall.UK_SYS_PORTALS;
            default -> -1;
        };
        Integer result = call(rank, linux, space.load32(trap + 8), space.load32(trap + 12), space.load32(trap + 16));
        if (result != null) {
            space.store32(trap + 4, result);
            rank.hart.setRegister(10, result);
            rank.hart.setPc(pc + 4);
        }
    }

    /** Performs a call; null when the caller blocks (it will execute the same ecall again). */
    private Integer call(Rank rank, int number, int a0, int a1, int a2) {
        AddressSpace space = rank.space;
        try {
            switch (number) {
                case 64 -> { // write
                    if (a0 != 1 && a0 != 2) {
                        return -9;
                    }
                    rank.out.append(new String(space.read(a1, a2), StandardCharsets.UTF_8));
                    return a2;
                }
                case 63 -> {
                    return 0;
                }
                case 214 -> { // brk
                    if (Integer.compareUnsigned(a0, rank.heapStart) >= 0 && Integer.compareUnsigned(a0, rank.heapLimit) <= 0) {
                        rank.brk = a0;
                    }
                    return rank.brk;
                }
                case 403 -> { // clock_gettime64
                    UnifiedLibrary.writeTimespec(space, a1, System.nanoTime());
                    return 0;
                }
                case 93, 94 -> {
                    rank.status = a0 & 0xff;
                    return 0;
                }
                case PortalsCall.UK_SYS_PORTALS -> {
                    PortalsCalls.Result result = calls.perform(space, rank.portals, a0, a1);
                    inFlight.addAll(result.send());
                    wake(rank, result.wokenEventQueues());
                    if (result.blocks() && result.waitTimeout() != Ptl.PTL_TIME_FOREVER) {
                        return Ptl.PTL_OK; // no timed waits here: the library polls its queue and its clock
                    }
                    if (result.blocks()) {
                        rank.waitingFor = result.waitForEq();
                        return null;
                    }
                    return result.status();
                }
                default -> {
                    return -LINUX_ENOSYS;
                }
            }
        } catch (MemoryFault fault) {
            return -14; // EFAULT
        }
    }
}
