package io.uniform.interconnect;

/**
 * One router of the mesh, by its coordinates ({@code z = 0} on a 2D mesh). Every node slot of
 * a router shares it: two nodes on one router talk without crossing a link.
 */
public record Router(int x, int y, int z) {
    public Router {
        if (x < 0 || y < 0 || z < 0) {
            throw new IllegalArgumentException("router coordinates are not negative: (" + x + "," + y + "," + z + ")");
        }
    }

    /** Links between this router and {@code other} on a mesh: the Manhattan distance. */
    public int distance(Router other) {
        return Math.abs(x - other.x) + Math.abs(y - other.y) + Math.abs(z - other.z);
    }

    @Override
    public String toString() {
        return "(" + x + "," + y + "," + z + ")";
    }
}
