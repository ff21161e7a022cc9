package io.uniform.cli;

import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code bench-cluster}'s bad input is refused before any member JVM starts. */
class ClusterBenchCommandTest {
    @Test
    void noMembersIsAUsageError() {
        CommandRun run = uniform("bench-cluster", "--members", "0");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--members, --runs, --size and --forming-timeout must be at least 1"), run::toString);
    }

    @Test
    void anUnknownMachineIsAUsageError() {
        CommandRun run = uniform("bench-cluster", "--machine", "no-such-machine");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().startsWith("uniform: bench-cluster: "), run::toString);
        assertEquals("", run.out(), run::toString);
    }
}
