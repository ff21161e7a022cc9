package io.uniform.config;

/**
 * Where a node sits in the mesh: the router's coordinates {@code x}, {@code y}, {@code z}
 * (z = 0 on a 2D mesh) and {@code node}, the node's slot on that router (0 when a router
 * serves one node; 0 or 1 on ASCI Red, whose routers each serve two nodes).
 */
public record MeshPosition(int x, int y, int z, int node) {
    @Override
    public String toString() {
        return "(" + x + "," + y + "," + z + ")" + (node == 0 ? "" : "#" + node);
    }
}
