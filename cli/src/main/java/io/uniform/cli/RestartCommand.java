package io.uniform.cli;

import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.node.Machine;
import io.uniform.node.yod.SnapshotFile;
import io.uniform.node.yod.Yod;
import io.uniform.process.UnifiedLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform restart SNAPSHOT}: runs a job again from a snapshot, on the embedded machine or
 * a running cluster's, each rank on a free node of the OS it ran on; the session is yod's.
 */
@Command(name = "restart",
        description = {"Run a job again from its snapshot (uniform checkpoint, yod --checkpoint-every) on the embedded machine or, with "
                + "--cluster, a running cluster's: each rank on a free node of the OS it ran on (Puma: compute, Linux: service), "
                + "from where it was at the snapshot, with the messages that were in flight.",
                "The session is yod's: output as it comes (what the ranks printed before the snapshot is not printed again), "
                        + "Ctrl-C kills the job; exit status the job's, 1 if the snapshot cannot be used (and why), 2 on bad input."})
final class RestartCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "The snapshot file.")
    Path snapshot;

    @Option(names = "--machine", paramLabel = "PRESET", description = "The machine preset (default: the configured default machine); "
            + "on a cluster, the machine its members were started with.")
    String machine;

    @Option(names = "--files", paramLabel = "DIR", defaultValue = ".",
            description = "The service partition's file system, as the job had it (default: the current directory).")
    Path files;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    SnapshotOptions snapshots;

    @Override
    public Integer call() {
        if (!Files.isDirectory(files)) {
            System.err.println("uniform: restart: --files " + files + " is not a directory");
            return 2;
        }
        SnapshotFile.Header header;
        try {
            header = SnapshotFile.header(snapshot);
        } catch (SnapshotFile.BadSnapshot e) {
            System.err.println("uniform: restart: " + e.getMessage());
            return 1;
        }
        boolean interactive = !header.ranks().isEmpty() && header.ranks().get(0).os() == UnifiedLibrary.OS_PUMA; // yod serves a Puma rank 0's stdin as it reads
        Yod.Options options;
        MachineDescription description;
        try {
            options = snapshots.apply(new Yod.Options(files.toAbsolutePath().toString(), interactive, null, JobSession.OUTPUT_WINDOW));
            description = machine == null ? MachineDescriptions.defaultMachine() : MachineDescriptions.preset(machine);
        } catch (IllegalArgumentException | MachineConfigException e) {
            System.err.println("uniform: restart: " + e.getMessage());
            return 2;
        }
        MachineConnection connection;
        try {
            connection = MachineConnection.open(cluster, description, ConfigFactory.empty());
        } catch (IllegalArgumentException | ClusterMember.Unavailable e) {
            System.err.println("uniform: restart: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        String file = snapshot.toAbsolutePath().toString();
        return new JobSession().run(connection, header.ranks().size() > 1, terminal -> new Machine.Restart(file, null, terminal, options));
    }
}
