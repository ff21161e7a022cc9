package io.uniform.process;

import io.uniform.cpu.memory.AddressSpace;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds the initial user stack the way Linux lays it out for a new program (System V ABI for
 * RISC-V): from the top down, the argument and environment strings, 16 random bytes for
 * AT_RANDOM, then (16-byte aligned, at the final sp) argc, argv[], NULL, envp[], NULL and the
 * auxiliary vector ending in AT_NULL. Every kernel starts programs this way, so the unified
 * library's start code is the same for Linux and Puma.
 */
public final class InitialStack {
    private InitialStack() {}

    static final int AT_NULL = 0;
    static final int AT_PAGESZ = 6;
    static final int AT_ENTRY = 9;
    static final int AT_UID = 11;
    static final int AT_EUID = 12;
    static final int AT_GID = 13;
    static final int AT_EGID = 14;
    static final int AT_HWCAP = 16;
    static final int AT_CLKTCK = 17;
    static final int AT_SECURE = 23;
    static final int AT_RANDOM = 25;
    private static final int AUXV_ENTRIES = auxiliaryVector(0, 0).length;
    /** AT_HWCAP: one bit per single-letter ISA extension, as Linux reports them. */
    private static final int HWCAP_IM = (1 << ('I' - 'A')) | (1 << ('M' - 'A'));

    /** Writes argv, envp (from {@code env}'s NAME=value pairs) and auxv below {@code stackTop}; returns the initial sp. */
    public static int build(AddressSpace space, int stackTop, int stackBytes, int entry, List<String> argv,
                          Map<String, String> env, Random random) throws ExecFailure {
        List<String> environment = new ArrayList<>();
        env.forEach((name, value) -> environment.add(name + "=" + value));
        return build(space, stackTop, stackBytes, entry, argv, environment, random);
    }

    /** Writes argv, envp (the strings as execve was given them) and auxv below {@code stackTop}; returns the initial sp. */
    public static int build(AddressSpace space, int stackTop, int stackBytes, int entry, List<String> argv,
                          List<String> environment, Random random) throws ExecFailure {
        long needed = 16 + 16 + 4L * (argv.size() + environment.size() + 3) + 8L * AUXV_ENTRIES;
        for (String string : argv) {
            needed += string.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        for (String string : environment) {
            needed += string.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        if (needed > stackBytes / 4) { // Linux allows arguments a quarter of the stack limit
            throw new ExecFailure(String.format(
                    "argument list too long: arguments and environment take %d bytes, the limit is %d (a quarter of the stack)",
                    needed, stackBytes / 4));
        }

        int cursor = stackTop;
        byte[] randomBytes = new byte[16];
        random.nextBytes(randomBytes);
        cursor -= randomBytes.length;
        int randomAddress = cursor;
        space.write(randomAddress, randomBytes, 0, randomBytes.length);

        int[] argvAddresses = new int[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) {
            cursor = pushString(space, cursor, argv.get(i));
            argvAddresses[i] = cursor;
        }
        int[] envAddresses = new int[environment.size()];
        for (int i = environment.size() - 1; i >= 0; i--) {
            cursor = pushString(space, cursor, environment.get(i));
            envAddresses[i] = cursor;
        }

        int[][] auxv = auxiliaryVector(entry, randomAddress);
        ByteArrayOutputStream words = new ByteArrayOutputStream();
        putWord(words, argv.size());
        for (int address : argvAddresses) {
            putWord(words, address);
        }
        putWord(words, 0);
        for (int address : envAddresses) {
            putWord(words, address);
        }
        putWord(words, 0);
        for (int[] pair : auxv) {
            putWord(words, pair[0]);
            putWord(words, pair[1]);
        }
        byte[] vectors = words.toByteArray();
        int sp = (cursor - vectors.length) & ~15;
        space.write(sp, vectors, 0, vectors.length);
        return sp;
    }

    private static int[][] auxiliaryVector(int entry, int randomAddress) {
        return new int[][] {
            {AT_PAGESZ, 4096}, {AT_ENTRY, entry}, {AT_UID, 0}, {AT_EUID, 0}, {AT_GID, 0}, {AT_EGID, 0},
            {AT_HWCAP, HWCAP_IM}, {AT_CLKTCK, 100}, {AT_SECURE, 0}, {AT_RANDOM, randomAddress}, {AT_NULL, 0}
        };
    }

    private static int pushString(AddressSpace space, int cursor, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int address = cursor - bytes.length - 1;
        space.write(address, bytes, 0, bytes.length);
        space.store8(address + bytes.length, 0);
        return address;
    }

    private static void putWord(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }
}
