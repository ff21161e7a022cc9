package io.uniform.node;

/**
 * Marks the messages that carry bulk data (program images; memory images later): reference.conf
 * binds it to {@link io.uniform.node.serialization.KryoSerializer}. Every other message is
 * {@link CborSerializable}.
 */
public interface KryoSerializable {}
