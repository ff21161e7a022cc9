package io.uniform.metrics;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.NodeMessageQueue;
import org.apache.pekko.dispatch.ProducesMessageQueue;
import org.apache.pekko.dispatch.UnboundedMessageQueueSemantics;
import scala.Option;

/**
 * The typed actors' mailbox (Pekko's single-consumer unbounded queue), counting what it holds, so
 * that a member can say how deep its actors' mailboxes are (Pekko has no API for a mailbox's
 * size; the queue's own count walks it). Members make it their typed actors' default mailbox
 * ({@code uniform-cluster.conf}): one adder update per message on each side, beside the queue's
 * own atomic swap.
 */
public final class CountingMailbox implements MailboxType, ProducesMessageQueue<CountingMailbox.CountingQueue> {
    private static final PerSystem<Map<ActorRef, CountingQueue>> QUEUES = new PerSystem<>(ConcurrentHashMap::new);

    /** The mailboxes of one system at one time: messages waiting in all of them, and in the deepest. */
    public record Depths(long messages, long deepest) {}

    /** Pekko's constructor for a mailbox type. */
    public CountingMailbox(ActorSystem.Settings settings, Config config) {}

    @Override
    public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
        CountingQueue queue = new CountingQueue(system.isDefined() ? QUEUES.of(system.get()) : null);
        if (owner.isDefined() && queue.registry != null) {
            queue.registry.put(owner.get(), queue);
        }
        return queue;
    }

    /** {@code system}'s mailboxes now, or null if it does not use this mailbox. */
    static Depths depths(ActorSystem system) {
        Map<ActorRef, CountingQueue> queues = QUEUES.ifPresent(system);
        if (queues == null) {
            return null;
        }
        long messages = 0;
        long deepest = 0;
        for (CountingQueue queue : queues.values()) {
            long depth = queue.numberOfMessages();
            messages += depth;
            deepest = Math.max(deepest, depth);
        }
        return new Depths(messages, deepest);
    }

    /** Messages waiting in {@code actor}'s mailbox, or -1 if it does not use this mailbox (or has stopped). */
    static long depth(ActorSystem system, ActorRef actor) {
        Map<ActorRef, CountingQueue> queues = QUEUES.ifPresent(system);
        CountingQueue queue = queues == null ? null : queues.get(actor);
        return queue == null ? -1 : queue.numberOfMessages();
    }

    /** The queue with its count. */
    public static final class CountingQueue implements MessageQueue, UnboundedMessageQueueSemantics {
        private final NodeMessageQueue queue = new NodeMessageQueue();
        private final LongAdder count = new LongAdder();
        private final Map<ActorRef, CountingQueue> registry;

        CountingQueue(Map<ActorRef, CountingQueue> registry) {
            this.registry = registry;
        }

        @Override
        public void enqueue(ActorRef receiver, Envelope handle) {
            queue.enqueue(receiver, handle);
            count.increment();
        }

        @Override
        public Envelope dequeue() {
            Envelope envelope = queue.dequeue();
            if (envelope != null) {
                count.decrement();
            }
            return envelope;
        }

        @Override
        public int numberOfMessages() {
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE, count.sum()));
        }

        @Override
        public boolean hasMessages() {
            return queue.hasMessages();
        }

        @Override
        public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
            if (registry != null) {
                registry.remove(owner, this);
            }
            for (Envelope envelope = dequeue(); envelope != null; envelope = dequeue()) {
                deadLetters.enqueue(owner, envelope);
            }
        }
    }
}
