package io.uniform.interconnect;

import java.util.List;

/**
 * The path a message takes from node {@code from} to node {@code to}: the routers it traverses,
 * from the sender's router to the receiver's, both included. A route between two nodes of one
 * router is that router alone: zero hops.
 *
 * @param from the sending nid
 * @param to the receiving nid
 * @param routers the routers in the order traversed; never empty
 */
public record Route(int from, int to, List<Router> routers) {
    public Route {
        routers = List.copyOf(routers);
        if (routers.isEmpty()) {
            throw new IllegalArgumentException("a route traverses at least the router it starts on");
        }
        for (int i = 1; i < routers.size(); i++) {
            if (routers.get(i - 1).distance(routers.get(i)) != 1) {
                throw new IllegalArgumentException("routers " + routers.get(i - 1) + " and " + routers.get(i)
                        + " are not neighbours: a route crosses one link at a time");
            }
        }
    }

    /** Router-to-router links crossed: one less than the routers traversed. */
    public int hops() {
        return routers.size() - 1;
    }
}
