package io.uniform.process.files;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rank's files described for a process that moves away, and adopted from one that arrives. */
class FileTableMigrationTest {
    @TempDir
    Path root;

    private static int open(FileTable table, String path, int flags) {
        return (int) table.perform(new IoRequest.Open(path, flags, 0644)).result();
    }

    @Test
    void filesDescribedOnOneTableOpenOnAnotherAtTheSameDescriptorsFlagsAndOffsets() throws Exception {
        Files.writeString(root.resolve("data"), "0123456789", US_ASCII);
        FileTable from = new FileTable(new ServiceFileSystem(root));
        int read = open(from, "/data", ServiceFileSystem.O_RDONLY);
        int log = open(from, "/log", ServiceFileSystem.O_WRONLY | ServiceFileSystem.O_CREAT | ServiceFileSystem.O_APPEND);
        from.perform(new IoRequest.Read(read, 4));
        from.perform(new IoRequest.Write(log, "one,".getBytes(US_ASCII)));
        List<io.uniform.process.image.OpenFile> described = from.describe();
        assertEquals(List.of(new io.uniform.process.image.OpenFile(read, "/data", ServiceFileSystem.O_RDONLY, 4),
                new io.uniform.process.image.OpenFile(log, "/log", ServiceFileSystem.O_WRONLY | ServiceFileSystem.O_APPEND, 4)), described);
        from.closeAll();

        FileTable to = new FileTable(new ServiceFileSystem(root));
        to.adopt(described);
        IoReply rest = to.perform(new IoRequest.Read(read, 100));
        assertArrayEquals("456789".getBytes(US_ASCII), rest.data());
        to.perform(new IoRequest.Write(log, "two".getBytes(US_ASCII)));
        assertEquals("one,two", Files.readString(root.resolve("log"), US_ASCII));
    }

    @Test
    void aFileThatIsGoneIsRefusedAndNothingIsLeftOpen() throws Exception {
        Files.writeString(root.resolve("kept"), "x", US_ASCII);
        FileTable table = new FileTable(new ServiceFileSystem(root));
        FileSystemException gone = assertThrows(FileSystemException.class, () -> table.adopt(List.of(
                new io.uniform.process.image.OpenFile(3, "/kept", ServiceFileSystem.O_RDONLY, 0),
                new io.uniform.process.image.OpenFile(4, "/removed", ServiceFileSystem.O_RDONLY, 0))));
        assertTrue(gone.getMessage().contains("removed"), gone.getMessage());
        assertEquals(List.of(), table.describe(), "all or none");
        assertEquals(3, open(table, "/kept", ServiceFileSystem.O_RDONLY), "descriptor 3 is still free");
    }
}
