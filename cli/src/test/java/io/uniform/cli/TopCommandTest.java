package io.uniform.cli;

import static io.uniform.cli.CommandRun.guest;
import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** {@code uniform top}: screens of the machine while its job runs, instead of the job's output. */
@Isolated
class TopCommandTest {
    private static long screens(CommandRun run) {
        return run.out().lines().filter(line -> line.startsWith("uniform top: 1 member, ")).count();
    }

    @Test
    void topEndsWithTheJobAndItsStatus() {
        CommandRun run = uniform("top", "--interval", "0.2", "-sz", "3", guest("elf/mpp/token_ring.elf"), "20");
        assertEquals(0, run.status(), run::toString);
        assertTrue(screens(run) >= 1, run::toString);
        assertTrue(run.out().contains("NODES BY STATE"), run::toString);
        assertFalse(run.out().contains("token_ring: 3 ranks"), "the screen shows the machine, not the job's output: " + run);
    }

    @Test
    void onceDrawsOneScreenAndKillsTheJob() {
        CommandRun run = uniform("top", "--once", "--interval", "0.2", "-sz", "2", guest("elf/mpp/token_ring.elf"), "100000000");
        assertEquals(1, screens(run), run::toString);
        assertEquals(128 + 9, run.status(), run::toString);
        assertTrue(run.err().contains("top has drawn its screens"), run::toString);
    }

    @Test
    void aBadIntervalIsAUsageError() {
        CommandRun run = uniform("top", "--interval", "0", guest("elf/tests/hello.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("--interval must be from 0.01 to 3600 seconds, not 0.0"), run::toString);
    }

    @Test
    void aClusterIsRefusedBeforeAnyJoin() {
        // An address nobody listens at: a join would take the join timeout and fail otherwise.
        CommandRun run = uniform("top", "--cluster", "127.0.0.1:1", guest("elf/tests/hello.elf"));
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().contains("top shows a machine embedded in this JVM; it cannot show a cluster yet"), run::toString);
    }
}
