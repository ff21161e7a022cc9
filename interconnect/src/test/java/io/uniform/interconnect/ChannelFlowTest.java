package io.uniform.interconnect;

import static io.uniform.interconnect.ChannelSenderTest.AB;
import static io.uniform.interconnect.ChannelSenderTest.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.uniform.interconnect.ChannelReceiver.Arrival;
import io.uniform.interconnect.ChannelReceiver.Outcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A sender and a receiver joined by a network that reorders (and, where asked, duplicates)
 * envelopes, with credit grants going back the other way. Every run checks that the kernel
 * consumes each message exactly once, in order, and that the messages on their way to the
 * receiver or waiting there never exceed the window.
 */
class ChannelFlowTest {
    /** What one run saw. */
    record Run(long grants, int peakHeld, int peakAtReceiver, long duplicatesDropped, long refused) {
    }

    /**
     * Sends {@code messages} integers as fast as credit allows; the network delivers a random
     * envelope of those in flight (so any order the window permits), the kernel consumes at
     * {@code consumeChance} per step.
     */
    private static Run run(FlowControl flow, int messages, long seed, double consumeChance, double duplicateChance) {
        Random random = new Random(seed);
        ChannelSender<Integer> sender = new ChannelSender<>(AB, flow, HOME, 1);
        ChannelReceiver<Integer> receiver = new ChannelReceiver<>(AB, flow);
        List<Envelope<Integer>> inFlight = new ArrayList<>();
        List<Envelope<Integer>> copies = new ArrayList<>(); // what the network duplicated
        ArrayDeque<CreditGrant> grantsInFlight = new ArrayDeque<>();
        ArrayDeque<Integer> inbox = new ArrayDeque<>();
        int offered = 0;
        int nextConsumed = 0;
        int peakAtReceiver = 0;
        long grants = 0;
        long injected = 0;
        for (long step = 0; nextConsumed < messages; step++) {
            if (step > 200L * messages + 10_000) {
                fail("no progress: " + sender + "; " + receiver + "; " + inFlight.size() + " in flight, "
                        + grantsInFlight.size() + " grants in flight, window " + flow);
            }
            // The sender offers everything it has at once: it is as fast as it can be.
            while (offered < messages) {
                sender.send(offered++).ifPresent(inFlight::add);
            }
            int choice = random.nextInt(3);
            if (choice == 0 && !(inFlight.isEmpty() && copies.isEmpty())) {
                int pick = random.nextInt(inFlight.size() + copies.size());
                Envelope<Integer> envelope = pick < inFlight.size() ? inFlight.remove(pick)
                        : copies.remove(pick - inFlight.size());
                if (random.nextDouble() < duplicateChance) {
                    copies.add(envelope);
                    injected++;
                }
                Arrival<Integer> arrival = receiver.accept(envelope);
                assertTrue(arrival.outcome() != Outcome.REFUSED, () -> "refused " + envelope.sequence());
                for (Envelope<Integer> delivered : arrival.delivered()) {
                    assertEquals(delivered.sequence(), (long) delivered.payload());
                    inbox.addLast(delivered.payload());
                }
            } else if (choice == 1 && !inbox.isEmpty() && random.nextDouble() < consumeChance) {
                int take = 1 + random.nextInt(inbox.size());
                for (int i = 0; i < take; i++) {
                    assertEquals(nextConsumed++, inbox.removeFirst(), "consumed in order, each once");
                }
                receiver.consumed(take).ifPresent(grantsInFlight::addLast);
            } else if (choice == 2 && !grantsInFlight.isEmpty()) {
                grants++;
                inFlight.addAll(sender.grant(grantsInFlight.removeFirst()));
            }
            long distinctInFlight = inFlight.size();
            long atReceiver = receiver.buffered() + receiver.unconsumed();
            peakAtReceiver = (int) Math.max(peakAtReceiver, atReceiver);
            assertTrue(distinctInFlight + atReceiver <= flow.window(),
                    () -> distinctInFlight + " in flight and " + atReceiver + " at the receiver exceed the window " + flow);
            assertEquals(sender.nextSequence() - receiver.consumedCount(), distinctInFlight + atReceiver,
                    "every message that left and was not consumed is somewhere");
        }
        assertEquals(messages, sender.nextSequence());
        assertEquals(0, sender.held());
        assertEquals(injected, receiver.stats().duplicates() + copies.size(),
                "every injected copy was dropped as a duplicate or is still on its way");
        return new Run(grants, sender.peakHeld(), peakAtReceiver, receiver.stats().duplicates(), receiver.stats().refused());
    }

    @Test
    void aFastSenderIsHeldBackToTheWindow() {
        Run run = run(FlowControl.DEFAULT, 20_000, 1, 0.05, 0);
        assertTrue(run.peakHeld() > 19_000, "the backlog stays with the sender: " + run);
        assertTrue(run.peakAtReceiver() <= 64, run.toString());
        assertTrue(run.peakAtReceiver() >= 48, "the window is used: " + run);
        assertEquals(0, run.refused());
        // Grants come a batch at a time: at most one per 16 messages (plus the final partial batch none).
        assertTrue(run.grants() <= 20_000 / 16, run.toString());
        assertTrue(run.grants() >= (20_000 - 64) / 64, run.toString());
    }

    @Test
    void everyWindowAndBatchCompletesWithoutDeadlock() {
        int[] windows = {1, 2, 3, 5, 8, 64};
        for (int window : windows) {
            for (int batch = 1; batch <= window; batch = batch < 8 ? batch + 1 : batch * 2) {
                for (long seed = 0; seed < 3; seed++) {
                    FlowControl flow = new FlowControl(window, batch);
                    Run run = run(flow, 1_500, seed * 31 + window * 7 + batch, 0.5, 0);
                    assertTrue(run.peakAtReceiver() <= window, flow + ": " + run);
                }
            }
            Run whole = run(new FlowControl(window, window), 1_000, window, 0.3, 0);
            assertTrue(whole.peakAtReceiver() <= window, whole.toString());
        }
    }

    @Test
    void duplicatedEnvelopesAreDroppedWithoutDisturbingOrder() {
        Run run = run(new FlowControl(16, 4), 5_000, 7, 0.4, 0.2);
        assertTrue(run.duplicatesDropped() > 500, run.toString());
        assertEquals(0, run.refused());
    }

    @Test
    void aSenderWhoseWindowIsWiderThanTheReceiversIsRefused() {
        ChannelSender<Integer> sender = new ChannelSender<>(AB, new FlowControl(8, 2), HOME, 1);
        ChannelReceiver<Integer> receiver = new ChannelReceiver<>(AB, new FlowControl(4, 2));
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            outcomes.add(receiver.accept(sender.send(i).orElseThrow()).outcome());
        }
        assertEquals(List.of(Outcome.DELIVERED, Outcome.DELIVERED, Outcome.DELIVERED, Outcome.DELIVERED,
                Outcome.REFUSED, Outcome.REFUSED, Outcome.REFUSED, Outcome.REFUSED), outcomes);
        assertEquals(4, receiver.stats().refused());
    }
}
