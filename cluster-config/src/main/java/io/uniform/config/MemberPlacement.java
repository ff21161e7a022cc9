package io.uniform.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which cluster member hosts which node of a machine. The machine applies it to the members
 * that host nodes, in a fixed order (oldest first), whenever that list changes.
 *
 * <ul>
 *   <li>{@link Policy#BLOCKS} (the default): the nodes in nid order (mesh order) cut into one
 *       contiguous block per member, of equal size give or take one; neighbours on the mesh
 *       mostly share a member, so most Portals traffic of a compact job stays in one JVM.</li>
 *   <li>{@link Policy#ROUND_ROBIN}: node {@code i} (in nid order) on member {@code i mod N}.</li>
 *   <li>{@link Policy#EXPLICIT}: the nids {@link #memberOf} names go to that member index (modulo
 *       the members there are: with fewer members than the map names, they double up); the
 *       others as by blocks.</li>
 * </ul>
 *
 * @param memberOf member index by nid, for {@link Policy#EXPLICIT} (empty otherwise)
 */
public record MemberPlacement(Policy policy, Map<Integer, Integer> memberOf) {
    /** The placement used when a machine names none. */
    public static final MemberPlacement DEFAULT = new MemberPlacement(Policy.BLOCKS, Map.of());

    public enum Policy {
        BLOCKS("blocks"), ROUND_ROBIN("round-robin"), EXPLICIT("explicit");

        private final String key;

        Policy(String key) {
            this.key = key;
        }

        /** How the policy is written in HOCON. */
        public String key() {
            return key;
        }
    }

    public MemberPlacement {
        Objects.requireNonNull(policy, "policy");
        memberOf = Map.copyOf(memberOf);
        if (policy != Policy.EXPLICIT && !memberOf.isEmpty()) {
            throw new IllegalArgumentException("only the explicit placement names members for nids");
        }
        memberOf.forEach((nid, member) -> {
            if (member < 0) {
                throw new IllegalArgumentException("nid " + nid + ": member index " + member + " is negative");
            }
        });
    }

    /**
     * The host of every node of {@code description} (every nid not {@link Partition#ABSENT}),
     * among {@code members} in their order; empty when there are no members.
     */
    public <M> Map<Integer, M> hosts(MachineDescription description, List<M> members) {
        Map<Integer, M> hosts = new TreeMap<>();
        if (members.isEmpty()) {
            return hosts;
        }
        int count = description.nodeCount();
        int index = 0;
        for (int nid = 0; nid < description.positionCount(); nid++) {
            if (!description.partition(nid).isNode()) {
                continue;
            }
            long block = (long) index * members.size() / count;
            int member = switch (policy) {
                case BLOCKS -> (int) block;
                case ROUND_ROBIN -> index % members.size();
                case EXPLICIT -> memberOf.containsKey(nid) ? memberOf.get(nid) % members.size() : (int) block;
            };
            hosts.put(nid, members.get(member));
            index++;
        }
        return hosts;
    }

    /** As written in HOCON, for people and for the description's fingerprint. */
    @Override
    public String toString() {
        if (policy != Policy.EXPLICIT) {
            return policy.key();
        }
        Map<Integer, List<Integer>> nidsByMember = new TreeMap<>();
        new TreeMap<>(memberOf).forEach((nid, member) -> nidsByMember.computeIfAbsent(member, m -> new ArrayList<>()).add(nid));
        return policy.key() + " " + nidsByMember;
    }
}
