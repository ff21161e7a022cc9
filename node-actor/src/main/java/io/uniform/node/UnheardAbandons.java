package io.uniform.node;

import io.uniform.interconnect.ResendBackoff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link NodeActor.Abandon}s a node sent that the other side of their move has not
 * acknowledged yet ({@link NodeActor.AbandonHeard}): each goes again on the resend interval, with
 * {@link ResendBackoff}, until it is heard, its node is known to be lost, or its deadline passes
 * (by then the other side's own timeout has ended the move, whatever it heard). A lost one would
 * otherwise leave a destination reserved, or a source waiting, until that timeout.
 */
final class UnheardAbandons {
    /** An abandon sent to node {@code nid}, sent again until {@code deadlineNanos} (System.nanoTime). */
    record Unheard(int nid, NodeActor.Abandon abandon, long deadlineNanos, ResendBackoff backoff) {}

    private final Map<String, Unheard> unheard = new HashMap<>();

    /** {@code abandon} went to node {@code nid}: it goes again until heard, or until {@code deadlineNanos}. */
    void sent(int nid, NodeActor.Abandon abandon, long deadlineNanos) {
        unheard.put(abandon.move(), new Unheard(nid, abandon, deadlineNanos, new ResendBackoff()));
    }

    /** The other side of {@code move} heard its abandon. */
    void heard(String move) {
        unheard.remove(move);
    }

    /** Node {@code nid} is lost: nothing waits for its answers. */
    void nodeLost(int nid) {
        unheard.values().removeIf(abandon -> abandon.nid() == nid);
    }

    /** A resend interval has passed at {@code nowNanos}: the abandons to send again (those past their deadline are dropped). */
    List<Unheard> overdue(long nowNanos) {
        unheard.values().removeIf(abandon -> nowNanos - abandon.deadlineNanos() > 0);
        List<Unheard> overdue = new ArrayList<>();
        unheard.values().stream().filter(abandon -> abandon.backoff().due(true)).forEach(overdue::add);
        return overdue;
    }

    boolean isEmpty() {
        return unheard.isEmpty();
    }
}
