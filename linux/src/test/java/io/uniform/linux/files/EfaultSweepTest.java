package io.uniform.linux.files;

import static io.uniform.linux.files.GuestTask.AT_FDCWD;
import static io.uniform.linux.files.GuestTask.CREATE_RW;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.uniform.process.Errno;
import io.uniform.process.files.FileStatus;
import io.uniform.process.files.ServiceFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every pointer a file call takes, given an address the task cannot use, makes the call fail
 * with EFAULT through the address space's MemoryFault (the task gets -EFAULT), never with
 * another exception, and changes nothing: no descriptor, file, offset or pipe byte.
 */
class EfaultSweepTest {
    private static final String CONSOLE_INPUT = "typed";
    private static final String PIPE_DATA = "pipe data";
    /** A path or buffer running off the end of the space after 4 good bytes (no NUL among them). */
    private static final int STRADDLING = GuestTask.endMinus(4);
    private static final Map<String, Integer> BAD_POINTERS = Map.of(
            "null", 0, "below the space", GuestTask.WILD, "the top of the 32-bit space", GuestTask.TOP,
            "straddling the end of the space", STRADDLING);

    @TempDir
    Path root;

    @Test
    void everyPointerTakingCallIsEfaultAndChangesNothing() throws Exception {
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("file"), "0123456789");
        GuestTask task = new GuestTask(root, CONSOLE_INPUT.getBytes(StandardCharsets.US_ASCII));
        task.space.write(STRADDLING, new byte[] {'a', 'b', 'c', 'd'}, 0, 4);
        int file = task.open("file", ServiceFileSystem.O_RDWR);
        int dir = task.open("dir", ServiceFileSystem.O_RDONLY | ServiceFileSystem.O_DIRECTORY);
        int[] pipe = task.pipe(0);
        assertEquals(PIPE_DATA.length(), task.write(pipe[1], PIPE_DATA));
        assertEquals(3, task.seek(file, 3, 0));

        int name = task.string("new");
        int existing = task.string("file");
        int subdirectory = task.string("dir/sub");
        int buffer = task.buffer(256);
        int goodVector = task.buffer(8);
        task.space.store32(goodVector, buffer);
        task.space.store32(goodVector + 4, 16);
        int badVector = task.buffer(8);
        int empty = task.string("");

        Map<String, IntFunction<GuestTask.Call>> calls = new LinkedHashMap<>();
        calls.put("read of a file", p -> d -> d.read(task.space, file, p, 16));
        calls.put("write of a file", p -> d -> d.write(task.space, file, p, 16));
        calls.put("read of a pipe", p -> d -> d.read(task.space, pipe[0], p, 16));
        calls.put("write of a pipe", p -> d -> d.write(task.space, pipe[1], p, 16));
        calls.put("read of the console", p -> d -> d.read(task.space, 0, p, 16));
        calls.put("write of the console", p -> d -> d.write(task.space, 1, p, 16));
        calls.put("readv's array", p -> d -> d.readv(task.space, file, p, 2));
        calls.put("readv's segment", p -> d -> d.readv(task.space, file, vectorAt(task, badVector, p), 1));
        calls.put("writev's array", p -> d -> d.writev(task.space, pipe[1], p, 2));
        calls.put("writev's segment", p -> d -> d.writev(task.space, file, vectorAt(task, badVector, p), 1));
        calls.put("openat's path", p -> d -> d.openat(task.space, AT_FDCWD, p, CREATE_RW, 0644));
        calls.put("openat's path from a directory", p -> d -> d.openat(task.space, dir, p, CREATE_RW, 0644));
        calls.put("_llseek's result", p -> d -> d.llseek(task.space, file, 0, 7, p, 0));
        calls.put("statx's path", p -> d -> d.statx(task.space, AT_FDCWD, p, 0, FileStatus.STATX_BASIC_STATS, buffer));
        calls.put("statx's buffer", p -> d -> d.statx(task.space, AT_FDCWD, existing, 0, FileStatus.STATX_BASIC_STATS, p));
        calls.put("statx's buffer, of a descriptor",
                p -> d -> d.statx(task.space, pipe[0], empty, FileFlags.AT_EMPTY_PATH, FileStatus.STATX_BASIC_STATS, p));
        calls.put("fstatat64's path", p -> d -> d.newfstatat(task.space, AT_FDCWD, p, buffer, 0));
        calls.put("fstatat64's buffer", p -> d -> d.newfstatat(task.space, AT_FDCWD, existing, p, 0));
        calls.put("fstat64's buffer", p -> d -> d.fstat64(task.space, file, p));
        calls.put("getdents64's buffer", p -> d -> d.getdents64(task.space, dir, p, 256));
        calls.put("mkdirat's path", p -> d -> d.mkdirat(task.space, AT_FDCWD, p, 0755));
        calls.put("unlinkat's path", p -> d -> d.unlinkat(task.space, AT_FDCWD, p, 0));
        calls.put("unlinkat's path, AT_REMOVEDIR", p -> d -> d.unlinkat(task.space, dir, p, FileFlags.AT_REMOVEDIR));
        calls.put("renameat2's old path", p -> d -> d.renameat2(task.space, AT_FDCWD, p, AT_FDCWD, name, 0));
        calls.put("renameat2's new path", p -> d -> d.renameat2(task.space, AT_FDCWD, subdirectory, AT_FDCWD, p, 0));
        calls.put("pipe2's array", p -> d -> d.pipe2(task.space, p, 0));

        String before = state(task, file);
        for (Map.Entry<String, IntFunction<GuestTask.Call>> call : calls.entrySet()) {
            for (Map.Entry<String, Integer> pointer : BAD_POINTERS.entrySet()) {
                String what = call.getKey() + " with a pointer " + pointer.getKey();
                assertEquals(-Errno.EFAULT, task.call(call.getValue().apply(pointer.getValue())), what);
                assertEquals(before, state(task, file), what + " changed nothing");
            }
        }
        assertEquals(7, task.call(d -> d.readv(task.space, file, goodVector, 1)), "a good vector reads the 7 bytes from offset 3");
        assertEquals(PIPE_DATA, task.read(pipe[0], 64), "no pipe byte was lost or added");
        assertEquals(CONSOLE_INPUT, task.read(0, 64), "no console input was consumed");
        assertEquals("", task.out.toString(StandardCharsets.UTF_8));
    }

    /** Points the one-segment vector at {@code array} to {@code base}, 16 bytes. */
    private static int vectorAt(GuestTask task, int array, int base) {
        task.space.store32(array, base);
        task.space.store32(array + 4, 16);
        return array;
    }

    /** What a bad pointer must not change: the descriptors, the file's offset, and the files. */
    private String state(GuestTask task, int file) {
        try (Stream<Path> files = Files.walk(root)) {
            String tree = files.map(path -> root.relativize(path) + ":" + size(path)).sorted().collect(Collectors.joining(" "));
            return task.descriptors.openCount() + " open, offset " + task.seek(file, 0, 1) + ", " + tree;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path path) {
        try {
            return Files.isDirectory(path) ? -1 : Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
