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
 * A sender and a receiver joined by a network that reorders (and, where asked, duplicates or
 * loses) envelopes, with credit grants going back the other way (lost as often). Every run
 * checks that the kernel consumes each message exactly once, in order, and that the messages on
 * their way to the receiver or waiting there never exceed the window.
 */
class ChannelFlowTest {
    /** What one run saw. */
    record Run(long grants, int peakHeld, int peakAtReceiver, long duplicatesDropped, long refused, long lost, long resends) {
    }

    /** How the network misbehaves: copies, losses, and every how many steps the sender's resend interval passes (0: never). */
    record Network(double duplicateChance, double lossChance, int resendEvery) {
        static final Network REORDERING = new Network(0, 0, 0);

        static Network duplicating(double chance) {
            return new Network(chance, 0, 0);
        }
    }

    /**
     * Sends {@code messages} integers as fast as credit allows; the network delivers a random
     * envelope of those in flight (so any order the window permits), the kernel consumes at
     * {@code consumeChance} per step.
     */
    private static Run run(FlowControl flow, int messages, long seed, double consumeChance, Network network) {
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
        long lost = 0;
        for (long step = 0; nextConsumed < messages; step++) {
            if (step > 200L * messages + 10_000) {
                fail("no progress: " + sender + "; " + receiver + "; " + inFlight.size() + " in flight, "
                        + grantsInFlight.size() + " grants in flight, window " + flow);
            }
            // The sender offers everything it has at once: it is as fast as it can be.
            while (offered < messages) {
                sender.send(offered++).ifPresent(inFlight::add);
            }
            if (network.resendEvery() > 0 && step % network.resendEvery() == 0) {
                inFlight.addAll(sender.overdue());
            }
            int choice = random.nextInt(3);
            if (choice == 0 && !(inFlight.isEmpty() && copies.isEmpty())) {
                int pick = random.nextInt(inFlight.size() + copies.size());
                Envelope<Integer> envelope = pick < inFlight.size() ? inFlight.remove(pick)
                        : copies.remove(pick - inFlight.size());
                if (random.nextDouble() < network.lossChance()) {
                    lost++;
                    continue;
                }
                if (random.nextDouble() < network.duplicateChance()) {
                    copies.add(envelope);
                    injected++;
                }
                Arrival<Integer> arrival = receiver.accept(envelope);
                assertTrue(arrival.outcome() != Outcome.REFUSED, () -> "refused " + envelope.sequence());
                if (arrival.answer() != null) {
                    grantsInFlight.addLast(arrival.answer());
                }
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
                CreditGrant grant = grantsInFlight.removeFirst();
                if (random.nextDouble() < network.lossChance()) {
                    lost++;
                    continue;
                }
                grants++;
                inFlight.addAll(sender.grant(grant));
            }
            long atReceiver = receiver.buffered() + receiver.unconsumed();
            peakAtReceiver = (int) Math.max(peakAtReceiver, atReceiver);
            long consumedNow = receiver.consumedCount();
            assertTrue(inFlight.stream().allMatch(envelope -> envelope.sequence() < consumedNow + flow.window()),
                    () -> "an envelope in flight past the window " + flow + " from " + consumedNow + ": " + inFlight);
            assertTrue(sender.unacknowledged() <= flow.window(), () -> "the sender keeps more than a window: " + sender);
            if (network.lossChance() == 0 && network.resendEvery() == 0) {
                long distinctInFlight = inFlight.size();
                assertTrue(distinctInFlight + atReceiver <= flow.window(),
                        () -> distinctInFlight + " in flight and " + atReceiver + " at the receiver exceed the window " + flow);
                assertEquals(sender.nextSequence() - receiver.consumedCount(), distinctInFlight + atReceiver,
                        "every message that left and was not consumed is somewhere");
            }
        }
        assertEquals(messages, sender.nextSequence());
        assertEquals(0, sender.held());
        if (network.lossChance() == 0 && network.resendEvery() == 0) {
            assertEquals(injected, receiver.stats().duplicates() + copies.size(),
                    "every injected copy was dropped as a duplicate or is still on its way");
        }
        return new Run(grants, sender.peakHeld(), peakAtReceiver, receiver.stats().duplicates(), receiver.stats().refused(), lost,
                sender.resends());
    }

    @Test
    void aFastSenderIsHeldBackToTheWindow() {
        Run run = run(FlowControl.DEFAULT, 20_000, 1, 0.05, Network.REORDERING);
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
                    Run run = run(flow, 1_500, seed * 31 + window * 7 + batch, 0.5, Network.REORDERING);
                    assertTrue(run.peakAtReceiver() <= window, flow + ": " + run);
                }
            }
            Run whole = run(new FlowControl(window, window), 1_000, window, 0.3, Network.REORDERING);
            assertTrue(whole.peakAtReceiver() <= window, whole.toString());
        }
    }

    @Test
    void duplicatedEnvelopesAreDroppedWithoutDisturbingOrder() {
        Run run = run(new FlowControl(16, 4), 5_000, 7, 0.4, Network.duplicating(0.2));
        assertTrue(run.duplicatesDropped() > 500, run.toString());
        assertEquals(0, run.refused());
    }

    @Test
    void lostEnvelopesAndGrantsAreResentUntilEveryMessageIsConsumedOnceAndInOrder() {
        long lost = 0;
        long resends = 0;
        for (int window : new int[] {1, 2, 5, 16, 64}) {
            for (long seed = 0; seed < 4; seed++) {
                FlowControl flow = new FlowControl(window, Math.max(1, window / 4));
                // The resend interval is several round trips long: a window takes about three steps a message.
                Run run = run(flow, 2_000, seed * 13 + window, 0.4, new Network(0.02, 0.03, 20 * window + 100));
                assertEquals(0, run.refused(), run.toString());
                lost += run.lost();
                resends += run.resends();
            }
        }
        assertTrue(lost > 1_000, "the network lost envelopes and grants: " + lost);
        assertTrue(resends > 200, "the senders resent: " + resends);
    }

    @Test
    void withoutResendALostEnvelopeStopsTheChannel() {
        AssertionError stuck = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> run(new FlowControl(8, 2), 500, 3, 0.4, new Network(0, 0.1, 0)));
        assertTrue(stuck.getMessage().contains("no progress"), stuck.getMessage());
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
