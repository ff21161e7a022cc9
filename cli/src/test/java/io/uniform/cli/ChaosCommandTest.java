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
 * (seed 6 cuts a member off at its proxy at 15 s for 31 s, while the first jobs run, kills a
 * member with SIGKILL at 25 s (taken once the partition heals), starts one at 47 s, has one leave
 * at 87 s and starts another at 105 s, besides node crashes, PCT faults and moves) keeps every
 * invariant, the partitioned member among them: the machine shows its nodes down, the split
 * brain resolver removes it, its JVM exits, and every job it ran a rank of ends (reported
 * failed); bad input is a usage error.
 */
@Isolated
class ChaosCommandTest {
    private static final Pattern COMPLETED = Pattern.compile("jobs completed=(\\d+)");
    private static final Pattern DOWNED = Pattern.compile("members downed by a partition=(\\d+)");

    /** The members' logs stay after a failure, to be read. */
    private static final Path LOGS = Path.of("target", "chaos-command-test");

    @Test
    void aTwoMinuteSeededRunOnThreeMembersKeepsEveryInvariant() {
        CommandRun run = uniform("chaos", "--seed", "6", "--duration", "2m", "--members", "3", "--settle", "2m", "--logs", LOGS.toString());
        // Every action with its time, in the build's output: where a slow run spent its time.
        System.out.println(run.out());
        assertEquals(0, run.status(), run::toString);
        String out = run.out();
        assertTrue(out.contains("killed with SIGKILL"), out);
        assertTrue(out.contains("asked to leave"), out);
        assertTrue(out.contains(" crashed ("), out);
        assertTrue(out.contains("] cut off from ["), out);
        assertTrue(out.matches("(?s).*the machine shows the \\d+ nodes of member \\S+ down.*"), out);
        Matcher downed = DOWNED.matcher(out);
        assertTrue(downed.find() && Integer.parseInt(downed.group(1)) > 0, out);
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
        CommandRun remote = uniform("chaos", "--seed", "1", "--duration", "2m", "--hostname", "192.0.2.1");
        assertEquals(2, remote.status(), remote::toString);
        assertTrue(remote.err().contains("a loopback address"), remote::toString);
        assertTrue(members.err().contains("uniform: chaos: --members must be from 3 to 5, not 6"), members::toString);
    }
}
