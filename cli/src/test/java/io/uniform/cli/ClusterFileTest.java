package io.uniform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFileTest {
    @TempDir
    Path directory;

    @Test
    void aRewriteReplacesTheWholeListAndLeavesNothingElseBehind() throws IOException {
        Path file = directory.resolve("cluster");
        ClusterFile.write(file, List.of("127.0.0.1:25520", "127.0.0.1:25521", "127.0.0.1:25522"));
        ClusterFile.write(file, List.of("127.0.0.1:25521"));
        assertEquals("127.0.0.1:25521\n", Files.readString(file));
        assertEquals(List.of(file), entries());
    }

    @Test
    void aFailedRewriteLeavesNoHalfWrittenFileBehind() throws IOException {
        Path file = Files.createDirectories(directory.resolve("cluster"));
        Files.writeString(file.resolve("occupant"), "a directory that is not empty cannot be replaced");
        assertThrows(IOException.class, () -> ClusterFile.write(file, List.of("127.0.0.1:25520")));
        assertEquals(List.of(file), entries());
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        }
    }
}
