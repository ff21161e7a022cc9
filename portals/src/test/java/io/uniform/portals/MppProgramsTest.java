package io.uniform.portals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parallel programs of guest/mpp, each a whole job under {@link GuestJob}: the unified
 * library's Portals and collectives, over the uniform call and {@link PortalsCalls}, for jobs of
 * one rank up, on the Linux call, the Puma trap, or both (ranks alternating). Only rank 0
 * prints, and what it prints is the program's result line, exactly.
 */
class MppProgramsTest {
    private static final int REGION = 8 << 20;

    static String run(String program, int size, GuestJob.Os os, String... args) throws Exception {
        GuestJob job = new GuestJob("mpp/" + program + ".elf", size, os, REGION, args);
        List<GuestJob.RankResult> outcomes = job.run(4_000_000_000L);
        for (int r = 0; r < size; r++) {
            GuestJob.RankResult outcome = outcomes.get(r);
            assertEquals(0, outcome.status(), program + " rank " + r + ": " + outcome.out());
            if (r > 0) {
                assertEquals("", outcome.out(), program + " rank " + r + " prints nothing");
            }
        }
        return outcomes.get(0).out();
    }

    @Test
    void tokenRingChecksEveryHop() throws Exception {
        for (int size : new int[] {1, 2, 3, 5, 8}) {
            assertEquals("token_ring: " + size + " ranks, 20 laps, " + 20 * size + " hops, ok\n",
                    run("token_ring", size, GuestJob.Os.MIXED, "20"));
        }
        assertEquals("token_ring: 64 ranks, 100 laps, 6400 hops, ok\n", run("token_ring", 64, GuestJob.Os.PUMA));
    }

    @Test
    void allreduceMatchesTheClosedForms() throws Exception {
        for (int size : new int[] {1, 2, 3, 4, 5, 7, 8, 13}) {
            assertEquals("allreduce: " + size + " ranks, 6 rounds, 66 collectives, ok\n",
                    run("allreduce", size, GuestJob.Os.MIXED, "6"));
        }
        assertEquals("allreduce: 33 ranks, 20 rounds, 220 collectives, ok\n",
                run("allreduce", 33, GuestJob.Os.LINUX));
    }

    @Test
    void heat2dIsTheSerialGridBitForBitWhateverTheRanks() throws Exception {
        for (int size : new int[] {1, 2, 3, 7, 24, 30}) {
            assertEquals("heat2d: 24x24 grid, 30 steps, " + size + " ranks, checksum 0x6efb8bf40133f580, ok\n",
                    run("heat2d", size, GuestJob.Os.MIXED, "24", "30"));
        }
    }

    @Test
    void dsortSortsAPermutation() throws Exception {
        for (int size : new int[] {1, 2, 3, 5, 8, 16}) {
            String out = run("dsort", size, GuestJob.Os.MIXED, "300", "7");
            assertTrue(out.matches("dsort: " + size + " ranks, " + 300 * size
                    + " keys, checksum 0x[0-9a-f]{16}, sorted, ok\n"), out);
        }
        assertEquals(run("dsort", 4, GuestJob.Os.LINUX, "1000", "3"), run("dsort", 4, GuestJob.Os.PUMA, "1000", "3"));
        assertEquals("dsort: 3 ranks, 0 keys, checksum 0x0000000000000000, sorted, ok\n",
                run("dsort", 3, GuestJob.Os.LINUX, "0"));
    }

    @Test
    void pingpongChecksEveryByteAndMeasuresOtherwise() throws Exception {
        for (int size : new int[] {1, 2, 3}) {
            assertEquals("pingpong: check, " + size + " ranks, 11 sizes, 3 round trips and 4 streamed each, ok\n",
                    run("pingpong", size, GuestJob.Os.MIXED, "--check", "3", "4"));
        }
        String measured = run("pingpong", 2, GuestJob.Os.LINUX, "2", "2");
        assertTrue(measured.matches("(pingpong: +\\d+ bytes  latency +[0-9.]+ us  bandwidth +[0-9.]+ MiB/s\n){11}"
                + "pingpong: 2 ranks, 11 sizes from 1024 to 1048576 bytes, ok\n"), measured);
    }

    @Test
    void alltoallLosesDuplicatesAndReordersNothing() throws Exception {
        for (int size : new int[] {1, 2, 3, 8, 17}) {
            assertEquals("alltoall: " + size + " ranks, 5 rounds, " + size * size * 5 + " messages, ok\n",
                    run("alltoall", size, GuestJob.Os.MIXED, "5"));
        }
        assertEquals("alltoall: 64 ranks, 20 rounds, 81920 messages, ok\n", run("alltoall", 64, GuestJob.Os.MIXED));
    }

    @Test
    void portalsSemanticsPassEveryCheck() throws Exception {
        String groups = """
                PASS identity and utilities
                PASS matching order
                PASS source wildcards and ignore bits
                PASS truncation
                PASS threshold exhaustion and unlink
                PASS local and remote-managed offsets, max size
                PASS ack and reply events
                PASS event queue overflow
                PASS access control
                PASS bad arguments
                """;
        assertEquals(groups + "portals_semantics: 1 ranks, 143 checks, ok\n",
                run("portals_semantics", 1, GuestJob.Os.LINUX));
        for (int size : new int[] {2, 4}) {
            assertEquals(groups + "PASS across processes\nportals_semantics: " + size + " ranks, 145 checks, ok\n",
                    run("portals_semantics", size, GuestJob.Os.MIXED));
        }
    }

    @Test
    void badInputGetsItsErrorOrIsDroppedAndHarmsNoOtherProcess() throws Exception {
        String cases = """
                PASS a put to a node that does not exist
                PASS a put to a process that does not exist
                PASS a put to an unattached portal index
                PASS malformed memory descriptors
                PASS event queue handles into the text segment
                """;
        for (int size : new int[] {2, 3, 5}) {
            assertEquals(cases + "portals_bad_input: " + size + " ranks, 50 checks, " + size * size * 6 + " good messages, ok\n",
                    run("portals_bad_input", size, GuestJob.Os.MIXED));
        }
        assertEquals(cases + "portals_bad_input: 2 ranks, 234 checks, 24 good messages, ok\n",
                run("portals_bad_input", 2, GuestJob.Os.PUMA, "100"));
    }
}
