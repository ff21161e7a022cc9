package io.uniform.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.uniform.node.Machine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which jobs of a lost machine wait for a claim, which claims take them, and what is reported of the rest. */
class UnclaimedJobsTest {
    private static final RunningJobs.Member MACHINE = new RunningJobs.Member("127.0.0.1:25520", 1);
    private static final RunningJobs.Member SURVIVOR = new RunningJobs.Member("127.0.0.1:25521", 2);
    private static final RunningJobs.Member CLIENT = new RunningJobs.Member("127.0.0.1:25522", 3);
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** A 4-rank job of machine {@code machineId}, dealt to the lost machine's member and a survivor in turn, asked for by {@code request}. */
    private static RunningJobs.Job job(int jobId, String machineId, String request) {
        return new RunningJobs.Job(jobId, "alltoall", List.of(0, 1, 2, 3), List.of(MACHINE, SURVIVOR, MACHINE, SURVIVOR), machineId, MACHINE,
                null, CLIENT, List.of(request));
    }

    /** Only the survivor is still a member (by HOST:PORT and uid). */
    private static boolean onlyTheSurvivor(RunningJobs.Member member) {
        return member.equals(SURVIVOR);
    }

    @Test
    void onlyTheJobsOfOtherMachinesWaitForAClaim() {
        UnclaimedJobs unclaimed = new UnclaimedJobs();
        List<RunningJobs.Job> adopted = unclaimed.adopt(List.of(job(9, "before", "r9"), job(12, "this", "r12"), job(7, "before", "r7")), "this");
        assertEquals(List.of(7, 9), adopted.stream().map(RunningJobs.Job::jobId).toList());
    }

    @Test
    void aClaimByTheJobsIdOrByOneOfItsRequestsTakesItOnce() {
        UnclaimedJobs unclaimed = new UnclaimedJobs();
        RunningJobs.Job seven = job(7, "before", "r7");
        RunningJobs.Job nine = job(9, "before", "r9");
        unclaimed.adopt(List.of(seven, nine), "this");
        assertNull(unclaimed.claim(8, List.of("r8")), "no such job");
        assertSame(seven, unclaimed.claim(7, List.of()));
        assertNull(unclaimed.claim(7, List.of("r7")), "claimed already");
        assertSame(nine, unclaimed.claim(-1, List.of("other", "r9")), "a copy of its request");
        assertEquals(List.of(), unclaimed.reportWaiting(UnclaimedJobsTest::onlyTheSurvivor, BOUND, 0), "every job was claimed");
        assertEquals(0, unclaimed.failedCount());
    }

    @Test
    void whatIsNotClaimedIsReportedFailedWithItsRanksAndTheMembersLost() {
        UnclaimedJobs unclaimed = new UnclaimedJobs();
        unclaimed.adopt(List.of(job(7, "before", "r7"), job(9, "before", "r9")), "this");
        unclaimed.claim(9, List.of());

        List<UnclaimedJobs.Reported> reported = unclaimed.reportWaiting(UnclaimedJobsTest::onlyTheSurvivor, BOUND, 5_000);

        assertEquals(1, reported.size());
        Machine.FailedJob failed = reported.get(0).failure();
        assertEquals(new Machine.FailedJob(7, "alltoall", List.of(0, 1, 2, 3), List.of("127.0.0.1:25520", "127.0.0.1:25522"), 5_000,
                "its 4 rank(s) ran on nodes [0, 1, 2, 3]; it was lost with member(s) 127.0.0.1:25520 (its machine's and yod's; ranks 0, 2), "
                        + "127.0.0.1:25522 (its client's), and no client re-claimed it within 60 s of the next machine's start"), failed);
        assertEquals(failed, unclaimed.reported(7));
        assertNull(unclaimed.reported(9), "claimed, not reported");
        assertEquals(List.of(failed), unclaimed.recentFailures());
        assertEquals(1, unclaimed.failedCount());
        assertEquals(List.of(), unclaimed.reportWaiting(UnclaimedJobsTest::onlyTheSurvivor, BOUND, 6_000), "reported once");
    }

    @Test
    void aLiveClientAndANewMemberOnALostMembersAddressAreNotNamedLost() {
        RunningJobs.Member newcomer = new RunningJobs.Member(MACHINE.hostPort(), 99);
        Set<RunningJobs.Member> present = Set.of(SURVIVOR, CLIENT, newcomer);
        assertEquals(Map.of("127.0.0.1:25520", List.of("its machine's and yod's", "ranks 0, 2")),
                UnclaimedJobs.lostMembers(job(7, "before", "r7"), present::contains));
    }

    @Test
    void aJobNamesAMemberForEachRank() {
        assertThrows(IllegalArgumentException.class, () -> new RunningJobs.Job(7, "alltoall", List.of(0, 1), List.of(MACHINE), "before",
                MACHINE, null, CLIENT, List.of()));
    }
}
