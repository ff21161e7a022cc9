package io.uniform.puma.qk;

import io.uniform.process.UnifiedLibrary;
import io.uniform.process.image.Area;
import io.uniform.process.image.MigrationRefused;
import io.uniform.process.image.OpenFile;
import io.uniform.process.image.ProcessState;
import java.util.ArrayList;
import java.util.List;

/**
 * A process arriving by migration, as {@link Qk#admit} takes it: its frozen state, its job, rank
 * and job size, the region this node gives a process, and the image part of its areas. Made by
 * {@link #of}, which refuses a process that does not fit such a region.
 */
public record Arrival(ProcessState state, int jobId, int rank, int jobSize, int regionBytes, ImageLayout image) {
    /**
     * The arrival of {@code state} as rank {@code rank} of job {@code jobId} into a region of
     * {@code regionBytes} at {@link PumaAbi#REGION_BASE}. Puma's layout is image, heap, stack:
     * an area may span more than one of them, but every byte of it must lie in one.
     *
     * @throws MigrationRefused the process does not fit, and why
     * @throws IllegalArgumentException the state contradicts itself (a malformed state)
     */
    public static Arrival of(ProcessState state, int jobId, int rank, int jobSize, int regionBytes) throws MigrationRefused {
        if (jobSize < 1 || rank < 0 || rank >= jobSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in a job of " + jobSize);
        }
        if (regionBytes <= 0 || (regionBytes & 0xfff) != 0 || Integer.toUnsignedLong(PumaAbi.REGION_BASE) + regionBytes > PumaAbi.USER_LIMIT) {
            throw new IllegalArgumentException("a region is a positive page multiple inside Puma's user space: " + regionBytes);
        }
        if (state.os() != UnifiedLibrary.OS_PUMA && state.os() != UnifiedLibrary.OS_LINUX) {
            throw new IllegalArgumentException("a process frozen on an unknown OS: " + state.os());
        }
        if (!state.files().isEmpty()) {
            throw new MigrationRefused("it holds open files (descriptors " + state.files().stream().map(OpenFile::fd).toList()
                    + "), and a Puma kernel has none: a Puma process's files are yod's");
        }
        if (state.sleepNanos() > 0) {
            throw new MigrationRefused("it sleeps in clock_nanosleep, a call Puma lacks");
        }
        long regionEnd = Integer.toUnsignedLong(PumaAbi.REGION_BASE) + regionBytes;
        if (Integer.toUnsignedLong(state.stackTop()) != regionEnd) {
            throw new MigrationRefused(String.format("its stack ends at 0x%08x, not at the top of the region this node gives a "
                    + "process, [0x%08x, 0x%08x)", state.stackTop(), PumaAbi.IMAGE_LOW, regionEnd));
        }
        long heapStart = Integer.toUnsignedLong(state.heapStart());
        long programBreak = Integer.toUnsignedLong(state.programBreak());
        long stackBottom = Integer.toUnsignedLong(state.stackBottom());
        if (heapStart < PumaAbi.IMAGE_LOW) {
            throw new MigrationRefused(String.format("its heap starts at 0x%08x, below the region's image part (from 0x%08x)",
                    state.heapStart(), PumaAbi.IMAGE_LOW));
        }
        if (((state.heapStart() | state.stackBottom()) & 0xfff) != 0 || programBreak < heapStart || programBreak > stackBottom
                || stackBottom >= regionEnd) {
            throw new IllegalArgumentException(String.format("a malformed state: heap 0x%08x..0x%08x and stack 0x%08x..0x%08x "
                    + "are not page-aligned ranges one above the other", state.heapStart(), state.programBreak(), state.stackBottom(),
                    state.stackTop()));
        }
        long heapEnd = (programBreak + 0xfff) & ~0xfffL;
        List<Area> image = new ArrayList<>();
        long previousEnd = 0;
        for (Area area : state.areas()) {
            long start = Integer.toUnsignedLong(area.start());
            if (start < previousEnd) {
                throw new IllegalArgumentException(String.format("a malformed state: area 0x%08x is not above the one before it", area.start()));
            }
            previousEnd = area.end();
            if (start < PumaAbi.IMAGE_LOW || area.end() > regionEnd) {
                throw new MigrationRefused(String.format("its memory at [0x%08x, 0x%08x) is outside the region this node gives a "
                        + "process, [0x%08x, 0x%08x)", start, area.end(), PumaAbi.IMAGE_LOW, regionEnd));
            }
            if (start < heapStart) {
                image.add(new Area(area.start(), (int) (Math.min(area.end(), heapStart) - start), area.protection()));
            }
            long betweenStart = Math.max(start, heapEnd);
            long betweenEnd = Math.min(area.end(), stackBottom);
            if (betweenStart < betweenEnd) {
                throw new MigrationRefused(String.format("its memory at [0x%08x, 0x%08x) lies between its heap and its stack, "
                        + "where a Puma heap grows", betweenStart, betweenEnd));
            }
        }
        if (image.isEmpty()) {
            throw new MigrationRefused(String.format("it has no image below its heap (0x%08x)", state.heapStart()));
        }
        ImageLayout layout = new ImageLayout(image, state.osFlagAddress());
        layout.requireBelow(state.heapStart());
        return new Arrival(state, jobId, rank, jobSize, regionBytes, layout);
    }
}
