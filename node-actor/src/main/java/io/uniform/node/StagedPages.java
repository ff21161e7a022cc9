package io.uniform.node;

import io.uniform.process.image.Area;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A landing for a kernel that cannot hold pages before it admits the process (Puma's QK boots
 * with it): pre-copied pages kept by address, copied into the kernel at admission.
 */
final class StagedPages implements Landing {
    private final Map<Integer, byte[]> staged = new HashMap<>();

    @Override
    public void page(int address, byte[] chunk, int offset) {
        staged.put(address, Arrays.copyOfRange(chunk, offset, offset + Area.PAGE_SIZE));
    }

    @Override
    public void zeros(int address) {
        staged.remove(address);
    }

    @Override
    public void admitted(Kernel kernel, List<Area> areas) {
        staged.forEach((address, bytes) -> {
            if (Landing.inAreas(areas, address)) {
                kernel.writePage(address, bytes, 0);
            }
        });
        staged.clear();
    }

    @Override
    public void release() {
        staged.clear();
    }
}
