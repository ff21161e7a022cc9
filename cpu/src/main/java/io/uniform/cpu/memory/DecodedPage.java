package io.uniform.cpu.memory;

/**
 * The pre-decoded instructions of one physical page: two ints per instruction slot
 * ({@code [op | rd << 8 | rs1 << 16 | rs2 << 24, immediate]}), filled by the hart's decoder.
 * A store into the page, or FENCE.I, invalidates it; the hart then decodes the page again.
 */
public final class DecodedPage {
    public static final int SLOTS = PhysicalMemory.PAGE_SIZE / 4;

    /** Op value of a slot that has not been decoded yet: slots are decoded on first execution. */
    public static final int UNDECODED = 0xff;

    private final int[] code = new int[SLOTS * 2];
    private boolean valid = true;

    DecodedPage() {
        for (int slot = 0; slot < SLOTS; slot++) {
            code[slot << 1] = UNDECODED;
        }
    }

    public int[] code() {
        return code;
    }

    public boolean isValid() {
        return valid;
    }

    void invalidate() {
        valid = false;
    }
}
