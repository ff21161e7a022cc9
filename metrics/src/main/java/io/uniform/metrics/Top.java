package io.uniform.metrics;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code uniform top}'s loop: every interval, the machine as a member's {@link ClusterView} sees
 * it, drawn as a {@link TopScreen}: over the last screen (cursor home, clear) on a terminal, one
 * after another otherwise. It needs only an actor system and the view on it, so it shows the
 * one-JVM machine of a command and any member of a cluster alike.
 */
public final class Top {
    private Top() {}

    /** The ANSI sequence that moves the cursor home and clears the screen, as top does before each redraw. */
    static final String CLEAR = "\033[H\033[2J";

    /** How long the first screen waits for a member's figures sampled since top began; after that, it shows what it has. */
    private static final Duration FIRST_SCREEN_PATIENCE = Duration.ofMinutes(1);

    /**
     * How top draws: a screen every {@code interval}, {@code iterations} of them (0: until it is
     * told to stop), each over the last one when {@code redraw}.
     */
    public record Settings(Duration interval, int iterations, boolean redraw) {
        public Settings {
            if (interval.isNegative() || interval.isZero() || iterations < 0) {
                throw new IllegalArgumentException("top: the interval must be positive and the iterations at least 0");
            }
        }
    }

    /**
     * Draws the machine {@code view} (on {@code system}) shows, on {@code out}, until the
     * iterations are drawn or {@code stop} completes (then at once, with a last screen); returns
     * the screens drawn. The first screen waits for figures some member sampled since this call.
     */
    public static int show(ActorSystem<?> system, ActorRef<ClusterView.Command> view, Settings settings, PrintStream out,
                           CompletionStage<?> stop) throws InterruptedException {
        CompletableFuture<?> stopped = stop.toCompletableFuture();
        long started = System.nanoTime();
        long startedMillis = System.currentTimeMillis();
        int screens = 0;
        while (settings.iterations() == 0 || screens < settings.iterations()) {
            boolean last = waitFor(stopped, settings.interval());
            MachineView machine;
            try {
                machine = AskPattern.<ClusterView.Command, MachineView>ask(view, ClusterView.GetView::new, settings.interval(),
                        system.scheduler()).toCompletableFuture().get();
            } catch (ExecutionException | RuntimeException e) {
                if (last) {
                    break; // stopped, and the view cannot draw a last screen (busy, or its system ended)
                }
                continue; // the view was busy past an interval: the next screen comes at the next one
            }
            if (screens == 0 && !last && machine.members().stream().noneMatch(member -> member.takenAtMillis() >= startedMillis)
                    && System.nanoTime() - started < FIRST_SCREEN_PATIENCE.toNanos()) {
                continue; // nothing sampled since top began (a machine still booting): a first screen would show the past
            }
            out.print((settings.redraw() ? CLEAR : screens > 0 ? "\n" : "") + TopScreen.render(machine, System.currentTimeMillis()));
            out.flush();
            screens++;
            if (last) {
                break;
            }
        }
        return screens;
    }

    /** Waits an interval, or less if {@code stopped} completes first: whether it did. */
    private static boolean waitFor(CompletableFuture<?> stopped, Duration interval) throws InterruptedException {
        try {
            stopped.get(interval.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // stopped, by a failure: the caller reports it
        }
    }
}
