package io.uniform.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The schedule is a function of the seed and the duration alone, and keeps to its rules. */
class ChaosScheduleTest {
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        ChaosSchedule first = ChaosSchedule.plan(42, TEN_MINUTES);
        ChaosSchedule again = ChaosSchedule.plan(42, TEN_MINUTES);
        assertEquals(first, again);
        assertNotEquals(first.actions(), ChaosSchedule.plan(43, TEN_MINUTES).actions());
        assertEquals(IntStream.range(0, 100).map(i -> first.jobKind(i, 6)).boxed().toList(),
                IntStream.range(0, 100).map(i -> again.jobKind(i, 6)).boxed().toList());
        assertEquals(6, IntStream.range(0, 100).map(i -> first.jobKind(i, 6)).distinct().count(), "every kind comes up");
    }

    @Test
    void everyKindOfFaultComesUpInALongRunInTimeOrderWithinTheDuration() {
        List<ChaosSchedule.Timed> actions = ChaosSchedule.plan(7, TEN_MINUTES).actions();
        for (Class<?> kind : List.of(ChaosAction.KillMember.class, ChaosAction.KillOldest.class, ChaosAction.StartMember.class,
                ChaosAction.CrashNode.class, ChaosAction.PctFault.class, ChaosAction.Migrate.class, ChaosAction.Partition.class,
                ChaosAction.Heal.class)) {
            assertTrue(actions.stream().anyMatch(timed -> kind.isInstance(timed.action())), kind + " in " + actions);
        }
        for (int i = 1; i < actions.size(); i++) {
            assertTrue(actions.get(i - 1).at().compareTo(actions.get(i).at()) <= 0, "in time order at " + i);
        }
        assertTrue(actions.stream().allMatch(timed -> !timed.at().isNegative() && timed.at().compareTo(TEN_MINUTES) <= 0));
    }

    @Test
    void everyMemberRemovedIsReplacedAndNoneIsRemovedInTheLastHalfMinute() {
        for (long seed = 0; seed < 50; seed++) {
            List<ChaosSchedule.Timed> actions = ChaosSchedule.plan(seed, Duration.ofMinutes(3)).actions();
            int away = 0;
            for (ChaosSchedule.Timed timed : actions) {
                if (timed.action() instanceof ChaosAction.KillMember || timed.action() instanceof ChaosAction.KillOldest
                        || timed.action() instanceof ChaosAction.LeaveMember) {
                    assertTrue(timed.at().compareTo(Duration.ofSeconds(150)) <= 0, "seed " + seed + ": " + timed);
                    away++;
                } else if (timed.action() instanceof ChaosAction.StartMember) {
                    away--;
                }
                assertTrue(away == 0 || away == 1, "one member away at most, seed " + seed + ": " + actions);
            }
            assertEquals(0, away, "seed " + seed + ": every member removed is replaced: " + actions);
        }
    }

    @Test
    void aRunWithoutTimeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChaosSchedule.plan(1, Duration.ZERO));
    }

    @Test
    void everyPartitionIsHealedAfterItsHoldOneAtATimeAndNotInTheLastTwentySeconds() {
        int quick = 0;
        int held = 0;
        for (long seed = 0; seed < 50; seed++) {
            Duration duration = Duration.ofMinutes(seed % 2 == 0 ? 2 : 10);
            Duration healDue = null;
            for (ChaosSchedule.Timed timed : ChaosSchedule.plan(seed, duration).actions()) {
                if (timed.action() instanceof ChaosAction.Partition partition) {
                    assertEquals(null, healDue, "seed " + seed + ": one partition at a time: " + timed);
                    healDue = timed.at().plus(partition.hold());
                    assertTrue(healDue.compareTo(duration.minusSeconds(20)) <= 0, "seed " + seed + ": " + timed);
                    boolean decided = partition.hold().toMillis() >= HistoryChecker.DECISION_BOUND;
                    assertTrue(decided || partition.hold().compareTo(Duration.ofSeconds(4)) <= 0, "seed " + seed + ": " + timed);
                    quick += decided ? 0 : 1;
                    held += decided ? 1 : 0;
                } else if (timed.action() instanceof ChaosAction.Heal) {
                    assertEquals(healDue, timed.at(), "seed " + seed + ": a heal is due the hold after its partition");
                    healDue = null;
                }
            }
            assertEquals(null, healDue, "seed " + seed + ": every partition heals");
        }
        assertTrue(quick > 0 && held > 0, "both heals before and after the resolver's decision come up: " + quick + ", " + held);
    }

    @Test
    void everyRunsFirstPartitionComesEarlyAndHoldsPastTheResolversDecisionSoTheSuitesTwoMinuteRunDownsAMember() {
        for (long seed = 0; seed < 50; seed++) {
            ChaosSchedule schedule = ChaosSchedule.plan(seed, Duration.ofMinutes(2));
            ChaosSchedule.Timed first = schedule.actions().stream().filter(timed -> timed.action() instanceof ChaosAction.Partition)
                    .findFirst().orElseThrow();
            assertTrue(first.at().compareTo(Duration.ofSeconds(15)) <= 0, "seed " + seed + ": " + schedule);
            assertTrue(((ChaosAction.Partition) first.action()).hold().toMillis() >= HistoryChecker.DECISION_BOUND, "seed " + seed + ": " + schedule);
        }
    }
}
