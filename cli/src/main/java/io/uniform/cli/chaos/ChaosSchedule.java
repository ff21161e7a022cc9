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
 *   <li>a node crash every 20-40 s, a PCT fault every 8-20 s, a migration every 4-10 s;
 *   <li>a partition from 5-15 s on (before the first churn, while all members are up), then
 *       30-90 s after the last one healed: one member cut off (or, one time in two, the smaller
 *       of two groups), healed after 30-40 s (after the split brain resolver has decided) or,
 *       one later partition in three, after 2-4 s (before it can); none that would heal in the
 *       last 20 s. Its stream is split from the seed after the others, so
 *       adding it left the other kinds' times as they were.
 * </ul>
 */
public record ChaosSchedule(long seed, Duration duration, List<Timed> actions) {
    /** An action and when it is due, counted from the start of the chaos. */
    public record Timed(Duration at, ChaosAction action) {}

    /** The PCT calls a fault is injected into: the ones the shipped parallel programs make while they run. */
    static final List<String> PCT_OPERATIONS = List.of("schedule", "write", "brk");

    private static final Duration CHURN_QUIET_END = Duration.ofSeconds(30);
    private static final Duration PARTITION_QUIET_END = Duration.ofSeconds(20);
    private static final long FIRST_PARTITION_LATEST = 15_000;

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
        SplittableRandom partitions = root.split();
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
        long partitionEnd = end - PARTITION_QUIET_END.toMillis();
        for (long at = between(partitions, 5, (int) (FIRST_PARTITION_LATEST / 1000)); ; ) {
            boolean split = partitions.nextBoolean();
            int pick = partitions.nextInt(1 << 16);
            boolean quick = partitions.nextInt(3) == 0 && at > FIRST_PARTITION_LATEST;
            long hold = quick ? between(partitions, 2, 4) : between(partitions, 30, 40);
            if (at + hold > partitionEnd) {
                break;
            }
            actions.add(new Timed(Duration.ofMillis(at), new ChaosAction.Partition(pick, split, Duration.ofMillis(hold))));
            actions.add(new Timed(Duration.ofMillis(at + hold), new ChaosAction.Heal()));
            at += hold + between(partitions, 30, 90);
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
