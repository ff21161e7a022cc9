package io.uniform.cpu.elf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.guest.GuestFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutates valid executables and checks that the parser either accepts the result, with every
 * guarantee it documents, or rejects it with an {@link ElfFormatException}: never an index
 * exception, an overflow, an out-of-memory, or an allocation sized by a field of the file.
 * Deterministic (a fixed seed). The seeds are the synthetic linker shapes and the committed
 * guest ELFs (finding none of those is a failure).
 *
 * <p>The build runs this class on its own in a JVM with a 64 MiB heap (the {@code elf-fuzz}
 * surefire execution of cpu/pom.xml, which sets {@code uniform.fuzz.maxHeap} so that the test
 * checks the limit really applies): an allocation sized by a corrupt field would fail there.
 */
class ElfFuzzTest {
    private static final long SEED = 0x5eed_e1f0L;
    private static final int CASES = 24_000;
    /** Beyond this many pages an accepted image's page map is not built: it is large by design. */
    private static final long MAX_PAGES_TO_MAP = 1 << 14;

    @Test
    void everyMutationParsesOrIsRejected() {
        String maxHeap = System.getProperty("uniform.fuzz.maxHeap");
        if (maxHeap != null && !maxHeap.isBlank()) {
            long limit = Long.parseLong(maxHeap.strip());
            long actual = Runtime.getRuntime().maxMemory();
            assertTrue(actual <= limit, "the heap is limited to " + limit + " bytes, but the JVM may use " + actual);
        }
        List<ElfSeed> synthetic = SyntheticElfs.all();
        List<ElfSeed> guests = GuestElfs.find();
        assertFalse(guests.isEmpty(), () -> "no guest ELFs found under " + GuestFiles.directory().toAbsolutePath()
                + "/elf (set uniform.guest.dir to the checkout's guest/)");
        Random random = new Random(SEED);
        int accepted = 0;
        int rejected = 0;
        for (int number = 0; number < CASES; number++) {
            // Guest programs are real linker output but ~100 KiB each (mostly debug info), so
            // they get a quarter of the cases, which keeps the test within a few seconds.
            List<ElfSeed> seeds = random.nextInt(4) != 0 ? synthetic : guests;
            ElfSeed seed = seeds.get(random.nextInt(seeds.size()));
            StringBuilder description = new StringBuilder(seed.name());
            byte[] file = seed.bytes().clone();
            for (int mutations = 1 + random.nextInt(3); mutations > 0; mutations--) {
                file = mutate(file, random, description);
            }
            try {
                ElfImage image = ElfFile.parse(file, seed.lowAddress(), seed.highAddress());
                checkGuarantees(image, seed);
                accepted++;
            } catch (ElfFormatException e) {
                rejected++;
            } catch (Throwable t) {
                fail(String.format("seed 0x%x case %d (%s): %s", SEED, number, description, t), t);
            }
        }
        assertTrue(accepted > CASES / 20, "accepted only " + accepted + " of " + CASES + ": mutations too blunt");
        assertTrue(rejected > CASES / 2, "rejected only " + rejected + " of " + CASES);
    }

    /** Mutates {@code file} in place where the length stays, else returns a new array. */
    private static byte[] mutate(byte[] file, Random random, StringBuilder description) {
        switch (random.nextInt(6)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(8); flips > 0 && file.length > 0; flips--) {
                    file[random.nextInt(file.length)] ^= (byte) (1 << random.nextInt(8));
                }
                description.append(", bit flips");
                return file;
            }
            case 1 -> {
                int length = random.nextInt(file.length + 1);
                description.append(", truncated to ").append(length);
                return Arrays.copyOf(file, length);
            }
            case 2 -> {
                byte[] longer = Arrays.copyOf(file, file.length + 1 + random.nextInt(4096));
                for (int i = file.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                description.append(", garbage appended up to ").append(longer.length);
                return longer;
            }
            default -> {
                // Structure fields are where parsers go wrong, so they get half of the mutations.
                List<Integer> fields = structureFields(file);
                if (fields.isEmpty()) {
                    return file;
                }
                int offset = fields.get(random.nextInt(fields.size()));
                int value = interestingValue(file.length, random);
                description.append(String.format(", word at 0x%x = 0x%x", offset, value));
                ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
                return file;
            }
        }
    }

    /**
     * The offsets of the 32-bit words of the ELF header (from e_type on, which also hits the
     * 16-bit fields in pairs), the program headers and the section headers, as far as the
     * (possibly already mutated) header locates them inside the file.
     */
    private static List<Integer> structureFields(byte[] file) {
        List<Integer> fields = new ArrayList<>();
        if (file.length < ElfFile.HEADER_SIZE) {
            return fields;
        }
        for (int offset = TestElfBuilder.E_TYPE; offset < ElfFile.HEADER_SIZE; offset += 4) {
            fields.add(offset);
        }
        ByteBuffer header = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        addTableWords(fields, file.length, Integer.toUnsignedLong(header.getInt(TestElfBuilder.E_PHOFF)),
                Short.toUnsignedInt(header.getShort(TestElfBuilder.E_PHNUM)), ElfFile.PROGRAM_HEADER_SIZE);
        addTableWords(fields, file.length, Integer.toUnsignedLong(header.getInt(TestElfBuilder.E_SHOFF)),
                Short.toUnsignedInt(header.getShort(TestElfBuilder.E_SHNUM)), SectionHeaderTable.ENTRY_SIZE);
        return fields;
    }

    private static void addTableWords(List<Integer> fields, int fileLength, long tableOffset, int count,
                                      int entrySize) {
        long end = Math.min(fileLength, tableOffset + (long) count * entrySize);
        for (long offset = tableOffset; offset + 4 <= end; offset += 4) {
            fields.add((int) offset);
        }
    }

    private static int interestingValue(int fileLength, Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> fileLength;
            case 5 -> fileLength - 1;
            case 6 -> fileLength + 1;
            case 7 -> 0xffff_f000;
            case 8 -> 0x4000_0000;
            case 9 -> 1 << random.nextInt(32);
            case 10 -> random.nextInt(fileLength + 1);
            default -> random.nextInt();
        };
    }

    /** What {@link ElfFile#parse} promises about every image it returns. */
    private static void checkGuarantees(ElfImage image, ElfSeed seed) {
        long pages = 0;
        boolean entryExecutable = false;
        for (Segment segment : image.segments()) {
            assertTrue(Integer.toUnsignedLong(segment.virtualAddress()) >= seed.lowAddress()
                    && segment.end() <= seed.highAddress(), segment::toString);
            assertTrue(segment.memorySize() > 0 && segment.memorySize() >= segment.fileSize(), segment::toString);
            entryExecutable |= segment.executable() && segment.contains(image.entry());
            pages += segment.memorySize() / 4096 + 2;
        }
        assertTrue(entryExecutable, "entry point in an executable segment");
        if (pages <= MAX_PAGES_TO_MAP) {
            image.pagePermissions();
        }
    }
}
