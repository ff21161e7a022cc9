package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.uniform.config.Partition;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top screen of a given machine view, line by line. */
class TopScreenTest {
    private static NodeSample node(int nid, NodeActor.Status status, int job, long instructions, double mips) {
        NodeActor.State state = new NodeActor.State(nid, Partition.COMPUTE, status, job, job == 0 ? 0 : nid, 3, 0,
                new NodeActor.PortalsTraffic(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0);
        return new NodeSample(new NodeActor.Figures(state, new NodeActor.Activity(instructions, 0, 0, 0, 0, 0, 0, 1, 0)), mips, 10, -1);
    }

    @Test
    void rendersMembersStatesJobsFailedJobsAndTheBusiestNodes() {
        MemberReport a = new MemberReport("uniform@127.0.0.1:25520", 0, new JvmFigures(64L << 20, 512L << 20, 7, 0.5, 0.25, 2,
                        new CountingMailbox.Depths(3, 2), new ArteryTraffic.Figures(10, 5L << 20, 12, 3L << 20)),
                List.of(new MemberReport.StateCount("compute", NodeActor.Status.IDLE, 1),
                        new MemberReport.StateCount("compute", NodeActor.Status.RUNNING, 1)),
                Activities.NONE, 120.5, 10, List.of(node(1, NodeActor.Status.RUNNING, 4, 1000, 120.5), node(2, NodeActor.Status.IDLE, 0, 5, 0)),
                List.of(new Machine.JobFigures(4, "guest/elf/mpp/token_ring.elf", 1, 1_000, 0, 0)),
                List.of(new Machine.FailedJob(3, "alltoall", List.of(0, 1), List.of("127.0.0.1:25521", "127.0.0.1:25522"), 500, "lost")), 1);
        String screen = TopScreen.render(new MachineView(List.of(a)), 3_500);
        assertEquals(String.join("\n",
                "uniform top: 1 member, 2 nodes, 1 job, 120.5 MIPS, 10 msg/s",
                "",
                "MEMBER                        NODES     MIPS     MSG/S  HEAP MiB   CPU%     GC MAILBOX  ARTERY MiB",
                "uniform@127.0.0.1:25520           2    120.5        10   64/512      25      7       3         5/3",
                "",
                "NODES BY STATE",
                "  compute      1 idle     1 running",
                "",
                "JOB    PROGRAM                   RANKS    RUNTIME",
                "4      token_ring.elf                1       2.5s",
                "",
                "FAILED PROGRAM                   RANKS        AGO  LOST WITH",
                "3      alltoall                      2       3.0s  127.0.0.1:25521, 127.0.0.1:25522",
                "",
                "NID    PARTITION STATE    JOB/RANK       MIPS     MSG/S INSTRUCTIONS  MOVES",
                "1      compute   running  4/1           120.5        10         1000      1",
                "2      compute   idle     -               0.0        10            5      1",
                ""), screen);
    }
}
