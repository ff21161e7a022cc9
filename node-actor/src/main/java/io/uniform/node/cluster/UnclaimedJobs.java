package io.uniform.node.cluster;

import io.uniform.node.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a machine on a cluster does with the jobs of the machines before it (read from
 * {@link RunningJobs}): each waits for its client's keeper to re-claim it (a
 * {@link Machine.RecoverJob}, or a copy of one of its requests); those still waiting when the
 * bound is over had no client left to do so, and are reported failed, naming their ranks and the
 * members lost. Plain logic: the machine does the reading, the timing, the logging and the nodes.
 */
public final class UnclaimedJobs {
    // Failures an operator sees listed (top): the latest suffice, the count goes on.
    private static final int FAILURES_REMEMBERED = 64;

    private final Map<Integer, RunningJobs.Job> waiting = new TreeMap<>();
    private final Map<Integer, Machine.FailedJob> failures = new RecentMap<>(FAILURES_REMEMBERED);
    private long failed;

    /** Takes {@code read}: the jobs of machines other than {@code machineId} wait for a claim; returns them. */
    public List<RunningJobs.Job> adopt(Collection<RunningJobs.Job> read, String machineId) {
        List<RunningJobs.Job> adopted = read.stream().filter(job -> !job.machineId().equals(machineId))
                .sorted(java.util.Comparator.comparingInt(RunningJobs.Job::jobId)).toList();
        adopted.forEach(job -> waiting.put(job.jobId(), job));
        return adopted;
    }

    /**
     * The waiting job that {@code jobId} (the lost machine's id of it) or one of {@code requestIds}
     * names, which no longer waits; null if none does.
     */
    public RunningJobs.Job claim(int jobId, Collection<String> requestIds) {
        RunningJobs.Job claimed = waiting.remove(jobId);
        if (claimed != null) {
            return claimed;
        }
        for (RunningJobs.Job job : waiting.values()) {
            if (job.requests().stream().anyMatch(requestIds::contains)) {
                return waiting.remove(job.jobId());
            }
        }
        return null;
    }

    /** A job reported failed, and its failure. */
    public record Reported(RunningJobs.Job job, Machine.FailedJob failure) {}

    /** The failure reported of job {@code jobId} (a lost machine's id), or null. */
    public Machine.FailedJob reported(int jobId) {
        return failures.get(jobId);
    }

    /**
     * Reports every job still waiting failed, at {@code nowMillis}, {@code bound} after this machine
     * read them; {@code present} says whether a member is still in the cluster. Returns them.
     */
    public List<Reported> reportWaiting(Predicate<RunningJobs.Member> present, Duration bound, long nowMillis) {
        List<Reported> reported = new ArrayList<>();
        for (RunningJobs.Job job : waiting.values()) {
            Map<String, List<String>> lost = lostMembers(job, present);
            String reason = "its " + job.nids().size() + " rank(s) ran on nodes " + job.nids() + "; it was lost with member(s) "
                    + lost.entrySet().stream().map(member -> member.getKey() + " (" + String.join("; ", member.getValue()) + ")")
                            .collect(Collectors.joining(", "))
                    + ", and no client re-claimed it within " + bound.toSeconds() + " s of the next machine's start";
            Machine.FailedJob failure = new Machine.FailedJob(job.jobId(), job.program(), job.nids(), List.copyOf(lost.keySet()), nowMillis,
                    reason);
            failures.put(job.jobId(), failure);
            reported.add(new Reported(job, failure));
        }
        failed += reported.size();
        waiting.clear();
        return reported;
    }

    /** The latest failures reported, by job id. */
    public List<Machine.FailedJob> recentFailures() {
        return failures.values().stream().sorted(java.util.Comparator.comparingInt(Machine.FailedJob::jobId)).toList();
    }

    /** How many jobs this machine has reported failed. */
    public long failedCount() {
        return failed;
    }

    /**
     * The members {@code job} was lost with (HOST:PORT), each with what of the job it held: always
     * the machine's (its yod ran there), then its client's and its ranks' members if they are gone.
     */
    static Map<String, List<String>> lostMembers(RunningJobs.Job job, Predicate<RunningJobs.Member> present) {
        Map<String, List<String>> lost = new LinkedHashMap<>();
        lost.computeIfAbsent(job.machine().hostPort(), member -> new ArrayList<>()).add("its machine's and yod's");
        if (!present.test(job.clientMember())) {
            lost.computeIfAbsent(job.clientMember().hostPort(), member -> new ArrayList<>()).add("its client's");
        }
        Map<String, List<Integer>> ranks = new LinkedHashMap<>();
        for (int rank = 0; rank < job.rankMembers().size(); rank++) {
            RunningJobs.Member member = job.rankMembers().get(rank);
            if (!present.test(member)) {
                ranks.computeIfAbsent(member.hostPort(), hostPort -> new ArrayList<>()).add(rank);
            }
        }
        ranks.forEach((member, held) -> lost.computeIfAbsent(member, hostPort -> new ArrayList<>())
                .add((held.size() == 1 ? "rank " : "ranks ") + held.stream().map(String::valueOf).collect(Collectors.joining(", "))));
        return lost;
    }
}
