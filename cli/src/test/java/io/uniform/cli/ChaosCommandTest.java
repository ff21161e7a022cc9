package io.uniform.cli;

import static io.uniform.cli.CommandRun.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@code uniform chaos} as an operator runs it: a short seeded run on three real member JVMs
 * (seed 6 kills a member with SIGKILL at 25 s, starts one at 47 s, has one leave at 87 s and
 * starts another at 105 s, besides node crashes, PCT faults and moves) keeps every invariant,
 * and bad input is a usage error.
 */
@Isolated
class ChaosCommandTest {
    private static final Pattern COMPLETED = Pattern.compile("jobs completed=(\\d+)");

    /** The members' logs stay after a failure, to be read. */
    private static final Path LOGS = Path.of("target", "chaos-command-test");

    @Test
    void aTwoMinuteSeededRunOnThreeMembersKeepsEveryInvariant() {
        CommandRun run = uniform("chaos", "--seed", "6", "--duration", "2m", "--members", "3", "--settle", "2m", "--logs", LOGS.toString());
        assertEquals(0, run.status(), run::toString);
        String out = run.out();
        assertTrue(out.contains("killed with SIGKILL"), out);
        assertTrue(out.contains("asked to leave"), out);
        assertTrue(out.contains(" crashed ("), out);
        assertTrue(out.matches("(?s).*checks of the invariants hold.*"), out);
        Matcher completed = COMPLETED.matcher(out);
        assertTrue(completed.find() && Integer.parseInt(completed.group(1)) > 0, out);
    }

    @Test
    void badInputIsAUsageError() {
        for (String[] arguments : new String[][] {{"chaos", "--duration", "2m"}, {"chaos", "--seed", "1", "--duration", "soon"},
                {"chaos", "--seed", "1", "--duration", "2m", "--members", "2"}, {"chaos", "--seed", "1", "--duration", "0s"},
                {"chaos", "--seed", "1", "--duration", "2m", "no-such-preset"}}) {
            CommandRun run = uniform(arguments);
            assertEquals(2, run.status(), () -> String.join(" ", arguments) + "\n" + run);
        }
        CommandRun members = uniform("chaos", "--seed", "1", "--duration", "2m", "--members", "6");
        assertTrue(members.err().contains("uniform: chaos: --members must be from 3 to 5, not 6"), members::toString);
    }
}
