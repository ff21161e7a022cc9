package io.uniform.cpu.memory;

/**
 * The pre-decoded instructions of one physical page: two ints per instruction slot
 * ({@code [op | rd << 8 | rs1 << 16 | rs2 << 24, immediate]}), filled by the hart's decoder,
 * plus how often each slot was entered by a jump and the translations made for hot slots.
 * A store into the page, or FENCE.I, invalidates it, translations included; the hart then
 * decodes the page again.
 */
public final class DecodedPage {
    public static final int SLOTS = PhysicalMemory.PAGE_SIZE / 4;

    /** Op value of a slot that has not been decoded yet: slots are decoded on first execution. */
    public static final int UNDECODED = 0xff;

    private final int frame;
    private final int[] code = new int[SLOTS * 2];
    private boolean valid = true;
    private int[] heat;
    private Object[] translations;

    DecodedPage(int frame) {
        this.frame = frame;
        for (int slot = 0; slot < SLOTS; slot++) {
            code[slot << 1] = UNDECODED;
        }
    }

    /** The physical offset of the page. */
    public int frame() {
        return frame;
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

    /** Counts one more jump into {@code slot}; returns the new count (saturating). */
    public int warm(int slot) {
        if (heat == null) {
            heat = new int[SLOTS];
        }
        if (heat[slot] < Integer.MAX_VALUE) {
            heat[slot]++;
        }
        return heat[slot];
    }

    /**
     * The translation entered at {@code slot}, or null. Typed Object because translations are
     * the hart's business; this package sits below it.
     */
    public Object translation(int slot) {
        return translations == null ? null : translations[slot];
    }

    public void setTranslation(int slot, Object translation) {
        if (translations == null) {
            translations = new Object[SLOTS];
        }
        translations[slot] = translation;
    }

    /** Whether any slot of this page has a translation. */
    public boolean hasTranslations() {
        return translations != null;
    }
}
