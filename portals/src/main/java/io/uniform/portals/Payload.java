package io.uniform.portals;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.uniform.cpu.memory.AddressSpace;
import java.util.Arrays;
import java.util.List;

/**
 * The data a put or a reply carries, immutable. The engine copies it once out of the sending
 * process's memory descriptor when the operation is issued and deposits it straight into the
 * receiving memory descriptor's buffer: no other copy is made on the way (the bytes are never
 * handed out, only copies of them).
 */
public final class Payload {
    public static final Payload EMPTY = new Payload(new byte[0]);

    private final byte[] bytes;

    private Payload(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A payload holding a copy of {@code bytes}. */
    @JsonCreator
    public static Payload copyOf(byte[] bytes) {
        return new Payload(bytes.clone());
    }

    /**
     * A payload over {@code kernelBuffer} itself, not a copy, for {@link KernelBufferDelivery}: the
     * buffer is the kernel's and is reused, so the payload must not outlive the delivery.
     */
    static Payload over(byte[] kernelBuffer) {
        return new Payload(kernelBuffer);
    }

    /** Reads {@code length} bytes of user memory at {@code address}: the one copy (throws MemoryFault). */
    static Payload read(AddressSpace space, int address, int length) {
        return length == 0 ? EMPTY : new Payload(space.read(address, length));
    }

    /** Writes the first {@code length} bytes into user memory at {@code address} (throws MemoryFault). */
    void deposit(AddressSpace space, int address, int length) {
        space.write(address, bytes, 0, length);
    }

    /** Copies the bytes to the start of {@code buffer} (at least {@link #length()} long). */
    void copyTo(byte[] buffer) {
        System.arraycopy(bytes, 0, buffer, 0, bytes.length);
    }

    /** A copy of bytes {@code from} (inclusive) to {@code to} (exclusive). */
    public Payload slice(int from, int to) {
        return new Payload(Arrays.copyOfRange(bytes, from, to));
    }

    /** One payload of {@code parts}' bytes, in order. */
    public static Payload concat(List<Payload> parts) {
        byte[] joined = new byte[parts.stream().mapToInt(Payload::length).sum()];
        int at = 0;
        for (Payload part : parts) {
            System.arraycopy(part.bytes, 0, joined, at, part.bytes.length);
            at += part.bytes.length;
        }
        return new Payload(joined);
    }

    public int length() {
        return bytes.length;
    }

    /** A copy of the bytes (also the payload's form on the wire). */
    @JsonValue
    public byte[] toByteArray() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Payload that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Payload[" + bytes.length + " bytes]";
    }
}
