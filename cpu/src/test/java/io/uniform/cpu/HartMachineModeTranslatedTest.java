package io.uniform.cpu;

/**
 * Every test of {@link HartMachineModeTest} again, with the translator forced on: each jump
 * target (and the entry pc of a run) is translated to JVM bytecode on first entry.
 */
class HartMachineModeTranslatedTest extends HartMachineModeTest {
    @Override
    int translationThreshold() {
        return 1;
    }
}
