package io.uniform.node.yod;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * A job's snapshot on the service file system (docs/ARCHITECTURE.md, "Snapshots"):
 *
 * <pre>
 * "uniform-snapshot" (16 bytes), format version (int)
 * body: header: program digest (SHA-256 of the ELF, 32 bytes), the ELF (int length, bytes),
 *               argv (int count, UTF each), unread stdin (int length, bytes),
 *               ranks (int count; each: os int, launch nid int, stdout bytes long, stderr bytes long)
 *       records, to the end of the body: serializer id (int), manifest (UTF), length (int), bytes
 *       (the ranks' {@link Checkpoint.RankState}, {@link Checkpoint.RankPages} and
 *       {@link Checkpoint.RankChannels}, in the order they came)
 * trailer: body length (long), SHA-256 of the body (32 bytes)
 * </pre>
 *
 * The records are written as they come, to a side file, and the snapshot file appears whole
 * (written beside it, then renamed), so a reader never meets a half-written one unless it was cut
 * short afterwards, which the trailer reveals.
 */
public final class SnapshotFile {
    static final byte[] MAGIC = "uniform-snapshot".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 3; // 3: page chunks hold their addresses before their pages
    private static final int DIGEST = 32;
    private static final int TRAILER = Long.BYTES + DIGEST;

    private SnapshotFile() {}

    /** A rank as the snapshot found it: its OS, the node it was launched on (its Portals id), the output it had produced per fd. */
    public record Rank(int os, int launchNid, long stdoutBytes, long stderrBytes) {
        long produced(int fd) {
            return fd == 1 ? stdoutBytes : fd == 2 ? stderrBytes : 0;
        }
    }

    /** What the snapshot is of. */
    public record Header(byte[] programDigest, byte[] image, List<String> argv, byte[] stdin, List<Rank> ranks, int portalsJid) {
        public Header {
            programDigest = programDigest.clone();
            image = image.clone();
            argv = List.copyOf(argv);
            stdin = stdin.clone();
            ranks = List.copyOf(ranks);
        }

        @Override
        public byte[] programDigest() {
            return programDigest.clone();
        }

        @Override
        public byte[] image() {
            return image.clone();
        }

        @Override
        public byte[] stdin() {
            return stdin.clone();
        }
    }

    /** A snapshot that cannot be used, and why, in words for its user. */
    public static final class BadSnapshot extends Exception {
        public BadSnapshot(String message) {
            super(message);
        }
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] digest(byte[] bytes) {
        return sha256().digest(bytes);
    }

    /** Writes the records of a snapshot as they come, then the snapshot file whole. */
    static final class Writer implements Closeable {
        private final Serialization serialization;
        private final Path target;
        private final Path records;
        private final DataOutputStream out;

        /** @throws IOException the directory cannot be written */
        Writer(Serialization serialization, Path target) throws IOException {
            this.serialization = serialization;
            this.target = target;
            Files.createDirectories(target.toAbsolutePath().getParent());
            this.records = target.resolveSibling(target.getFileName() + ".records");
            this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(records)));
        }

        void append(Object record) throws IOException {
            Serializer serializer = serialization.findSerializerFor(record);
            byte[] bytes = serializer.toBinary(record);
            out.writeInt(serializer.identifier());
            out.writeUTF(Serializers.manifestFor(serializer, record));
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        /** Writes the snapshot file: header, the records, trailer; returns its length. */
        long finish(Header header) throws IOException {
            out.close();
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            MessageDigest sha = sha256();
            long body;
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial))) {
                file.write(MAGIC);
                new DataOutputStream(file).writeInt(VERSION);
                file.flush();
                ByteCounter counter = new ByteCounter(new DigestOutputStream(file, sha));
                DataOutputStream data = new DataOutputStream(counter);
                writeHeader(data, header);
                Files.copy(records, data);
                data.flush();
                body = counter.count;
                DataOutputStream trailer = new DataOutputStream(file);
                trailer.writeLong(body);
                trailer.write(sha.digest());
                trailer.flush();
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(records);
            return Files.size(target);
        }

        @Override
        public void close() throws IOException {
            out.close();
            Files.deleteIfExists(records);
        }
    }

    private static void writeHeader(DataOutputStream data, Header header) throws IOException {
        data.write(header.programDigest);
        data.writeInt(header.image.length);
        data.write(header.image);
        data.writeInt(header.argv.size());
        for (String arg : header.argv) {
            data.writeUTF(arg);
        }
        data.writeInt(header.stdin.length);
        data.write(header.stdin);
        data.writeInt(header.ranks.size());
        for (Rank rank : header.ranks) {
            data.writeInt(rank.os());
            data.writeInt(rank.launchNid());
            data.writeLong(rank.stdoutBytes());
            data.writeLong(rank.stderrBytes());
        }
        data.writeInt(header.portalsJid);
    }

    /**
     * Only the header of {@code file}, after checking the whole file against its checksum.
     *
     * @throws BadSnapshot it is not a snapshot, or is truncated or damaged, or of another format version
     */
    public static Header header(Path file) throws BadSnapshot {
        try (Reader reader = open(file, null)) {
            return reader.header();
        }
    }

    /**
     * Hands the records of {@code file} to {@code reader} in order (ranks' states, page chunks,
     * channel messages), while it returns true and records remain.
     *
     * @throws BadSnapshot the file is not a whole snapshot, or a record cannot be read or taken
     */
    public static void read(Path file, Serialization serialization, Predicate<Object> reader) throws BadSnapshot {
        try (Reader records = open(file, serialization)) {
            Object record = records.next();
            while (record != null && reader.test(record)) {
                record = records.next();
            }
        } catch (IOException | RuntimeException e) {
            throw new BadSnapshot("cannot read the snapshot " + file + ": " + e);
        }
    }

    /** Opens {@code file} for its records, once the whole of it matches its checksum. */
    static Reader open(Path file, Serialization serialization) throws BadSnapshot {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new BadSnapshot("cannot read the snapshot " + file + ": " + e.getMessage());
        }
        int prefix = MAGIC.length + Integer.BYTES;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer start = ByteBuffer.allocate(prefix);
            channel.read(start, 0);
            if (length < prefix || !Arrays.equals(Arrays.copyOf(start.array(), MAGIC.length), MAGIC)) {
                throw new BadSnapshot(file + " is not a uniform snapshot");
            }
            int version = start.getInt(MAGIC.length);
            if (version != VERSION) {
                throw new BadSnapshot(file + " is a snapshot of format version " + version + "; this uniform reads version " + VERSION);
            }
            ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
            long body = length - prefix - TRAILER;
            if (body < 0 || channel.read(trailer, length - TRAILER) != TRAILER || trailer.getLong(0) != body) {
                throw new BadSnapshot("the snapshot " + file + " is truncated or damaged: " + length + " bytes do not hold the body its trailer names");
            }
            byte[] expected = Arrays.copyOfRange(trailer.array(), Long.BYTES, TRAILER);
            MessageDigest sha = sha256();
            try (InputStream in = new DigestInputStream(bounded(file, prefix, body), sha)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            if (!MessageDigest.isEqual(expected, sha.digest())) {
                throw new BadSnapshot("the snapshot " + file + " is damaged: its checksum does not match its contents");
            }
            return new Reader(file, prefix, body, serialization);
        } catch (IOException e) {
            throw new BadSnapshot("cannot read the snapshot " + file + ": " + e.getMessage());
        }
    }

    private static InputStream bounded(Path file, long offset, long length) throws IOException {
        InputStream in = Files.newInputStream(file);
        in.skipNBytes(offset);
        return new BufferedInputStream(new java.io.FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                left--;
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        });
    }

    /** A verified snapshot: its header, then its records one at a time. */
    static final class Reader implements Closeable {
        private final DataInputStream in;
        private final Serialization serialization;
        private final Header header;

        private Reader(Path file, long offset, long body, Serialization serialization) throws IOException, BadSnapshot {
            this.in = new DataInputStream(bounded(file, offset, body));
            this.serialization = serialization;
            try {
                byte[] digest = in.readNBytes(DIGEST);
                byte[] image = in.readNBytes(in.readInt());
                int argc = in.readInt();
                List<String> argv = new ArrayList<>();
                for (int i = 0; i < argc; i++) {
                    argv.add(in.readUTF());
                }
                byte[] stdin = in.readNBytes(in.readInt());
                int count = in.readInt();
                List<Rank> ranks = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ranks.add(new Rank(in.readInt(), in.readInt(), in.readLong(), in.readLong()));
                }
                this.header = new Header(digest, image, argv, stdin, ranks, in.readInt());
            } catch (EOFException | NegativeArraySizeException e) {
                in.close();
                throw new BadSnapshot("the snapshot " + file + " has a malformed header");
            }
        }

        Header header() {
            return header;
        }

        /** The next record; null at the end. */
        Object next() throws IOException {
            int id;
            try {
                id = in.readInt();
            } catch (EOFException end) {
                return null;
            }
            String manifest = in.readUTF();
            byte[] bytes = in.readNBytes(in.readInt());
            return serialization.deserialize(bytes, id, manifest).get();
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing was written
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static final class ByteCounter extends java.io.FilterOutputStream {
        long count;

        ByteCounter(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    static Header header(byte[] image, List<String> argv, byte[] stdin, List<Rank> ranks, int portalsJid) {
        return new Header(digest(Objects.requireNonNull(image)), image, argv, stdin, ranks, portalsJid);
    }
}
