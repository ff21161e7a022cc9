package io.uniform.node.yod;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.serialization.Serialization;

/** A snapshot file's records as yod reads them to restore a job, for tests that look inside one. */
public final class SnapshotRecords {
    private SnapshotRecords() {}

    /** Every record of the snapshot in {@code file}, in order: the ranks' states, page chunks and channel messages. */
    public static List<Object> of(Path file, Serialization serialization) throws SnapshotFile.BadSnapshot, IOException {
        List<Object> records = new ArrayList<>();
        try (SnapshotFile.Reader reader = SnapshotFile.open(file, serialization)) {
            for (Object record = reader.next(); record != null; record = reader.next()) {
                records.add(record);
            }
        }
        return records;
    }
}
