package io.uniform.config;

import java.util.Locale;
import java.util.Optional;

/**
 * What a mesh position of the machine is: a node of one of the four partitions of an ASCI Red
 * style MPP, or {@link #ABSENT} when the position has a router but no node.
 *
 * <p>Only {@link #COMPUTE} nodes run Puma; service, I/O and system nodes run Linux (on the real
 * machines they ran OSF/1 AD or TOS; the emulator's service OS is Linux). A node can be re-booted
 * from one of the four node partitions into another at run time
 * ({@link MachineDescription#withPartition(int, Partition)}); an absent position cannot.
 */
public enum Partition {
    /** Runs the Puma lightweight kernel (QK + PCT); where yod places jobs. */
    COMPUTE('C', "compute", "compute", "Puma"),
    /** Runs Linux: logins, yod, the file system that compute processes reach through yod. */
    SERVICE('S', "service", "service", "Linux"),
    /** Runs Linux, attached to disks and networks. */
    IO('I', "io", "I/O", "Linux"),
    /** Runs Linux: the machine's own management (boot, monitoring). */
    SYSTEM('Y', "system", "system", "Linux"),
    /** A router slot with no node in it (the real machine leaves some slots unpopulated). */
    ABSENT('-', "absent", "absent", "none");

    private final char letter;
    private final String key;
    private final String label;
    private final String operatingSystem;

    Partition(char letter, String key, String label, String operatingSystem) {
        this.letter = letter;
        this.key = key;
        this.label = label;
        this.operatingSystem = operatingSystem;
    }

    /** The character of this partition in a {@link MeshMap} (upper case; lower case marks a changed node). */
    public char letter() {
        return letter;
    }

    /** The name used in HOCON ({@code partitions.<key>}) and on the command line. */
    public String key() {
        return key;
    }

    /** The name used in text for people ("I/O"). */
    public String label() {
        return label;
    }

    /** The operating system a node of this partition boots: "Puma", "Linux", or "none". */
    public String operatingSystem() {
        return operatingSystem;
    }

    /** True for the four partitions that hold a node; false for {@link #ABSENT}. */
    public boolean isNode() {
        return this != ABSENT;
    }

    /** The partition named {@code name} (its key, case-insensitive; "i/o" is accepted for {@link #IO}). */
    public static Optional<Partition> parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Partition partition : values()) {
            if (partition.key.equals(wanted) || partition.label.toLowerCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(partition);
            }
        }
        return Optional.empty();
    }
}
