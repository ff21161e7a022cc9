package io.uniform.cli;

import io.uniform.node.yod.Yod;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --checkpoint-every SECONDS} and {@code --snapshots DIR}: a job's periodic snapshots, and where they go. */
final class SnapshotOptions {
    @Option(names = "--checkpoint-every", paramLabel = "SECONDS",
            description = "Take a snapshot of the job every SECONDS while it runs (each printed on stderr; a newer one replaces the "
                    + "last, a failed one leaves it); a job that loses a node restarts from its last snapshot.")
    Double checkpointEverySeconds;

    @Option(names = "--snapshots", paramLabel = "DIR",
            description = "Where the job's snapshots are written (default: uniform.snapshots.dir, `snapshots` in the working "
                    + "directory of the JVM that runs the machine).")
    Path directory;

    /** {@code options} with these snapshots; throws with a usage message for a period that is not positive. */
    Yod.Options apply(Yod.Options options) {
        if (checkpointEverySeconds != null && !(checkpointEverySeconds >= 0.1 && checkpointEverySeconds <= 86_400)) {
            throw new IllegalArgumentException("--checkpoint-every must be from 0.1 to 86400 seconds, not " + checkpointEverySeconds);
        }
        long millis = checkpointEverySeconds == null ? 0 : Math.round(checkpointEverySeconds * 1000);
        return options.withSnapshots(millis, directory == null ? null : directory.toAbsolutePath().toString());
    }
}
