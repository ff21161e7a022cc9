package io.uniform.puma.qk;

import io.uniform.cpu.memory.FlatAddressSpace;
import io.uniform.process.image.Area;
import io.uniform.process.image.FrozenMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory of a frozen Puma process: the pages of its areas that it has written (a
 * demand-zero region knows which), read from its region as they are, but for one word: the
 * result of a Portals wait the freeze ended (see {@link Qk#freeze}), which the frozen state
 * shows as answered.
 */
final class FrozenRegion implements FrozenMemory {
    /** No word to patch. */
    static final int NO_RESULT = 0;

    private final FlatAddressSpace space;
    private final List<Area> areas;
    private final int resultAddress;
    private final int result;

    FrozenRegion(FlatAddressSpace space, List<Area> areas, int resultAddress, int result) {
        this.space = space;
        this.areas = List.copyOf(areas);
        this.resultAddress = resultAddress;
        this.result = result;
    }

    @Override
    public List<Integer> pages() {
        List<Integer> pages = new ArrayList<>();
        for (Area area : areas) {
            for (long page = Integer.toUnsignedLong(area.start()); page < area.end(); page += Area.PAGE_SIZE) {
                if (space.written((int) page)) {
                    pages.add((int) page);
                }
            }
        }
        return pages;
    }

    @Override
    public List<Integer> settledPages() {
        return resultAddress == NO_RESULT ? List.of() : List.of(resultAddress & -Area.PAGE_SIZE);
    }

    @Override
    public void read(int address, byte[] into, int offset) {
        if (offset < 0 || into.length - offset < Area.PAGE_SIZE || !Qk.inAreas(areas, address)) {
            throw new IllegalArgumentException(String.format("0x%08x is not a page of the frozen process's areas %s (or the buffer "
                    + "is not %d bytes)", address, areas, Area.PAGE_SIZE));
        }
        space.read(address, into, offset, Area.PAGE_SIZE);
        settle(address, 1, into, offset);
    }

    /** Pages of the frozen areas whose frames follow one another, in one copy, the settled word among them as {@link #read} shows it. */
    @Override
    public byte[] readRun(int address, int pages, int room) {
        for (int i = 0; i < pages; i++) {
            if (!Qk.inAreas(areas, address + i * Area.PAGE_SIZE)) {
                return null;
            }
        }
        byte[] run = space.readRun(address, pages, room);
        if (run != null) {
            settle(address, pages, run, room);
        }
        return run;
    }

    /** Writes the settled result word into {@code pages} pages from {@code address}, copied into {@code into} from {@code offset}, if it lies there. */
    private void settle(int address, int pages, byte[] into, int offset) {
        long at = Integer.toUnsignedLong(resultAddress) - Integer.toUnsignedLong(address);
        if (resultAddress != NO_RESULT && at >= 0 && at < (long) pages * Area.PAGE_SIZE) {
            for (int i = 0; i < 4; i++) {
                into[offset + (int) at + i] = (byte) (result >>> (8 * i));
            }
        }
    }
}
