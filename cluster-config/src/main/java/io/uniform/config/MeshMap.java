package io.uniform.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Draws a machine as a text map, like figure 1 of the Uniform Kernel paper: one character per
 * node, one row per mesh row y, one block per mesh plane z, with a legend and the count of each
 * partition.
 *
 * <p>Characters: {@code C} compute, {@code S} service, {@code I} I/O, {@code Y} system,
 * {@code -} an empty router slot. A node whose partition differs from a baseline (after a
 * re-boot into the other OS) is drawn in lower case ({@code c}, {@code s}, ...). When a live
 * state is given for a node it replaces the letter: {@code .} idle, {@code #} running a job,
 * {@code x} down (nodes without a state keep their letter).
 *
 * <p>With several nodes per router a router is drawn as its nodes side by side (slot 0 first)
 * and routers are separated by a space. When that is wider than the width limit
 * ({@value #DEFAULT_WIDTH} columns unless given), each router becomes one character: its nodes'
 * character when they agree, {@code *} when they differ. When even that is too wide, each plane
 * is cut into bands of columns, each with its own x scale.
 *
 * <p>The rendering is plain Java and deterministic; the live view of a running machine will
 * pass its node states in through {@link #render(MachineDescription, MachineDescription, IntFunction, int)}.
 */
public final class MeshMap {
    /** The default line width limit. */
    public static final int DEFAULT_WIDTH = 120;
    /** The character of a router whose nodes are drawn differently, in the compressed layout. */
    public static final char MIXED = '*';
    /** The most changed nids listed by name under a diff map. */
    static final int LISTED_CHANGES = 12;

    private MeshMap() {
    }

    /** The partitions of {@code machine}. */
    public static String render(MachineDescription machine) {
        return render(machine, null, nid -> null, DEFAULT_WIDTH);
    }

    /** {@code machine} with the live state of each node ({@code states} may return null: no state known). */
    public static String render(MachineDescription machine, IntFunction<NodeState> states) {
        return render(machine, null, states, DEFAULT_WIDTH);
    }

    /** {@code machine} with the live state of the nodes in {@code states}. */
    public static String render(MachineDescription machine, Map<Integer, NodeState> states) {
        Objects.requireNonNull(states, "states");
        return render(machine, null, states::get, DEFAULT_WIDTH);
    }

    /**
     * {@code after}, with the nodes whose partition differs from {@code before} in lower case and
     * listed under the map.
     *
     * @throws IllegalArgumentException when the two have different meshes
     */
    public static String diff(MachineDescription before, MachineDescription after) {
        return render(after, before, nid -> null, DEFAULT_WIDTH);
    }

    /**
     * The general form.
     *
     * @param machine the machine to draw
     * @param baseline when not null, nodes whose partition differs from it are drawn in lower case
     *     and listed (it must have the same mesh)
     * @param states the live state of a nid, or null for none
     * @param width the line width limit (at least 20)
     */
    public static String render(MachineDescription machine, MachineDescription baseline, IntFunction<NodeState> states,
                                int width) {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(states, "states");
        if (width < 20) {
            throw new IllegalArgumentException("a map needs at least 20 columns, not " + width);
        }
        List<Integer> changed = baseline == null ? List.of() : machine.changedFrom(baseline);
        int positions = machine.positionCount();
        char[] symbols = new char[positions];
        NodeState[] live = new NodeState[positions];
        boolean anyLive = false;
        for (int nid = 0; nid < positions; nid++) {
            Partition partition = machine.partition(nid);
            NodeState state = partition.isNode() ? states.apply(nid) : null;
            live[nid] = state;
            if (state != null) {
                symbols[nid] = state.kind().symbol();
                anyLive = true;
            } else {
                symbols[nid] = partition.letter();
            }
        }
        for (int nid : changed) {
            symbols[nid] = Character.toLowerCase(symbols[nid]);
        }

        StringBuilder out = new StringBuilder();
        appendWrapped(out, machine.name() + ": ", header(machine), ", ", width);
        int perRouter = machine.nodesPerRouter();
        int rowLabel = digits(machine.y() - 1) + 3;
        boolean full = rowLabel + machine.x() * perRouter + (perRouter > 1 ? machine.x() - 1 : 0) <= width;
        int cell = full ? perRouter : 1;
        int gap = full && perRouter > 1 ? 1 : 0;
        int band = full ? machine.x() : Math.max(1, width - rowLabel);
        boolean mixed = false;
        for (int z = 0; z < machine.z(); z++) {
            for (int from = 0; from < machine.x(); from += band) {
                int to = Math.min(machine.x(), from + band);
                if (machine.z() > 1 || to - from < machine.x()) {
                    out.append(machine.z() > 1 ? "z = " + z : "");
                    if (to - from < machine.x()) {
                        out.append(machine.z() > 1 ? ", " : "").append("x = ").append(from).append("..").append(to - 1);
                    }
                    out.append('\n');
                }
                appendScale(out, from, to, rowLabel, cell + gap);
                for (int y = 0; y < machine.y(); y++) {
                    StringBuilder line = new StringBuilder();
                    String number = Integer.toString(y);
                    line.append(y == 0 ? "y " : "  ").append(" ".repeat(rowLabel - 3 - number.length()))
                            .append(number).append(' ');
                    for (int x = from; x < to; x++) {
                        if (x > from && gap > 0) {
                            line.append(' ');
                        }
                        if (full) {
                            for (int node = 0; node < perRouter; node++) {
                                line.append(symbols[machine.nid(x, y, z, node)]);
                            }
                        } else {
                            char first = symbols[machine.nid(x, y, z, 0)];
                            for (int node = 1; node < perRouter; node++) {
                                if (symbols[machine.nid(x, y, z, node)] != first) {
                                    first = MIXED;
                                    mixed = true;
                                    break;
                                }
                            }
                            line.append(first);
                        }
                    }
                    out.append(stripTrailing(line)).append('\n');
                }
            }
        }
        appendLegend(out, machine, !changed.isEmpty(), anyLive, mixed, perRouter, width);
        appendCounts(out, machine, width);
        if (anyLive) {
            appendStates(out, machine, live, width);
        }
        if (baseline != null) {
            appendChanges(out, machine, baseline, changed, width);
        }
        return out.toString();
    }

    private static List<String> header(MachineDescription machine) {
        List<String> items = new ArrayList<>();
        items.add(machine.meshText() + " mesh");
        if (machine.nodesPerRouter() > 1) {
            items.add(machine.nodesPerRouter() + " nodes per router");
        }
        items.add(machine.nodeCount() + " nodes");
        items.add(size(machine.memoryPerNode()) + " per node");
        items.add(bandwidth(machine.linkBandwidthBytesPerSecond()) + " links");
        return items;
    }

    /** The x scale: one row per decimal digit of the largest x, the digit at each router's first column. */
    private static void appendScale(StringBuilder out, int from, int to, int rowLabel, int step) {
        int places = digits(to - 1);
        for (int place = places - 1; place >= 0; place--) {
            StringBuilder line = new StringBuilder();
            line.append(place == 0 ? " ".repeat(rowLabel - 2) + "x " : " ".repeat(rowLabel));
            int power = (int) Math.pow(10, place);
            for (int x = from; x < to; x++) {
                boolean show = place == 0 || x % power == 0 || x == from;
                char digit = show && (x >= power || place == 0) ? (char) ('0' + (x / power) % 10) : ' ';
                line.append(digit).append(" ".repeat(step - 1));
            }
            out.append(stripTrailing(line)).append('\n');
        }
    }

    private static void appendLegend(StringBuilder out, MachineDescription machine, boolean changed, boolean live,
                                     boolean mixed, int perRouter, int width) {
        List<String> items = new ArrayList<>();
        for (Partition partition : Partition.values()) {
            if (partition.isNode()) {
                items.add(partition.letter() + " " + partition.label() + " (" + partition.operatingSystem() + ")");
            } else if (machine.count(partition) > 0) {
                items.add(partition.letter() + " no node in this router slot");
            }
        }
        if (live) {
            for (NodeState.Kind kind : NodeState.Kind.values()) {
                items.add(kind.symbol() + " " + kind.label());
            }
        }
        if (changed) {
            items.add("lower case: partition changed (re-booted)");
        }
        if (perRouter > 1) {
            items.add(mixed ? MIXED + " a router whose " + perRouter + " nodes differ (one character per router)"
                    : "routers drawn as their " + perRouter + " nodes side by side");
        }
        appendWrapped(out, "legend: ", items, "  ", width);
    }

    private static void appendCounts(StringBuilder out, MachineDescription machine, int width) {
        List<String> items = new ArrayList<>();
        for (Partition partition : Partition.values()) {
            if (partition.isNode()) {
                items.add(machine.count(partition) + " " + partition.label());
            }
        }
        String tail = machine.count(Partition.ABSENT) > 0
                ? " (" + machine.nodeCount() + " nodes in " + machine.positionCount() + " router slots)"
                : " (" + machine.nodeCount() + " nodes)";
        items.set(items.size() - 1, items.get(items.size() - 1) + tail);
        appendWrapped(out, "nodes: ", items, ", ", width);
    }

    private static void appendStates(StringBuilder out, MachineDescription machine, NodeState[] live, int width) {
        int[] kinds = new int[NodeState.Kind.values().length];
        Map<Long, Integer> jobs = new TreeMap<>();
        int unknown = 0;
        for (int nid = 0; nid < live.length; nid++) {
            if (live[nid] == null) {
                if (machine.partition(nid).isNode()) {
                    unknown++;
                }
                continue;
            }
            kinds[live[nid].kind().ordinal()]++;
            if (live[nid].kind() == NodeState.Kind.RUNNING) {
                jobs.merge(live[nid].job(), 1, Integer::sum);
            }
        }
        List<String> items = new ArrayList<>();
        for (NodeState.Kind kind : NodeState.Kind.values()) {
            items.add(kinds[kind.ordinal()] + " " + kind.label());
        }
        if (unknown > 0) {
            items.add(unknown + " unknown");
        }
        for (Map.Entry<Long, Integer> job : jobs.entrySet()) {
            items.add("job " + job.getKey() + " on " + job.getValue() + (job.getValue() == 1 ? " node" : " nodes"));
        }
        appendWrapped(out, "states: ", items, ", ", width);
    }

    private static void appendChanges(StringBuilder out, MachineDescription machine, MachineDescription baseline,
                                      List<Integer> changed, int width) {
        if (changed.isEmpty()) {
            out.append("changed: none (as in ").append(baseline.name()).append(")\n");
            return;
        }
        List<String> items = new ArrayList<>();
        for (int nid : changed.subList(0, Math.min(changed.size(), LISTED_CHANGES))) {
            items.add("nid " + nid + " " + machine.position(nid) + " " + baseline.partition(nid).label() + " -> "
                    + machine.partition(nid).label());
        }
        if (changed.size() > LISTED_CHANGES) {
            items.add("and " + (changed.size() - LISTED_CHANGES) + " more");
        }
        appendWrapped(out, "changed: ", items, ", ", width);
    }

    /** Joins {@code items} after {@code lead}, breaking lines (indented under the first item) before {@code width}. */
    private static void appendWrapped(StringBuilder out, String lead, List<String> items, String separator, int width) {
        StringBuilder line = new StringBuilder(lead);
        String indent = " ".repeat(lead.length());
        boolean first = true;
        for (String item : items) {
            String piece = first ? item : separator + item;
            if (!first && line.length() + piece.length() > width) {
                emit(out, line.append(separator.strip()), indent, width);
                line = new StringBuilder(indent).append(item);
            } else {
                line.append(piece);
            }
            first = false;
        }
        emit(out, line, indent, width);
    }

    /** Appends {@code line}, broken at spaces (continuations indented) where it is wider than {@code width}. */
    private static void emit(StringBuilder out, StringBuilder line, String indent, int width) {
        String rest = stripTrailing(line);
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= indent.length()) {
                break;
            }
            out.append(rest, 0, cut).append('\n');
            rest = indent + rest.substring(cut + 1).stripLeading();
        }
        out.append(rest).append('\n');
    }

    private static String stripTrailing(StringBuilder line) {
        return line.toString().stripTrailing();
    }

    private static int digits(int value) {
        return Integer.toString(Math.max(0, value)).length();
    }

    /** "64 MiB", "256 MiB", "1 GiB", "12 KiB" or bytes. */
    static String size(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + " MiB";
        }
        if (bytes % (1L << 10) == 0) {
            return bytes / (1L << 10) + " KiB";
        }
        return bytes + " bytes";
    }

    /** "800 MB/s" (decimal, as link speeds are quoted) or bytes per second. */
    static String bandwidth(long bytesPerSecond) {
        if (bytesPerSecond % 1_000_000_000L == 0) {
            return bytesPerSecond / 1_000_000_000L + " GB/s";
        }
        if (bytesPerSecond % 1_000_000L == 0) {
            return bytesPerSecond / 1_000_000L + " MB/s";
        }
        if (bytesPerSecond % 1_000L == 0) {
            return bytesPerSecond / 1_000L + " kB/s";
        }
        return bytesPerSecond + " B/s";
    }
}
