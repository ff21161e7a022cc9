package io.uniform.linux.memory;

import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.process.Errno;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The frames of one node: its {@link PhysicalMemory}, an allocator of 4 KiB frames with
 * reference counts (a frame shared copy-on-write by several address spaces is freed with its
 * last reference), and the node's commit account.
 *
 * <p>The account is Linux's strict overcommit (vm.overcommit_memory = 2) with no swap and a
 * ratio of 100%: every page an address space maps is charged when it is mapped, whether or not
 * it is ever touched, so the sum of all charges never exceeds the node's capacity. Running out
 * is therefore an ENOMEM from {@link #commit}, at map or fork time; a later fault on a mapped
 * page always finds a frame.
 *
 * <p>The physical memory grows with the account, geometrically and at most to the capacity, so
 * a JVM hosting many nodes holds about what their processes have committed. Frames are handed
 * out lowest first, and frames in use never exceed committed pages, which never exceed the pages
 * the array holds: every frame lies inside the array, and the array grows only in
 * {@link #commit}, never while a hart runs.
 *
 * <p>Frames are named by their physical offset, as {@link io.uniform.cpu.memory.AddressSpace#translate}
 * returns them. Not thread-safe: a node's kernel uses it from one thread.
 */
public final class NodeMemory {
    /** The largest node: frames are addressed by an int offset, and this keeps them far from its sign. */
    public static final int MAX_CAPACITY = 1 << 30;

    private static final int PAGE_SIZE = PhysicalMemory.PAGE_SIZE;
    private static final int PAGE_SHIFT = PhysicalMemory.PAGE_SHIFT;

    private final PhysicalMemory physical;
    private final BitSet inUse = new BitSet();
    private int[] references = new int[0];
    private int lowestPossiblyFree;
    /** Frames from this index up were never handed out: still zero from the array's growth, no decoded code. */
    private int neverUsedFrom;
    private int framesInUse;
    private long committed;
    private long resolvedFaults;

    /** @param capacityBytes a positive multiple of 4 KiB, at most {@link #MAX_CAPACITY} */
    public NodeMemory(int capacityBytes) {
        if (capacityBytes <= 0 || capacityBytes > MAX_CAPACITY || (capacityBytes & PhysicalMemory.PAGE_MASK) != 0) {
            throw new IllegalArgumentException("node memory must be a positive multiple of 4 KiB up to 1 GiB: " + capacityBytes);
        }
        this.physical = PhysicalMemory.growable(capacityBytes);
    }

    /** Always the same object; its array grows inside it. */
    public PhysicalMemory physical() {
        return physical;
    }

    public int capacityBytes() {
        return physical.capacity();
    }

    /** Bytes promised to mappings (and whatever else the kernel charged). */
    public long committedBytes() {
        return committed;
    }

    /** Page faults the address spaces on this memory resolved by themselves: demand-zero fills and copy-on-write copies. */
    public long resolvedFaults() {
        return resolvedFaults;
    }

    /** An address space resolves a page fault (its slow path; never on a hit). */
    void faultResolved() {
        resolvedFaults++;
    }

    public int framesInUse() {
        return framesInUse;
    }

    /**
     * Charges {@code bytes} to the node, growing the physical memory to hold them.
     *
     * @throws MappingException ENOMEM if the charge does not fit in the capacity (or the JVM cannot
     *                          hold the memory); nothing is charged then
     */
    public void commit(long bytes) throws MappingException {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative commit " + bytes);
        }
        if (bytes > capacityBytes() - committed) {
            throw new MappingException(Errno.ENOMEM, String.format(
                    "cannot commit %d bytes: %d of the node's %d are committed", bytes, committed, capacityBytes()));
        }
        growToHold(committed + bytes);
        committed += bytes;
    }

    /**
     * Grows the physical memory to hold {@code bytes} (at most the capacity) without charging
     * them: a migration's destination makes room for the arriving process before it freezes.
     *
     * @throws MappingException ENOMEM if the JVM heap cannot hold the memory
     */
    public void prepare(long bytes) throws MappingException {
        growToHold(Math.min(bytes, capacityBytes()));
    }

    /** Returns {@code bytes} of an earlier {@link #commit}. */
    public void uncommit(long bytes) {
        if (bytes < 0 || bytes > committed) {
            throw new IllegalArgumentException(String.format("cannot uncommit %d bytes: %d are committed", bytes, committed));
        }
        committed -= bytes;
    }

    private void growToHold(long bytes) throws MappingException {
        long needed = (bytes + PhysicalMemory.PAGE_MASK) & ~(long) PhysicalMemory.PAGE_MASK;
        int size = physical.size();
        if (needed <= size) {
            return;
        }
        int grown = (int) Math.min(capacityBytes(), Math.max(needed, 2L * size));
        try {
            // References first: if the larger array then fails, a longer table is harmless.
            references = Arrays.copyOf(references, grown >>> PAGE_SHIFT);
            physical.growTo(grown);
        } catch (OutOfMemoryError e) {
            throw new MappingException(Errno.ENOMEM, String.format(
                    "the JVM heap cannot hold %d MiB of node memory (raise -Xmx)", grown >> 20));
        }
    }

    /** A new frame full of zeroes, with one reference. Only for a page already committed. */
    int allocateFrame() {
        int index = lowestFree();
        if (index < neverUsedFrom) { // it held another page
            physical.zero(index << PAGE_SHIFT, PAGE_SIZE);
        }
        return claim(index);
    }

    /** A new frame holding a copy of {@code frame}, with one reference. Only for a page already committed. */
    int copyFrame(int frame) {
        int copy = claim(lowestFree());
        physical.copyPage(frame, copy);
        return copy;
    }

    private int lowestFree() {
        int index = inUse.nextClearBit(lowestPossiblyFree);
        if (index >= physical.size() >>> PAGE_SHIFT) {
            throw new IllegalStateException("no frame for a committed page: the commit account is wrong");
        }
        return index;
    }

    private int claim(int index) {
        inUse.set(index);
        references[index] = 1;
        lowestPossiblyFree = index + 1;
        neverUsedFrom = Math.max(neverUsedFrom, index + 1);
        framesInUse++;
        return index << PAGE_SHIFT;
    }

    /** One more reference to {@code frame}, from a page that shares it copy-on-write. */
    void retain(int frame) {
        references[indexInUse(frame)]++;
    }

    /** Drops one reference; the last one frees the frame and the decoded code kept for it. */
    void release(int frame) {
        int index = indexInUse(frame);
        if (--references[index] == 0) {
            inUse.clear(index);
            framesInUse--;
            lowestPossiblyFree = Math.min(lowestPossiblyFree, index);
            physical.invalidateCode(frame);
        }
    }

    /** How many pages refer to {@code frame}; 0 if it is free. */
    int references(int frame) {
        return references[frame >>> PAGE_SHIFT];
    }

    private int indexInUse(int frame) {
        int index = frame >>> PAGE_SHIFT;
        if ((frame & PhysicalMemory.PAGE_MASK) != 0 || !inUse.get(index)) {
            throw new IllegalStateException("not a frame in use: 0x" + Integer.toHexString(frame));
        }
        return index;
    }
}
