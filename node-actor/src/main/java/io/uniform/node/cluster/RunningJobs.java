package io.uniform.node.cluster;

import io.uniform.node.CborSerializable;
import io.uniform.node.yod.JobReport;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/**
 * The jobs a machine on a cluster runs, kept in Distributed Data beside {@link HighestJobId} (in
 * the same replicator of the host members), so that the machine after one whose member died
 * learns of every job the lost one ran, also of those whose client died with it and so never
 * re-claims them: it reports those failed ({@link UnclaimedJobs}). A job is put as its yod starts
 * and removed as it ends, so the map holds only what runs.
 */
public final class RunningJobs {
    /** The map's key in the machine's replicator: job id to the job. */
    public static final Key<LWWMap<Integer, Job>> KEY = LWWMapKey.create("running-jobs");

    private RunningJobs() {}

    /** A member as the machine saw it when it wrote a job: a new member on the same HOST:PORT has another {@code uid}. */
    public record Member(String hostPort, long uid) {
        public Member {
            Objects.requireNonNull(hostPort, "hostPort");
        }
    }

    /**
     * A running job: its id and program, the node of each rank and the member that hosts it, the
     * machine that runs it ({@code machineId}, one per machine started, and its member, where its
     * yod runs too), its client and the client's member, and the ids of the requests it answers
     * (a client's copy of one claims the job as a recovery does).
     */
    public record Job(int jobId, String program, List<Integer> nids, List<Member> rankMembers, String machineId, Member machine,
                      ActorRef<JobReport> client, Member clientMember, List<String> requests) implements CborSerializable {
        public Job {
            nids = List.copyOf(nids);
            rankMembers = List.copyOf(rankMembers);
            requests = List.copyOf(requests);
            if (nids.size() != rankMembers.size()) {
                throw new IllegalArgumentException("a member for each of the " + nids.size() + " ranks, not " + rankMembers.size());
            }
        }
    }

    /** The map before any job is put. */
    public static LWWMap<Integer, Job> none() {
        return LWWMap.create();
    }
}
