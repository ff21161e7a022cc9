package io.uniform.cli;

import io.uniform.config.Partition;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The operator's moves on a running cluster: {@code uniform migrate JOB RANK (--to NID |
 * --partition P)} and {@code uniform drain NID}. Each prints the machine's report; the exit
 * status is 0 when the process moved, 1 when the move was refused or failed (the process runs on
 * where it was), 2 on bad input or without a cluster.
 */
final class MoveCommand {
    private static final Duration MOVE_TIMEOUT = Duration.ofMinutes(2);

    private MoveCommand() {}

    @Command(name = "migrate",
            description = {"Move rank RANK of job JOB, on a running cluster, to node NID or to the free node of a partition nearest to it.",
                    "Prints how it went; exit status 0 if it moved, 1 if it was refused or failed (it runs on where it was)."})
    static final class Migrate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB", description = "The job's id (as uniform run and yod print it).")
        int job;

        @Parameters(index = "1", paramLabel = "RANK", description = "The rank to move.")
        int rank;

        static final class Destination {
            @Option(names = "--to", paramLabel = "NID", required = true, description = "The node to move to.")
            Integer nid;

            @Option(names = "--partition", paramLabel = "PARTITION", required = true,
                    description = "Move to the free node of this partition (compute or service) nearest to the rank's node.")
            String partition;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Destination to;

        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            Partition partition = null;
            if (to.partition != null) {
                partition = Partition.parse(to.partition).filter(Partition::isNode).orElse(null);
                if (partition == null) {
                    return ClusterRequest.usage("migrate", "unknown partition '" + to.partition + "' (compute, service, io, system)");
                }
            }
            int destination = to.nid != null ? to.nid : Machine.ANY_NODE;
            Partition toPartition = partition;
            return move("migrate", cluster, replyTo -> new Machine.Migrate(job, rank, destination, toPartition, replyTo));
        }
    }

    @Command(name = "drain",
            description = {"Move the process off node NID, on a running cluster, to the free node of its partition nearest to it, "
                    + "so that the node can be re-booted while its job runs on.",
                    "Prints how it went; exit status 0 if it moved, 1 if it was refused or failed."})
    static final class Drain implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NID", description = "The node to empty.")
        int nid;

        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            return move("drain", cluster, replyTo -> new Machine.Drain(nid, replyTo));
        }
    }

    private static int move(String command, ClusterOptions cluster, Function<ActorRef<NodeActor.MigrationReport>, Machine.Command> request) {
        return ClusterRequest.ask(command, cluster, request, MOVE_TIMEOUT, report -> {
            if (report.moved()) {
                System.out.println(describe(report));
                return 0;
            }
            System.err.println("uniform: " + command + ": refused: " + report.reason());
            return 1;
        });
    }

    /** A move that was made, for people. */
    static String describe(NodeActor.MigrationReport report) {
        return String.format("job %d rank %d moved from node %d to node %d: %d pages, %,d bytes sent, downtime %.1f ms, total %.1f ms",
                report.jobId(), report.rank(), report.from(), report.to(), report.pages(), report.bytesSent(),
                report.downtimeNanos() / 1e6, report.totalNanos() / 1e6);
    }
}
