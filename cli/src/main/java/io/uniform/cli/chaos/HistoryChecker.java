package io.uniform.cli.chaos;

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
import io.uniform.cli.chaos.ChaosHistory.MigrationEnded;
import io.uniform.cli.chaos.ChaosHistory.NodesAtEnd;
import io.uniform.cli.chaos.ChaosHistory.ReferenceRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Judges a chaos run from its history alone. The invariants:
 *
 * <ol>
 *   <li>every job kind's failure-free run succeeded (else there is nothing to compare with);
 *   <li>a completed job (every rank exited by itself, however often it was restarted) printed,
 *       rank by rank, what its kind's failure-free run printed, and ended with its status;
 *   <li>no message was lost, duplicated or reordered within a completed job: the sequenced
 *       all-to-all's receivers report it ("message N where M was next", "N messages from rank",
 *       "dropped", "after the last message");
 *   <li>every submitted job completed or was reported failed;
 *   <li>at the end no node is allocated to a job that has ended (or that no one ran);
 *   <li>every member killed was removed from the cluster, every member asked to leave exited with
 *       status 0, every member started came up;
 *   <li>a partition held for {@link #DECISION_BOUND} or longer had the split brain resolver remove
 *       every member cut off; every member cut off that the partition removed (by 30 s after the
 *       heal, not killed or asked to leave first) exited, and the machine was seen showing its
 *       nodes down (or hosting none on it); no member on the
 *       oldest's side was removed while the partition held or soon after its heal (unless killed
 *       or asked to leave). A member cut off for less and not removed went on as a member (it
 *       leaves at the end like any).
 * </ol>
 *
 * A job whose rank was killed or lost is reported failed, which breaks nothing: the faults are
 * the run's own.
 */
public final class HistoryChecker {
    /** What the sequenced all-to-all prints when a receiver sees a gap, a repeat, a reordering, a drop or an extra message. */
    private static final Pattern SEQUENCE_BROKEN = Pattern.compile(
            "FAIL .*(where \\d+ was next|messages from rank|messages dropped|event after the last message)");

    /** The verdict: every broken invariant (empty when all hold), how many checks were made, and what the run did. */
    public record Verdict(List<String> violations, int checks, Map<String, Integer> counts) {
        public Verdict {
            violations = List.copyOf(violations);
            counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        }

        public boolean passed() {
            return violations.isEmpty();
        }
    }

    /** The longest the resolver may take to remove the members cut off by a partition (its decision needs about 15 s). */
    static final long DECISION_BOUND = 25_000;
    /** How long after a heal a member of the surviving side must still not be removed for the partition's sake. */
    private static final long AFTER_HEAL = 30_000;

    private final List<String> violations = new ArrayList<>();
    private int checks;

    private HistoryChecker() {}

    public static Verdict check(ChaosHistory history) {
        return new HistoryChecker().run(history.events());
    }

    private Verdict run(List<Event> events) {
        Map<String, ReferenceRun> references = new HashMap<>();
        Map<Integer, JobSubmitted> submitted = new TreeMap<>();
        Map<Integer, JobEnded> ended = new HashMap<>();
        Map<Integer, Integer> starts = new HashMap<>();
        Set<Integer> startedJobs = new HashSet<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String count : List.of("jobs submitted", "jobs completed", "jobs failed", "jobs refused", "job restarts", "members killed",
                "members asked to leave", "members started", "partitions", "members downed by a partition",
                "partitions healed before a decision", "nodes crashed", "PCT faults", "migrations asked", "migrations made")) {
            counts.put(count, 0);
        }
        for (Event event : events) {
            if (event instanceof ReferenceRun reference) {
                references.put(reference.kind(), reference);
                expect(reference.error() == null && reference.status() == 0,
                        () -> "the failure-free run of " + reference.kind() + " failed: "
                                + (reference.error() != null ? reference.error() : "status " + reference.status() + ", stdout " + reference.stdout()));
            } else if (event instanceof JobSubmitted job) {
                submitted.put(job.sequence(), job);
                counts.merge("jobs submitted", 1, Integer::sum);
            } else if (event instanceof JobStarted job) {
                startedJobs.add(job.jobId());
                if (starts.merge(job.sequence(), 1, Integer::sum) > 1) {
                    counts.merge("job restarts", 1, Integer::sum);
                }
            } else if (event instanceof JobEnded job) {
                ended.put(job.sequence(), job);
                counts.merge(job.error() != null ? "jobs refused" : job.completed() ? "jobs completed" : "jobs failed", 1, Integer::sum);
            } else if (event instanceof ChaosHistory.MemberKilled) {
                counts.merge("members killed", 1, Integer::sum);
            } else if (event instanceof MemberAskedToLeave) {
                counts.merge("members asked to leave", 1, Integer::sum);
            } else if (event instanceof MemberStarted) {
                counts.merge("members started", 1, Integer::sum);
            } else if (event instanceof ChaosHistory.NodeCrashed) {
                counts.merge("nodes crashed", 1, Integer::sum);
            } else if (event instanceof ChaosHistory.PctFaultInjected) {
                counts.merge("PCT faults", 1, Integer::sum);
            } else if (event instanceof ChaosHistory.MigrationAsked) {
                counts.merge("migrations asked", 1, Integer::sum);
            } else if (event instanceof MigrationEnded move && move.moved()) {
                counts.merge("migrations made", 1, Integer::sum);
            }
        }
        submitted.forEach((sequence, job) -> {
            JobEnded end = ended.get(sequence);
            expect(end != null, () -> "job #" + sequence + " (" + job.kind() + ") neither completed nor was reported failed");
            if (end != null && end.completed()) {
                checkCompleted(job, end, references.get(job.kind()));
            }
        });
        checkNodesAtEnd(events, ended, startedJobs);
        checkMembers(events, counts);
        checkPartitions(events, counts);
        return new Verdict(violations, checks, counts);
    }

    private void checkCompleted(JobSubmitted job, JobEnded end, ReferenceRun reference) {
        String name = "job #" + job.sequence() + " (job " + end.jobId() + ", " + job.kind() + ")";
        List<String> broken = end.stdout().stream().flatMap(String::lines).filter(line -> SEQUENCE_BROKEN.matcher(line).find()).toList();
        expect(broken.isEmpty(), () -> name + " lost, duplicated or reordered messages: " + broken);
        if (!broken.isEmpty()) {
            return; // its output differs for that reason
        }
        expect(reference != null, () -> name + " has no failure-free run to compare with");
        if (reference == null || reference.error() != null || reference.status() != 0) {
            return; // a failed failure-free run is reported once, as such
        }
        int status = end.ranks().stream().mapToInt(ChaosHistory.RankEnd::shellStatus).filter(s -> s != 0).findFirst().orElse(0);
        expect(status == reference.status() && end.stdout().equals(reference.stdout()),
                () -> name + " completed with status " + status + " and output " + end.stdout() + "; its failure-free run: status "
                        + reference.status() + ", output " + reference.stdout());
    }

    private void checkNodesAtEnd(List<Event> events, Map<Integer, JobEnded> ended, Set<Integer> startedJobs) {
        NodesAtEnd nodes = null;
        for (Event event : events) {
            nodes = event instanceof NodesAtEnd last ? last : nodes;
        }
        NodesAtEnd atEnd = nodes;
        expect(atEnd != null && atEnd.error() == null,
                () -> "whether nodes were left allocated could not be checked: " + (atEnd == null ? "the machine was not asked" : atEnd.error()));
        if (atEnd != null && atEnd.error() == null) {
            Map<Integer, Integer> endedJobs = new HashMap<>();
            ended.values().forEach(job -> endedJobs.put(job.jobId(), job.sequence()));
            // A node of a job that never ended is that job's: the unfinished job is the broken invariant, not its node.
            new TreeMap<>(atEnd.allocated()).forEach((nid, jobId) -> expect(!endedJobs.containsKey(jobId) && startedJobs.contains(jobId),
                    () -> "node " + nid + " is still allocated to job " + jobId + " at the end, "
                            + (endedJobs.containsKey(jobId) ? "which ended (job #" + endedJobs.get(jobId) + ")" : "which no one ran")));
        }
    }

    private void checkMembers(List<Event> events, Map<String, Integer> counts) {
        for (int i = 0; i < events.size(); i++) {
            Event event = events.get(i);
            List<Event> later = events.subList(i + 1, events.size());
            if (event instanceof MemberKilled killed) {
                java.util.Optional<Event> removal = later.stream()
                        .filter(e -> e instanceof MemberRemoved removed && removed.member().equals(killed.member())).findFirst();
                expect(removal.isPresent(),
                        () -> "member " + killed.member() + ", killed at " + seconds(killed.atMillis()) + ", was never removed from the cluster");
                removal.ifPresent(removed -> counts.merge("longest kill to removal (ms)", (int) (removed.atMillis() - killed.atMillis()), Math::max));
            } else if (event instanceof MemberAskedToLeave leaving) {
                expect(later.stream().anyMatch(e -> e instanceof MemberExited exited && exited.member().equals(leaving.member())
                                && exited.status() == 0),
                        () -> "member " + leaving.member() + ", asked to leave at " + seconds(leaving.atMillis()) + ", never left (exited with 0)");
            } else if (event instanceof MemberStarted started) {
                expect(later.stream().anyMatch(e -> e instanceof MemberUp up && up.member().equals(started.member())),
                        () -> "member " + started.member() + ", started at " + seconds(started.atMillis()) + ", never came up");
            }
        }
    }

    private void checkPartitions(List<Event> events, Map<String, Integer> counts) {
        for (int i = 0; i < events.size(); i++) {
            if (!(events.get(i) instanceof MembersPartitioned partition)) {
                continue;
            }
            counts.merge("partitions", 1, Integer::sum);
            List<Event> later = events.subList(i + 1, events.size());
            long healedAt = later.stream().filter(PartitionHealed.class::isInstance).mapToLong(Event::atMillis).findFirst().orElse(Long.MAX_VALUE);
            long held = healedAt - partition.atMillis();
            long until = healedAt == Long.MAX_VALUE ? Long.MAX_VALUE : healedAt + AFTER_HEAL;
            boolean anyDowned = false;
            for (String member : partition.cutOff()) {
                boolean removed = removalBy(later, member, until).filter(removal -> !onPurpose(later, member, removal)).isPresent();
                anyDowned |= removed;
                if (removed) {
                    counts.merge("members downed by a partition", 1, Integer::sum);
                    expect(later.stream().anyMatch(e -> e instanceof ChaosHistory.NodesMarkedDown down && down.member().equals(member)),
                            () -> "member " + member + ", cut off at " + seconds(partition.atMillis())
                                    + " and removed, was never seen with its nodes down");
                    expect(later.stream().anyMatch(e -> e instanceof MemberExited exited && exited.member().equals(member)),
                            () -> "member " + member + ", cut off at " + seconds(partition.atMillis()) + " and removed, never exited");
                } else {
                    expect(held < DECISION_BOUND, () -> "member " + member + ", cut off at " + seconds(partition.atMillis()) + " for "
                            + seconds(held) + ", was never removed by the split brain resolver");
                }
            }
            if (!anyDowned) {
                counts.merge("partitions healed before a decision", 1, Integer::sum);
            }
            for (String member : partition.others()) {
                Optional<Event> removal = removalBy(later, member, until);
                expect(removal.isEmpty() || onPurpose(later, member, removal.get()), () -> "member " + member
                        + ", on the oldest's side of the partition at " + seconds(partition.atMillis()) + ", was removed at "
                        + seconds(removal.get().atMillis()));
            }
        }
    }

    /** The first removal of {@code member} in {@code events} by {@code until}. */
    private static Optional<Event> removalBy(List<Event> events, String member, long until) {
        return events.stream().filter(e -> e.atMillis() <= until && e instanceof MemberRemoved r && r.member().equals(member)).findFirst();
    }

    /** True when {@code member} was killed or asked to leave before its {@code removal}: the removal was the run's, not a partition's. */
    private static boolean onPurpose(List<Event> events, String member, Event removal) {
        return events.stream().anyMatch(e -> e.atMillis() <= removal.atMillis()
                && (e instanceof MemberKilled k && k.member().equals(member) || e instanceof MemberAskedToLeave a && a.member().equals(member)));
    }

    private static String seconds(long millis) {
        return String.format("%.3f s", millis / 1000.0);
    }

    private void expect(boolean holds, java.util.function.Supplier<String> violation) {
        checks++;
        if (!holds) {
            violations.add(violation.get());
        }
    }
}
