package io.uniform.portals;

/**
 * Who a process is, as its kernel knows it: its Portals process id, user id and job id. The
 * kernel passes it to the engine; an outgoing message's initiator, uid and jid come from here
 * and never from the process's memory, so a process cannot pose as another job.
 */
public record Identity(ProcessId id, int uid, int jid) {
    public Identity {
        if (id == null || id.hasWildcard()) {
            throw new IllegalArgumentException("a process identity has no wildcard: " + id);
        }
    }
}
