package io.uniform.node.cluster;

import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

/**
 * The highest job id a machine on a cluster has given, kept in Distributed Data among the host
 * members, so that the machine after one whose member died numbers its jobs above every id the
 * lost one gave, in the machine's replicator ({@link MachineCluster}) beside its {@link RunningJobs}.
 * The register's timestamp is its value, so that two replicas merge to the higher id.
 */
public final class HighestJobId {
    /** The register's key in the machine's replicator. */
    public static final Key<LWWRegister<Integer>> KEY = LWWRegisterKey.create("highest-job-id");
    private static final LWWRegister.Clock<Integer> BY_VALUE = (currentTimestamp, jobId) -> jobId;

    private HighestJobId() {}

    /** The register before any id is given. */
    public static LWWRegister<Integer> none(SelfUniqueAddress self) {
        return LWWRegister.create(self, 0, BY_VALUE);
    }

    /** {@code register} raised to at least {@code jobId}, as {@code self} writes it. */
    public static LWWRegister<Integer> raisedTo(LWWRegister<Integer> register, int jobId, SelfUniqueAddress self) {
        return register.getValue() >= jobId ? register : register.withValue(self, jobId, BY_VALUE);
    }
}
