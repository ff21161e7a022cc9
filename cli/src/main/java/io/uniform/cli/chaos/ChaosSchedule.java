package io.uniform.cli.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a chaos run does and when: a pure function of the seed and the duration (and nothing
 * else), so that a run can be repeated. Each kind of fault is drawn from a random stream of its
 * own, split from the seed in a fixed order, at its own pace:
 *
 * <ul>
 *   <li>member churn: from 20-35 s on, a member is killed with SIGKILL (seven times in ten) or
 *       one other than the oldest asked to leave, and a new member is started 15-25 s later, then
 *       25-50 s pass; no churn starts in the last 30 s, so that its end can be seen. A kill
 *       whose drawn number has its top two bits clear (one in four) kills the oldest member, the
 *       machine's; the others kill another;
 *   <li>a node crash every 20-40 s, a PCT fault every 8-20 s, a migration every 4-10 s.
 * </ul>
 */
public record ChaosSchedule(long seed, Duration duration, List<Timed> actions) {
    /** An action and when it is due, counted from the start of the chaos. */
    public record Timed(Duration at, ChaosAction action) {}

    /** The PCT calls a fault is injected into: the ones the shipped parallel programs make while they run. */
    static final List<String> PCT_OPERATIONS = List.of("schedule", "write", "brk");

    private static final Duration CHURN_QUIET_END = Duration.ofSeconds(30);

    public ChaosSchedule {
        actions = List.copyOf(actions);
    }

    /** The schedule of a run of {@code duration} with {@code seed}. */
    public static ChaosSchedule plan(long seed, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a chaos run lasts some time, not " + duration);
        }
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom churn = root.split();
        SplittableRandom crashes = root.split();
        SplittableRandom faults = root.split();
        SplittableRandom moves = root.split();
        long end = duration.toMillis();
        List<Timed> actions = new ArrayList<>();

        long churnEnd = end - CHURN_QUIET_END.toMillis();
        for (long at = between(churn, 20, 35); at <= churnEnd; ) {
            boolean kill = churn.nextInt(10) < 7;
            int pick = churn.nextInt(1 << 16);
            ChaosAction removal = !kill ? new ChaosAction.LeaveMember(pick)
                    : pick >>> 14 == 0 ? new ChaosAction.KillOldest() : new ChaosAction.KillMember(pick);
            actions.add(new Timed(Duration.ofMillis(at), removal));
            long restart = at + between(churn, 15, 25);
            if (restart <= end) {
                actions.add(new Timed(Duration.ofMillis(restart), new ChaosAction.StartMember()));
            }
            at = restart + between(churn, 25, 50);
        }
        for (long at = between(crashes, 20, 40); at <= end; at += between(crashes, 20, 40)) {
            actions.add(new Timed(Duration.ofMillis(at), new ChaosAction.CrashNode(crashes.nextInt(1 << 16))));
        }
        for (long at = between(faults, 8, 20); at <= end; at += between(faults, 8, 20)) {
            actions.add(new Timed(Duration.ofMillis(at),
                    new ChaosAction.PctFault(faults.nextInt(1 << 16), PCT_OPERATIONS.get(faults.nextInt(PCT_OPERATIONS.size())))));
        }
        for (long at = between(moves, 4, 10); at <= end; at += between(moves, 4, 10)) {
            actions.add(new Timed(Duration.ofMillis(at), new ChaosAction.Migrate(moves.nextInt(1 << 16), moves.nextBoolean())));
        }
        actions.sort(Comparator.comparing(Timed::at)); // stable: equal times keep the streams' order
        return new ChaosSchedule(seed, duration, actions);
    }

    /** Which of {@code kinds} job kinds the run's job number {@code sequence} is: also a function of the seed alone. */
    public int jobKind(int sequence, int kinds) {
        return new SplittableRandom(seed ^ (sequence * 0x9E3779B97F4A7C15L)).nextInt(kinds);
    }

    /** A random time from {@code low} to {@code high} seconds, in milliseconds. */
    private static long between(SplittableRandom random, int low, int high) {
        return random.nextLong(low * 1000L, high * 1000L + 1);
    }
}
