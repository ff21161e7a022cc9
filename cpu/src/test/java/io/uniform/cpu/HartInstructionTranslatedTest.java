package io.uniform.cpu;

/**
 * Every test of {@link HartInstructionTest} again, with the translator forced on: each jump
 * target (and the entry pc of a run) is translated to JVM bytecode on first entry. Tests that
 * run with budgets under the translator's minimum exercise the interpreter here too.
 */
class HartInstructionTranslatedTest extends HartInstructionTest {
    @Override
    int translationThreshold() {
        return 1;
    }
}
