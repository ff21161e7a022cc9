package io.uniform.interconnect;

/**
 * Where a process runs now: the node, and the incarnation of the process there. The
 * incarnation tells apart the successive stays of one process on one node: a process that
 * leaves nid 5 and later comes back runs there as a new incarnation, while the forwarder its
 * first stay left behind (the migration issue's) may still be draining. Messages are addressed
 * to a location, incarnation included, so each goes to the stay its sender meant. Whoever
 * places a process chooses an incarnation no earlier stay on that node used; the directory
 * does not interpret it.
 *
 * @param nid the node that hosts the process
 * @param incarnation which stay on that node (not negative)
 */
public record Location(int nid, long incarnation) {
    public Location {
        if (nid < 0 || incarnation < 0) {
            throw new IllegalArgumentException("a location has a nid and an incarnation that are not negative: nid "
                    + nid + ", incarnation " + incarnation);
        }
    }

    @Override
    public String toString() {
        return "nid " + nid + "#" + incarnation;
    }
}
