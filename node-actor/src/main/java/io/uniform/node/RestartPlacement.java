package io.uniform.node;

import io.uniform.process.UnifiedLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Which OS each rank of a snapshot restarts on (docs/ARCHITECTURE.md, "Snapshots and restart"):
 * its own while its partition has free nodes, else the other one where it fits, as a migration
 * would take it there. A Puma rank always fits Linux (a Puma to Linux move never refuses a
 * process for its memory); a Linux rank fits Puma only if a Puma node would admit its state.
 * The lowest ranks keep their own OS, so rank 0 moves last.
 */
final class RestartPlacement {
    private RestartPlacement() {}

    /** The OS each rank restarts on, by rank ({@code os} empty when refused), or why the ranks cannot all be placed. */
    record Plan(List<Integer> os, String refusal) {
        Plan {
            os = List.copyOf(os);
        }

        static Plan refused(String refusal) {
            return new Plan(List.of(), refusal);
        }
    }

    /**
     * Places ranks recorded on {@code snapshotOs} (by rank) on {@code freeCompute} free Puma
     * nodes and {@code freeService} free Linux nodes. {@code pumaRefusals} tells, for the
     * Linux ranks it is given, why each would not be admitted on a Puma node (a rank that fits
     * is absent); it is asked only when the Linux ranks outnumber the free Linux nodes.
     */
    static Plan plan(List<Integer> snapshotOs, int freeCompute, int freeService, Function<List<Integer>, Map<Integer, String>> pumaRefusals) {
        List<Integer> puma = ranksOf(snapshotOs, UnifiedLibrary.OS_PUMA);
        List<Integer> linux = ranksOf(snapshotOs, UnifiedLibrary.OS_LINUX);
        if (puma.size() + linux.size() != snapshotOs.size()) {
            return Plan.refused("the snapshot holds ranks of an unknown OS: " + snapshotOs);
        }
        if (snapshotOs.size() > freeCompute + freeService) {
            return Plan.refused(String.format("its %d ranks (%d Puma, %d Linux) need as many nodes, and %d compute and %d service"
                    + " nodes are free", snapshotOs.size(), puma.size(), linux.size(), freeCompute, freeService));
        }
        List<Integer> os = new ArrayList<>(snapshotOs);
        if (linux.size() <= freeService) {
            // The Puma ranks past the free compute nodes take the service nodes the Linux ranks leave.
            puma.subList(Math.min(puma.size(), freeCompute), puma.size()).forEach(rank -> os.set(rank, UnifiedLibrary.OS_LINUX));
            return new Plan(os, null);
        }
        int toPuma = linux.size() - freeService;
        Map<Integer, String> refusals = pumaRefusals.apply(linux);
        List<Integer> fitting = linux.stream().filter(rank -> !refusals.containsKey(rank)).toList();
        if (fitting.size() < toPuma) {
            String why = linux.stream().filter(refusals::containsKey).map(rank -> "rank " + rank + ": " + refusals.get(rank))
                    .collect(Collectors.joining("; "));
            return Plan.refused(String.format("its %d Linux ranks find %d free service nodes, and only %d of them fit a Puma node"
                    + " where %d must go (%s)", linux.size(), freeService, fitting.size(), toPuma, why));
        }
        fitting.subList(fitting.size() - toPuma, fitting.size()).forEach(rank -> os.set(rank, UnifiedLibrary.OS_PUMA));
        return new Plan(os, null);
    }

    private static List<Integer> ranksOf(List<Integer> snapshotOs, int os) {
        return IntStream.range(0, snapshotOs.size()).filter(rank -> snapshotOs.get(rank) == os).boxed().toList();
    }
}
