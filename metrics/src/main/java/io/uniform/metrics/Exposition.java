package io.uniform.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A member's report as Prometheus metric families: the one place metric names are defined
 * ({@link Family}). Counters are the node actors' and kernels' own counts (they restart from
 * zero when a node actor restarts, which Prometheus' rate() takes as a reset); gauges are the
 * state now. Every series carries the member; node series the nid and partition; job series
 * {@code job_id}, not {@code job}, which Prometheus reserves for the scrape job's name.
 */
public final class Exposition implements MultiCollector {
    /** What kind of series a family has, and which labels. */
    enum Scope { NODE, MEMBER, JOB }

    /** Every family exported, by its name in the text format (counters with their _total). */
    public enum Family {
        NODE_STATE("uniform_node_state", false, Scope.NODE,
                "1 for the node's state (label state: idle, running), 0 for the others"),
        NODE_INSTRUCTIONS("uniform_node_instructions_total", true, Scope.NODE, "Instructions the node's processes retired"),
        NODE_MIPS("uniform_node_mips", false, Scope.NODE, "Millions of instructions per second over the last sampling interval"),
        NODE_TRAPS("uniform_node_traps_total", true, Scope.NODE, "Traps the node's kernels took: system calls, breakpoints, faults"),
        NODE_PAGE_FAULTS("uniform_node_page_faults_total", true, Scope.NODE,
                "Page faults on the node: demand-zero fills, copy-on-write copies and faulting traps (Linux; Puma has no paging)"),
        NODE_MESSAGES_RECEIVED("uniform_node_portal_messages_received_total", true, Scope.NODE,
                "Portals messages the node's processes consumed"),
        NODE_MESSAGES_SENT("uniform_node_portal_messages_sent_total", true, Scope.NODE, "Portals messages the node's processes sent"),
        NODE_BYTES_RECEIVED("uniform_node_portal_received_bytes_total", true, Scope.NODE,
                "Data bytes of the Portals messages the node's processes consumed"),
        NODE_BYTES_SENT("uniform_node_portal_sent_bytes_total", true, Scope.NODE,
                "Data bytes of the Portals messages the node's processes sent"),
        NODE_MIGRATIONS_IN("uniform_node_migrations_in_total", true, Scope.NODE, "Processes that moved to the node"),
        NODE_MIGRATIONS_OUT("uniform_node_migrations_out_total", true, Scope.NODE, "Processes that moved away from the node"),
        NODE_SLICES("uniform_node_slices_total", true, Scope.NODE, "CPU slices the node ran"),
        NODE_PCT_RELOADS("uniform_node_pct_reloads_total", true, Scope.NODE, "PCT faults the node contained by reloading its PCT"),
        NODE_MAILBOX("uniform_node_mailbox_messages", false, Scope.NODE, "Messages waiting in the node actor's mailbox"),
        MEMBER_NODES("uniform_member_nodes", false, Scope.MEMBER, "Nodes the member hosts, by partition and state"),
        MEMBER_HEAP_USED("uniform_member_heap_used_bytes", false, Scope.MEMBER, "Heap the member JVM uses"),
        MEMBER_HEAP_MAX("uniform_member_heap_max_bytes", false, Scope.MEMBER, "The member JVM's heap limit"),
        MEMBER_GC_COLLECTIONS("uniform_member_gc_collections_total", true, Scope.MEMBER, "Garbage collections of the member JVM"),
        MEMBER_GC_SECONDS("uniform_member_gc_seconds_total", true, Scope.MEMBER, "Time the member JVM spent collecting garbage"),
        MEMBER_CPU_LOAD("uniform_member_cpu_load_ratio", false, Scope.MEMBER, "Share of the host's CPU the member JVM used lately (0 to 1)"),
        MEMBER_MAILBOX("uniform_member_mailbox_messages", false, Scope.MEMBER, "Messages waiting in all the member's actor mailboxes"),
        MEMBER_MAILBOX_DEEPEST("uniform_member_mailbox_deepest_messages", false, Scope.MEMBER,
                "Messages waiting in the member's deepest actor mailbox"),
        MEMBER_ARTERY_MESSAGES_SENT("uniform_member_artery_messages_sent_total", true, Scope.MEMBER,
                "Messages the member's Artery sent to other members"),
        MEMBER_ARTERY_MESSAGES_RECEIVED("uniform_member_artery_messages_received_total", true, Scope.MEMBER,
                "Messages the member's Artery received from other members"),
        MEMBER_ARTERY_BYTES_SENT("uniform_member_artery_sent_bytes_total", true, Scope.MEMBER,
                "Serialized bytes of the messages the member's Artery sent"),
        MEMBER_ARTERY_BYTES_RECEIVED("uniform_member_artery_received_bytes_total", true, Scope.MEMBER,
                "Serialized bytes of the messages the member's Artery received"),
        MEMBER_FAILED_JOBS("uniform_member_failed_jobs_total", true, Scope.MEMBER,
                "Jobs the machine on the member reported failed: jobs of a lost machine that no client re-claimed"),
        JOB_RANKS("uniform_job_ranks", false, Scope.JOB, "Ranks of a job the member's machine placed"),
        JOB_RUNTIME("uniform_job_runtime_seconds", false, Scope.JOB, "Time since the job was first placed (a restart keeps it)"),
        JOB_SNAPSHOTS("uniform_job_snapshots_total", true, Scope.JOB, "Snapshots written of the job (before its restarts too)"),
        JOB_RESTARTS("uniform_job_restarts_total", true, Scope.JOB, "Times the job was restarted from a snapshot");

        public final String exposedName;
        final boolean counter;
        final Scope scope;
        final String help;

        Family(String exposedName, boolean counter, Scope scope, String help) {
            this.exposedName = exposedName;
            this.counter = counter;
            this.scope = scope;
            this.help = help;
        }

        /** The name the client library takes: a counter's without _total, which the text format appends. */
        String baseName() {
            return counter ? exposedName.substring(0, exposedName.length() - "_total".length()) : exposedName;
        }
    }

    private final Supplier<MemberReport> source;

    /** Exports whatever report {@code source} holds at each scrape (nothing before the first). */
    public Exposition(Supplier<MemberReport> source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        MemberReport report = source.get();
        return report == null ? new MetricSnapshots() : snapshots(report, System.currentTimeMillis());
    }

    /** {@code report}'s families, job runtimes as of {@code nowMillis}. */
    static MetricSnapshots snapshots(MemberReport report, long nowMillis) {
        Map<Family, List<Point>> points = new LinkedHashMap<>();
        for (Family family : Family.values()) {
            points.put(family, new ArrayList<>());
        }
        for (NodeSample sample : report.nodes()) {
            NodeActor.State state = sample.figures().state();
            NodeActor.Activity activity = sample.figures().activity();
            Labels node = Labels.of("member", report.member(), "nid", Integer.toString(state.nid()), "partition", state.partition().label());
            for (NodeActor.Status status : NodeActor.Status.values()) {
                points.get(Family.NODE_STATE).add(new Point(node.add("state", label(status)), status == state.status() ? 1 : 0));
            }
            Map<Family, ToDoubleFunction<NodeSample>> values = Map.ofEntries(
                    Map.entry(Family.NODE_INSTRUCTIONS, s -> activity.instructions()),
                    Map.entry(Family.NODE_MIPS, NodeSample::mips),
                    Map.entry(Family.NODE_TRAPS, s -> activity.traps()),
                    Map.entry(Family.NODE_PAGE_FAULTS, s -> activity.pageFaults()),
                    Map.entry(Family.NODE_MESSAGES_RECEIVED, s -> activity.messagesIn()),
                    Map.entry(Family.NODE_MESSAGES_SENT, s -> activity.messagesOut()),
                    Map.entry(Family.NODE_BYTES_RECEIVED, s -> activity.bytesIn()),
                    Map.entry(Family.NODE_BYTES_SENT, s -> activity.bytesOut()),
                    Map.entry(Family.NODE_MIGRATIONS_IN, s -> activity.migrationsIn()),
                    Map.entry(Family.NODE_MIGRATIONS_OUT, s -> activity.migrationsOut()),
                    Map.entry(Family.NODE_SLICES, s -> state.slices()),
                    Map.entry(Family.NODE_PCT_RELOADS, s -> state.pctReloads()));
            values.forEach((family, value) -> points.get(family).add(new Point(node, value.applyAsDouble(sample))));
            if (sample.mailboxMessages() >= 0) {
                points.get(Family.NODE_MAILBOX).add(new Point(node, sample.mailboxMessages()));
            }
        }
        Labels member = Labels.of("member", report.member());
        for (MemberReport.StateCount count : report.states()) {
            points.get(Family.MEMBER_NODES).add(new Point(member.add("partition", count.partition()).add("state", label(count.status())),
                    count.nodes()));
        }
        JvmFigures jvm = report.jvm();
        points.get(Family.MEMBER_HEAP_USED).add(new Point(member, jvm.heapUsedBytes()));
        points.get(Family.MEMBER_HEAP_MAX).add(new Point(member, jvm.heapMaxBytes()));
        points.get(Family.MEMBER_GC_COLLECTIONS).add(new Point(member, jvm.gcCollections()));
        points.get(Family.MEMBER_GC_SECONDS).add(new Point(member, jvm.gcSeconds()));
        points.get(Family.MEMBER_CPU_LOAD).add(new Point(member, jvm.cpuLoad()));
        if (jvm.mailboxes() != null) {
            points.get(Family.MEMBER_MAILBOX).add(new Point(member, jvm.mailboxes().messages()));
            points.get(Family.MEMBER_MAILBOX_DEEPEST).add(new Point(member, jvm.mailboxes().deepest()));
        }
        if (jvm.artery() != null) {
            points.get(Family.MEMBER_ARTERY_MESSAGES_SENT).add(new Point(member, jvm.artery().messagesSent()));
            points.get(Family.MEMBER_ARTERY_MESSAGES_RECEIVED).add(new Point(member, jvm.artery().messagesReceived()));
            points.get(Family.MEMBER_ARTERY_BYTES_SENT).add(new Point(member, jvm.artery().bytesSent()));
            points.get(Family.MEMBER_ARTERY_BYTES_RECEIVED).add(new Point(member, jvm.artery().bytesReceived()));
        }
        points.get(Family.MEMBER_FAILED_JOBS).add(new Point(member, report.failedJobCount()));
        for (Machine.JobFigures job : report.jobs()) {
            Labels labels = member.add("job_id", Integer.toString(job.jobId())).add("program", job.program());
            points.get(Family.JOB_RANKS).add(new Point(labels, job.ranks()));
            points.get(Family.JOB_RUNTIME).add(new Point(labels, Math.max(0, nowMillis - job.placedAtMillis()) / 1000.0));
            points.get(Family.JOB_SNAPSHOTS).add(new Point(labels, job.snapshots()));
            points.get(Family.JOB_RESTARTS).add(new Point(labels, job.restarts()));
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        points.forEach((family, familyPoints) -> {
            if (!familyPoints.isEmpty()) {
                snapshots.add(snapshot(family, familyPoints));
            }
        });
        return new MetricSnapshots(snapshots);
    }

    static String label(NodeActor.Status status) {
        return status.name().toLowerCase(java.util.Locale.ROOT);
    }

    private record Point(Labels labels, double value) {}

    private static MetricSnapshot snapshot(Family family, List<Point> points) {
        if (family.counter) {
            CounterSnapshot.Builder counter = CounterSnapshot.builder().name(family.baseName()).help(family.help);
            points.forEach(p -> counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(p.labels()).value(p.value()).build()));
            return counter.build();
        }
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.baseName()).help(family.help);
        points.forEach(p -> gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(p.labels()).value(p.value()).build()));
        return gauge.build();
    }
}
