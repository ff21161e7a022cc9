package io.uniform.puma.qk;

/** Makes a fresh PCT, for boot and for {@link Qk#reloadPct}. */
@FunctionalInterface
public interface PctFactory {
    Pct create();
}
