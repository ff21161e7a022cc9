package io.uniform.interconnect;

/**
 * The name of a process as guest code holds it: Portals' {@code ptl_process_id_t}, the nid and
 * pid the process had when its job started. It is a <em>logical</em> name: it never changes,
 * also when the process migrates to another node, so ids a program stored (its peers' ranks'
 * ids, the source of a match entry) stay valid. Where the process runs now is the
 * {@link LocationDirectory}'s answer, a {@link Location}.
 *
 * <p>Portals' wildcards ({@code PTL_NID_ANY}, {@code PTL_PID_ANY}) match ids; they are not ids,
 * and do not appear here.
 *
 * @param nid the node the process started on
 * @param pid its process id on that node when it started
 */
public record ProcessId(int nid, int pid) {
    public ProcessId {
        if (nid < 0 || pid < 0) {
            throw new IllegalArgumentException("a process id has a nid and a pid that are not negative: nid " + nid
                    + ", pid " + pid);
        }
    }

    @Override
    public String toString() {
        return nid + ":" + pid;
    }
}
