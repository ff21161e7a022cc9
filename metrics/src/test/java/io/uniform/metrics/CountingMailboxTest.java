package io.uniform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The counting mailbox says how many messages wait for an actor that is busy, and forgets an actor that stopped. */
class CountingMailboxTest {
    private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.typed.default-mailbox.mailbox-type = \"io.uniform.metrics.CountingMailbox\"").withFallback(ConfigFactory.load()));

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void countsTheMessagesWaitingForABusyActor() throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ActorRef<String> actor = testKit.spawn(Behaviors.receiveMessage(message -> {
            if (message.equals("block")) {
                busy.countDown();
                release.await(30, TimeUnit.SECONDS); // holds the actor so that what follows waits in its mailbox
            }
            return message.equals("stop") ? Behaviors.stopped() : Behaviors.same();
        }));
        actor.tell("block");
        busy.await(30, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            actor.tell("wait " + i);
        }
        org.apache.pekko.actor.ActorSystem system = Adapter.toClassic(testKit.system());
        assertEquals(5, CountingMailbox.depth(system, Adapter.toClassic(actor)));
        CountingMailbox.Depths depths = CountingMailbox.depths(system);
        assertEquals(5, depths.deepest());
        assertEquals(true, depths.messages() >= 5, depths::toString);
        release.countDown();
        actor.tell("stop");
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertEquals(-1, CountingMailbox.depth(system, Adapter.toClassic(actor)), "a stopped actor's mailbox is forgotten");
            return null;
        });
    }
}
