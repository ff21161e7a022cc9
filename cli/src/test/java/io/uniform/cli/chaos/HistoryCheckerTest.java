package io.uniform.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.cli.chaos.ChaosHistory.Event;
import io.uniform.cli.chaos.ChaosHistory.JobEnded;
import io.uniform.cli.chaos.ChaosHistory.JobStarted;
import io.uniform.cli.chaos.ChaosHistory.JobSubmitted;
import io.uniform.cli.chaos.ChaosHistory.MemberAskedToLeave;
import io.uniform.cli.chaos.ChaosHistory.MemberExited;
import io.uniform.cli.chaos.ChaosHistory.MemberKilled;
import io.uniform.cli.chaos.ChaosHistory.MemberRemoved;
import io.uniform.cli.chaos.ChaosHistory.MemberStarted;
import io.uniform.cli.chaos.ChaosHistory.MemberUp;
import io.uniform.cli.chaos.ChaosHistory.MembersPartitioned;
import io.uniform.cli.chaos.ChaosHistory.PartitionHealed;
import io.uniform.cli.chaos.ChaosHistory.NodesAtEnd;
import io.uniform.cli.chaos.ChaosHistory.NodesMarkedDown;
import io.uniform.cli.chaos.ChaosHistory.RankEnd;
import io.uniform.cli.chaos.ChaosHistory.ReferenceRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each invariant of a chaos run, broken in a crafted history, is caught and named; a sound history passes. */
class HistoryCheckerTest {
    private static final String KIND = "alltoall 1000 x2 on compute";
    private static final List<String> OUTPUT = List.of("alltoall: 2 ranks, 1000 rounds, 4000 messages, ok\n", "");

    private static RankEnd exited(int rank, int status) {
        return new RankEnd(rank, 10 + rank, status, true, null, 0);
    }

    private static RankEnd killed(int rank, String report) {
        return new RankEnd(rank, 10 + rank, 137, false, report, 0);
    }

    /** A sound run: the reference, one job that completed, one killed by a fault, a member killed and replaced, all leaving at the end. */
    private static List<Event> soundRun() {
        List<Event> events = new ArrayList<>(List.of(
                new MemberStarted(0, "h:1"), new MemberStarted(1, "h:2"), new MemberUp(5, "h:1"), new MemberUp(6, "h:2"),
                new ReferenceRun(10, KIND, OUTPUT, 0, null),
                new JobSubmitted(20, 0, KIND), new JobStarted(21, 0, 7, List.of(10, 11)),
                new JobSubmitted(22, 1, KIND), new JobStarted(23, 1, 8, List.of(12, 13)),
                new MemberKilled(30, "h:2"),
                new JobEnded(31, 1, 8, null, List.of(killed(0, "rank 1 ended: node 13 was lost"), killed(1, "node 13 was lost")),
                        List.of("", "")),
                new MemberRemoved(40, "h:2"), new MemberStarted(41, "h:3"), new MemberUp(50, "h:3"),
                new JobEnded(60, 0, 7, null, List.of(exited(0, 0), exited(1, 0)), OUTPUT),
                new JobSubmitted(61, 2, KIND), new JobEnded(62, 2, 9, "no room", List.of(), List.of()),
                new NodesAtEnd(70, Map.of(), null),
                new MemberAskedToLeave(71, "h:3"), new MemberAskedToLeave(72, "h:1"),
                new MemberExited(80, "h:3", 0), new MemberExited(81, "h:1", 0)));
        return events;
    }

    private static HistoryChecker.Verdict check(List<Event> events) {
        return HistoryChecker.check(ChaosHistory.of(events));
    }

    /** Replaces the event {@code old} of the sound run with {@code replacements} and checks that exactly {@code violation} is reported. */
    private static void assertCaught(Event old, List<Event> replacements, String violation) {
        List<Event> events = soundRun();
        int at = events.indexOf(old);
        assertTrue(at >= 0, "the sound run has " + old);
        events.remove(at);
        events.addAll(at, replacements);
        HistoryChecker.Verdict verdict = check(events);
        assertEquals(1, verdict.violations().size(), verdict::toString);
        assertTrue(verdict.violations().get(0).contains(violation), verdict::toString);
    }

    private static final JobEnded COMPLETED = new JobEnded(60, 0, 7, null, List.of(exited(0, 0), exited(1, 0)), OUTPUT);

    @Test
    void aSoundRunPassesAndIsCounted() {
        HistoryChecker.Verdict verdict = check(soundRun());
        assertTrue(verdict.passed(), verdict::toString);
        assertEquals(1, verdict.counts().get("jobs completed"));
        assertEquals(1, verdict.counts().get("jobs failed"));
        assertEquals(1, verdict.counts().get("jobs refused"));
        assertEquals(1, verdict.counts().get("members killed"));
        assertEquals(10, verdict.counts().get("longest kill to removal (ms)"), "killed at 30 ms, removed at 40 ms");
        assertTrue(verdict.checks() >= 10, verdict::toString);
    }

    @Test
    void aCompletedJobWhoseOutputDiffersFromItsFailureFreeRunIsCaught() {
        assertCaught(COMPLETED, List.of(new JobEnded(60, 0, 7, null, List.of(exited(0, 0), exited(1, 0)),
                List.of("alltoall: 2 ranks, 1000 rounds, 3999 messages, ok\n", ""))), "job #0 (job 7, " + KIND + ") completed with status 0");
        assertCaught(COMPLETED, List.of(new JobEnded(60, 0, 7, null, List.of(exited(0, 0), exited(1, 3)), OUTPUT)),
                "completed with status 3");
    }

    @Test
    void aMessageLostDuplicatedOrReorderedInACompletedJobIsCaught() {
        for (String report : List.of("alltoall: rank 1: FAIL from rank 0: message 17 where 16 was next",
                "alltoall: rank 1: FAIL 999 messages from rank 0, expected 1000", "alltoall: rank 0: FAIL 2 messages dropped",
                "alltoall: rank 0: FAIL a PTL_EVENT_PUT_END event after the last message")) {
            assertCaught(COMPLETED, List.of(new JobEnded(60, 0, 7, null, List.of(exited(0, 0), exited(1, 1)), List.of(OUTPUT.get(0), report + "\n"))),
                    "lost, duplicated or reordered messages: [" + report + "]");
        }
    }

    @Test
    void aRestartedJobThatCompletedCountsAsCompleted() {
        List<Event> events = soundRun();
        events.add(events.indexOf(COMPLETED), new JobStarted(55, 0, 7, List.of(14, 15)));
        HistoryChecker.Verdict verdict = check(events);
        assertTrue(verdict.passed(), verdict::toString);
        assertEquals(1, verdict.counts().get("job restarts"));
        assertEquals(1, verdict.counts().get("jobs completed"));
    }

    @Test
    void aJobNeitherCompletedNorReportedFailedIsCaught() {
        assertCaught(COMPLETED, List.of(), "job #0 (" + KIND + ") neither completed nor was reported failed");
    }

    @Test
    void aNodeLeftAllocatedToAJobThatEndedIsCaughtAndAnUnknownStateToo() {
        NodesAtEnd none = new NodesAtEnd(70, Map.of(), null);
        assertCaught(none, List.of(new NodesAtEnd(70, Map.of(12, 8), null)), "node 12 is still allocated to job 8 at the end, which ended (job #1)");
        assertCaught(none, List.of(new NodesAtEnd(70, Map.of(3, 99), null)), "node 3 is still allocated to job 99 at the end, which no one ran");
        assertCaught(none, List.of(new NodesAtEnd(70, null, "no answer")), "could not be checked: no answer");
    }

    @Test
    void membersThatNeverLeftOrCameUpAsAskedAreCaught() {
        assertCaught(new MemberRemoved(40, "h:2"), List.of(), "member h:2, killed at 0.030 s, was never removed from the cluster");
        assertCaught(new MemberExited(80, "h:3", 0), List.of(new MemberExited(80, "h:3", 137)),
                "member h:3, asked to leave at 0.071 s, never left");
        assertCaught(new MemberUp(50, "h:3"), List.of(), "member h:3, started at 0.041 s, never came up");
    }

    @Test
    void aFailedFailureFreeRunIsCaught() {
        assertCaught(new ReferenceRun(10, KIND, OUTPUT, 0, null), List.of(new ReferenceRun(10, KIND, OUTPUT, 1, null)),
                "the failure-free run of " + KIND + " failed");
    }

    /** The sound run with h:3 cut off from h:1 and the client at 100 ms for {@code hold} ms, and what followed in {@code after}. */
    private static List<Event> partitioned(long hold, List<Event> after) {
        List<Event> events = soundRun();
        events.removeIf(e -> e.atMillis() >= 70); // the end comes after the partition
        events.add(new MembersPartitioned(100, List.of("h:3"), List.of("client", "h:1")));
        events.addAll(after);
        events.add(new PartitionHealed(100 + hold, List.of("h:3")));
        events.add(new NodesAtEnd(200_000, Map.of(), null));
        events.add(new MemberAskedToLeave(200_001, "h:1"));
        events.add(new MemberExited(200_002, "h:1", 0));
        return events;
    }

    private static final long LONG_HOLD = HistoryChecker.DECISION_BOUND + 5_000;

    @Test
    void aMemberCutOffForLongIsRemovedAndExitsAndAShortCutLeavesItAMember() {
        HistoryChecker.Verdict downed = check(partitioned(LONG_HOLD, List.of(new NodesMarkedDown(9_000, "h:3", 4), new MemberRemoved(15_000, "h:3"), new MemberExited(15_100, "h:3", 255))));
        assertTrue(downed.passed(), downed::toString);
        assertEquals(1, downed.counts().get("partitions"));
        assertEquals(1, downed.counts().get("members downed by a partition"));
        List<Event> healed = partitioned(3_000, List.of());
        healed.addAll(healed.size() - 2, List.of(new MemberAskedToLeave(200_000, "h:3"), new MemberExited(200_001, "h:3", 0)));
        HistoryChecker.Verdict stayed = check(healed);
        assertTrue(stayed.passed(), stayed::toString);
        assertEquals(1, stayed.counts().get("partitions healed before a decision"));
        List<Event> killedLater = partitioned(3_000, List.of());
        killedLater.addAll(killedLater.size() - 3, List.of(new MemberKilled(150_000, "h:3"), new MemberRemoved(165_000, "h:3"),
                new MemberExited(150_001, "h:3", 137)));
        HistoryChecker.Verdict later = check(killedLater);
        assertTrue(later.passed(), later::toString);
        assertEquals(1, later.counts().get("partitions healed before a decision"), "the removal was the kill's, not the partition's");
    }

    @Test
    void aMemberCutOffForLongAndNeverRemovedOrNeverExitingOrNeverShownDownIsCaught() {
        HistoryChecker.Verdict kept = check(partitioned(LONG_HOLD, List.of()));
        assertEquals(1, kept.violations().size(), kept::toString);
        assertTrue(kept.violations().get(0).contains("member h:3, cut off at 0.100 s for 30.000 s, was never removed"), kept::toString);
        HistoryChecker.Verdict stuck = check(partitioned(LONG_HOLD, List.of(new NodesMarkedDown(9_000, "h:3", 4), new MemberRemoved(15_000, "h:3"))));
        assertEquals(1, stuck.violations().size(), stuck::toString);
        assertTrue(stuck.violations().get(0).contains("member h:3, cut off at 0.100 s and removed, never exited"), stuck::toString);
        HistoryChecker.Verdict unseen = check(partitioned(LONG_HOLD, List.of(new MemberRemoved(15_000, "h:3"), new MemberExited(15_100, "h:3", 255))));
        assertEquals(1, unseen.violations().size(), unseen::toString);
        assertTrue(unseen.violations().get(0).contains("member h:3, cut off at 0.100 s and removed, was never seen with its nodes down"),
                unseen::toString);
    }

    @Test
    void aMemberOfTheOldestsSideRemovedByThePartitionIsCaughtButNotOneKilled() {
        List<Event> lost = partitioned(LONG_HOLD, List.of(new NodesMarkedDown(9_000, "h:3", 4), new MemberRemoved(15_000, "h:3"), new MemberExited(15_100, "h:3", 255),
                new MemberRemoved(16_000, "h:1")));
        HistoryChecker.Verdict verdict = check(lost);
        assertTrue(verdict.violations().stream().anyMatch(v -> v.contains("member h:1, on the oldest's side of the partition at 0.100 s, "
                + "was removed at 16.000 s")), verdict::toString);
        List<Event> killed = partitioned(LONG_HOLD, List.of(new NodesMarkedDown(9_000, "h:3", 4), new MemberRemoved(15_000, "h:3"), new MemberExited(15_100, "h:3", 255),
                new MemberKilled(15_500, "h:1"), new MemberRemoved(16_000, "h:1")));
        assertTrue(check(killed).violations().stream().noneMatch(v -> v.contains("oldest's side")), () -> check(killed).toString());
    }
}
