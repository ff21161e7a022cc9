package io.uniform.linux.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.process.files.OpenFile;
import io.uniform.process.files.ServiceFileSystem;
import io.uniform.process.image.MigrationRefused;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a migration carries of a descriptor table: its regular files, reopened in another table
 * at the same descriptors with the same flags and offsets; and every descriptor it refuses,
 * with the reason naming it.
 */
class DescriptorMigrationTest {
    private static final int O_APPEND = ServiceFileSystem.O_APPEND;
    private static final int O_CLOEXEC = FileFlags.O_CLOEXEC;

    @TempDir
    Path root;

    @Test
    void regularFilesAreReopenedWithTheirDescriptorsFlagsAndOffsets() throws Exception {
        GuestTask source = new GuestTask(root);
        int data = source.open("data.txt", GuestTask.CREATE_RW);
        assertEquals(11, source.write(data, "hello world"));
        assertEquals(6, source.seek(data, 6, OpenFile.SEEK_SET));
        assertEquals(4, source.call(d -> d.openat(source.space, GuestTask.AT_FDCWD, source.string("/log.txt"),
                ServiceFileSystem.O_CREAT | ServiceFileSystem.O_WRONLY | O_APPEND | O_CLOEXEC, 0644)));

        List<io.uniform.process.image.OpenFile> carried = source.descriptors.carriedFiles();
        assertEquals(List.of(new io.uniform.process.image.OpenFile(3, "/data.txt", flags(source, 3), 6),
                new io.uniform.process.image.OpenFile(4, "/log.txt", flags(source, 4) | O_CLOEXEC, 0)), carried);

        GuestTask destination = new GuestTask(root);
        for (io.uniform.process.image.OpenFile file : carried) {
            destination.descriptors.reopen(file);
        }
        for (int fd : new int[] {3, 4}) {
            assertEquals(flags(source, fd), flags(destination, fd), "F_GETFL of " + fd);
            assertEquals(source.call(d -> d.fcntl64(source.space, fd, FileFlags.F_GETFD, 0)),
                    destination.call(d -> d.fcntl64(destination.space, fd, FileFlags.F_GETFD, 0)), "F_GETFD of " + fd);
        }
        assertEquals("world", destination.read(3, 64), "reading goes on at the offset");
        assertEquals(5, destination.write(4, "more\n"));
        assertEquals("more\n", Files.readString(root.resolve("log.txt")));
        assertEquals(5, destination.open("other.txt", GuestTask.CREATE_RW), "new descriptors come after the carried ones");
    }

    @Test
    void aFileGoneOrTurnedIntoADirectoryCannotBeReopened() throws Exception {
        GuestTask destination = new GuestTask(root);
        MigrationRefused gone = assertThrows(MigrationRefused.class,
                () -> destination.descriptors.reopen(new io.uniform.process.image.OpenFile(3, "/gone.txt", 0, 0)));
        assertTrue(gone.getMessage().contains("descriptor 3 cannot be opened again"), gone.getMessage());
        Files.createDirectory(root.resolve("dir"));
        MigrationRefused directory = assertThrows(MigrationRefused.class,
                () -> destination.descriptors.reopen(new io.uniform.process.image.OpenFile(3, "/dir", 0, 0)));
        assertTrue(directory.getMessage().contains("is a directory here"), directory.getMessage());
        assertEquals(3, destination.open("next.txt", GuestTask.CREATE_RW), "nothing was installed");
        assertThrows(IllegalArgumentException.class,
                () -> destination.descriptors.reopen(new io.uniform.process.image.OpenFile(3, "/next.txt", 0, 0)), "taken");
    }

    @Test
    void aPipeDoesNotTravel() {
        assertRefused(task -> task.pipe(0), "descriptor 3 is a pipe");
    }

    @Test
    void aDirectoryDoesNotTravel() {
        assertRefused(task -> task.open("/", ServiceFileSystem.O_DIRECTORY), "descriptor 3 is a directory");
    }

    @Test
    void theConsoleBeyondTheStandardStreamsDoesNotTravel() {
        assertRefused(task -> task.call(d -> d.dup(1)), "descriptor 3 is the console");
    }

    @Test
    void aFileSharedByTwoDescriptorsDoesNotTravel() {
        assertRefused(task -> task.call(d -> d.dup(task.open("a.txt", GuestTask.CREATE_RW))),
                "descriptor 3 (a.txt) shares its open file with another descriptor");
    }

    @Test
    void aFileItsPathNoLongerLeadsToDoesNotTravel() {
        assertRefused(task -> {
            task.open("a.txt", GuestTask.CREATE_RW);
            task.call(d -> d.renameat2(task.space, GuestTask.AT_FDCWD, task.string("a.txt"), GuestTask.AT_FDCWD,
                    task.string("b.txt"), 0));
        }, "the file at descriptor 3 was removed or renamed");
    }

    @Test
    void standardStreamsTravelOnlyAsTheyStarted() {
        assertRefused(task -> task.call(d -> d.close(0)), "descriptor 0 is not the console's stream it started as");
        assertRefused(task -> task.call(d -> d.dup3(2, 1, 0)), "descriptor 1 is not the console's stream");
        assertRefused(task -> task.call(d -> d.dup3(task.open("a.txt", GuestTask.CREATE_RW), 2, 0)), "descriptor 2 is not");
        assertRefused(task -> task.call(d -> d.fcntl64(task.space, 1, FileFlags.F_SETFD, FileFlags.FD_CLOEXEC)),
                "descriptor 1 is not");
    }

    private void assertRefused(Consumer<GuestTask> setUp, String reason) {
        GuestTask task = new GuestTask(root);
        setUp.accept(task);
        MigrationRefused refused = assertThrows(MigrationRefused.class, task.descriptors::carriedFiles);
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    }

    private static int flags(GuestTask task, int fd) {
        return task.call(d -> d.fcntl64(task.space, fd, FileFlags.F_GETFL, 0));
    }
}
