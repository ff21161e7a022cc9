package io.uniform.metrics;

import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text of one {@code uniform top} screen, from a {@link MachineView}: the machine's totals,
 * one line per member, nodes by partition and state, the jobs (and those reported failed, if any),
 * and the busiest nodes. Pure: the
 * same view and time give the same text.
 */
public final class TopScreen {
    private TopScreen() {}

    /** How many of the busiest nodes the screen lists. */
    static final int NODE_LINES = 10;

    public static String render(MachineView view, long nowMillis) {
        StringBuilder screen = new StringBuilder();
        List<MemberReport> members = view.members();
        double mips = members.stream().mapToDouble(MemberReport::mips).sum();
        double messages = members.stream().mapToDouble(MemberReport::messagesPerSecond).sum();
        int nodes = members.stream().mapToInt(MemberReport::nodeCount).sum();
        long jobs = members.stream().mapToLong(member -> member.jobs().size()).sum();
        screen.append(String.format(Locale.ROOT, "uniform top: %d member%s, %d nodes, %d job%s, %.1f MIPS, %.0f msg/s%n",
                members.size(), members.size() == 1 ? "" : "s", nodes, jobs, jobs == 1 ? "" : "s", mips, messages));
        screen.append('\n').append(String.format(Locale.ROOT, "%-28s %6s %8s %9s %9s %6s %6s %7s %11s%n",
                "MEMBER", "NODES", "MIPS", "MSG/S", "HEAP MiB", "CPU%", "GC", "MAILBOX", "ARTERY MiB"));
        for (MemberReport member : members) {
            JvmFigures jvm = member.jvm();
            String mailbox = jvm.mailboxes() == null ? "-" : Long.toString(jvm.mailboxes().messages());
            String artery = jvm.artery() == null ? "-" : (jvm.artery().bytesSent() >> 20) + "/" + (jvm.artery().bytesReceived() >> 20);
            screen.append(String.format(Locale.ROOT, "%-28s %6d %8.1f %9.0f %4d/%-4d %6.0f %6d %7s %11s%n", member.member(),
                    member.nodeCount(), member.mips(), member.messagesPerSecond(), jvm.heapUsedBytes() >> 20, jvm.heapMaxBytes() >> 20,
                    jvm.cpuLoad() * 100, jvm.gcCollections(), mailbox, artery));
        }
        Map<String, Map<NodeActor.Status, Integer>> states = new TreeMap<>();
        members.forEach(member -> member.states().forEach(count -> states.computeIfAbsent(count.partition(), p -> new TreeMap<>())
                .merge(count.status(), count.nodes(), Integer::sum)));
        screen.append('\n').append("NODES BY STATE\n");
        states.forEach((partition, byStatus) -> {
            screen.append(String.format(Locale.ROOT, "  %-8s", partition));
            byStatus.forEach((status, count) -> screen.append(String.format(Locale.ROOT, " %5d %s", count, Exposition.label(status))));
            screen.append('\n');
        });
        screen.append('\n').append(String.format(Locale.ROOT, "%-6s %-24s %6s %10s%n", "JOB", "PROGRAM", "RANKS", "RUNTIME"));
        members.stream().flatMap(member -> member.jobs().stream())
                .sorted(java.util.Comparator.comparingInt(Machine.JobFigures::jobId))
                .forEach(job -> screen.append(String.format(Locale.ROOT, "%-6d %-24s %6d %9.1fs%n", job.jobId(), shortName(job.program()),
                        job.ranks(), Math.max(0, nowMillis - job.placedAtMillis()) / 1000.0)));
        List<Machine.FailedJob> failed = members.stream().flatMap(member -> member.failedJobs().stream())
                .sorted(java.util.Comparator.comparingInt(Machine.FailedJob::jobId)).toList();
        if (!failed.isEmpty()) {
            screen.append('\n').append(String.format(Locale.ROOT, "%-6s %-24s %6s %10s  %s%n", "FAILED", "PROGRAM", "RANKS", "AGO", "LOST WITH"));
            failed.forEach(job -> screen.append(String.format(Locale.ROOT, "%-6d %-24s %6d %9.1fs  %s%n", job.jobId(), shortName(job.program()),
                    job.nids().size(), Math.max(0, nowMillis - job.failedAtMillis()) / 1000.0, String.join(", ", job.lostMembers()))));
        }
        screen.append('\n').append(String.format(Locale.ROOT, "%-6s %-9s %-8s %-10s %8s %9s %12s %6s%n",
                "NID", "PARTITION", "STATE", "JOB/RANK", "MIPS", "MSG/S", "INSTRUCTIONS", "MOVES"));
        members.stream().flatMap(member -> member.nodes().stream())
                .sorted(java.util.Comparator.comparingDouble(NodeSample::mips).reversed().thenComparingInt(NodeSample::nid))
                .limit(NODE_LINES)
                .forEach(sample -> {
                    NodeActor.State state = sample.figures().state();
                    NodeActor.Activity activity = sample.figures().activity();
                    String job = state.status() == NodeActor.Status.RUNNING ? state.jobId() + "/" + state.rank() : "-";
                    screen.append(String.format(Locale.ROOT, "%-6d %-9s %-8s %-10s %8.1f %9.0f %12d %6d%n", state.nid(),
                            state.partition().label(), Exposition.label(state.status()), job, sample.mips(), sample.messagesPerSecond(),
                            activity.instructions(), activity.migrationsIn() + activity.migrationsOut()));
                });
        return screen.toString();
    }

    /** A program's file name without its directories. */
    private static String shortName(String program) {
        return program.substring(program.lastIndexOf('/') + 1);
    }
}
