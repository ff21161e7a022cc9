package io.uniform.metrics;

import io.uniform.node.CborSerializable;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import java.util.Comparator;
import java.util.List;

/**
 * What one member publishes of itself at each sampling: its JVM, how many of its nodes are in each
 * partition and state, the sum of its nodes' activity and rates, nodes one by one (every node in
 * the member's own report, the busiest when published to the cluster), and the jobs its machine,
 * if it hosts one, has placed, with the latest it reported failed and how many it reported failed in all.
 */
public record MemberReport(String member, long takenAtMillis, JvmFigures jvm, List<StateCount> states, NodeActor.Activity totals,
                           double mips, double messagesPerSecond, List<NodeSample> nodes, List<Machine.JobFigures> jobs,
                           List<Machine.FailedJob> failedJobs, long failedJobCount)
        implements CborSerializable {
    /** How many of the member's nodes are in {@code partition} (its label) with {@code status}. */
    public record StateCount(String partition, NodeActor.Status status, int nodes) implements CborSerializable {}

    public MemberReport {
        states = List.copyOf(states);
        nodes = List.copyOf(nodes);
        jobs = List.copyOf(jobs);
        failedJobs = List.copyOf(failedJobs);
    }

    public int nodeCount() {
        return states.stream().mapToInt(StateCount::nodes).sum();
    }

    /** This report with only its {@code limit} busiest nodes (by MIPS, then nid): what travels to the other members. */
    public MemberReport busiest(int limit) {
        List<NodeSample> busiest = nodes.stream()
                .sorted(Comparator.comparingDouble(NodeSample::mips).reversed().thenComparingInt(NodeSample::nid))
                .limit(limit).toList();
        return new MemberReport(member, takenAtMillis, jvm, states, totals, mips, messagesPerSecond, busiest, jobs, failedJobs, failedJobCount);
    }
}
