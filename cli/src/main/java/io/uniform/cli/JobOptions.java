package io.uniform.cli;

import io.uniform.node.JobPlacement;
import io.uniform.node.NodeActor;
import io.uniform.puma.pct.FaultInjectingPct;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every job-launching command takes: the machine, where the ranks run, the files directory, the program and its arguments. */
final class JobOptions {
    @Option(names = "--machine", paramLabel = "PRESET", description = "The machine preset (default: the configured default machine); "
            + "on a cluster, the machine its members were started with.")
    String machine;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    SnapshotOptions snapshots;

    /** Where the ranks run, as the command line names it. */
    enum On {
        compute(JobPlacement.COMPUTE), service(JobPlacement.SERVICE), mixed(JobPlacement.MIXED);

        final JobPlacement placement;

        On(JobPlacement placement) {
            this.placement = placement;
        }
    }

    @Option(names = "--on", paramLabel = "WHERE", defaultValue = "compute",
            description = "Where the ranks run: compute (Puma, the default), service (Linux) or mixed (the last half of the ranks on "
                    + "service nodes, the rest on compute nodes).")
    On on;

    @Option(names = "--files", paramLabel = "DIR", defaultValue = ".",
            description = "The service partition's file system: the program's files live here, confined (default: the current directory).")
    Path files;

    /** The PCTs a compute node can boot with. */
    enum PctPolicy {
        fifo, round_robin;

        /** The name the configuration uses. */
        String configName() {
            return name().replace('_', '-');
        }
    }

    @Option(names = "--pct-policy", paramLabel = "POLICY", defaultValue = "fifo",
            description = "The scheduling policy of the PCT the compute nodes boot with: fifo (run to completion) or round_robin "
                    + "(default: ${DEFAULT-VALUE}).")
    PctPolicy pctPolicy;

    @Option(names = "--pct-fault", paramLabel = "OP[:N]",
            description = "Make the PCT of every rank's compute node fail at its N-th (default 1st) call of OP (write, read, brk, schedule, ...): "
                    + "the fault is contained, a fresh PCT is loaded, and the program goes on.")
    String pctFault;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the machine's figures (nodes, jobs, this JVM) in Prometheus text format at http://HOST:PORT/metrics "
                    + "while the job runs (HOST: uniform.metrics.host, all interfaces by default).")
    Integer metricsPort;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROG.elf", description = "The program: a static RV32IM ELF executable linked with the unified library.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments passed to the program (every rank).")
    List<String> arguments = new ArrayList<>();

    /** The requested PCT fault, or null; throws with a usage message when malformed. */
    NodeActor.InjectPctFault pctFault() {
        if (pctFault == null) {
            return null;
        }
        String[] parts = pctFault.split(":", 2);
        int nth;
        try {
            nth = parts.length == 1 ? 1 : Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--pct-fault " + pctFault + ": N must be a number");
        }
        try {
            FaultInjectingPct.requireInjectable(parts[0], nth);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--pct-fault " + pctFault + ": " + e.getMessage());
        }
        return new NodeActor.InjectPctFault(parts[0], nth);
    }
}
