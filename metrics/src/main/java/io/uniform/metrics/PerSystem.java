package io.uniform.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * One value per actor system of this JVM, for counters Pekko creates by reflection (a mailbox
 * type, a remote instrument), which have no other way to reach the sampler of their system.
 * Weakly keyed: a terminated system's value goes with it.
 */
final class PerSystem<T> {
    private final Map<ActorSystem, T> values = Collections.synchronizedMap(new WeakHashMap<>());
    private final Supplier<T> initial;

    PerSystem(Supplier<T> initial) {
        this.initial = initial;
    }

    /** {@code system}'s value, made on first use. */
    T of(ActorSystem system) {
        return values.computeIfAbsent(system, any -> initial.get());
    }

    /** {@code system}'s value, or null if nothing of it was counted. */
    T ifPresent(ActorSystem system) {
        return values.get(system);
    }
}
