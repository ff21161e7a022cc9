package io.uniform.node;

/**
 * Marks every message that travels between node actors, yod and the machine. reference.conf
 * binds it to Pekko's Jackson CBOR serializer, so a message crosses JVMs unchanged; the tests run
 * with {@code pekko.actor.serialize-messages = on} to prove it.
 */
public interface CborSerializable {}
