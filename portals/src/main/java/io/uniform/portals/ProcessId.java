package io.uniform.portals;

import io.uniform.cpu.memory.AddressSpace;
import io.uniform.portals.Layout.ProcessIdT;

/**
 * {@code ptl_process_id_t}: a node id and a process id, as guest code holds them. In a match
 * entry or an access control entry either may be the wildcard {@link Ptl#PTL_NID_ANY} /
 * {@link Ptl#PTL_PID_ANY}; in a message neither is.
 */
public record ProcessId(int nid, int pid) {
    /** Both wildcards: matches every process. */
    public static final ProcessId ANY = new ProcessId(Ptl.PTL_NID_ANY, Ptl.PTL_PID_ANY);

    /** Whether this id, possibly with wildcards, admits the concrete id {@code actual}. */
    public boolean admits(ProcessId actual) {
        return (nid == Ptl.PTL_NID_ANY || nid == actual.nid) && (pid == Ptl.PTL_PID_ANY || pid == actual.pid);
    }

    /** Whether either half is a wildcard, which a message's source or destination never is. */
    public boolean hasWildcard() {
        return nid == Ptl.PTL_NID_ANY || pid == Ptl.PTL_PID_ANY;
    }

    public static ProcessId read(AddressSpace space, int address) {
        return new ProcessId(space.load32(ProcessIdT.NID.at(address)), space.load32(ProcessIdT.PID.at(address)));
    }

    public void write(AddressSpace space, int address) {
        space.store32(ProcessIdT.NID.at(address), nid);
        space.store32(ProcessIdT.PID.at(address), pid);
    }

    @Override
    public String toString() {
        return "(" + (nid == Ptl.PTL_NID_ANY ? "ANY" : Integer.toUnsignedString(nid)) + ", "
                + (pid == Ptl.PTL_PID_ANY ? "ANY" : Integer.toUnsignedString(pid)) + ")";
    }
}
